package dbtest_test

import (
	"context"
	"testing"

	"kechuang/internal/dbtest"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// TestEachGivesTwoFreshMigratedDatabases: Each runs on SQLite and on a
// private PostgreSQL schema, both migrated and empty, with a personal-data keyring
// attached.
func TestEachGivesTwoFreshMigratedDatabases(t *testing.T) {
	ctx := context.Background()
	var dialects []sqldb.Dialect
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		dialects = append(dialects, db.Dialect())
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil || n != 0 {
			t.Fatalf("users on a fresh database: %d, %v", n, err)
		}
		if pii.From(db) == nil {
			t.Error("no personal-data keyring attached")
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO users (username, role, region_code, password_hash, created_at, updated_at)
			VALUES ('once', 'staff', '320500', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
	})
	if len(dialects) != 2 || dialects[0] != sqldb.SQLite || dialects[1] != sqldb.Postgres {
		t.Errorf("Each ran on %v, want sqlite then postgres", dialects)
	}
}
