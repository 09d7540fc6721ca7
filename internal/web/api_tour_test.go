package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

// listingJSON is a listing as an API client sends it.
func listingJSON(t testing.TB, in market.Input) map[string]any {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// A client leaves out what it does not set.
	for k, v := range m {
		if v == nil || v == "" {
			delete(m, k)
		}
	}
	return m
}

// apiStep is one call of a tour: who makes it, and the status it must get.
type apiStep struct {
	name   string
	c      *client
	method string
	path   string
	body   any
	want   int
}

// run makes the calls in order and returns the decoded JSON answers by
// step name; a step whose status differs fails the test at once, since the
// steps after it build on it.
func runSteps(t *testing.T, steps []apiStep) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, s := range steps {
		res := s.c.api(s.method, s.path, s.body)
		if res.status != s.want {
			t.Fatalf("%s: %s %s = %d, want %d: %s", s.name, s.method, s.path, res.status, s.want, res.body)
		}
		if strings.HasPrefix(res.header.Get("Content-Type"), "application/json") && strings.HasPrefix(res.body, "{") {
			var m map[string]any
			res.json(t, &m)
			out[s.name] = m
		}
	}
	return out
}

// id reads the "id" of a decoded answer as a path segment.
func id(m map[string]any) string { return fmt.Sprint(int64(m["id"].(float64))) }

