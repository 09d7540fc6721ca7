package audit_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func init() { audit.RegisterActions("bench.write") }

// BenchmarkCommit measures one acknowledged write as the platform makes it
// (a row, its audit row sealed into the chain, one commit) on SQLite with
// synchronous=NORMAL and =FULL, and on PostgreSQL for reference. One op is
// one committed transaction, by one writer.
//
//	go test -run '^$' -bench Commit -benchtime 3s ./internal/audit/
func BenchmarkCommit(b *testing.B) {
	for _, mode := range []string{"NORMAL", "FULL"} {
		b.Run("sqlite-"+mode, func(b *testing.B) {
			db, err := sqldb.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), "",
				sqldb.Options{Synchronous: mode})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			benchCommit(b, db)
		})
	}
	b.Run("postgres", func(b *testing.B) {
		db := dbtest.OpenEmpty(b, sqldb.Postgres)
		benchCommit(b, db)
	})
}

func benchCommit(b *testing.B, db *sqldb.DB) {
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := audit.Open(ctx, db, dbtest.AuditKey); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?)", fmt.Sprint("k", i), "v"); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.System, audit.Event{Action: "bench.write", ObjectType: "setting", ObjectID: fmt.Sprint(i)})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
