package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// DefaultPG is the server used when KECHUANG_TEST_PG is unset.
const DefaultPG = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// PostgresDSN returns the test server's DSN.
func PostgresDSN() string {
	if dsn := os.Getenv("KECHUANG_TEST_PG"); dsn != "" {
		return dsn
	}
	return DefaultPG
}

// Each runs fn as a subtest on a fresh migrated SQLite database and on a
// fresh migrated PostgreSQL schema.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// AuditKey is the audit chain key Open gives every test database.
var AuditKey = []byte("kechuang test audit chain key, 32+ bytes long")

// Open returns a fresh migrated database of dialect d, closed and (for
// PostgreSQL) dropped when the test ends, with AuditKey as its audit chain
// key so that services can record audit rows, and a new random
// personal-data keyring (pii.Attach) so that stores can seal contacts.
func Open(t testing.TB, d sqldb.Dialect) *sqldb.DB {
	t.Helper()
	db := OpenEmpty(t, d)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	if _, err := audit.Open(context.Background(), db, AuditKey); err != nil {
		t.Fatalf("audit key: %v", err)
	}
	keys, err := pii.NewKeyring(secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	pii.Attach(db, keys)
	return db
}

// OpenEmpty is Open without the migrations.
func OpenEmpty(t testing.TB, d sqldb.Dialect) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	if d == sqldb.SQLite {
		db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "test.db"), "", sqldb.Options{})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dsn, cleanup := NewSchema(t)
	db, err := sqldb.Open(ctx, dsn, "", sqldb.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		cleanup()
	})
	return db
}

// NewSchema creates a private schema on the test server and returns a DSN
// whose search_path points at it, and a function that drops it.
func NewSchema(t testing.TB) (dsn string, drop func()) {
	t.Helper()
	base := PostgresDSN()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("PostgreSQL for tests (KECHUANG_TEST_PG=%q): %v", base, err)
	}
	if err := admin.Ping(); err != nil {
		admin.Close()
		t.Fatalf("PostgreSQL for tests is not reachable (KECHUANG_TEST_PG=%q): %v; run .ci/run or start a server", base, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse KECHUANG_TEST_PG: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
}
