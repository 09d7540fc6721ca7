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

func TestLoadMarket(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		n, err := demo.LoadMarket(ctx, db, accts, ref, "First-Pass-2026", now)
		if err != nil || n < 200 {
			t.Fatalf("LoadMarket() = %d, %v; want at least 200 listings", n, err)
		}
		if again, err := demo.LoadMarket(ctx, db, accts, ref, "First-Pass-2026", now); err != nil || again != 0 {
			t.Errorf("second LoadMarket() = %d, %v; want 0", again, err)
		}
		svc := market.NewService(db, ref, demo.HomeRegion, nil)
		_, demands, err := svc.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Demand})
		if err != nil || demands < 20 {
			t.Errorf("public demands = %d, %v; want about 30", demands, err)
		}
		counties := map[string]bool{}
		list, _, _ := svc.FindListings(ctx, account.Anonymous, market.Filter{PerPage: 100})
		for _, l := range list {
			counties[l.RegionCode] = true
		}
		if len(counties) < 5 {
			t.Errorf("listings in %d counties, want them spread over the city", len(counties))
		}
		u, err := accts.GetUserByName(ctx, account.System, "staff")
		if err != nil {
			t.Fatal(err)
		}
		staff := account.Actor{UserID: u.ID, Username: u.Username, Role: account.RoleStaff, Region: demo.HomeRegion}
		queue, _, err := svc.FindListings(ctx, staff, market.Filter{State: market.Submitted})
		twins := 0
		for _, l := range queue {
			if l.TwinID != 0 {
				twins++
			}
		}
		if err != nil || len(queue) == 0 || twins == 0 {
			t.Errorf("review queue = %d listings with %d twins, %v; want some and a twin", len(queue), twins, err)
		}
	})
}