// TestAPITour calls every operation of the OpenAPI document at least once
// with success, in the order a client would, so that the contract check in
// client.do sees every documented answer shape on both databases.
func TestAPITour(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		uniU := e.createUser("uni", account.RoleInstitution, "320506")
		firmU := e.createUser("firm", account.RoleEnterprise, "320506")
		cityU := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("ks", account.RoleCounty, "320583")
		brokerU := e.createUser("broker", account.RoleBroker, "320508")
		anon := e.client()
		users := map[string]*client{}
		for _, name := range []string{"uni", "firm", "city", "ks", "broker"} {
			users[name] = e.client()
			users[name].mustLoginAPI(name)
		}
		uni, firm, city, ks := users["uni"], users["firm"], users["city"], users["ks"]

		// Public reference data.
		runSteps(t, []apiStep{
			{"openapi", anon, http.MethodGet, "/api/v1/openapi.json", nil, 200},
			{"regions", anon, http.MethodGet, "/api/v1/regions?parent=320500", nil, 200},
			{"provinces", anon, http.MethodGet, "/api/v1/regions", nil, 200},
			{"rule sets", anon, http.MethodGet, "/api/v1/rule-sets", nil, 200},
			{"reference", anon, http.MethodGet, "/api/v1/market/reference", nil, 200},
		})

		// Each kind of listing through its whole workflow.
		price := 80.0
		inputs := map[string]market.Input{
			"achievements": matchAchievement("固态电解质界面膜调控的快充负极技术", "通过人工固态电解质界面膜调控，提升石墨负极快充性能与循环寿命。", price),
			"demands":      matchDemand(),
			"financing":    financingNeed(),
		}
		for _, kind := range []string{"achievements", "demands", "financing"} {
			owner := uni
			if kind != "achievements" {
				owner = firm
			}
			in := inputs[kind]
			base := "/api/v1/" + kind
			body := func(in market.Input) map[string]any {
				m := listingJSON(t, in)
				if kind == "financing" {
					delete(m, "trl")
				}
				return m
			}
			got := runSteps(t, []apiStep{
				{"create", owner, http.MethodPost, base, body(in), 201},
				{"second", owner, http.MethodPost, base, body(in), 201},
			})
			l1, l2 := base+"/"+id(got["create"]), base+"/"+id(got["second"])
			in.Title += "（修订）"
			runSteps(t, []apiStep{
				{"update", owner, http.MethodPut, l1, body(in), 200},
				{"submit", owner, http.MethodPost, l1 + "/submit", nil, 200},
				{"return", city, http.MethodPost, l1 + "/return", map[string]string{"reason": "请补充技术指标"}, 200},
				{"resubmit", owner, http.MethodPost, l1 + "/submit", nil, 200},
				{"approve", city, http.MethodPost, l1 + "/approve", nil, 200},
				{"renew", owner, http.MethodPost, l1 + "/renew", nil, 200},
				{"read public", anon, http.MethodGet, l1, nil, 200},
				{"read own", owner, http.MethodGet, l1, nil, 200},
				{"list public", anon, http.MethodGet, base + "?page=1&per_page=10&sort=views", nil, 200},
				{"list own", owner, http.MethodGet, base + "?mine=true&state=published", nil, 200},
				{"own without a session", anon, http.MethodGet, base + "?mine=true", nil, 401},
				{"review queue without a session", anon, http.MethodGet, base + "?state=submitted", nil, 403},
				{"review queue", city, http.MethodGet, base + "?state=submitted", nil, 200},
				{"close", owner, http.MethodPost, l1 + "/close", nil, 200},
				{"submit second", owner, http.MethodPost, l2 + "/submit", nil, 200},
				{"withdraw second", owner, http.MethodPost, l2 + "/withdraw", nil, 200},
			})
		}

		// Matching: a published demand, two achievements and a registered
		// enterprise in the field.
		d := e.publishAs(firmU, cityU, market.Demand, matchDemand())
		a1 := e.publishAs(uniU, cityU, market.Achievement, matchAchievement("锂离子电池高镍正极材料原子层沉积包覆技术",
			"在高镍三元正极材料表面原子层沉积氧化铝包覆层，动力电池高温循环寿命提升30%。", 80))
		a2 := e.publishAs(uniU, cityU, market.Achievement, matchAchievement("高镍正极材料氧化铝包覆量产工艺",
			"高镍三元正极材料表面氧化铝包覆的连续化量产工艺，锂离子电池循环寿命明显提升。", 300))
		got := runSteps(t, []apiStep{
			{"enterprise", city, http.MethodPost, "/api/v1/enterprises", map[string]any{"credit_code": "91110108551385082Q",
				"name": "苏州锂能新材料有限公司", "region_code": "320506", "industry": "C38", "domain": "新能源与节能",
				"founded": "2015-04-01", "tags": []string{"专精特新"}, "contact_name": "王经理", "contact_phone": "0512-66001234",
				"certificates": []map[string]string{{"type": "tech-sme", "issued": "2025-05-01"}}}, 201},
		})
		ent := "/api/v1/enterprises/" + id(got["enterprise"])
		year := fmt.Sprint(e.clock.Now().Year() - 1)
		prev := fmt.Sprint(e.clock.Now().Year() - 2)
		runSteps(t, []apiStep{
			{"year", city, http.MethodPut, ent + "/years/" + year, map[string]any{"figures": map[string]any{"employees": 320,
				"revenue": 8.5e7, "rd_expense": 4.2e6}, "ip": map[string]any{"class1": 2, "class2": 6}, "awards": 1, "insured": 310}, 204},
			// The year before, R&D was 1.25% of revenue: 4.94% now raises a plausibility flag.
			{"earlier year", city, http.MethodPut, ent + "/years/" + prev, map[string]any{"figures": map[string]any{"employees": 300,
				"revenue": 8e7, "rd_expense": 1e6}}, 204},
			{"plausibility flags", city, http.MethodGet, ent + "/flags", nil, 200},
			{"check a flag", city, http.MethodPost, ent + "/flags/rd_ratio_jump/check", map[string]any{"years": []int{e.clock.Now().Year() - 2,
				e.clock.Now().Year() - 1}, "note": "已核对研发辅助账"}, 200},
			{"update enterprise", city, http.MethodPut, ent, map[string]any{"credit_code": "91110108551385082Q",
				"name": "苏州锂能新材料股份有限公司", "region_code": "320506", "industry": "C38", "domain": "新能源与节能",
				"certificates": []map[string]string{{"type": "tech-sme", "issued": "2025-05-01", "expires": "2026-12-31"}}}, 200},
			{"read enterprise", city, http.MethodGet, ent, nil, 200},
			{"assess enterprise", city, http.MethodPost, ent + "/assess?as_of=2026-06-30", nil, 200},
			{"enterprises", city, http.MethodGet, "/api/v1/enterprises?region=320506&page=1&per_page=10", nil, 200},
			{"pool", city, http.MethodGet, "/api/v1/pool", nil, 200},
			{"set target", city, http.MethodPut, "/api/v1/targets", map[string]any{"region_code": "320506", "year": 2026,
				"indicator": "tech_sme_new", "target": 12}, 204},
			{"targets", city, http.MethodGet, "/api/v1/targets?year=2026", nil, 200},
		})
		if _, err := e.index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		dm := fmt.Sprintf("/api/v1/demands/%d/matches", d.ID)
		am := fmt.Sprintf("/api/v1/achievements/%d/matches", a2.ID)
		runSteps(t, []apiStep{
			{"demand matches", firm, http.MethodGet, dm, nil, 200},
			{"achievement matches", uni, http.MethodGet, am, nil, 200},
			{"decline from demand", firm, http.MethodPost, fmt.Sprintf("%s/listing/%d/decline", dm, a1.ID),
				map[string]string{"reason": "budget", "note": "超预算"}, 201},
			{"accept from achievement", uni, http.MethodPost, fmt.Sprintf("%s/listing/%d/accept", am, d.ID), nil, 201},
			{"decline enterprise", uni, http.MethodPost, fmt.Sprintf("%s/enterprise/%s/decline", am, id(got["enterprise"])),
				map[string]string{"reason": "field"}, 201},
		})
		if _, err := e.index.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		runSteps(t, []apiStep{
			{"new matches", city, http.MethodGet, "/api/v1/matches/new?region=320506&page=1&per_page=5", nil, 200},
			{"match stats", city, http.MethodGet, "/api/v1/stats/matches?region=320506", nil, 200},
		})

		// Contracts and deals.
		got = runSteps(t, []apiStep{
			{"contract", ks, http.MethodPost, "/api/v1/contracts", map[string]any{"contract_type": "transfer", "subtype": "专利权转让",
				"title": "一种滤波器专利转让", "seller": "苏州示例大学", "buyer": "昆山示例公司", "amount": 120.5, "tech_amount": 100,
				"signed_on": "2026-03-02", "domain": "电子信息/通信技术", "region_code": "320583"}, 201},
			{"deal", firm, http.MethodPost, "/api/v1/deals", map[string]any{"listing_id": a2.ID, "message": "希望洽谈实施许可。",
				"contact": map[string]string{"name": "李经理", "phone": "0512-66000000"}}, 201},
		})
		deal := "/api/v1/deals/" + id(got["deal"])
		runSteps(t, []apiStep{
			{"read contract", ks, http.MethodGet, "/api/v1/contracts/" + id(got["contract"]), nil, 200},
			{"assign broker", city, http.MethodPost, deal + "/assign-broker", map[string]any{"broker_id": brokerU.ID}, 200},
			{"terminate", firm, http.MethodPost, deal + "/terminate", map[string]string{"reason": "已另选方案"}, 200},
			{"broker", firm, http.MethodGet, fmt.Sprintf("/api/v1/brokers/%d", brokerU.ID), nil, 200},
			{"log out", users["broker"], http.MethodDelete, "/api/v1/session", nil, 204},
			{"after log out", users["broker"], http.MethodGet, "/api/v1/me", nil, 401},
		})
	})
}
