package market_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// BenchmarkExportSearch10k exports a search that matches 10,000 published
// listings (the export's cap) to .xlsx, on SQLite (the export reads the
// listings by id in batches; the index is in memory either way). Run it
// with -benchtime=1x.
func BenchmarkExportSearch10k(b *testing.B) {
	ctx := context.Background()
	db := dbtest.Open(b, sqldb.SQLite)
	svc, ent := importSetup(b, db, "320500")
	file := importFile(10_000)
	if res, err := svc.ImportListings(ctx, ent, bytes.NewReader(file), int64(len(file)), "bench.csv", market.ImportOptions{}, nil); err != nil || res.Created != 10_000 {
		b.Fatalf("import: %+v, %v", res, err)
	}
	// Setup only: publish every draft at once, as 10,000 reviews would, and
	// record the change the index follows.
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if _, err := db.ExecContext(ctx, "UPDATE listings SET state = 'published', published_at = ?, expires_at = ?",
		sqldb.At(now), sqldb.At(now.Add(market.Validity))); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO listing_changes (listing_id, at) SELECT id, ? FROM listings", sqldb.At(now)); err != nil {
		b.Fatal(err)
	}
	idx, err := market.OpenIndexer(ctx, svc, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	for { // CatchUp applies at most 5,000 changes a call
		n, err := idx.CatchUp(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	for _, bc := range []struct {
		name string
		q    market.SearchQuery
	}{
		{"all", market.SearchQuery{}},
		{"demands", market.SearchQuery{Filters: map[string][]string{market.FacetKind: {string(market.Demand)}}, Sort: "newest"}},
	} {
		name := bc.name
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var buf bytes.Buffer
				start := time.Now()
				total, written, err := idx.ExportSearch(ctx, bc.q, "https://kc.example", &buf)
				elapsed := time.Since(start)
				if err != nil || written == 0 || written > market.MaxExportRows {
					b.Fatalf("export: %d of %d, %v", written, total, err)
				}
				b.ReportMetric(float64(written)/elapsed.Seconds(), "rows/s")
				b.ReportMetric(float64(written), "rows")
				b.ReportMetric(float64(buf.Len())/(1<<20), "MiB")
				if i == 0 {
					rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "export.xlsx", sheet.Limits{})
					if err != nil {
						b.Fatal(err)
					}
					rd.Close()
				}
			}
		})
	}
}
