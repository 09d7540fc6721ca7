package demo_test

import (
	"context"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

func TestLoadDeals(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if _, err := demo.LoadMarket(ctx, db, accts, ref, "First-Pass-2026", now); err != nil {
			t.Fatal(err)
		}
		svc := market.NewService(db, ref, demo.HomeRegion, nil)
		n, err := demo.LoadDeals(ctx, db, accts, svc, now)
		if err != nil || n != 25 {
			t.Fatalf("LoadDeals() = %d, %v; want 25", n, err)
		}
		if again, err := demo.LoadDeals(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadDeals() = %d, %v; want 0", again, err)
		}
		// Regression: the demo clock once ran months past now.
		var latest sqldb.Time
		if err := db.QueryRowContext(ctx, "SELECT MAX(updated_at) FROM deals").Scan(&latest); err != nil {
			t.Fatal(err)
		}
		if latest.After(now) {
			t.Errorf("a demo deal was updated at %v, after now (%v)", latest, now)
		}
		u, err := accts.GetUserByName(ctx, account.System, "staff")
		if err != nil {
			t.Fatal(err)
		}
		staff := account.Actor{UserID: u.ID, Username: u.Username, Role: account.RoleStaff, Region: demo.HomeRegion}
		counts, err := svc.DealCounts(ctx, staff, market.DealFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range market.DealStates {
			if counts[s] == 0 {
				t.Errorf("no demo deal is %s (counts %v)", s, counts)
			}
		}
		b, err := accts.GetUserByName(ctx, account.System, "broker")
		if err != nil {
			t.Fatal(err)
		}
		stats, err := svc.GetBroker(ctx, staff, b.ID)
		if err != nil || stats.Handled < 10 || stats.Completed == 0 || stats.Amount <= 0 {
			t.Errorf("demo broker = %+v, %v; want deals handled and completed", stats, err)
		}
	})
}
