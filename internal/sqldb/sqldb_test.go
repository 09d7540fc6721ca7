package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func TestMigrationsAreWellFormed(t *testing.T) {
	t.Parallel()
	ms, err := sqldb.Migrations()
	if err != nil {
		t.Fatalf("Migrations() error = %v", err)
	}
	for _, m := range ms {
		for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres} {
			if m.SQL[d] == "" {
				t.Errorf("migration %04d has no %s SQL", m.Version, d)
			}
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate() = %d, %v; want 0, nil", n, err)
		}
		v, err := db.SchemaVersion(ctx)
		ms, _ := sqldb.Migrations()
		// Numbers may have gaps: the version is the last number, not the count.
		if last := ms[len(ms)-1].Version; err != nil || v != last {
			t.Errorf("SchemaVersion() = %d, %v; want %d", v, err, last)
		}
	})
}

func TestUniqueViolationIsConflict(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		ins := "INSERT INTO settings (key, value) VALUES (?, ?)"
		if _, err := db.ExecContext(ctx, ins, "k", "v"); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, ins, "k", "w")
		if !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate insert error = %v, want kind Conflict", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "INSERT INTO audit_log (at, action) VALUES (?, ?)", sqldb.FormatTime(time.Now()), "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE audit_log SET action = 'changed'"); err == nil {
			t.Error("UPDATE audit_log succeeded, want an error")
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
			t.Error("DELETE FROM audit_log succeeded, want an error")
		}
	})
}

func TestInTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", "a", "1"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx() error = %v, want boom", err)
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", "a").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("rows after rollback = %d, want 0", n)
		}
	})
}

func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		want := time.Date(2026, 11, 23, 16, 30, 1, 123456000, time.FixedZone("CST", 8*3600))
		var id int64
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			var err error
			id, err = tx.InsertID(ctx, "INSERT INTO audit_log (at, action) VALUES (?, ?)", sqldb.At(want), "t")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got sqldb.Time
		if err := db.QueryRowContext(ctx, "SELECT at FROM audit_log WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) {
			t.Errorf("time round trip = %v, want %v", got, want)
		}
	})
}

// TestLoadMigrationsAllowsGaps: branches developed side by side hold
// disjoint migration numbers, so a gap must load, in order.
func TestLoadMigrationsAllowsGaps(t *testing.T) {
	t.Parallel()
	ms, err := sqldb.LoadMigrationsForTest(fstest.MapFS{
		"m/0003_c.sql": {Data: []byte("c")}, "m/0001_a.sql": {Data: []byte("a")},
	}, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[1].Version != 3 {
		t.Errorf("loadMigrations(0001, 0003) = %+v, want versions 1 and 3 in order", ms)
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files fstest.MapFS
	}{
		{name: "only one dialect variant", files: fstest.MapFS{
			"m/0001_a.sqlite.sql": {Data: []byte("x")},
		}},
		{name: "common and variant", files: fstest.MapFS{
			"m/0001_a.sql": {Data: []byte("x")}, "m/0001_a.sqlite.sql": {Data: []byte("x")}, "m/0001_a.postgres.sql": {Data: []byte("x")},
		}},
		{name: "number zero", files: fstest.MapFS{"m/0000_a.sql": {Data: []byte("x")}}},
		{name: "bad name", files: fstest.MapFS{"m/init.sql": {Data: []byte("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := sqldb.LoadMigrationsForTest(tt.files, "m"); err == nil {
				t.Errorf("loadMigrations(%s) = nil error, want one", tt.name)
			}
		})
	}
}

// TestSQLiteSyncsEveryCommit: in WAL mode synchronous=NORMAL can lose the
// last acknowledged commits on power loss (a process crash loses nothing
// either way, which TestKillMidStreamLosesNothing in cmd/kechuang checks);
// every pooled connection must run with FULL (2).
func TestSQLiteSyncsEveryCommit(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		var mode int
		if err := c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&mode); err != nil || mode != 2 {
			t.Errorf("connection %d: PRAGMA synchronous = %d, %v; want 2 (FULL)", i, mode, err)
		}
	}
}
