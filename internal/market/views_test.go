package market_test

import (
	"context"
	"testing"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// TestViewsCountInMemoryAndFlushAsDeltas guards issue #18 §9: every
// anonymous view wrote the database. Views wait in memory; a flush adds
// them, and two nodes (two services on one database) add theirs without
// losing the other's.
func TestViewsCountInMemoryAndFlushAsDeltas(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("staff", account.RoleStaff, "320500")
		id := publish(t, f, owner, staff, "一种高效光伏组件清洗机器人", "光伏电站组件自动清洗。", "电子信息", []string{"光伏"})
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		other := market.NewService(db, ref, "320500", f.clock.Now)
		stored := func() int {
			t.Helper()
			var n int
			if err := db.QueryRowContext(ctx, "SELECT views FROM listings WHERE id = ?", id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		l := market.Listing{ID: id, State: market.Published, OwnerID: owner.UserID}
		for range 3 {
			if err := f.svc.RecordView(ctx, account.Anonymous, l); err != nil {
				t.Fatal(err)
			}
		}
		_ = f.svc.RecordView(ctx, owner, l) // the owner's own views do not count
		for range 2 {
			_ = other.RecordView(ctx, account.Anonymous, l)
		}
		if got := stored(); got != 0 {
			t.Fatalf("views in the database before a flush = %d, want 0 (counted in memory)", got)
		}
		if got := f.svc.PendingViews(id); got != 3 {
			t.Errorf("PendingViews = %d, want 3", got)
		}
		if _, err := f.svc.FlushViews(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := other.FlushViews(ctx); err != nil {
			t.Fatal(err)
		}
		if got := stored(); got != 5 {
			t.Errorf("views after both nodes flushed = %d, want 5", got)
		}
		if n, _ := f.svc.FlushViews(ctx); n != 0 || stored() != 5 {
			t.Errorf("a second flush wrote %d listings (views %d), want nothing more", n, stored())
		}
	})
}
