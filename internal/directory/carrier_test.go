package directory_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

func TestCarrierScopeAndRates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		city := f.actor("city", account.RoleStaff, "320500")
		ks := f.actor("ks", account.RoleCounty, "320583")
		gusu := f.actor("gusu", account.RoleCounty, "320508")
		ent := f.actor("ent", account.RoleEnterprise, "320583") // operates the maker space
		other := f.actor("other", account.RoleEnterprise, "320583")
		anon := account.Anonymous

		makerIn := directory.CarrierInput{Name: "昆山光电众创空间", Kind: "maker-space", Level: "provincial", Operator: "昆山光电科技服务有限公司",
			Capacity: directory.Space{Stations: 20, Area: 800}, Opened: "2019-05-01", RegionCode: "320583", OwnerID: ent.UserID,
			Contact: directory.Contact{Name: "李经理", Phone: "0512-57000000"}}
		_, err := f.svc.CreateCarrier(ctx, ent, makerIn)
		wantKind(t, "enterprise creates a carrier", err, apperr.Forbidden)
		wrong := makerIn
		wrong.RegionCode = "320508"
		_, err = f.svc.CreateCarrier(ctx, ks, wrong)
		wantFields(t, "county staff create in another county", err, map[string]string{"region_code": "directory.region_outside_scope"})
		bad := makerIn
		bad.Capacity, bad.Opened, bad.OwnerID, bad.Kind = directory.Space{Rooms: -1}, "2030-01-01", city.UserID, "maker-space"
		_, err = f.svc.CreateCarrier(ctx, ks, bad)
		wantFields(t, "bad carrier", err, map[string]string{"stations": "directory.capacity_required", "rooms": "directory.count_range",
			"opened": "directory.date_future", "owner_id": "directory.owner_invalid"})

		maker, err := f.svc.CreateCarrier(ctx, ks, makerIn)
		if err != nil {
			t.Fatalf("create maker space: %v", err)
		}
		incIn := directory.CarrierInput{Name: "昆山高新区科技企业孵化器", Kind: "incubator", Level: "national",
			Capacity: directory.Space{Area: 5000}, RegionCode: "320583", Visibility: directory.VisibleStaff}
		inc, err := f.svc.CreateCarrier(ctx, ks, incIn)
		if err != nil {
			t.Fatalf("create incubator: %v", err)
		}
		gusuInc, err := f.svc.CreateCarrier(ctx, gusu, directory.CarrierInput{Name: "姑苏科技孵化器", Kind: "incubator",
			Capacity: directory.Space{Area: 2000}, RegionCode: "320508"})
		if err != nil {
			t.Fatalf("create 姑苏 incubator: %v", err)
		}

		// Another county's staff: the staff-only carrier does not exist for
		// them, and the public one is not theirs to change.
		_, err = f.svc.GetCarrier(ctx, gusu, inc.ID)
		wantKind(t, "another county reads a staff-only carrier", err, apperr.NotFound)
		_, err = f.svc.UpdateCarrier(ctx, gusu, maker.ID, makerIn)
		wantKind(t, "another county edits a public carrier", err, apperr.NotFound)
		wantKind(t, "another county deletes", f.svc.DeleteCarrier(ctx, gusu, maker.ID), apperr.NotFound)
		_, err = f.svc.AddTenant(ctx, gusu, maker.ID, directory.TenantInput{Name: "x", Entered: "2026-01-01", Space: directory.Space{Stations: 1}})
		wantKind(t, "another county adds a tenant", err, apperr.NotFound)
		if _, err := f.svc.GetCarrier(ctx, city, inc.ID); err != nil {
			t.Errorf("city staff read the staff-only carrier: %v", err)
		}
		if c, err := f.svc.GetCarrier(ctx, anon, maker.ID); err != nil || c.Contact != (directory.Contact{}) || c.OwnerID != 0 {
			t.Errorf("anonymous view = %+v, %v; want no contact and no owner", c, err)
		}

		// The operator edits its own carrier; staff keep the region and owner.
		edit := makerIn
		edit.Summary = "聚焦光电与精密制造的众创空间"
		if _, err := f.svc.UpdateCarrier(ctx, ent, maker.ID, edit); err != nil {
			t.Errorf("owner edits: %v", err)
		}
		moved := edit
		moved.RegionCode, moved.OwnerID = "320585", other.UserID
		_, err = f.svc.UpdateCarrier(ctx, ent, maker.ID, moved)
		wantFields(t, "owner moves it and hands it over", err, map[string]string{"region_code": "directory.region_fixed",
			"owner_id": "directory.editors_decide"})
		_, err = f.svc.UpdateCarrier(ctx, other, maker.ID, edit)
		wantKind(t, "another enterprise edits", err, apperr.NotFound)
		wantKind(t, "owner deletes", f.svc.DeleteCarrier(ctx, ent, maker.ID), apperr.NotFound)

		// Tenants. The registry fills the name of a code it knows.
		t1, err := f.svc.AddTenant(ctx, ent, maker.ID, directory.TenantInput{CreditCode: "91320583ma1mte8t0x", Entered: "2025-09-01",
			Space: directory.Space{Stations: 4}})
		if err != nil || t1.EnterpriseID != 77 || t1.Name != "昆山视觉智能科技有限公司" || t1.CreditCode != "91320583MA1MTE8T0X" {
			t.Fatalf("tenant linked to the registry = %+v, %v", t1, err)
		}
		mustTenant := func(carrier int64, in directory.TenantInput) directory.Tenant {
			t.Helper()
			tn, err := f.svc.AddTenant(ctx, city, carrier, in)
			if err != nil {
				t.Fatalf("add tenant %s: %v", in.Name, err)
			}
			return tn
		}
		t2 := mustTenant(maker.ID, directory.TenantInput{Name: "光子创客团队", Entered: "2026-01-10", Space: directory.Space{Stations: 2},
			Note: "未注册团队"})
		mustTenant(maker.ID, directory.TenantInput{Name: "昆山微纳光学有限公司", Entered: "2025-05-01", Exited: "2026-03-01",
			ExitReason: "graduated", NextCarrierID: inc.ID, Space: directory.Space{Stations: 3}})
		mustTenant(gusuInc.ID, directory.TenantInput{Name: "姑苏软件有限公司", Entered: "2024-01-01", Space: directory.Space{Area: 500}})
		mustTenant(gusuInc.ID, directory.TenantInput{Name: "姑苏文创有限公司", Entered: "2025-01-01", Exited: "2026-02-01",
			ExitReason: "closed", Space: directory.Space{Area: 300}})
		mustTenant(inc.ID, directory.TenantInput{Name: "昆山微纳光学有限公司", Entered: "2026-03-01", Space: directory.Space{Area: 1000}})

		// Bad tenants: every problem named.
		for _, tt := range []struct {
			name    string
			carrier int64
			in      directory.TenantInput
			want    map[string]string
		}{
			{"exit before entry, space over capacity", maker.ID, directory.TenantInput{Name: "甲", Entered: "2026-03-01", Exited: "2026-02-01",
				ExitReason: "moved", Space: directory.Space{Stations: 21}},
				map[string]string{"exited": "directory.exit_before_entry", "stations": "directory.count_range"}},
			{"reason without exit, future entry", maker.ID, directory.TenantInput{Name: "乙", Entered: "2026-07-01", ExitReason: "moved",
				NextKind: "incubator", Space: directory.Space{Stations: 1}},
				map[string]string{"entered": "directory.date_future", "exit_reason": "directory.exit_reason_without_exit",
					"next_kind": "directory.next_without_exit"}},
			{"graduate moving down the chain", inc.ID, directory.TenantInput{Name: "丙", Entered: "2025-01-01", Exited: "2026-01-01",
				ExitReason: "graduated", NextKind: "maker-space", Space: directory.Space{Area: 10}},
				map[string]string{"next_kind": "directory.next_stage_lower"}},
			{"no space, no name, bad date", maker.ID, directory.TenantInput{Entered: "2026/01/01"},
				map[string]string{"name": "error.required", "entered": "error.date_format", "stations": "directory.tenant_space_required"}},
			{"a code the registry calls wrong", maker.ID, directory.TenantInput{Name: "丁", CreditCode: badCheckDigit, Entered: "2026-01-01",
				Space: directory.Space{Stations: 1}}, map[string]string{"credit_code": "directory.credit_code_invalid"}},
			{"next carrier is itself", maker.ID, directory.TenantInput{Name: "戊", Entered: "2025-01-01", Exited: "2026-01-01",
				ExitReason: "moved", NextCarrierID: maker.ID, Space: directory.Space{Stations: 1}},
				map[string]string{"next_carrier_id": "directory.next_carrier_unknown"}},
		} {
			_, err := f.svc.AddTenant(ctx, city, tt.carrier, tt.in)
			wantFields(t, tt.name, err, tt.want)
		}

		// Visitors see the current tenants' names; the operator sees all.
		pub, total, err := f.svc.FindTenants(ctx, anon, maker.ID, directory.TenantFilter{})
		if err != nil || total != 2 || pub[0].ID != t2.ID || pub[0].Note != "" || pub[0].Space != (directory.Space{}) {
			t.Errorf("anonymous tenants = %+v (%d), %v; want the 2 current ones, names only", pub, total, err)
		}
		_, total, err = f.svc.FindTenants(ctx, ent, maker.ID, directory.TenantFilter{})
		if err != nil || total != 3 {
			t.Errorf("operator's tenants = %d, %v; want all 3", total, err)
		}
		_, _, err = f.svc.FindTenants(ctx, gusu, inc.ID, directory.TenantFilter{})
		wantKind(t, "another county lists a staff-only carrier's tenants", err, apperr.NotFound)

		// Rates: the arithmetic of occupancy.go on stored tenants.
		st, err := f.svc.CarrierStats(ctx, city, directory.StatsFilter{})
		if err != nil {
			t.Fatalf("CarrierStats: %v", err)
		}
		if st.At != d("2026-06-15") || st.From != d("2026-01-01") || st.To != d("2026-06-16") {
			t.Errorf("default dates = %s %s %s, want the year to date", st.At, st.From, st.To)
		}
		r := func(num, den float64) directory.Ratio { return directory.Ratio{Num: num, Den: den} }
		wantTotal := directory.Rates{Carriers: 3, Tenants: 4, Entered: 2, Exited: 2, Graduated: 1, Stations: r(6, 20), Rooms: r(0, 0),
			Area: r(1500, 7800), Graduation: r(1, 2)}
		if diff := cmp.Diff(wantTotal, st.Total); diff != "" {
			t.Errorf("total (-want +got):\n%s", diff)
		}
		wantCounty := []directory.RateRow{
			{Region: "320508", Rates: directory.Rates{Carriers: 1, Tenants: 1, Exited: 1, Area: r(500, 2000), Graduation: r(0, 1)}},
			{Region: "320583", Rates: directory.Rates{Carriers: 2, Tenants: 3, Entered: 2, Exited: 1, Graduated: 1, Stations: r(6, 20),
				Area: r(1000, 5800), Graduation: r(1, 1)}},
		}
		if diff := cmp.Diff(wantCounty, st.ByCounty); diff != "" {
			t.Errorf("by county (-want +got):\n%s", diff)
		}
		wantStage := []directory.RateRow{
			{Stage: 1, Rates: directory.Rates{Carriers: 1, Tenants: 2, Entered: 1, Exited: 1, Graduated: 1, Stations: r(6, 20),
				Area: r(0, 800), Graduation: r(1, 1)}},
			{Stage: 2, Rates: directory.Rates{Carriers: 2, Tenants: 2, Entered: 1, Exited: 1, Area: r(1500, 7000), Graduation: r(0, 1)}},
		}
		if diff := cmp.Diff(wantStage, st.ByStage); diff != "" {
			t.Errorf("by stage (-want +got):\n%s", diff)
		}
		if len(st.ByCountyStage) != 3 {
			t.Errorf("by county and stage = %+v, want 3 rows", st.ByCountyStage)
		}
		wantFlows := []directory.Flow{{From: "incubator", To: "", Tenants: 1}, {From: "maker-space", To: "incubator", Tenants: 1, Graduated: 1}}
		if diff := cmp.Diff(wantFlows, st.Flows); diff != "" {
			t.Errorf("flows (-want +got):\n%s", diff)
		}
		// Visitors' statistics leave out the staff-only incubator.
		pubStats, err := f.svc.CarrierStats(ctx, anon, directory.StatsFilter{Region: "320583"})
		if err != nil || pubStats.Total.Carriers != 1 || pubStats.Total.Stations != r(6, 20) {
			t.Errorf("anonymous statistics of 昆山 = %+v, %v; want the maker space only", pubStats.Total, err)
		}
		one, err := f.svc.CarrierRates(ctx, anon, maker.ID, d("2026-02-28"), d("2025-01-01"), d("2026-01-01"))
		if err != nil || one.Stations != r(9, 20) || one.Tenants != 3 || one.Graduation != r(0, 0) || one.Measure != directory.Stations {
			t.Errorf("maker space on 2026-02-28 = %+v, %v; want 9/20 stations (the graduate still in), 3 tenants, no exits in 2025", one, err)
		}
		_, err = f.svc.CarrierRates(ctx, gusu, inc.ID, d("2026-06-15"), d("2026-01-01"), d("2026-06-16"))
		wantKind(t, "another county's rates of a staff-only carrier", err, apperr.NotFound)

		// Recording an exit is an audited update.
		exit := directory.TenantInput{Name: t2.Name, Entered: t2.Entered, Exited: "2026-06-01", ExitReason: "graduated", NextKind: "incubator",
			Space: t2.Space}
		if _, err := f.svc.UpdateTenant(ctx, ent, t2.ID, exit); err != nil {
			t.Fatalf("record exit: %v", err)
		}
		_, err = f.svc.UpdateTenant(ctx, other, t2.ID, exit)
		wantKind(t, "another enterprise updates a tenant", err, apperr.NotFound)
		actions := f.auditActions("carrier", idText(maker.ID))
		if len(actions) != 6 || actions[0] != "carrier.create" || actions[1] != "carrier.update" || actions[2] != "tenant.create" ||
			actions[5] != "tenant.exit" {
			t.Errorf("maker space audit = %v", actions)
		}
	})
}
