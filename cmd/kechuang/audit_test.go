package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

// TestAuditVerifyCommand: `kechuang audit verify` exits 0 on an intact log
// and 1 naming the first row that was changed, removed or inserted, on both
// databases; it refuses a key the chain was not started with.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	tamper := []struct {
		name  string
		sql   []string // run with the append-only triggers out of the way
		want  string
		rowAt int // the chain position whose row id the message names
	}{
		{name: "changed", sql: []string{"UPDATE audit_log SET summary = '{}' WHERE chain_seq = 2"}, want: "audit log changed: row id %d", rowAt: 2},
		{name: "removed", sql: []string{"DELETE FROM audit_log WHERE chain_seq = 2"}, want: "audit log removed: positions 2–2 were removed before row id %d", rowAt: 3},
		{name: "inserted", sql: []string{`INSERT INTO audit_log (at, actor_name, actor_role, action) VALUES ('2026-01-01T00:00:00.000000Z', 'x', 'admin', 'user.create')`},
			want: "audit log inserted: row id"},
	}
	for _, dialect := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		for _, tt := range tamper {
			t.Run(string(dialect)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				args := []string{"--data", dir}
				if dialect == sqldb.Postgres {
					dsn, drop := dbtest.NewSchema(t)
					t.Cleanup(drop)
					args = append(args, "--db", dsn)
				}
				for _, u := range []string{"u1", "u2", "u3"} {
					if code, _, errOut := run(t, "Kechuang-2026\n", append([]string{"user", "add", "--username", u, "--role", "investor", "--password-stdin"}, args...)...); code != 0 {
						t.Fatalf("user add: %s", errOut)
					}
				}
				if code, out, errOut := run(t, "", append([]string{"audit", "verify"}, args...)...); code != 0 || !strings.Contains(out, "3 rows verified") {
					t.Fatalf("verify an intact log = %d %s %s", code, out, errOut)
				}
				db, err := sqldb.Open(context.Background(), dbArg(args), dir, sqldb.Options{})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				var rowID int64
				if tt.rowAt > 0 {
					if err := db.QueryRowContext(ctx, "SELECT id FROM audit_log WHERE chain_seq = ?", tt.rowAt).Scan(&rowID); err != nil {
						t.Fatal(err)
					}
				}
				unprotect := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
				if dialect == sqldb.Postgres {
					unprotect = []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
				}
				for _, q := range append(unprotect, tt.sql...) {
					if _, err := db.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				db.Close()
				want := tt.want
				if rowID != 0 {
					want = fmt.Sprintf(tt.want, rowID)
				}
				code, _, errOut := run(t, "", append([]string{"audit", "verify"}, args...)...)
				if code != exitFail || !strings.Contains(errOut, want) {
					t.Errorf("verify after the row was %s = %d %q, want exit 1 and %q", tt.name, code, errOut, want)
				}
			})
		}
	}
}

func TestAuditKeyIsMadeAtFirstStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	add := func(name string, extra ...string) (int, string) {
		code, _, errOut := run(t, "Kechuang-2026\n", append([]string{"user", "add", "--data", dir, "--username", name, "--role", "investor", "--password-stdin"}, extra...)...)
		return code, errOut
	}
	code, errOut := add("first")
	if code != 0 || !strings.Contains(errOut, "generated a new audit chain key") {
		t.Fatalf("first start = %d %q, want a note that a key was made", code, errOut)
	}
	st, err := os.Stat(filepath.Join(dir, "audit.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("audit.key = %v, %v; want a file only its owner reads", st, err)
	}
	if code, errOut := add("second"); code != 0 || strings.Contains(errOut, "generated") {
		t.Errorf("second start = %d %q, want the same key, silently", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte(audit.GenerateKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, errOut = add("third", "--audit-key-file", other)
	if code != exitUsage || !regexp.MustCompile(`audit key \w+ is not the key this database's audit chain was started with`).MatchString(errOut) {
		t.Errorf("start with another key = %d %q, want refused", code, errOut)
	}
	if code, _, errOut := run(t, "", "audit", "verify", "--data", t.TempDir()); code != exitUsage || !strings.Contains(errOut, "no audit key") {
		t.Errorf("verify without a key = %d %q, want a usage error (verify never makes a key)", code, errOut)
	}
}
