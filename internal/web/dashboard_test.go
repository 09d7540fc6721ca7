package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
)

// TestDashboardAPIAndScope calls the dashboard's API as every kind of
// user (the answers are checked against the OpenAPI document by the
// shared client): city staff see the city and any county, a county user
// its own county with the city totals and a 404 for another county,
// others nothing; bad parameters are 422 naming them.
func TestDashboardAPIAndScope(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("firm", account.RoleEnterprise, "320583")
		month := e.clock.Now().In(chinaTZ).Format("2006-01")
		// Contracts this month: 昆山 120 万元, 常熟 80 万元.
		for i, c := range []struct {
			code   string
			amount float64
		}{{"320583", 120}, {"320581", 80}} {
			if _, err := e.db.ExecContext(context.Background(), `INSERT INTO contracts (number, contract_type, title, seller, buyer,
				amount, tech_amount, signed_on, region_code, registered_at) VALUES (?, 'transfer', ?, '卖方', '买方', ?, ?, ?, ?, ?)`,
				fmt.Sprintf("%s2026%06d", c.code, i+1), "专利转让合同", c.amount, c.amount, month+"-01", c.code, month+"-01T08:00:00.000000Z"); err != nil {
				t.Fatal(err)
			}
		}
		anon := e.client()
		users := map[string]*client{}
		for _, name := range []string{"city", "ks", "firm"} {
			users[name] = e.client()
			users[name].mustLoginAPI(name)
		}
		city, ks, firm := users["city"], users["ks"], users["firm"]
		got := runSteps(t, []apiStep{
			{"anonymous", anon, http.MethodGet, "/api/v1/dashboard/summary", nil, 401},
			{"enterprise", firm, http.MethodGet, "/api/v1/dashboard/summary", nil, 403},
			{"city", city, http.MethodGet, "/api/v1/dashboard/summary", nil, 200},
			{"city year", city, http.MethodGet, "/api/v1/dashboard/summary?period=year&at=2026&scope=city", nil, 200},
			{"city quarter in 常熟", city, http.MethodGet, "/api/v1/dashboard/summary?period=quarter&at=2026-Q4&scope=320581", nil, 200},
			{"county", ks, http.MethodGet, "/api/v1/dashboard/summary?period=month", nil, 200},
			{"county, own scope", ks, http.MethodGet, "/api/v1/dashboard/summary?scope=320583", nil, 200},
			{"county, another county", ks, http.MethodGet, "/api/v1/dashboard/summary?scope=320581", nil, 404},
			{"county, the city breakdown", ks, http.MethodGet, "/api/v1/dashboard/summary?scope=city", nil, 404},
			{"county outside the city", city, http.MethodGet, "/api/v1/dashboard/summary?scope=320102", nil, 404},
			{"bad period", city, http.MethodGet, "/api/v1/dashboard/summary?period=week", nil, 422},
			{"bad month", city, http.MethodGet, "/api/v1/dashboard/summary?period=month&at=2026-13", nil, 422},
			{"bad scope", city, http.MethodGet, "/api/v1/dashboard/summary?scope=kunshan", nil, 422},
			{"funnel anonymous", anon, http.MethodGet, "/api/v1/dashboard/funnel", nil, 401},
			{"funnel enterprise", firm, http.MethodGet, "/api/v1/dashboard/funnel", nil, 403},
			{"funnel by county", city, http.MethodGet, "/api/v1/dashboard/funnel?period=year", nil, 200},
			{"funnel by broker", city, http.MethodGet, "/api/v1/dashboard/funnel?by=broker", nil, 200},
			{"funnel by listing", ks, http.MethodGet, "/api/v1/dashboard/funnel?by=listing", nil, 200},
			{"funnel, another county", ks, http.MethodGet, "/api/v1/dashboard/funnel?scope=320581", nil, 404},
			{"funnel, bad grouping", city, http.MethodGet, "/api/v1/dashboard/funnel?by=weather", nil, 422},
		})
		amount := func(step string) (value, cityTotal float64, counties []string) {
			t.Helper()
			for _, f := range got[step]["figures"].([]any) {
				fig := f.(map[string]any)
				if fig["key"] != "market.contract_amount" {
					continue
				}
				for _, c := range fig["counties"].([]any) {
					counties = append(counties, c.(map[string]any)["code"].(string))
				}
				return fig["value"].(float64), fig["city"].(float64), counties
			}
			t.Fatalf("%s: no market.contract_amount", step)
			return
		}
		if v, c, counties := amount("city"); v != 200 || c != 200 || len(counties) < 9 {
			t.Errorf("city: turnover %v, city %v, %d counties; want 200, 200 and every county", v, c, len(counties))
		}
		if v, c, counties := amount("county"); v != 120 || c != 200 || strings.Join(counties, " ") != "320583" {
			t.Errorf("county: turnover %v, city %v, counties %v; want 120, the city's 200, 昆山 only", v, c, counties)
		}
		if got["county"]["scope"].(map[string]any)["code"] != "320583" {
			t.Errorf("county scope = %v", got["county"]["scope"])
		}
	})
}

