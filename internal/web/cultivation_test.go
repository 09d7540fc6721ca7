package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// creditCode completes 17 characters with the GB 32100-2015 check character.
func creditCode(first17 string) string {
	const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, c := range first17 {
		sum += strings.IndexRune(chars, c) * weights[i]
	}
	return first17 + string(chars[(31-sum%31)%31])
}

// sampleYear is one year of a firm with 4000万元 revenue and 128万元 R&D
// expense: an R&D ratio of 3.2 %.
const sampleYear = `{"revenue": 40000000, "main_revenue": 38000000, "hightech_revenue": 30000000, "cost_total": 35000000,
   "rd_expense": 1280000, "rd_expense_domestic": 1280000, "employees": 80, "tech_staff": 20, "rd_staff": 15,
   "total_assets": 30000000, "net_assets": 18000000, "liabilities": 12000000}`

// sampleEnterprise is the assessment contract's example input.
const sampleEnterprise = `{"as_of": "2026-06-30", "founded": "2019-03-01", "listed": false, "industry": "C39",
 "years": {"2025": ` + sampleYear + `, "2024": ` + sampleYear + `, "2023": ` + sampleYear + `},
 "ip": {"class1": 2, "class2": 5}, "certificates": [{"type": "tech-sme", "issued": "2025-05-01"}]}`

func TestAssessmentAPIContract(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.client() // anonymous: the calculator is public and needs no CSRF token
		res := c.do(http.MethodPost, "/api/v1/assessments", strings.NewReader(`{"rule_set": "high-tech", "enterprise": `+sampleEnterprise+`}`),
			map[string]string{"Content-Type": "application/json"})
		if res.status != http.StatusOK {
			t.Fatalf("POST /api/v1/assessments = %d %s", res.status, res.body)
		}
		var got map[string]any
		res.json(t, &got)
		for _, k := range []string{"rule_set", "version", "verdict", "score", "score_min", "score_max", "items", "conditions", "gaps", "missing", "to_confirm"} {
			if _, ok := got[k]; !ok {
				t.Errorf("result lacks %q", k)
			}
		}
		if got["rule_set"] != "high-tech" {
			t.Errorf("rule_set = %v", got["rule_set"])
		}
		// R&D ratio 3.2% < 5% for revenue ≤ 5000万: the verdict is no, with a gap.
		if got["verdict"] != "no" || !strings.Contains(fmt.Sprint(got["gaps"]), "研发") {
			t.Errorf("verdict = %v, gaps = %v; want no with an R&D gap", got["verdict"], got["gaps"])
		}
		bad := c.do(http.MethodPost, "/api/v1/assessments", strings.NewReader(`{"rule_set": "high-tech", "enterprise": {"as_of": "30/06/2026"}}`),
			map[string]string{"Content-Type": "application/json"})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "YYYY-MM-DD") {
			t.Errorf("bad date = %d %s, want 422 naming the date format", bad.status, bad.body)
		}
		unknown := c.do(http.MethodPost, "/api/v1/assessments", strings.NewReader(`{"rule_set": "no-such", "enterprise": `+sampleEnterprise+`}`),
			map[string]string{"Content-Type": "application/json"})
		if unknown.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown rule set = %d", unknown.status)
		}
	})
}

