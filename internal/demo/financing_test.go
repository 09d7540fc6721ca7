package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

func TestLoadFinancing(t *testing.T) {
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
		n, err := demo.LoadFinancing(ctx, db, accts, svc, now)
		if err != nil || n != 3 {
			t.Fatalf("LoadFinancing() = %d, %v; want 3", n, err)
		}
		list, total, err := svc.FindListings(ctx, account.Anonymous, market.Filter{Kind: market.Financing})
		if err != nil || total != 3 {
			t.Fatalf("published financing needs = %d, %v", total, err)
		}
		for _, l := range list {
			if !strings.Contains(l.Title, "（演示）") {
				t.Errorf("demo financing %q is not marked （演示）", l.Title)
			}
		}
		staff := account.Actor{UserID: 4, Username: "staff", Role: account.RoleStaff, Region: demo.HomeRegion}
		xs, _, err := svc.FindInterests(ctx, staff, market.InterestFilter{Stage: market.StageDiligence})
		if err != nil || len(xs) != 1 {
			t.Errorf("demo interests in 尽调 = %d, %v; want 1", len(xs), err)
		}
		if again, err := demo.LoadFinancing(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadFinancing() = %d, %v; want 0", again, err)
		}
	})
}
