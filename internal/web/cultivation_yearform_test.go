package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// TestYearFormKeepsWhatItDoesNotShow: figures set through the API that the
// year form has no field for (equity financing, the finer IP counts,
// standards, awards) survive a save of the form for the same year, while a
// field the form shows and the user emptied is cleared.
func TestYearFormKeepsWhatItDoesNotShow(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := e.createUser("city", account.RoleStaff, "320500")
		ent, err := e.app.Cultivation.CreateEnterprise(ctx, actorOf(u), cultivation.Enterprise{
			CreditCode: creditCode("91320583MA1YFK001"), Name: "昆山年报测试有限公司", RegionCode: "320583", Tags: []string{}})
		if err != nil {
			t.Fatal(err)
		}
		api := e.client()
		api.mustLoginAPI("city")
		path := "/api/v1/enterprises/" + strconv.FormatInt(ent.ID, 10)
		res := api.api(http.MethodPut, path+"/years/2025", map[string]any{"year": 2025,
			"figures": map[string]any{"revenue": 30000000, "net_profit": 1000000, "equity_financing": 8000000},
			"ip":      map[string]any{"class1": 3, "class1_high_value": 2}, "standards_led": 1, "awards": 2})
		if res.status != http.StatusNoContent {
			t.Fatalf("PUT year: %d %s", res.status, res.body)
		}
		web := e.client()
		web.loginForm("city", testPassword)
		page := "/cultivation/enterprises/" + strconv.FormatInt(ent.ID, 10)
		tok := web.formToken(page)
		// Revenue corrected, net profit emptied, class-1 IP kept at 3.
		res = web.postForm(page+"/years", url.Values{"csrf_token": {tok}, "year": {"2025"}, "revenue": {"3200"}, "net_profit": {""}, "ip_class1": {"3"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("form save: %d", res.status)
		}
		years, err := e.app.Cultivation.Years(ctx, actorOf(u), ent.ID)
		if err != nil || len(years) != 1 {
			t.Fatalf("years: %v %v", years, err)
		}
		y := years[0]
		switch {
		case y.Figures.Revenue == nil || *y.Figures.Revenue != 32000000:
			t.Errorf("revenue %v, want the form's 3200 万元", y.Figures.Revenue)
		case y.Figures.NetProfit != nil:
			t.Errorf("net profit %v, want cleared by the emptied field", *y.Figures.NetProfit)
		case y.Figures.EquityFinancing == nil || *y.Figures.EquityFinancing != 8000000:
			t.Errorf("equity financing %v, want kept", y.Figures.EquityFinancing)
		case y.IP.Class1HighValue == nil || *y.IP.Class1HighValue != 2 || y.StandardsLed == nil || *y.StandardsLed != 1 || y.Awards == nil || *y.Awards != 2:
			t.Errorf("IP %+v, standards %v, awards %v: want the API's values kept", y.IP, y.StandardsLed, y.Awards)
		}
	})
}