func TestCultivationPagesAndIsolation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("tc", account.RoleCounty, "320585")
		e.createUser("city", account.RoleStaff, "320500")
		ks := e.client()
		if res := ks.loginForm("ks", testPassword); res.status != http.StatusSeeOther {
			t.Fatal(res.status)
		}
		tok := ks.formToken("/cultivation/enterprises/new")
		code := creditCode("91320583MA1XYK123")
		// An invalid credit code is refused with the position of the error.
		wrong := code[:17] + map[bool]string{true: "1", false: "2"}[code[17] != '1']
		res := ks.postForm("/cultivation/enterprises", url.Values{"csrf_token": {tok}, "credit_code": {wrong}, "name": {"昆山示例科技"}, "region_code": {"320583"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#enterprise-form").Text(), "第18位") {
			t.Fatalf("bad credit code = %d, want 422 naming position 18", res.status)
		}
		res = ks.postForm("/cultivation/enterprises", url.Values{"csrf_token": {tok}, "credit_code": {code}, "name": {"昆山示例科技有限公司"},
			"region_code": {"320583"}, "industry": {"C39"}, "founded": {"2019-03-01"}, "tags": {"链主、种子企业"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		profile := res.header.Get("Location")
		path := strings.Split(profile, "?")[0]
		// Fill a year in 万元: 4000 万元 revenue, 128 万元 R&D.
		res = ks.postForm(path+"/years", url.Values{"csrf_token": {tok}, "year": {"2025"}, "revenue": {"4000"}, "rd_expense": {"128"},
			"employees": {"80"}, "tech_staff": {"abc"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "应为数字") {
			t.Fatalf("non-numeric staff = %d, want 422 with a message", res.status)
		}
		res = ks.postForm(path+"/years", url.Values{"csrf_token": {tok}, "year": {"2025"}, "revenue": {"4000"}, "rd_expense": {"128"}, "employees": {"80"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("year = %d", res.status)
		}
		d := ks.get(path).doc(t)
		if got := d.Find("#years tbody td").Eq(1).Text(); got != "4000" {
			t.Errorf("revenue shown = %q 万元, want 4000", got)
		}
		// The year form shows the stored values, so a correction keeps the rest.
		if v, _ := ks.get(path + "?year=2025").doc(t).Find(`#year-form input[name="revenue"]`).Attr("value"); v != "4000" {
			t.Errorf("year form revenue = %q, want the stored 4000", v)
		}
		if n := d.Find("#rule-cards .rulecard").Length(); n < 5 {
			t.Errorf("rule cards = %d, want one per rule set in force", n)
		}
		if _, ok := d.Find("#indicator-chart").Attr("data-echarts"); !ok {
			t.Errorf("no indicator chart")
		}
		// Edit the profile: record the 高企 certificate; a bad date is named.
		edit := ks.get(path + "/edit").doc(t)
		if v, _ := edit.Find(`input[name="name"]`).Attr("value"); v != "昆山示例科技有限公司" {
			t.Fatalf("edit form name = %q", v)
		}
		form := url.Values{"csrf_token": {tok}, "credit_code": {code}, "name": {"昆山示例科技有限公司"}, "region_code": {"320583"},
			"industry": {"C39"}, "founded": {"2019-03-01"}, "tags": {"链主"}, "cert_high-tech": {"2025/13/01"}}
		if res := ks.postForm(path, form); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad certificate date = %d, want 422", res.status)
		}
		form.Set("cert_high-tech", "2025-12-01")
		if res := ks.postForm(path, form); res.status != http.StatusSeeOther {
			t.Fatalf("update = %d %s", res.status, res.body)
		}
		if got := ks.get(path).doc(t).Find(".facts").Text(); !strings.Contains(got, "高新技术企业（2025-12-01 发证") {
			t.Errorf("profile facts lack the certificate: %q", got)
		}
		// Another county gets 404 for the page and the API.
		tc := e.client()
		tc.mustLoginAPI("tc")
		if res := tc.get(path); res.status != http.StatusNotFound {
			t.Errorf("other county's page = %d, want 404", res.status)
		}
		id := strings.TrimPrefix(path, "/cultivation/enterprises/")
		if res := tc.get("/api/v1/enterprises/" + id); res.status != http.StatusNotFound {
			t.Errorf("other county's API = %d, want 404", res.status)
		}
		// Assess, then confirm from the pool board.
		if res := ks.postForm(path+"/assess", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Fatalf("assess = %d", res.status)
		}
		tier := cultivation.TierInnovative
		if res := ks.postForm(path+"/tier", url.Values{"csrf_token": {tok}, "tier": {tier}, "next": {"/cultivation/pool"}}); res.status != http.StatusSeeOther {
			t.Fatalf("confirm = %d", res.status)
		}
		if got := text(ks.get(path).doc(t).Find("#current-tier").Text()); got != tier {
			t.Errorf("current tier after confirming = %q, want %q", got, tier)
		}
		if n := ks.get("/cultivation?domain=" + url.QueryEscape("电子信息")).doc(t).Find("#enterprises tbody tr a").Length(); n != 0 {
			t.Errorf("domain filter 电子信息 = %d rows, want 0", n)
		}
		list := ks.get("/cultivation?tier=" + url.QueryEscape(tier)).doc(t)
		if list.Find("#enterprises tbody tr a").Length() != 1 {
			t.Errorf("list filtered by tier %s has %d rows", tier, list.Find("#enterprises tbody tr a").Length())
		}
		// Targets: the city sets, the county only reads.
		city := e.client()
		city.loginForm("city", testPassword)
		ctok := city.formToken("/cultivation/targets")
		if res := city.postForm("/cultivation/targets", url.Values{"csrf_token": {ctok}, "year": {"2026"}, "region_code": {"320583"},
			"indicator": {"tech_sme_new"}, "target": {"-3"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("negative target = %d, want 422", res.status)
		}
		if res := city.postForm("/cultivation/targets", url.Values{"csrf_token": {ctok}, "year": {"2026"}, "region_code": {"320583"},
			"indicator": {"tech_sme_new"}, "target": {"12"}}); res.status != http.StatusSeeOther {
			t.Errorf("set target = %d", res.status)
		}
		if n := city.get("/cultivation/targets?year=2026").doc(t).Find("#progress tbody tr").Length(); n != 10 {
			t.Errorf("city sees %d counties, want 10", n)
		}
		if n := ks.get("/cultivation/targets?year=2026").doc(t).Find("#progress tbody tr").Length(); n != 1 {
			t.Errorf("county sees %d counties, want 1", n)
		}
		if res := ks.get("/cultivation/rules"); res.status != http.StatusOK || res.doc(t).Find("#rule-sets .rulecard").Length() < 9 {
			t.Errorf("rules page = %d", res.status)
		}
	})
}
