package pii_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kechuang/internal/dbtest"
	"kechuang/internal/pii"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

var phoneCol = pii.Column{Table: "listings", Name: "contact_phone"}

func keyring(t *testing.T, keys ...secret.Key) *pii.Keyring {
	t.Helper()
	k, err := pii.NewKeyring(keys[0], keys[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	first := secret.NewKey()
	k := keyring(t, first)
	sealed, err := k.Seal(phoneCol, "13812341234")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "13812341234") || !pii.IsSealed(sealed) || pii.SealedKeyID(sealed) != k.ID() {
		t.Fatalf("Seal = %q, want a sealed value under key %s without the plain text", sealed, k.ID())
	}
	again, _ := k.Seal(phoneCol, "13812341234")
	if again == sealed {
		t.Error("two Seals of one value are equal, want a random nonce each")
	}
	if got, err := k.Open(phoneCol, sealed); err != nil || got != "13812341234" {
		t.Fatalf("Open = %q, %v, want the plain text", got, err)
	}
	if got, err := k.Open(phoneCol, "0512-65880000"); err != nil || got != "0512-65880000" {
		t.Errorf("Open(legacy plain text) = %q, %v, want it as it is", got, err)
	}
	if got, err := k.Seal(phoneCol, ""); err != nil || got != "" {
		t.Errorf("Seal(\"\") = %q, %v, want \"\"", got, err)
	}

	other := keyring(t, secret.NewKey())
	_, err = other.Open(phoneCol, sealed)
	if err == nil || !strings.Contains(err.Error(), k.ID()) || !strings.Contains(err.Error(), "not in the key file") {
		t.Errorf("Open with another key = %v, want an error naming key %s", err, k.ID())
	}
	if _, err := k.Open(pii.Column{Table: "listings", Name: "contact_email"}, sealed); err == nil {
		t.Error("Open in another column succeeded, want an error")
	}
	if _, err := (*pii.Keyring)(nil).Open(phoneCol, sealed); err == nil {
		t.Error("Open with no keyring succeeded, want an error")
	}
	if _, err := (*pii.Keyring)(nil).Seal(phoneCol, "x"); err == nil {
		t.Error("Seal with no keyring succeeded, want an error")
	}
	// After a rotation the earlier key still opens.
	rotated := keyring(t, secret.NewKey(), first)
	if got, err := rotated.Open(phoneCol, sealed); err != nil || got != "13812341234" {
		t.Errorf("Open after rotation = %q, %v, want the plain text", got, err)
	}
}

func TestLoadOrCreate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "pii.key")
	k1, created, err := pii.LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate = %v, created %v; want a new key file", err, created)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	k2, created, err := pii.LoadOrCreate(path)
	if err != nil || created || k2.ID() != k1.ID() {
		t.Fatalf("second LoadOrCreate = %v, created %v; want the same key read back", err, created)
	}
	// Rotation: a new key on top, the old one kept below it.
	old, _ := os.ReadFile(path)
	next := secret.NewKey()
	if err := os.WriteFile(path, []byte(next.String()+"\n"+string(old)), 0o600); err != nil {
		t.Fatal(err)
	}
	k3, err := pii.LoadFile(path)
	if err != nil || k3.ID() != pii.KeyID(next) || !k3.Has(k1.ID()) {
		t.Fatalf("LoadFile after rotation = %v; want the new key current and the old one held", err)
	}
	if err := os.WriteFile(path, []byte("# only a comment\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pii.LoadFile(path); err == nil {
		t.Error("LoadFile of a file without a key succeeded, want an error")
	}
}

func TestSealAllAndCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		oldKey := secret.NewKey()
		pii.Attach(db, keyring(t, oldKey))
		if _, err := db.ExecContext(ctx, "INSERT INTO regions (code, name, level) VALUES ('320505', '高新区', 3)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO users (username, role, password_hash, created_at, updated_at)
			VALUES ('u', 'enterprise', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		var uid int64
		if err := db.QueryRowContext(ctx, "SELECT id FROM users WHERE username = 'u'").Scan(&uid); err != nil {
			t.Fatal(err)
		}
		// A legacy row written before sealing, and one sealed with the old key.
		sealedOld, _ := pii.From(db).Seal(phoneCol, "13900000002")
		for i, phone := range []string{"13900000001", sealedOld, ""} {
			if _, err := db.ExecContext(ctx, `INSERT INTO listings (kind, state, title, region_code, contact_name, contact_phone,
				owner_id, created_at, updated_at) VALUES ('demand', 'draft', ?, '320505', '陈', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
				"t"+string(rune('a'+i)), phone, uid); err != nil {
				t.Fatal(err)
			}
		}
		newKey := secret.NewKey()
		rotated := keyring(t, newKey, oldKey)
		pii.Attach(db, rotated)
		if err := pii.Check(ctx, db, keyring(t, newKey), phoneCol); err == nil || !strings.Contains(err.Error(), pii.KeyID(oldKey)) {
			t.Errorf("Check without the old key = %v, want an error naming key %s", err, pii.KeyID(oldKey))
		}
		if err := pii.Check(ctx, db, rotated, phoneCol); err != nil {
			t.Errorf("Check with both keys = %v", err)
		}
		n, err := pii.SealAll(ctx, db, phoneCol)
		if err != nil || n != 2 {
			t.Fatalf("SealAll = %d, %v; want 2 values sealed", n, err)
		}
		rows, err := db.QueryContext(ctx, "SELECT contact_phone FROM listings ORDER BY title")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if s != "" && (!pii.IsSealed(s) || pii.SealedKeyID(s) != rotated.ID()) {
				t.Errorf("stored %q after SealAll, want sealed under %s", s, rotated.ID())
			}
			plain, err := rotated.Open(phoneCol, s)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, plain)
		}
		if strings.Join(got, ",") != "13900000001,13900000002," {
			t.Errorf("values after SealAll = %v", got)
		}
		// Now the old key is no longer needed.
		if err := pii.Check(ctx, db, keyring(t, newKey), phoneCol); err != nil {
			t.Errorf("Check after SealAll with the new key alone = %v", err)
		}
	})
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, phone, email string
	}{
		{name: "mobile", in: "13812341234", phone: "138****1234"},
		{name: "landline", in: "0512-65880000", phone: "051*-****0000"},
		{name: "international", in: "+86 138 1234 1234", phone: "+86 1** **** 1234"},
		{name: "short", in: "12345", phone: "***45"},
		{name: "empty", in: "", phone: "", email: ""},
		{name: "email", in: "zhang.wei@example.com", email: "z***@example.com"},
		{name: "chinese local part", in: "张伟@example.cn", email: "张***@example.cn"},
		{name: "no at", in: "nobody", email: "n***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.phone != "" || tt.in == "" {
				if got := pii.MaskPhone(tt.in); got != tt.phone {
					t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.phone)
				}
			}
			if tt.email != "" || tt.in == "" {
				if got := pii.MaskEmail(tt.in); got != tt.email {
					t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.email)
				}
				if tt.in != "" && (!pii.IsMasked(pii.MaskEmail(tt.in)) || pii.IsMasked(tt.in)) {
					t.Errorf("IsMasked(%q) and IsMasked(its mask) disagree with the masking", tt.in)
				}
			}
		})
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k, err := pii.NewKeyring(secret.NewKey())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := k.Seal(phoneCol, "13812341234")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open(phoneCol, s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCheckInstallation: a node with a key of its own is refused even
// before any personal data is stored; a rotation moves the check along.
func TestCheckInstallation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a, b := secret.NewKey(), secret.NewKey()
		pii.Attach(db, keyring(t, a))
		if err := pii.CheckInstallation(ctx, db); err != nil {
			t.Fatalf("first CheckInstallation = %v", err)
		}
		pii.Attach(db, keyring(t, b))
		if err := pii.CheckInstallation(ctx, db); err == nil || !strings.Contains(err.Error(), pii.KeyID(a)) {
			t.Errorf("CheckInstallation with another key = %v, want an error naming key %s", err, pii.KeyID(a))
		}
		pii.Attach(db, keyring(t, b, a))
		if err := pii.CheckInstallation(ctx, db); err != nil {
			t.Errorf("CheckInstallation after rotation = %v", err)
		}
		pii.Attach(db, keyring(t, b))
		if err := pii.CheckInstallation(ctx, db); err != nil {
			t.Errorf("CheckInstallation with the new key alone after rotation = %v", err)
		}
	})
}
