package directory_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// TestSearchFindsChineseTermsAcrossTypes: the directory search runs the
// Chinese engine over descriptions, not only names, across every type, and
// counts the matches by type, region, field and level, each facet under
// the other filters.
func TestSearchFindsChineseTermsAcrossTypes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		inst, err := f.svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "东吴理工研究院", Type: "institute",
			Level: "provincial", RegionCode: "320505", Domains: []string{"新材料"}, Summary: "从事石墨烯薄膜与柔性电子器件的研究"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreatePlatform(ctx, staff, inst.ID, directory.PlatformInput{Name: "先进薄膜重点实验室", Kind: "key-lab",
			Level: "national", Domain: "新材料", Summary: "石墨烯制备与表征"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateCarrier(ctx, staff, directory.CarrierInput{Name: "姑苏创客空间", Kind: "maker-space", Level: "national",
			Capacity: directory.Space{Stations: 50}, RegionCode: "320508", Summary: "孵化石墨烯应用初创企业"}); err != nil {
			t.Fatal(err)
		}
		fund, err := f.svc.CreateFund(ctx, staff, directory.FundInput{Name: "吴中天使基金", Type: "angel", Subscribed: 5000,
			RegionCode: "320506", Domains: []string{"新材料"}, Summary: "投资石墨烯与先进材料早期项目"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateServiceOrg(ctx, staff, directory.ServiceOrgInput{Name: "姑苏知识产权事务所", Type: "ip",
			RegionCode: "320508", Fields: []string{"电子信息"}, Summary: "专利代理与软件著作权登记"}); err != nil {
			t.Fatal(err)
		}
		bk := f.actor("jingji", account.RoleBroker, "320508")
		if _, err := f.svc.PutBrokerProfile(ctx, bk, bk.UserID, directory.BrokerInput{CertificateNo: "JS-001", Grade: "senior",
			Organization: "姑苏技术转移中心", Fields: []string{"新材料"}, Summary: "长期撮合石墨烯成果转化"}); err != nil {
			t.Fatal(err)
		}
		search := func(a account.Actor, sf directory.SearchFilter) directory.SearchResult {
			t.Helper()
			res, err := f.svc.Search(ctx, a, sf)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		byType := func(res directory.SearchResult) map[string]int {
			out := map[string]int{}
			for _, fc := range res.Facets {
				if fc.Count > 0 {
					out[fc.Type] = fc.Count
				}
			}
			return out
		}
		counts := func(fcs []directory.FacetCount) map[string]int {
			out := map[string]int{}
			for _, fc := range fcs {
				out[fc.Value] = fc.Count
			}
			return out
		}
		anon := account.Actor{}
		res := search(anon, directory.SearchFilter{Query: "石墨烯"})
		want := map[string]int{"institution": 1, "platform": 1, "carrier": 1, "fund": 1, "broker": 1}
		if got := byType(res); !equalCounts(got, want) || res.Total != 5 {
			t.Errorf("石墨烯: types %v total %d, want %v and 5", got, res.Total, want)
		}
		if got, want := counts(res.Fields), map[string]int{"新材料": 4}; !equalCounts(got, want) {
			t.Errorf("石墨烯: fields %v, want %v", got, want)
		}
		if got, want := counts(res.Levels), map[string]int{"provincial": 1, "national": 2}; !equalCounts(got, want) {
			t.Errorf("石墨烯: levels %v, want %v", got, want)
		}
		if got, want := counts(res.Regions), map[string]int{"320505": 2, "320508": 2, "320506": 1}; !equalCounts(got, want) {
			t.Errorf("石墨烯: regions %v, want %v", got, want)
		}
		for _, h := range res.Hits {
			if h.Snippet == "" && h.Type != directory.TypePlatform {
				t.Errorf("hit %s %q has no snippet", h.Type, h.Name)
			}
		}
		// A chosen level filters the hits; the level facet itself still
		// counts every level, the type facet only the chosen level.
		res = search(anon, directory.SearchFilter{Query: "石墨烯", Level: "national"})
		if got, want := byType(res), map[string]int{"platform": 1, "carrier": 1}; !equalCounts(got, want) || res.Total != 2 {
			t.Errorf("national: types %v total %d, want %v", got, res.Total, want)
		}
		if got := counts(res.Levels); got["provincial"] != 1 {
			t.Errorf("national: levels %v, want provincial still counted", got)
		}
		res = search(anon, directory.SearchFilter{Query: "石墨烯", Region: "320508", Type: directory.TypeCarrier})
		if res.Total != 1 || len(res.Hits) != 1 || res.Hits[0].Name != "姑苏创客空间" {
			t.Errorf("carrier in 姑苏区: %+v", res)
		}
		res = search(anon, directory.SearchFilter{Field: "电子信息"})
		if res.Total != 1 || res.Hits[0].Name != "姑苏知识产权事务所" {
			t.Errorf("field 电子信息 without text: %+v", res)
		}

		// Changes are searchable at once: a renamed fund, a deleted one.
		if _, err := f.svc.UpdateFund(ctx, staff, fund.ID, directory.FundInput{Name: "吴中石墨烯天使基金", Type: "angel",
			Subscribed: 5000, RegionCode: "320506", Domains: []string{"新材料"}, Summary: "早期项目"}); err != nil {
			t.Fatal(err)
		}
		res = search(anon, directory.SearchFilter{Query: "吴中", Type: directory.TypeFund})
		if res.Total != 1 || res.Hits[0].Name != "吴中石墨烯天使基金" {
			t.Errorf("after rename: %+v", res)
		}
		if err := f.svc.DeleteFund(ctx, staff, fund.ID); err != nil {
			t.Fatal(err)
		}
		if res = search(anon, directory.SearchFilter{Query: "吴中", Type: directory.TypeFund}); res.Total != 0 {
			t.Errorf("after delete: %+v", res)
		}

		// A rebuilt index (kechuang reindex) and one loaded from its
		// snapshot answer as the live one.
		dir := t.TempDir()
		n, err := directory.Reindex(ctx, f.svc, dir, nil)
		if err != nil || n == 0 {
			t.Fatalf("Reindex = %d, %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(dir, directory.IndexFileName)); err != nil {
			t.Fatal(err)
		}
		other := directory.NewService(db, shippedReference(t), directory.Config{Now: func() time.Time { return f.now }})
		if _, err := other.OpenIndex(ctx, dir, nil); err != nil {
			t.Fatal(err)
		}
		res, err = other.Search(ctx, anon, directory.SearchFilter{Query: "石墨烯"})
		if err != nil || res.Total != 4 {
			t.Errorf("from the snapshot: total %d, %v; want 4 (the fund is gone)", res.Total, err)
		}
		// Two nodes on one database: a write through one is searchable on
		// the other at once, since each catches up before it searches.
		if _, err := f.svc.CreateCarrier(ctx, staff, directory.CarrierInput{Name: "相城石墨烯加速器", Kind: "accelerator",
			Capacity: directory.Space{Area: 800}, RegionCode: "320507"}); err != nil {
			t.Fatal(err)
		}
		res, err = other.Search(ctx, anon, directory.SearchFilter{Query: "石墨烯", Region: "320507"})
		if err != nil || res.Total != 1 || res.Hits[0].Name != "相城石墨烯加速器" {
			t.Errorf("the other node's search = %+v, %v", res, err)
		}
	})
}

func equalCounts(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// TestSearchNeverReadsWithheldExpertFields: a visitor's search reads only
// what the expert consented to show — the research text matches for staff,
// the institution's editors and the expert, and for visitors only once
// consented; a hidden field counts in no facet.
func TestSearchNeverReadsWithheldExpertFields(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		other := f.actor("wz", account.RoleCounty, "320506")
		member := f.actor("firm", account.RoleEnterprise, "320505")
		inst, err := f.svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "东吴大学", Type: "university", RegionCode: "320505"})
		if err != nil {
			t.Fatal(err)
		}
		e, err := f.svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "钱教授", InstitutionID: inst.ID,
			Research: "钙钛矿太阳能电池的稳定性", Disciplines: []string{"材料科学与工程"}})
		if err != nil {
			t.Fatal(err)
		}
		found := func(a account.Actor, sf directory.SearchFilter) int {
			t.Helper()
			sf.Type = directory.TypeExpert
			res, err := f.svc.Search(ctx, a, sf)
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		research := directory.SearchFilter{Query: "钙钛矿"}
		field := directory.SearchFilter{Field: "材料科学与工程"}
		for _, tt := range []struct {
			name string
			a    account.Actor
			sf   directory.SearchFilter
			want int
		}{
			{"staff, research", staff, research, 1},
			{"anonymous, research, no consent", account.Actor{}, research, 0},
			{"member, research, no consent", member, research, 0},
			{"other county, research, no consent", other, research, 0},
			{"anonymous, name, no consent", account.Actor{}, directory.SearchFilter{Query: "钱教授"}, 0},
		} {
			if got := found(tt.a, tt.sf); got != tt.want {
				t.Errorf("%s: found %d, want %d", tt.name, got, tt.want)
			}
		}
		// Consent to the name only: found by name, never by research or
		// discipline, and the discipline counts in no facet.
		if _, err := f.svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{Fields: []string{directory.FieldName},
			NoticeVersion: f.svc.Reference().Notice.Version, GivenOn: "2026-06-01"}); err != nil {
			t.Fatal(err)
		}
		if got := found(account.Actor{}, directory.SearchFilter{Query: "钱教授"}); got != 1 {
			t.Errorf("consented name: found %d, want 1", got)
		}
		if got := found(account.Actor{}, research); got != 0 {
			t.Errorf("withheld research: found %d, want 0", got)
		}
		if got := found(member, field); got != 0 {
			t.Errorf("withheld discipline: found %d, want 0", got)
		}
		res, err := f.svc.Search(ctx, account.Actor{}, directory.SearchFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, fc := range res.Fields {
			if fc.Value == "材料科学与工程" {
				t.Errorf("withheld discipline counted for a visitor: %v", res.Fields)
			}
		}
		if got := found(staff, field); got != 1 {
			t.Errorf("staff by discipline: found %d, want 1", got)
		}
		// Consent to the research too: now a visitor finds it by it.
		if _, err := f.svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{Fields: []string{directory.FieldName,
			directory.FieldResearch}, NoticeVersion: f.svc.Reference().Notice.Version, GivenOn: "2026-06-02"}); err != nil {
			t.Fatal(err)
		}
		if got := found(account.Actor{}, research); got != 1 {
			t.Errorf("consented research: found %d, want 1", got)
		}
		// Staff see the expert once, though both its documents match.
		if got := found(staff, directory.SearchFilter{Query: "钱教授"}); got != 1 {
			t.Errorf("staff: found %d, want 1", got)
		}
		// Withdrawn: gone for visitors at once.
		if _, err := f.svc.RecordExpertConsent(ctx, staff, e.ID, directory.ConsentInput{NoticeVersion: "v1", GivenOn: "2026-06-03"}); err != nil {
			t.Fatal(err)
		}
		if got := found(account.Actor{}, directory.SearchFilter{Query: "钱教授"}); got != 0 {
			t.Errorf("withdrawn: found %d, want 0", got)
		}
	})
}
