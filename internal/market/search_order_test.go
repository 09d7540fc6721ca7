package market_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestIndexSeesChangesCommittedOutOfOrder guards the change sequence on
// PostgreSQL (issue #18 §12). A sequence number taken at the write let a
// transaction that began first commit after a later one; an index that
// caught up between the two commits skipped the first change for good, so
// the listing stayed stale on that node — a second node, or one node under
// concurrent writers. Numbers are now taken at commit, in commit order.
func TestIndexSeesChangesCommittedOutOfOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.Postgres)
	ctx := context.Background()
	f := newFixture(t, db)
	owner := f.actor("inst", account.RoleInstitution, "320505")
	staff := f.actor("city", account.RoleStaff, "320500")
	slow := publish(t, f, owner, staff, searchCorpus[0].title, searchCorpus[0].summary, searchCorpus[0].domain, searchCorpus[0].keywords)
	fast := publish(t, f, owner, staff, searchCorpus[1].title, searchCorpus[1].summary, searchCorpus[1].domain, searchCorpus[1].keywords)
	x, err := market.OpenIndexer(ctx, f.svc, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	const renamed = "石墨烯导热膜的卷对卷连续制备工艺"
	// The slow writer renames its listing, records the change and waits
	// before committing.
	recorded, release := make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.ExecContext(ctx, "UPDATE listings SET title = ? WHERE id = ?", renamed, slow); err != nil {
				return err
			}
			if err := market.RecordChange(ctx, tx, slow, time.Now()); err != nil {
				return err
			}
			close(recorded)
			<-release
			return nil
		})
	}()
	<-recorded
	// Meanwhile a second writer commits, and the index catches up past it.
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE listings SET summary = summary || '。' WHERE id = ?", fast); err != nil {
			return err
		}
		return market.RecordChange(ctx, tx, fast, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if _, err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r := x.Search(market.SearchQuery{Text: "石墨烯 导热膜"})
	if len(r.Hits) == 0 || r.Hits[0].ID != slow {
		t.Errorf("after both commits, search for the renamed listing = %v, want %d: its change was skipped", hitIDs(r), slow)
	}
}
