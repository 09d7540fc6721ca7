package directory_test

import (
	"context"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// TestGetTenantOnlyToEditors: the carrier's editors read a tenant in full;
// another county's staff, members and visitors get NotFound even for a
// public carrier.
func TestGetTenantOnlyToEditors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ks := f.actor("ks", account.RoleCounty, "320583")
		owner := f.actor("op", account.RoleEnterprise, "320583")
		c, err := f.svc.CreateCarrier(ctx, ks, directory.CarrierInput{Name: "公开孵化器", Kind: "incubator",
			Capacity: directory.Space{Area: 1000}, RegionCode: "320583", OwnerID: owner.UserID})
		if err != nil {
			t.Fatal(err)
		}
		tn, err := f.svc.AddTenant(ctx, ks, c.ID, directory.TenantInput{Name: "甲", Entered: "2026-01-05", Space: directory.Space{Area: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []account.Actor{ks, owner} {
			got, err := f.svc.GetTenant(ctx, a, tn.ID)
			if err != nil || got.Space.Area != 100 || !got.Perms.Edit {
				t.Errorf("GetTenant as %s = %+v, %v; want the tenant in full", a.Username, got, err)
			}
		}
		for _, a := range []account.Actor{f.actor("wz", account.RoleCounty, "320506"), f.actor("member1", account.RoleInvestor, "320583"), {}} {
			if _, err := f.svc.GetTenant(ctx, a, tn.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("GetTenant as %q = %v, want NotFound", a.Username, err)
			}
		}
	})
}
