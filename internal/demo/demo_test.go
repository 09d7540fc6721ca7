package demo_test

import (
	"context"
	"testing"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/demo"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

func TestLoadTwice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		rs := region.NewService(db)
		if _, err := rs.EnsureLoaded(ctx, data.FS); err != nil {
			t.Fatal(err)
		}
		accts := account.NewService(db, rs, account.Config{Hash: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
		if _, err := demo.Load(ctx, db, accts, "First-Pass-2026"); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, db, accts, "Second-Pass-2026"); err != nil {
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
		if got, err := demo.HomeRegionSetting(ctx, db); err != nil || got != demo.HomeRegion {
			t.Errorf("HomeRegionSetting() = %q, %v", got, err)
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
