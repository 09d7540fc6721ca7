package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// TestLoadDirectory: the directory demo loads through the service on both
// databases, marks every invented record （演示）, gives every record type
// public content, links the demo institution account, and adds nothing
// the second time.
func TestLoadDirectory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rs, accts := loadDemoAccounts(t, db)
		ref, err := directory.LoadReference(data.FS)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		svc := directory.NewService(db, ref, directory.Config{Home: rs.HomeRegion, Now: func() time.Time { return now }})
		if err := rs.SetHomeRegion(ctx, audit.System, demo.HomeRegion); err != nil {
			t.Fatal(err)
		}
		n, err := demo.LoadDirectory(ctx, db, accts, svc, now)
		if err != nil || n < 40 {
			t.Fatalf("LoadDirectory() = %d, %v; want ≥ 40 records", n, err)
		}
		if n, err := demo.LoadProfiles(ctx, db, accts, svc); err != nil || n != 2 {
			t.Fatalf("LoadProfiles() = %d, %v; want 2", n, err)
		}
		res, err := svc.Search(ctx, account.Actor{}, directory.SearchFilter{Paging: directory.Paging{PerPage: 200}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Facets {
			if f.Count == 0 {
				t.Errorf("no public demo %s", f.Type)
			}
		}
		real := map[string]bool{"苏州大学": true, "中国科学院苏州纳米技术与纳米仿生研究所": true, "西交利物浦大学": true,
			"苏州科技大学": true, "常熟理工学院": true, "中国科学院苏州生物医学工程技术研究所": true}
		for _, h := range res.Hits {
			// A broker is shown by its account's name: the demo accounts'
			// names (demo.Accounts) are people, their organisations marked.
			if !real[h.Name] && !strings.HasSuffix(h.Name, "（演示）") && h.Type != directory.TypeBroker {
				t.Errorf("invented demo %s %q is not marked （演示）", h.Type, h.Name)
			}
		}
		u, err := accts.GetUserByName(ctx, account.System, "institution")
		if err != nil {
			t.Fatal(err)
		}
		ab, err := svc.Abilities(ctx, account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode})
		if err != nil || ab.Institution == 0 {
			t.Errorf("the demo institution account acts for no institution: %+v, %v", ab, err)
		}
		if again, err := demo.LoadDirectory(ctx, db, accts, svc, now); err != nil || again != 0 {
			t.Errorf("second LoadDirectory() = %d, %v; want 0, nil", again, err)
		}
	})
}
