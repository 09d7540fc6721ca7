package demo_test

import (
	"context"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/sqldb"
)

func TestLoadSanctions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		rules, err := cultivation.LoadRuleSets(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		svc := cultivation.NewService(db, rules, func() time.Time { return now })
		if _, err := demo.LoadEnterprises(ctx, db, accts, svc, now); err != nil {
			t.Fatal(err)
		}
		n, err := demo.LoadSanctions(ctx, db, accts, svc, now)
		if err != nil || n != 4 {
			t.Fatalf("LoadSanctions = %d, %v; want 2 spot checks and 2 listings", n, err)
		}
		staff := account.Actor{UserID: 4, Username: "staff", Role: account.RoleStaff, Region: demo.HomeRegion}
		checks, _, err := svc.FindSpotChecks(ctx, staff, 1, 10)
		if err != nil || len(checks) != 2 {
			t.Fatalf("FindSpotChecks = %d, %v", len(checks), err)
		}
		states := map[string]bool{}
		for _, c := range checks {
			states[c.State] = true
		}
		if !states[cultivation.SpotCheckOpen] || !states[cultivation.SpotCheckClosed] {
			t.Errorf("spot check states = %v, want one open and one closed", states)
		}
		cu, err := accts.GetUserByName(ctx, account.System, "county")
		if err != nil {
			t.Fatal(err)
		}
		county := account.Actor{UserID: cu.ID, Username: cu.Username, Role: cu.Role, Region: cu.RegionCode}
		if list, _, err := svc.FindSpotChecks(ctx, county, 1, 10); err != nil || len(list) == 0 || list[0].Drawn == 0 || list[0].State != cultivation.SpotCheckOpen {
			t.Errorf("the demo county's spot checks = %+v, %v; want the open one with its firms", list, err)
		}
		if revs, total, err := svc.FindRevocations(ctx, 1, 10); err != nil || total != 1 || revs[0].RuleSet != "high-tech" {
			t.Errorf("FindRevocations = %+v, %d, %v; want one 高企", revs, total, err)
		}
		if list, total, err := svc.FindBlacklist(ctx, account.Actor{}, cultivation.BlacklistFilter{}); err != nil || total != 2 {
			t.Errorf("public blacklist = %+v, %d, %v; want 2", list, total, err)
		}
		if n, err := demo.LoadSanctions(ctx, db, accts, svc, now); err != nil || n != 0 {
			t.Errorf("second LoadSanctions = %d, %v; want nothing added", n, err)
		}
	})
}
