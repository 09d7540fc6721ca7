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
		// The market home filters financing needs by round.
		home := anon.get("/market?kind=financing&round=angel")
		listed := home.doc(t).Find("#listings").Text()
		if home.status != 200 || !strings.Contains(listed, "智能传感器芯片天使轮融资") || strings.Contains(listed, l.Title) ||
			!strings.Contains(home.body, `name="round"`) {
			t.Errorf("market home by round = %d: %s", home.status, listed)
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

func TestFinancingInterests(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		firmU := e.createUser("firm", account.RoleEnterprise, "320506")
		cityU := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("wz", account.RoleCounty, "320583")
		e.createUser("inv", account.RoleInvestor, "320506")
		e.createUser("inv2", account.RoleInvestor, "320506")
		e.createUser("inv3", account.RoleInvestor, "320506")
		firm, inv, inv2, inv3, wz, city := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
		for c, name := range map[*client]string{firm: "firm", inv: "inv", inv2: "inv2", inv3: "inv3", wz: "wz", city: "city"} {
			c.mustLoginAPI(name)
		}
		l := e.publishAs(firmU, cityU, market.Financing, financingNeed())
		base := fmt.Sprintf("/api/v1/financing/%d/interests", l.ID)
		note := map[string]string{"note": "我们关注新能源材料赛道，希望进一步了解。"}
		got := runSteps(t, []apiStep{
			{"firm cannot express", firm, http.MethodPost, base, note, 403},
			{"express", inv, http.MethodPost, base, note, 201},
			{"second investor", inv2, http.MethodPost, base, note, 201},
			{"third investor", inv3, http.MethodPost, base, note, 201},
			{"duplicate", inv, http.MethodPost, base, note, 409},
			{"firm lists", firm, http.MethodGet, base + "?stage=intent&page=1&per_page=10", nil, 200},
			{"bad stage", firm, http.MethodGet, base + "?stage=done", nil, 422},
		})
		if n := got["firm lists"]["total"].(float64); n != 3 {
			t.Errorf("firm sees %v interests, want 3", n)
		}
		x := "/api/v1/investment-interests/" + id(got["express"])
		x2 := "/api/v1/investment-interests/" + id(got["second investor"])
		x3 := "/api/v1/investment-interests/" + id(got["third investor"])
		got = runSteps(t, []apiStep{
			{"other county reads", wz, http.MethodGet, x, nil, 404},
			{"other investor reads", inv2, http.MethodGet, x, nil, 404},
			{"other county steps", wz, http.MethodPost, x + "/accept", nil, 404},
			{"investor cannot accept", inv, http.MethodPost, x + "/accept", nil, 403},
			{"accept", firm, http.MethodPost, x + "/accept", nil, 200},
			{"decide", inv, http.MethodPost, x + "/decide", nil, 200},
			{"invest", inv, http.MethodPost, x + "/invest", nil, 200},
			{"decline without reason", firm, http.MethodPost, x2 + "/decline", nil, 422},
			{"decline", firm, http.MethodPost, x2 + "/decline", map[string]string{"reason": "本轮已满额"}, 200},
			{"terminate", inv3, http.MethodPost, x3 + "/terminate", map[string]string{"reason": "赛道调整"}, 200},
			{"read", inv, http.MethodGet, x, nil, 200},
			{"mine", inv, http.MethodGet, "/api/v1/investment-interests?page=1&per_page=5", nil, 200},
			{"scope", city, http.MethodGet, "/api/v1/investment-interests?stage=invested", nil, 200},
			{"other county scope", wz, http.MethodGet, "/api/v1/investment-interests", nil, 200},
		})
		if s := got["read"]["stage"]; s != "invested" || len(got["read"]["events"].([]any)) != 4 {
			t.Errorf("read = %v", got["read"])
		}
		if n := got["scope"]["total"].(float64); n != 1 {
			t.Errorf("city staff see %v invested, want 1", n)
		}
		if n := got["other county scope"]["total"].(float64); n != 0 {
			t.Errorf("other county sees %v interests, want 0", n)
		}
		if res := inv2.api(http.MethodGet, base, nil); res.status != 200 || !strings.Contains(res.body, `"total":1`) {
			t.Errorf("investor listing a need's interests sees others': %d %s", res.status, res.body)
		}
	})
}

func TestFinancingInterestPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		firmU := e.createUser("firm", account.RoleEnterprise, "320506")
		cityU := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("inv", account.RoleInvestor, "320506")
		firm, inv := e.client(), e.client()
		firm.loginForm("firm", testPassword)
		inv.loginForm("inv", testPassword)
		l := e.publishAs(firmU, cityU, market.Financing, financingNeed())
		page := fmt.Sprintf("/market/listings/%d", l.ID)
		if res := inv.get(page); !strings.Contains(res.body, `id="express-interest-button"`) {
			t.Fatalf("investor sees no express button on %s", page)
		}
		if res := firm.get(page); strings.Contains(res.body, `id="express-interest-button"`) {
			t.Error("the firm is offered to invest in itself")
		}
		tok := inv.formToken(page)
		res := inv.postForm(page+"/interests", url.Values{"csrf_token": {tok}, "note": {""}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("interest without a note = %d, want 422", res.status)
		}
		res = inv.postForm(page+"/interests", url.Values{"csrf_token": {tok}, "note": {"希望了解扩产计划。"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("express = %d %s", res.status, res.body)
		}
		link := res.header.Get("Location")
		link = link[:strings.Index(link, "?")]
		if mine := inv.get("/market/interests"); !strings.Contains(mine.body, "我的投资意向") || !strings.Contains(mine.body, l.Title) {
			t.Errorf("investor's list lacks the interest")
		}
		incoming := firm.get("/market/interests")
		if !strings.Contains(incoming.body, "收到的投资意向") || !strings.Contains(incoming.body, "意向") {
			t.Errorf("firm's incoming list lacks the interest")
		}
		tok = firm.formToken(link)
		if res := firm.postForm(link+"/accept", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Fatalf("accept = %d %s", res.status, res.body)
		}
		detail := inv.get(link)
		if stage := strings.TrimSpace(detail.doc(t).Find("#interest-stage").Text()); stage != "尽调" {
			t.Errorf("stage after accept = %q, want 尽调", stage)
		}
		if res := firm.postForm(link+"/terminate", url.Values{"csrf_token": {firm.formToken(link)}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("terminate without a reason = %d, want 422", res.status)
		}
	})
}
