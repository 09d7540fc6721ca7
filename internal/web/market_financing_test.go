package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

func money(v float64) *float64 { return &v }

// financingNeed is a financing need as an enterprise of 320506 posts it.
func financingNeed() market.Input {
	return market.Input{Title: "高镍正极材料千吨级产线扩产融资",
		Summary:  "公司专注动力电池高镍正极材料，已建成百吨级中试线，产品通过两家电池厂认证。",
		Keywords: []string{"正极材料", "锂离子电池"}, Domain: "新能源与节能", Industry: "C38",
		Amount: money(3000), Round: "a", UseOfFunds: "扩建千吨级产线；补充研发投入。", Valuation: money(30000),
		RegionCode: "320506", Contact: market.Contact{Name: "王总", Phone: "0512-66001234"}}
}

func TestFinancingAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		firmU := e.createUser("firm", account.RoleEnterprise, "320506")
		cityU := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("uni", account.RoleInstitution, "320506")
		e.createUser("inv", account.RoleInvestor, "320506")
		firm, uni, inv, anon := e.client(), e.client(), e.client(), e.client()
		firm.mustLoginAPI("firm")
		uni.mustLoginAPI("uni")
		inv.mustLoginAPI("inv")
		body := listingJSON(t, financingNeed())
		delete(body, "trl")
		// Only enterprises post financing needs; bad fields are named.
		if res := uni.api(http.MethodPost, "/api/v1/financing", body); res.status != http.StatusForbidden {
			t.Errorf("institution posting = %d, want 403", res.status)
		}
		bad := listingJSON(t, financingNeed())
		delete(bad, "trl")
		bad["round"], bad["financing_amount"] = "series-z", -5
		res := firm.api(http.MethodPost, "/api/v1/financing", bad)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "financing_amount") || !strings.Contains(res.body, `"round"`) {
			t.Errorf("bad financing = %d %s", res.status, res.body)
		}
		l := e.publishAs(firmU, cityU, market.Financing, financingNeed())
		other := e.publishAs(firmU, cityU, market.Financing, func() market.Input {
			in := financingNeed()
			in.Title, in.Round = "智能传感器芯片天使轮融资", "angel"
			return in
		}())
		var list struct {
			Total int              `json:"total"`
			Items []market.Listing `json:"items"`
		}
		res = anon.api(http.MethodGet, "/api/v1/financing?round=a&region=320506&domain="+url.QueryEscape("新能源与节能")+"&page=1&per_page=5", nil)
		res.json(t, &list)
		if res.status != 200 || list.Total != 1 || list.Items[0].ID != l.ID || list.Items[0].Contact != nil {
			t.Errorf("financing round a = %d %+v", res.status, list)
		}
		if res := anon.api(http.MethodGet, "/api/v1/financing?round=z", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown round = %d, want 422", res.status)
		}
		var got market.Listing
		res = inv.api(http.MethodGet, fmt.Sprintf("/api/v1/financing/%d", other.ID), nil)
		res.json(t, &got)
		if res.status != 200 || got.Round != "angel" || got.Amount != 3000 || got.Contact == nil {
			t.Errorf("financing as investor = %d %+v", res.status, got)
		}
		// A financing need is not at the other kinds' paths, nor they at its.
		if res := anon.api(http.MethodGet, fmt.Sprintf("/api/v1/demands/%d", l.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("financing at /demands = %d, want 404", res.status)
		}
		// The page shows the financing fields with their labels.
		page := anon.get(fmt.Sprintf("/market/listings/%d", l.ID))
		for _, want := range []string{"融资需求", "A轮", "3000万元", "资金用途", "扩建千吨级产线", "商业计划书"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("financing page lacks %q", want)
			}
		}
		// The form offers the financing fields to the enterprise.
		form := firm.get("/market/new?kind=financing")
		for _, want := range []string{`name="financing_amount"`, `name="round"`, "Pre-A轮", `name="use_of_funds"`} {
			if !strings.Contains(form.body, want) {
				t.Errorf("financing form lacks %q", want)
			}
		}
	})
}
