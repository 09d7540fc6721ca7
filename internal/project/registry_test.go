package project_test

import (
	"testing"
	"testing/fstest"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

func TestShippedTypes(t *testing.T) {
	t.Parallel()
	ts, err := project.LoadTypes(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ty := range ts.All() {
		ids = append(ids, ty.ID)
	}
	if want := "major-construction investment central-local sci-tech-plan challenge"; join(ids) != want {
		t.Errorf("types = %s, want %s", join(ids), want)
	}
	names := func(id string) string {
		ty, _ := ts.Get(id)
		var out []string
		for _, n := range ty.Nodes {
			out = append(out, n.Name)
		}
		return join(out)
	}
	if got := names("investment"); got != "洽谈 框架协议 正式合同 注册 开工 投产" {
		t.Errorf("招商 nodes = %s", got)
	}
	if ty, _ := ts.Get("major-construction"); len(ty.Nodes) != 11 || ty.Name != "重大建设项目" {
		t.Errorf("construction = %s with %d nodes, want 重大建设项目 with 11", ty.Name, len(ty.Nodes))
	}
}

func TestLoadTypesRejectsBrokenFiles(t *testing.T) {
	t.Parallel()
	node := `{"name": "立项", "name_en": "Approval", "offset_days": 0}`
	tests := []struct{ name, file, body string }{
		{"id and file differ", "projects/a-type.json", `{"id": "b-type", "name": "x", "name_en": "x", "nodes": [` + node + `]}`},
		{"no nodes", "projects/a-type.json", `{"id": "a-type", "name": "x", "name_en": "x", "nodes": []}`},
		{"offsets go back", "projects/a-type.json", `{"id": "a-type", "name": "x", "name_en": "x", "nodes": [{"name": "b", "name_en": "b", "offset_days": 30}, ` + node + `]}`},
		{"node named twice", "projects/a-type.json", `{"id": "a-type", "name": "x", "name_en": "x", "nodes": [` + node + `, ` + node + `]}`},
		{"unknown field", "projects/a-type.json", `{"id": "a-type", "name": "x", "name_en": "x", "node": []}`},
		{"bad id", "projects/A.json", `{"id": "A", "name": "x", "name_en": "x", "nodes": [` + node + `]}`},
	}
	for _, tt := range tests {
		if _, err := project.LoadTypes(fstest.MapFS{tt.file: {Data: []byte(tt.body)}}); err == nil {
			t.Errorf("LoadTypes(%s) = nil, want an error", tt.name)
		}
	}
}

func TestUnits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		_, err := f.svc.CreateUnit(f.ctx, pp.ks, project.UnitInput{RegionCode: "320583", Name: "昆山市商务局"})
		wantField(t, "same name twice", err, "name", "project.unit_name_taken")
		_, err = f.svc.CreateUnit(f.ctx, pp.ks, project.UnitInput{RegionCode: "320506", Name: "吴中区科技局"})
		wantField(t, "unit outside the county", err, "region_code", "project.region_outside_scope")
		_, err = f.svc.CreateUnit(f.ctx, pp.firm, project.UnitInput{RegionCode: "320583", Name: "x"})
		wantKind(t, "enterprise creates a unit", err, apperr.Forbidden)
		city := f.unit(pp.city, "320500", "苏州市发改委")

		// Members must be staff whose region covers the unit's.
		wantField(t, "an enterprise as member", f.svc.AddUnitMember(f.ctx, pp.ks, pp.ksUnit.ID, pp.firm.UserID), "user_id", "project.member_not_staff")
		wantField(t, "county staff in a city unit", f.svc.AddUnitMember(f.ctx, pp.city, city.ID, pp.ks.UserID), "user_id", "project.member_not_staff")
		if err := f.svc.AddUnitMember(f.ctx, pp.city, pp.ksUnit.ID, pp.city.UserID); err != nil {
			t.Errorf("city staff joins a county unit: %v", err)
		}
		if err := f.svc.AddUnitMember(f.ctx, pp.ks, pp.ksUnit.ID, pp.ks2.UserID); err != nil {
			t.Errorf("adding a member twice: %v", err)
		}
		u, err := f.svc.GetUnit(f.ctx, pp.ks, pp.ksUnit.ID)
		if err != nil || len(u.Members) != 2 {
			t.Errorf("members = %v, %v; want ks2 and city", u.Members, err)
		}
		if err := f.svc.RemoveUnitMember(f.ctx, pp.ks, pp.ksUnit.ID, pp.city.UserID); err != nil {
			t.Error(err)
		}
		mine, err := f.svc.MyUnits(f.ctx, pp.ks2)
		if err != nil || len(mine) != 1 || mine[0].ID != pp.ksUnit.ID {
			t.Errorf("ks2's units = %v, %v", mine, err)
		}

		// 昆山 staff see their units and the city's; pickers for a 昆山
		// record offer both.
		_, total, err := f.svc.FindUnits(f.ctx, pp.ks, project.UnitFilter{ForRegion: "320583", ActiveOnly: true})
		if err != nil || total != 2 {
			t.Errorf("units for a 昆山 record = %d, %v; want 2", total, err)
		}
		_, err = f.svc.UpdateUnit(f.ctx, pp.ks, city.ID, project.UnitInput{RegionCode: "320500", Name: "改名"})
		wantKind(t, "county renames the city's unit", err, apperr.Forbidden)
		off := false
		if _, err := f.svc.UpdateUnit(f.ctx, pp.ks, pp.ksUnit.ID, project.UnitInput{RegionCode: "320583", Name: "昆山市商务局", Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CreateProject(f.ctx, pp.ks, input("停用单位的项目", "320583", pp.ksUnit.ID))
		wantField(t, "an inactive unit", err, "unit_id", "project.unit_wrong_region")
	})
}

func TestProductsAndKeyEnterprises(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		e := f.enterprise(pp.ks, "昆山精密机械有限公司（测试）", "320583", pp.firm)
		w := f.enterprise(pp.wz, "吴中生物医药有限公司（测试）", "320506", account.Actor{})
		share := 12.5
		p, err := f.svc.CreateProduct(f.ctx, pp.firm, project.ProductInput{EnterpriseID: e.ID, Name: "高精度数控转台",
			Category: "数控机床功能部件", Specification: "分度精度 ±2″", Capacity: "年产3000台", MarketShare: &share})
		if err != nil {
			t.Fatalf("the enterprise adds its product: %v", err)
		}
		if _, err := f.svc.CreateProduct(f.ctx, pp.wz, project.ProductInput{EnterpriseID: w.ID, Name: "重组蛋白试剂", Category: "生物试剂"}); err != nil {
			t.Fatal(err)
		}
		bad := -1.0
		_, err = f.svc.CreateProduct(f.ctx, pp.ks, project.ProductInput{EnterpriseID: e.ID, Name: "", MarketShare: &bad})
		wantField(t, "no name", err, "name", "error.required")
		wantField(t, "negative share", err, "market_share", "project.share_range")
		_, err = f.svc.CreateProduct(f.ctx, pp.ks, project.ProductInput{EnterpriseID: w.ID, Name: "x"})
		wantField(t, "another county's enterprise", err, "enterprise_id", "project.enterprise_not_found")

		search := func(a account.Actor, q string) int {
			t.Helper()
			_, total, err := f.svc.FindProducts(f.ctx, a, project.ProductFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		for _, tt := range []struct {
			who  account.Actor
			q    string
			want int
		}{
			{pp.city, "", 2}, {pp.city, "转台", 1}, {pp.city, "功能部件", 1}, {pp.city, "精密机械", 1}, {pp.city, "±2", 1},
			{pp.ks, "", 1}, {pp.ks, "蛋白", 0}, {pp.wz, "蛋白", 1}, {pp.firm, "", 1}, {pp.city, "100%", 0},
		} {
			if got := search(tt.who, tt.q); got != tt.want {
				t.Errorf("%s searches %q: %d products, want %d", tt.who.Username, tt.q, got, tt.want)
			}
		}
		_, err = f.svc.GetProduct(f.ctx, pp.wz, p.ID)
		wantKind(t, "吴中 reads 昆山's product", err, apperr.NotFound)
		_, err = f.svc.UpdateProduct(f.ctx, pp.wz, p.ID, project.ProductInput{Name: "x"})
		wantKind(t, "吴中 changes 昆山's product", err, apperr.NotFound)
		if got, err := f.svc.UpdateProduct(f.ctx, pp.ks, p.ID, project.ProductInput{Name: "高精度数控转台（二代）", MarketShare: nil}); err != nil ||
			got.MarketShare != nil || got.EnterpriseID != e.ID {
			t.Errorf("update = %+v, %v", got, err)
		}

		// The key-enterprise library: by default the enterprises tagged
		// 重点企业; a saved filter is a view of the registry.
		list, total, err := f.svc.KeyEnterprises(f.ctx, pp.city, 0, 1, 20)
		if err != nil || total != 0 {
			t.Errorf("empty library = %d, %v", total, err)
		}
		if _, err := f.svc.SetKeyEnterprise(f.ctx, pp.ks, e.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetKeyEnterprise(f.ctx, pp.ks, w.ID, true); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("昆山 tags 吴中's enterprise: %v, want NotFound", err)
		}
		if _, err := f.svc.SetKeyEnterprise(f.ctx, pp.wz, w.ID, true); err != nil {
			t.Fatal(err)
		}
		list, total, err = f.svc.KeyEnterprises(f.ctx, pp.ks, 0, 1, 20)
		if err != nil || total != 1 || list[0].ID != e.ID {
			t.Errorf("昆山's key enterprises = %d, %v; want its own only", total, err)
		}
		if _, total, _ := f.svc.KeyEnterprises(f.ctx, pp.city, 0, 1, 20); total != 2 {
			t.Errorf("the city's key enterprises = %d, want 2", total)
		}
		_, err = f.svc.SaveKeyFilter(f.ctx, pp.city, 0, project.KeyFilterInput{RegionCode: "320500", Name: "空"})
		wantField(t, "empty criteria", err, "criteria", "project.criteria_empty")
		kf, err := f.svc.SaveKeyFilter(f.ctx, pp.city, 0, project.KeyFilterInput{RegionCode: "320500", Name: "精密机械",
			Criteria: project.KeyCriteria{Query: "精密"}})
		if err != nil {
			t.Fatal(err)
		}
		filters, err := f.svc.KeyFilters(f.ctx, pp.ks)
		if err != nil || len(filters) != 1 {
			t.Errorf("昆山 sees the city's filters = %v, %v", filters, err)
		}
		if _, total, err := f.svc.KeyEnterprises(f.ctx, pp.ks, kf.ID, 1, 20); err != nil || total != 1 {
			t.Errorf("city filter as 昆山 = %d, %v", total, err)
		}
		if _, total, _ := f.svc.KeyEnterprises(f.ctx, pp.wz, kf.ID, 1, 20); total != 0 {
			t.Errorf("city filter as 吴中 = %d, want 0 (昆山's enterprise is outside)", total)
		}
		wantKind(t, "昆山 deletes the city's filter", f.svc.DeleteKeyFilter(f.ctx, pp.ks, kf.ID), apperr.Forbidden)
		if _, err := f.svc.SetKeyEnterprise(f.ctx, pp.ks, e.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := f.svc.KeyEnterprises(f.ctx, pp.ks, 0, 1, 20); total != 0 {
			t.Errorf("after untagging, 昆山's key enterprises = %d", total)
		}
	})
}
