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

func TestExpiryNotice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		owner := f.actor("inst", account.RoleInstitution, "320505")
		staff := f.actor("city", account.RoleStaff, "320500")
		id := publish(t, f, owner, staff, "一种即将到期的成果", "用于测试到期提醒。", "电子信息", []string{"到期"})
		count := func() int {
			t.Helper()
			inbox, err := f.inbox(owner)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, it := range inbox.Items {
				if it.Kind == "listing.expiring" {
					n++
				}
			}
			return n
		}
		if n, err := f.svc.NotifyExpiring(ctx); err != nil || n != 0 {
			t.Fatalf("right after publishing: NotifyExpiring() = %d, %v; want 0", n, err)
		}
		f.clock.Add(market.Validity - market.ExpiryNotice + time.Hour)
		if n, err := f.svc.NotifyExpiring(ctx); err != nil || n != 1 {
			t.Fatalf("30 days before expiry: NotifyExpiring() = %d, %v; want 1", n, err)
		}
		if n, _ := f.svc.NotifyExpiring(ctx); n != 0 || count() != 1 {
			t.Errorf("second run sent %d more, inbox has %d expiry notices; want 0 and 1", n, count())
		}
		// Renewing starts a new period with its own notice.
		if _, err := f.svc.Renew(ctx, owner, id); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.svc.NotifyExpiring(ctx); n != 0 {
			t.Errorf("right after renewing: %d notices, want 0", n)
		}
		f.clock.Add(market.Validity)
		if n, _ := f.svc.NotifyExpiring(ctx); n != 1 || count() != 2 {
			t.Errorf("near the renewed expiry: %d sent, %d in the inbox; want 1 and 2", n, count())
		}
	})
}
