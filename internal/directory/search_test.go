package directory_test

import (
	"context"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/directory"
	"kechuang/internal/sqldb"
)

// TestSearchFollowsEachTypesVisibility: the search finds records of every
// type by name with the counts per type, only those the actor may see; an
// expert without consent is found by staff only, and a withheld field
// never matches.
func TestSearchFollowsEachTypesVisibility(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		staff := f.actor("staff", account.RoleStaff, "320500")
		wz := f.actor("wz", account.RoleCounty, "320506")
		inst, err := f.svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "星海大学", Type: "university", RegionCode: "320505"})
		if err != nil {
			t.Fatal(err)
		}
		shown, err := f.svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "星海专家甲", InstitutionID: inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordExpertConsent(ctx, staff, shown.ID, directory.ConsentInput{Fields: []string{directory.FieldName},
			NoticeVersion: f.svc.Reference().Notice.Version, GivenOn: "2026-06-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "星海专家乙", InstitutionID: inst.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateServiceOrg(ctx, staff, directory.ServiceOrgInput{Name: "星海知识产权", Type: "ip", RegionCode: "320583"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateCarrier(ctx, staff, directory.CarrierInput{Name: "星海孵化器", Kind: "incubator",
			Capacity: directory.Space{Area: 100}, RegionCode: "320583", Visibility: directory.VisibleStaff}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateFund(ctx, staff, directory.FundInput{Name: "某基金", Manager: "星海资本", Type: "angel",
			Subscribed: 100, RegionCode: "320500"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateFund(ctx, staff, directory.FundInput{Name: "无关基金", Type: "angel", Subscribed: 100, RegionCode: "320500"}); err != nil {
			t.Fatal(err)
		}
		counts := func(a account.Actor, sf directory.SearchFilter) map[string]int {
			t.Helper()
			res, err := f.svc.Search(ctx, a, sf)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			sum := 0
			for _, fc := range res.Facets {
				out[fc.Type] = fc.Count
				sum += fc.Count
			}
			if sf.Type == "" && sum != res.Total {
				t.Errorf("Total = %d, want the facets' sum %d", res.Total, sum)
			}
			return out
		}
		tests := []struct {
			name string
			a    account.Actor
			f    directory.SearchFilter
			want map[string]int
		}{
			{"staff see all", staff, directory.SearchFilter{Query: "星海"},
				map[string]int{"institution": 1, "expert": 2, "service_org": 1, "carrier": 1, "fund": 1}},
			{"visitors: consented experts, no staff-only carrier", account.Actor{}, directory.SearchFilter{Query: "星海"},
				map[string]int{"institution": 1, "expert": 1, "service_org": 1, "carrier": 0, "fund": 1}},
			{"another county: no staff-only carrier", wz, directory.SearchFilter{Query: "星海"},
				map[string]int{"institution": 1, "expert": 1, "service_org": 1, "carrier": 0, "fund": 1}},
			{"region", staff, directory.SearchFilter{Query: "星海", Region: "320583"},
				map[string]int{"institution": 0, "expert": 0, "service_org": 1, "carrier": 1, "fund": 0}},
			{"one type", staff, directory.SearchFilter{Query: "星海", Type: directory.TypeExpert},
				map[string]int{"institution": 1, "expert": 2, "service_org": 1, "carrier": 1, "fund": 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := counts(tt.a, tt.f)
				if len(got) != len(directory.SearchTypes) {
					t.Errorf("facets = %v, want every type", got)
				}
				for k, v := range tt.want {
					if got[k] != v {
						t.Errorf("facet %s = %d, want %d (all %v)", k, got[k], v, got)
					}
				}
			})
		}
		// The expert's region is withheld: a visitor filtering by region
		// cannot find it.
		if c := counts(account.Actor{}, directory.SearchFilter{Query: "星海专家", Region: "320505"}); c["expert"] != 0 {
			t.Errorf("a region filter found an expert who withholds the region: %v", c)
		}
		res, err := f.svc.Search(ctx, staff, directory.SearchFilter{Query: "星海", Type: directory.TypeExpert, Paging: directory.Paging{Page: 2, PerPage: 1}})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Type != directory.TypeExpert || res.Total != 2 {
			t.Errorf("page 2 of experts = %+v, %v", res, err)
		}
	})
}
