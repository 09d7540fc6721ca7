package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/sheet"
)

func TestMarketContractsAndStats(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("tc", account.RoleCounty, "320585")
		e.createUser("city", account.RoleStaff, "320500")
		e.createUser("firm", account.RoleEnterprise, "320583")
		ks := e.client()
		ks.loginForm("ks", testPassword)
		tok := ks.formToken("/market/contracts/new")
		form := url.Values{"csrf_token": {tok}, "contract_type": {"transfer"}, "subtype": {"专利权转让"}, "title": {"一种滤波器专利转让"},
			"seller": {"苏州示例大学"}, "buyer": {"昆山示例公司"}, "amount": {"120.5"}, "tech_amount": {"130"},
			"signed_on": {"2026-03-02"}, "domain": {"电子信息/通信技术"}, "region_code": {"320583"}}
		res := ks.postForm("/market/contracts", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#contract-form").Text(), "技术交易额应在 0 与合同成交额之间") {
			t.Fatalf("tech amount above amount = %d, want 422 with the field message", res.status)
		}
		form.Set("tech_amount", "100")
		if res := ks.postForm("/market/contracts", form); res.status != http.StatusSeeOther {
			t.Fatalf("register = %d %s", res.status, res.body)
		}
		form.Set("signed_on", "2026-05-10")
		form.Set("contract_type", "development")
		form.Set("subtype", "")
		form.Set("amount", "300")
		form.Set("tech_amount", "250")
		if res := ks.postForm("/market/contracts", form); res.status != http.StatusSeeOther {
			t.Fatalf("register 2 = %d", res.status)
		}
		list := ks.get("/market/contracts").doc(t)
		if n := list.Find("#contracts tbody tr code").Length(); n != 2 {
			t.Errorf("contracts listed = %d, want 2", n)
		}
		city := e.client()
		city.mustLoginAPI("city")
		var stats struct {
			Total struct {
				Count      int     `json:"count"`
				Amount     float64 `json:"amount"`
				TechAmount float64 `json:"tech_amount"`
			} `json:"total"`
			ByMonth []struct {
				Key   string `json:"key"`
				Count int    `json:"count"`
			} `json:"by_month"`
		}
		city.get("/api/v1/stats/contracts?from=2026-01-01&to=2026-12-31").json(t, &stats)
		if stats.Total.Count != 2 || stats.Total.Amount != 420.5 || stats.Total.TechAmount != 350 || len(stats.ByMonth) != 2 {
			t.Errorf("stats = %+v", stats)
		}
		page := city.get("/market/stats?year=2026").doc(t)
		if n := page.Find("[data-echarts]").Length(); n != 4 {
			t.Errorf("stats page charts = %d, want 4", n)
		}
		xlsx := city.get("/market/stats.xlsx?year=2026")
		rd, err := sheet.Open(bytes.NewReader([]byte(xlsx.body)), int64(len(xlsx.body)), "s.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatalf("stats export: %v", err)
		}
		rd.Close()
		// Another county neither sees the contracts nor reads one by id.
		tc := e.client()
		tc.mustLoginAPI("tc")
		var page1 struct {
			Total int `json:"total"`
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		city.get("/api/v1/contracts").json(t, &page1)
		if page1.Total != 2 {
			t.Fatalf("city contracts = %d", page1.Total)
		}
		if res := tc.get(fmt.Sprintf("/api/v1/contracts/%d", page1.Items[0].ID)); res.status != http.StatusNotFound {
			t.Errorf("other county reading a contract = %d, want 404", res.status)
		}
		firm := e.client()
		firm.mustLoginAPI("firm")
		if res := firm.get("/api/v1/contracts"); res.status != http.StatusForbidden {
			t.Errorf("enterprise listing contracts = %d, want 403", res.status)
		}
	})
}
