package market_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// BenchmarkImport10kListings imports 10,000 rows (two thirds achievements,
// one third demands, with external ids) from one CSV (and, as drafts, the
// same rows as .xlsx), all or nothing, on
// each database — as drafts, and submitted for review (which adds the
// duplicate check and a second audit row per listing) — and reports
// rows/s. Run it with -benchtime=1x: one op is one whole file on a fresh
// database.
func BenchmarkImport10kListings(b *testing.B) {
	csvFile, xlsxFile := importFile(10_000), importXLSX(b, 10_000)
	for _, bc := range []struct {
		d      sqldb.Dialect
		submit bool
		xlsx   bool
	}{{sqldb.SQLite, false, false}, {sqldb.SQLite, true, false}, {sqldb.Postgres, false, false}, {sqldb.Postgres, true, false},
		{sqldb.SQLite, false, true}, {sqldb.Postgres, false, true}} {
		name := string(bc.d) + "/drafts"
		if bc.submit {
			name = string(bc.d) + "/submit"
		}
		file, filename := csvFile, "bench.csv"
		if bc.xlsx {
			file, filename = xlsxFile, "bench.xlsx"
			name += "/xlsx"
		}
		d := bc.d
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				svc, ent := importSetup(b, dbtest.Open(b, d), "320500")
				ctx := context.Background()
				b.StartTimer()
				start := time.Now()
				res, err := svc.ImportListings(ctx, ent, bytes.NewReader(file), int64(len(file)), filename, market.ImportOptions{Submit: bc.submit}, nil)
				elapsed := time.Since(start)
				b.StopTimer()
				if err != nil || !res.Applied || res.Created != 10_000 || (bc.submit && res.Submitted != 10_000) {
					b.Fatalf("import: %+v, %v", res, err)
				}
				b.ReportMetric(float64(res.Rows)/elapsed.Seconds(), "rows/s")
				b.StartTimer()
			}
		})
	}
}

// importSetup returns a market service on db and an enterprise owner in
// regionCode, for benchmarks and fuzzing (newFixture needs a *testing.T).
func importSetup(tb testing.TB, db *sqldb.DB, regionCode string) (*market.Service, account.Actor) {
	tb.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		tb.Fatal(err)
	}
	ref, err := market.LoadReference(data.FS)
	if err != nil {
		tb.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) }
	accts := account.NewService(db, rs, account.Config{Now: now, Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	u, err := accts.CreateUser(ctx, account.System, account.NewUser{Username: "ent", DisplayName: "ent", Role: account.RoleEnterprise,
		RegionCode: regionCode, Password: "Kechuang-2026"})
	if err != nil {
		tb.Fatal(err)
	}
	return market.NewService(db, ref, "320500", now), account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: regionCode}
}
