package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/market"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

func TestLoadTwice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rs, accts := loadDemoAccounts(t, db)
		if _, err := demo.Load(ctx, accts, "Second-Pass-2026"); err != nil {
			t.Fatalf("second Load() = %v", err)
		}
		n, err := accts.CountUsers(ctx)
		if err != nil || n != len(demo.Accounts) {
			t.Errorf("CountUsers() = %d, %v; want %d", n, err, len(demo.Accounts))
		}
		for _, a := range demo.Accounts {
			if _, _, err := accts.Login(ctx, a.Username, "Second-Pass-2026", "", ""); err != nil {
				t.Errorf("login %s with the new demo password: %v", a.Username, err)
			}
		}
		// Every demo region exists in the shipped tables.
		for _, a := range demo.Accounts {
			if a.Region == "" {
				continue
			}
			if _, err := rs.Get(ctx, a.Region); err != nil {
				t.Errorf("demo region %s: %v", a.Region, err)
			}
		}
	})
}

func TestLoadEnterprises(t *testing.T) {
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
		n, err := demo.LoadEnterprises(ctx, db, accts, svc, now)
		if err != nil || n < 50 {
			t.Fatalf("LoadEnterprises() = %d, %v; want ≥ 50 enterprises", n, err)
		}
		if again, err := demo.LoadEnterprises(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadEnterprises() = %d, %v; want 0", again, err)
		}
		staff := account.Actor{UserID: 4, Username: "staff", Role: account.RoleStaff, Region: demo.HomeRegion}
		progress, err := svc.TargetProgress(ctx, staff, 2026)
		if err != nil || len(progress) != 10 || progress[0].Completion == nil {
			t.Errorf("TargetProgress after the demo = %d counties, %v", len(progress), err)
		}
		// Three demo firms raise plausibility flags on purpose; the rest
		// move plausibly from year to year.
		all, _, err := svc.FindEnterprises(ctx, staff, cultivation.EnterpriseFilter{PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		flagged, codes := 0, map[string]bool{}
		for _, e := range all {
			fs, err := svc.Flags(ctx, staff, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) > 0 {
				flagged++
				if !strings.HasSuffix(e.Name, "（演示）") {
					t.Errorf("flagged demo firm %q is not marked （演示）", e.Name)
				}
			}
			for _, f := range fs {
				codes[f.Code] = true
			}
		}
		if flagged != 3 || !codes[cultivation.FlagRDRatioJump] || !codes[cultivation.FlagRDRatioEdge] || !codes[cultivation.FlagHightechShareJump] ||
			!codes[cultivation.FlagEmployeesJump] {
			t.Errorf("demo firms flagged = %d with %v; want the 3 made implausible", flagged, codes)
		}
		// The demo enterprise account owns exactly one firm.
		firm, _ := accts.GetUserByName(ctx, account.System, "enterprise")
		own, total, err := svc.FindEnterprises(ctx, account.Actor{UserID: firm.ID, Role: account.RoleEnterprise, Region: "320583"}, cultivation.EnterpriseFilter{})
		if err != nil || total != 1 || own[0].RegionCode != "320583" {
			t.Errorf("enterprise account sees %d firms, %v; want its own one", total, err)
		}
	})
}

func TestLoadContracts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, accts := loadDemoAccounts(t, db)
		rules, err := cultivation.LoadRuleSets(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		if _, err := demo.LoadEnterprises(ctx, db, accts, cultivation.NewService(db, rules, func() time.Time { return now }), now); err != nil {
			t.Fatal(err)
		}
		ref, err := market.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		svc := market.NewService(db, ref, demo.HomeRegion, func() time.Time { return now })
		n, err := demo.LoadContracts(ctx, db, accts, svc, now)
		if err != nil || n != 80 {
			t.Fatalf("LoadContracts() = %d, %v; want 80", n, err)
		}
		if again, err := demo.LoadContracts(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadContracts() = %d, %v; want 0", again, err)
		}
		staff := account.Actor{UserID: 4, Username: "staff", Role: account.RoleStaff, Region: demo.HomeRegion}
		st, err := svc.ContractStatistics(ctx, staff, "2025-05-23", "2026-11-23", "")
		if err != nil || st.Total.Count != 80 || st.Total.Amount <= st.Total.TechAmount {
			t.Errorf("statistics of the demo = %+v, %v", st.Total, err)
		}
	})
}

// loadDemoAccounts loads the regions and the demo accounts (password
// First-Pass-2026) into db, the start of every demo loader's test.
func loadDemoAccounts(t *testing.T, db *sqldb.DB) (*region.Service, *account.Service) {
	t.Helper()
	ctx := context.Background()
	rs := region.NewService(db)
	if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
		t.Fatal(err)
	}
	accts := account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if _, err := demo.Load(ctx, accts, "First-Pass-2026"); err != nil {
		t.Fatal(err)
	}
	return rs, accts
}
