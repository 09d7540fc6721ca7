package market_test

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/search/classify"
	"kechuang/internal/sqldb"
)

// BenchmarkReindexPeak measures what `kechuang reindex` costs in memory
// next to the index it leaves: 20,000 published listings from CSL (SQLite),
// an old snapshot on disk, then market.Reindex (what the command runs)
// while the heap is sampled every 5 ms, then a restart from the new
// snapshot. It reports the heap above the base (the classifier model and
// the database handles, before any index) at the reindex's peak and after
// the restart, and their ratio; "old-way" does what the command did
// before, OpenIndexer (which loads the old snapshot) and Rebuild, with
// the default GC target. Run it with -benchtime=1x.
func BenchmarkReindexPeak(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	db := dbtest.Open(b, sqldb.SQLite)
	svc, ent := importSetup(b, db, "320500")
	file := cslMarket(b, svc.Reference(), n)
	res, err := svc.ImportListings(ctx, ent, bytes.NewReader(file), int64(len(file)), "csl.csv", market.ImportOptions{Mode: market.ImportValidRows}, nil)
	if err != nil || !res.Applied {
		b.Fatalf("import: %d rows applied, %v", res.Created, err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE listings SET state = 'published', published_at = '2026-11-01T00:00:00Z',
		expires_at = '2099-11-01T00:00:00Z'`); err != nil {
		b.Fatal(err)
	}
	if _, err := classify.Default(); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if _, err := market.Reindex(ctx, svc, dir, nil); err != nil { // the old snapshot
		b.Fatal(err)
	}
	for range b.N {
		for _, way := range []string{"reindex", "old-way"} {
			base := liveHeap()
			peak := sampleHeap()
			start := time.Now()
			switch way {
			case "reindex":
				// As `kechuang reindex` runs it (cmd/kechuang/reindex.go).
				old := debug.SetGCPercent(20)
				_, err := market.Reindex(ctx, svc, dir, nil)
				debug.SetGCPercent(old)
				if err != nil {
					b.Fatal(err)
				}
			case "old-way":
				x, err := market.OpenIndexer(ctx, svc, dir, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := x.Rebuild(ctx); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			top := peak()
			x, err := market.OpenIndexer(ctx, svc, dir, nil)
			if err != nil {
				b.Fatal(err)
			}
			steady := liveHeap()
			runtime.KeepAlive(x)
			b.ReportMetric(float64(top-base)/(1<<20), "peak-MiB-"+way)
			b.ReportMetric(float64(steady-base)/(1<<20), "steady-MiB-"+way)
			b.ReportMetric(float64(top-base)/float64(steady-base), "peak/steady-"+way)
			b.ReportMetric(elapsed.Seconds(), "s-"+way)
			b.ReportMetric(float64(base)/(1<<20), "base-MiB-"+way)
			b.ReportMetric(float64(top)/float64(steady), "peak/steady-whole-heap-"+way)
		}
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// sampleHeap samples the heap in use every 5 ms until the returned
// function is called, which returns the largest sample.
func sampleHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}
