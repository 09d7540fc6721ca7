package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/pii"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// TestNewSealsLegacyPersonalData guards #18 §11: rows written before
// contacts were sealed are sealed at start, a key that cannot open the
// stored data stops the start, and a rotation re-seals under the new key.
func TestNewSealsLegacyPersonalData(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		keyring := func(keys ...secret.Key) *pii.Keyring {
			k, err := pii.NewKeyring(keys[0], keys[1:]...)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		oldKey, newKey := secret.NewKey(), secret.NewKey()
		if _, err := db.ExecContext(ctx, `INSERT INTO users (username, role, region_code, password_hash, created_at, updated_at)
			VALUES ('inst', 'institution', '320505', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		var uid int64
		if err := db.QueryRowContext(ctx, "SELECT id FROM users WHERE username = 'inst'").Scan(&uid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO listings (kind, state, title, region_code, contact_name, contact_phone,
			contact_email, owner_id, created_at, updated_at) VALUES ('achievement', 'draft', '旧成果', '320505', '陈老师',
			'13812341234', 'chen@example.com', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`, uid); err != nil {
			t.Fatal(err)
		}
		stored := func() (phone, email string) {
			t.Helper()
			if err := db.QueryRowContext(ctx, "SELECT contact_phone, contact_email FROM listings").Scan(&phone, &email); err != nil {
				t.Fatal(err)
			}
			return phone, email
		}
		a, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash, HomeRegion: "320500", NoIndex: true, PIIKeys: keyring(oldKey)})
		if err != nil {
			t.Fatal(err)
		}
		phone, email := stored()
		if pii.SealedKeyID(phone) != pii.KeyID(oldKey) || pii.SealedKeyID(email) != pii.KeyID(oldKey) {
			t.Fatalf("after the first start the row holds %q, %q; want both sealed", phone, email)
		}
		owner := account.Actor{UserID: uid, Username: "inst", Role: account.RoleInstitution, Region: "320505"}
		list, _, err := a.Market.FindListings(ctx, owner, market.Filter{Mine: true})
		if err != nil || len(list) != 1 {
			t.Fatalf("FindListings = %v, %v", list, err)
		}
		l, err := a.Market.GetListing(ctx, owner, list[0].ID)
		if err != nil || l.Contact.Phone != "13812341234" || l.Contact.Email != "chen@example.com" {
			t.Errorf("GetListing after sealing = %+v, %v; want the contact", l.Contact, err)
		}

		// Another key: the start is refused, naming the key the data needs.
		_, err = app.New(ctx, app.Config{DB: db, Hash: cheapHash, NoIndex: true, PIIKeys: keyring(newKey)})
		if !errors.Is(err, app.ErrPIIKey) || !strings.Contains(err.Error(), pii.KeyID(oldKey)) {
			t.Errorf("New with another key = %v, want ErrPIIKey naming key %s", err, pii.KeyID(oldKey))
		}
		if p, _ := stored(); p != phone {
			t.Error("the refused start changed the row")
		}
		// A rotation: the new key first, the old one after it.
		if _, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash, NoIndex: true, PIIKeys: keyring(newKey, oldKey)}); err != nil {
			t.Fatalf("New after rotation = %v", err)
		}
		if p, e := stored(); pii.SealedKeyID(p) != pii.KeyID(newKey) || pii.SealedKeyID(e) != pii.KeyID(newKey) {
			t.Errorf("after rotation the row holds %q, %q; want both under the new key", p, e)
		}
		if _, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash, NoIndex: true, PIIKeys: keyring(newKey)}); err != nil {
			t.Errorf("New with the new key alone after rotation = %v", err)
		}
	})
}
