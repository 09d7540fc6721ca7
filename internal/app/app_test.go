package app_test

import (
	"context"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

var cheapHash = account.HashParams{Memory: 64, Time: 1, Threads: 1}

func TestNewStoresTheHomeRegion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		if a.HomeRegion != "" {
			t.Errorf("HomeRegion of a fresh database = %q, want none", a.HomeRegion)
		}
		if _, err := a.LoadDemo(ctx, "Demo-Pass-2026"); err == nil {
			t.Error("LoadDemo() without the demo's home region succeeded")
		}
		if _, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash, HomeRegion: "320000"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("New(HomeRegion: a province) = %v, want Invalid", err)
		}
		a, err = app.New(ctx, app.Config{DB: db, Hash: cheapHash, HomeRegion: demo.HomeRegion})
		if err != nil || a.HomeRegion != demo.HomeRegion {
			t.Fatalf("New(HomeRegion: %s) = %v, home %q", demo.HomeRegion, err, a.HomeRegion)
		}
		// Without the flag, a restart keeps what is stored.
		if a, err = app.New(ctx, app.Config{DB: db, Hash: cheapHash}); err != nil || a.HomeRegion != demo.HomeRegion {
			t.Fatalf("New() after the home region was stored = %v, home %q", err, a.HomeRegion)
		}
		_, n, err := a.Audit.FindEntries(ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "home_region.set"})
		if err != nil || n != 1 {
			t.Errorf("home_region.set audit rows = %d, %v; want 1", n, err)
		}
	})
}

// TestLoadDemoThroughTheApp loads the demo the way `serve --demo` does and
// checks that every module's data arrived through the app's services.
func TestLoadDemoThroughTheApp(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a, err := app.New(ctx, app.Config{DB: db, Hash: cheapHash, HomeRegion: demo.HomeRegion, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := a.LoadDemo(ctx, "Demo-Pass-2026")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Accounts) != len(demo.Accounts) || sum.Added(app.DemoEnterprises) < 50 {
		t.Errorf("LoadDemo() = %+v; want every account and ≥ 50 enterprises", sum)
	}
	for _, what := range []string{app.DemoListings, app.DemoContracts, app.DemoDeals, app.DemoAnswers, app.DemoDirectory, app.DemoFinancing, app.DemoPolicies, app.DemoRounds, app.DemoFederation,
		app.DemoAnonymous} {
		if sum.Added(what) == 0 {
			t.Errorf("LoadDemo() added no %s", what)
		}
	}
	if a.Search.Index().Len() == 0 {
		t.Error("the search index holds no demo listing")
	}
	// The key-enterprise library has hand-marked firms and a saved filter
	// that selects some, so its page is not empty on first start.
	staff := account.Actor{UserID: 1, Role: account.RoleStaff, Region: demo.HomeRegion}
	if _, n, err := a.Projects.KeyEnterprises(ctx, staff, 0, 1, 10); err != nil || n < 5 {
		t.Errorf("demo key enterprises: %d, %v; want ≥ 5", n, err)
	}
	if filters, err := a.Projects.KeyFilters(ctx, staff); err != nil || len(filters) != 2 {
		t.Fatalf("demo key filters: %v, %v", filters, err)
	} else {
		for _, f := range filters {
			if _, n, err := a.Projects.KeyEnterprises(ctx, staff, f.ID, 1, 10); err != nil || n == 0 {
				t.Errorf("demo key filter %s selects %d, %v", f.Name, n, err)
			}
		}
	}
	// Demo demands get experts and institutions, demo financing needs
	// investors, and the demo investor its financing needs.
	owner := func(kind market.Kind) (account.Actor, int64) {
		var id, ownerID int64
		if err := db.QueryRowContext(ctx, "SELECT id, owner_id FROM listings WHERE kind = ? AND state = 'published' ORDER BY id LIMIT 1",
			kind).Scan(&id, &ownerID); err != nil {
			t.Fatalf("a demo %s: %v", kind, err)
		}
		u, err := a.Accounts.GetUser(ctx, account.System, ownerID)
		if err != nil {
			t.Fatal(err)
		}
		return account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}, id
	}
	firm, demandID := owner(market.Demand)
	if p, err := a.Search.Matches(ctx, firm, demandID, 1); err != nil || len(p.Experts) == 0 || len(p.Institutions) == 0 {
		t.Errorf("demo demand %d: %d experts, %d institutions, %v", demandID, len(p.Experts), len(p.Institutions), err)
	}
	firm, needID := owner(market.Financing)
	if p, err := a.Search.Matches(ctx, firm, needID, 1); err != nil || len(p.Matches) == 0 {
		t.Errorf("demo financing need %d: %d investors, %v", needID, len(p.Matches), err)
	}
	inv, err := a.Accounts.GetUserByName(ctx, account.System, "investor")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := a.Market.FinancingMatches(ctx, account.Actor{UserID: inv.ID, Username: inv.Username, Role: inv.Role}, 1); err != nil ||
		!p.Preferences || len(p.Matches) == 0 {
		t.Errorf("the demo investor's financing matches = %+v, %v", p, err)
	}

	again, err := a.LoadDemo(ctx, "Demo-Pass-2027")
	if err != nil || len(again.Parts) != len(sum.Parts) {
		t.Fatalf("second LoadDemo() = %+v, %v", again, err)
	}
	for _, p := range again.Parts {
		if p.Added != 0 {
			t.Errorf("second LoadDemo() added %d %s; want none", p.Added, p.What)
		}
	}
}