// TestDashboardPages opens the dashboard, its exports, the funnel and the
// big screen: as city staff, as a county user (its county only, and a
// 404 for another), and refuses bad parameters.
func TestDashboardPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("city", account.RoleStaff, "320500")
	e.createUser("ks", account.RoleCounty, "320583")
	city, ks := e.client(), e.client()
	city.mustLoginAPI("city")
	ks.mustLoginAPI("ks")
	tests := []struct {
		name string
		c    *client
		path string
		want int
	}{
		{"dashboard", city, "/dashboard", 200},
		{"dashboard of a quarter in 昆山", city, "/dashboard?period=quarter&at=2026-Q3&scope=320583&figure=projects.investment", 200},
		{"unknown figure", city, "/dashboard?figure=weather", 422},
		{"county dashboard", ks, "/dashboard", 200},
		{"county asks for another county", ks, "/dashboard?scope=320581", 404},
		{"export", city, "/dashboard/export.xlsx?period=year", 200},
		{"export one chart", ks, "/dashboard/export.xlsx?chart=trend", 200},
		{"export a bad chart", city, "/dashboard/export.xlsx?chart=pie", 422},
		{"funnel by broker", city, "/dashboard/funnel?by=broker", 200},
		{"screen", city, "/dashboard/screen?indicator=market.contract_amount", 200},
		{"county screen", ks, "/dashboard/screen", 200},
		{"county screen of another county", ks, "/dashboard/screen?scope=320581", 404},
		{"screen with an unknown indicator", city, "/dashboard/screen?indicator=weather", 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.c.get(tt.path)
			if res.status != tt.want {
				t.Fatalf("GET %s = %d, want %d", tt.path, res.status, tt.want)
			}
			if strings.Contains(tt.path, ".xlsx") && tt.want == 200 &&
				!strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") {
				t.Errorf("GET %s sends %s", tt.path, res.header.Get("Content-Type"))
			}
		})
	}
	d := ks.get("/dashboard").doc(t)
	if n := d.Find("#counties-table tbody tr").Length(); n != 1 {
		t.Errorf("the county user's table has %d counties, want 昆山 only", n)
	}
	if n := d.Find(`#dashboard-filters select[name="scope"] option`).Length(); n != 1 {
		t.Errorf("the county user may pick %d scopes, want 1", n)
	}
	d = city.get("/dashboard").doc(t)
	if n := d.Find("#counties-table tbody tr").Length(); n < 9 {
		t.Errorf("the city's table has %d counties, want all", n)
	}
	for _, id := range []string{"#county-chart", "#trend-chart", "#funnel-chart"} {
		panel := d.Find(id).Closest("[data-chart-panel]")
		if panel.Find("[data-toggle-table]").Length() != 1 || panel.Find("table").Length() != 1 ||
			panel.Find(`a[href^="/dashboard/export.xlsx"]`).Length() != 1 {
			t.Errorf("%s lacks its table toggle, table or export", id)
		}
	}
	if href, _ := d.Find("#fig-market\\.contract_amount a.figure-value").Attr("href"); !strings.HasPrefix(href, "/market/contracts?") {
		t.Errorf("the turnover card opens %q, want the contract list", href)
	}
	s := city.get("/dashboard/screen").doc(t)
	if api, _ := s.Find("#screen").Attr("data-api"); !strings.HasPrefix(api, "/api/v1/dashboard/summary?") {
		t.Errorf("the screen fetches %q", api)
	}
	if src, _ := s.Find("#screen").Attr("data-map-src"); !strings.Contains(src, "/static/vendor/maps/320500") {
		t.Errorf("the screen's map is %q, want the vendored 苏州市 outlines", src)
	}
	s.Find("script[src], link[href]").Each(func(_ int, el *goquery.Selection) {
		for _, attr := range []string{"src", "href"} {
			if v, ok := el.Attr(attr); ok && (strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//")) {
				t.Errorf("the screen loads %s from outside", v)
			}
		}
	})
}
