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

func TestLoadAnonymous(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		svc := market.NewService(db, ref, demo.HomeRegion, func() time.Time { return now })
		n, err := demo.LoadAnonymous(ctx, db, accts, svc, now)
		if err != nil || n != 2 {
			t.Fatalf("LoadAnonymous() = %d, %v; want 2", n, err)
		}
		list, _, err := svc.FindListings(ctx, account.Anonymous, market.Filter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("public listings = %d, %v", len(list), err)
		}
		for _, l := range list {
			if !l.Anonymous || l.OwnerName != "" || l.Contact != nil {
				t.Errorf("demo listing %q shows its owner to the public: %q %+v", l.Title, l.OwnerName, l.Contact)
			}
		}
		u, err := accts.GetUserByName(ctx, account.System, "staff")
		if err != nil {
			t.Fatal(err)
		}
		staff := account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}
		deals, _, err := svc.FindDeals(ctx, staff, market.DealFilter{})
		if err != nil || len(deals) != 2 {
			t.Fatalf("demo deals = %d, %v; want 2", len(deals), err)
		}
		held := 0
		for _, d := range deals {
			if d.Held {
				held++
			}
		}
		if held != 1 {
			t.Errorf("held demo interests = %d, want 1 (the other forwarded)", held)
		}
		if again, err := demo.LoadAnonymous(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadAnonymous() = %d, %v; want 0", again, err)
		}
	})
}
