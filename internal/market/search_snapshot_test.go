package market_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// snapshotFile is where OpenIndexer keeps the snapshot under a data
// directory.
func snapshotFile(dir string) string { return filepath.Join(dir, "index", "listings.idx") }

// TestIndexerSavesOnlyChanges guards the snapshot policy: the server saves
// every few minutes, and an unchanged index must not be written again (at
// a million listings a save writes a gigabyte), after a restart included.
func TestIndexerSavesOnlyChanges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		for _, c := range searchCorpus[:3] {
			publish(t, f, owner, staff, c.title, c.summary, c.domain, c.keywords)
		}
		dir := t.TempDir()
		x, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := snapshotFile(dir)
		saveWrites := func(step string, want bool) {
			t.Helper()
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			if err := x.Save(); err != nil {
				t.Fatal(err)
			}
			_, err := os.Stat(path)
			if got := err == nil; got != want {
				t.Errorf("%s: Save wrote the snapshot = %v, want %v", step, got, want)
			}
		}
		saveWrites("first save", true)
		saveWrites("unchanged", false)
		if _, err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		saveWrites("catch-up with nothing new", false)
		publish(t, f, owner, staff, searchCorpus[3].title, searchCorpus[3].summary, searchCorpus[3].domain, searchCorpus[3].keywords)
		if _, err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		saveWrites("after a new listing", true)
		saveWrites("unchanged again", false)

		// A restart from the snapshot has nothing new to write.
		publish(t, f, owner, staff, searchCorpus[4].title, searchCorpus[4].summary, searchCorpus[4].domain, searchCorpus[4].keywords)
		if _, err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if err := x.Save(); err != nil {
			t.Fatal(err)
		}
		y, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := y.Save(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err == nil {
			t.Error("after a restart with no changes, Save wrote the snapshot")
		}
	})
}

// TestIndexerSaveDuringWrites guards the save that runs beside catch-ups
// and searches: whatever the snapshot caught, reopening from it and
// replaying the changes after its sequence number gives the same answers
// as the index that kept running.
func TestIndexerSaveDuringWrites(t *testing.T) {
	t.Parallel()
	results := map[sqldb.Dialect][][]int64{}
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		var ids []int64
		for i := range 30 {
			c := searchCorpus[i%len(searchCorpus)]
			ids = append(ids, publish(t, f, owner, staff, fmt.Sprintf("%s（第%d批）", c.title, i), c.summary, c.domain, c.keywords))
		}
		dir := t.TempDir()
		x, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		queries := []string{"5G 基站 滤波器", "PEEK 复合材料", "CRISPR 水稻", "锂离子电池", "污水 曝气", ""}
		ask := func(x *market.Indexer) [][]int64 {
			var out [][]int64
			for _, q := range queries {
				out = append(out, hitIDs(x.Search(market.SearchQuery{Text: q, PerPage: 50})))
			}
			return out
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			for range 3 {
				if err := x.Save(); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			for i := range 10 {
				c := searchCorpus[i%len(searchCorpus)]
				publish(t, f, owner, staff, fmt.Sprintf("新增%s", c.title), c.summary, c.domain, c.keywords)
				if _, err := f.svc.Withdraw(ctx, owner, ids[i]); err != nil {
					t.Error(err)
				}
				if _, err := x.CatchUp(ctx); err != nil {
					t.Error(err)
				}
			}
		})
		wg.Go(func() {
			for range 20 {
				ask(x)
			}
		})
		wg.Wait()
		if _, err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		want := ask(x)
		y, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := ask(y); !cmp.Equal(want, got) {
			t.Errorf("reopened from a snapshot saved during writes, answers differ (-running +reopened):\n%s", cmp.Diff(want, got))
		}
		if y.Index().Len() != 30 {
			t.Errorf("reopened index holds %d listings, want 30 (30 + 10 new − 10 withdrawn)", y.Index().Len())
		}
		results[db.Dialect()] = want
	})
	if diff := cmp.Diff(results[sqldb.SQLite], results[sqldb.Postgres]); diff != "" && len(results) == 2 {
		t.Errorf("results differ between databases (-sqlite +postgres):\n%s", diff)
	}
}

// TestReindexIgnoresTheOldSnapshot guards `kechuang reindex`: it builds
// from the database alone (a corrupt or stale snapshot does not matter)
// and leaves a snapshot that a restart loads.
func TestReindexIgnoresTheOldSnapshot(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		var ids []int64
		for _, c := range searchCorpus {
			ids = append(ids, publish(t, f, owner, staff, c.title, c.summary, c.domain, c.keywords))
		}
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Dir(snapshotFile(dir)), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(snapshotFile(dir), []byte("not a snapshot"), 0o600); err != nil {
			t.Fatal(err)
		}
		n, err := market.Reindex(ctx, f.svc, dir, nil)
		if err != nil || n != len(searchCorpus) {
			t.Fatalf("Reindex() = %d, %v; want %d", n, err, len(searchCorpus))
		}
		x, err := market.OpenIndexer(ctx, f.svc, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r := x.Search(market.SearchQuery{Text: "CRISPR 水稻"}); len(r.Hits) == 0 || r.Hits[0].ID != ids[2] {
			t.Errorf("after reindex, Search = %v, want %d first", hitIDs(r), ids[2])
		}
		if err := os.Remove(snapshotFile(dir)); err != nil {
			t.Fatal(err)
		}
		if err := x.Save(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(snapshotFile(dir)); err == nil {
			t.Error("the snapshot reindex wrote was not taken as saved")
		}
	})
}
