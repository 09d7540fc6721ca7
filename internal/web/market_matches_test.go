package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/market"
)

// publishAs creates and publishes a listing of owner's.
func (e *env) publishAs(owner, reviewer account.User, k market.Kind, in market.Input) market.Listing {
	e.t.Helper()
	ctx := context.Background()
	l, err := e.market.CreateListing(ctx, actorOf(owner), k, in)
	if err != nil {
		e.t.Fatalf("create %s: %v", in.Title, err)
	}
	if _, err := e.market.Submit(ctx, actorOf(owner), l.ID); err != nil {
		e.t.Fatal(err)
	}
	if l, err = e.market.Approve(ctx, actorOf(reviewer), l.ID); err != nil {
		e.t.Fatal(err)
	}
	return l
}

func matchDemand() market.Input {
	return market.Input{Title: "高镍三元正极材料循环寿命提升技术",
		Summary:  "我公司生产动力锂离子电池，高镍三元正极材料在高温循环中容量衰减快，需要正极材料表面包覆改性技术，提高循环寿命。",
		Expected: "1000次循环容量保持率不低于85%。", Keywords: []string{"正极材料", "锂离子电池"},
		Domain: "新能源与节能/新型高效能量转换与储存技术", Industry: "C38", TRL: 6, Modes: []string{"license"}, Band: "50-100",
		RegionCode: "320506", Contact: market.Contact{Name: "张经理", Phone: "0512-66000000"}}
}

func matchAchievement(title, summary string, price float64) market.Input {
	return market.Input{Title: title, Summary: summary, Keywords: []string{"正极材料", "包覆"},
		Domain: "新能源与节能/新型高效能量转换与储存技术", Industry: "C38", TRL: 7, Modes: []string{"license"}, Price: &price,
		RegionCode: "320506", Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}}
}

func TestMarketMatchesPage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		firm := e.createUser("firm", account.RoleEnterprise, "")
		uni := e.createUser("uni", account.RoleInstitution, "")
		e.createUser("other", account.RoleEnterprise, "")
		city := e.createUser("city", account.RoleStaff, "320500")
		d := e.publishAs(firm, city, market.Demand, matchDemand())
		a1 := e.publishAs(uni, city, market.Achievement, matchAchievement("锂离子电池高镍正极材料原子层沉积包覆技术",
			"在高镍三元正极材料表面原子层沉积氧化铝包覆层，动力电池高温循环寿命提升30%。", 80))
		a2 := e.publishAs(uni, city, market.Achievement, matchAchievement("高镍正极材料氧化铝包覆量产工艺",
			"高镍三元正极材料表面氧化铝包覆的连续化量产工艺，锂离子电池循环寿命明显提升。", 300))
		// A registered enterprise in the achievement's industry.
		cult := e.app.Cultivation
		ent, err := cult.CreateEnterprise(ctx, actorOf(city), cultivation.Enterprise{CreditCode: "91110108551385082Q",
			Name: "苏州锂能新材料有限公司", RegionCode: "320506", Industry: "C38", Domain: "新能源与节能"})
		if err != nil {
			t.Fatal(err)
		}
		staffCount, revenue := 320.0, 8.5e7 // 元: a medium enterprise
		if err := cult.PutYear(ctx, actorOf(city), ent.ID, cultivation.YearRecord{Year: e.clock.Now().Year() - 1,
			Figures: cultivation.YearFigures{Employees: &staffCount, Revenue: &revenue}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/market/listings/%d/matches", d.ID)

		c := e.client()
		c.loginForm("firm", testPassword)
		if doc := c.get(fmt.Sprintf("/market/listings/%d", d.ID)).doc(t); doc.Find("#matches-link").Length() != 1 {
			t.Errorf("the owner's listing page has no link to the matches")
		}
		res := c.get(path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.status)
		}
		doc := res.doc(t)
		items := doc.Find("#matches li.match")
		if items.Length() != 2 {
			t.Fatalf("matches = %d, want 2", items.Length())
		}
		first := items.First()
		if id, _ := first.Attr("data-match"); id != fmt.Sprint(a1.ID) {
			t.Errorf("first match = %s, want %d (within budget)", id, a1.ID)
		}
		for _, feature := range []string{"text", "field", "trl", "region", "mode", "budget", "fresh"} {
			if first.Find(fmt.Sprintf(`.reasons li[data-feature=%q]`, feature)).Length() != 1 {
				t.Errorf("first match has no %s reason", feature)
			}
		}
		if got := first.Find(`.reasons li[data-feature="region"]`).Text(); !strings.Contains(got, "同在吴中区") {
			t.Errorf("region reason = %q", got)
		}
		if first.Find(".match-title mark").Length() == 0 {
			t.Errorf("shared terms are not highlighted in the title")
		}

		// A decline without a reason is refused and keeps the form open.
		tok, _ := first.Find(`.decline-form input[name="csrf_token"]`).Attr("value")
		declinePath := fmt.Sprintf("%s/listing/%d/decline", path, a2.ID)
		res = c.postForm(declinePath, url.Values{"csrf_token": {tok}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("decline without reason = %d, want 422", res.status)
		}
		if doc := res.doc(t); !strings.Contains(doc.Find("#match-error").Text(), "原因") {
			t.Errorf("error = %q, want it to ask for the reason", doc.Find("#match-error").Text())
		}
		res = c.postForm(declinePath, url.Values{"csrf_token": {tok}, "reason": {"budget"}, "note": {"超预算"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("decline = %d %s", res.status, res.body)
		}
		doc = c.get(path).doc(t)
		if doc.Find(fmt.Sprintf(`#matches li[data-match="%d"]`, a2.ID)).Length() != 0 {
			t.Errorf("the declined match is still proposed")
		}
		if got := doc.Find(fmt.Sprintf(`#match-decisions tr[data-candidate="listing:%d"]`, a2.ID)).Text(); !strings.Contains(got, "价格/预算不符") {
			t.Errorf("decision row = %q", got)
		}
		if got := doc.Find("#match-boosts").Text(); !strings.Contains(got, "价格与预算 ×1.50") {
			t.Errorf("boosts = %q", got)
		}

		// Match notices can be turned off through the API too.
		n := e.client()
		n.mustLoginAPI("uni")
		var setting struct{ On *bool }
		if res := n.api(http.MethodPut, "/api/v1/me/match-notices", map[string]bool{"on": false}); res.status != http.StatusOK {
			t.Errorf("turn match notices off = %d %s", res.status, res.body)
		}
		n.api(http.MethodGet, "/api/v1/me/match-notices", nil).json(t, &setting)
		if setting.On == nil || *setting.On {
			t.Errorf("match notices after turning them off = %v", setting.On)
		}
		if res := n.api(http.MethodPut, "/api/v1/me/match-notices", map[string]any{}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("PUT without on = %d, want 422", res.status)
		}

		// The API: another enterprise is refused; the owner accepts.
		o := e.client()
		o.mustLoginAPI("other")
		if res := o.api(http.MethodGet, fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("another enterprise's API call = %d, want 404", res.status)
		}
		api := e.client()
		api.mustLoginAPI("firm")
		if res := api.api(http.MethodGet, fmt.Sprintf("/api/v1/achievements/%d/matches", d.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("a demand under /achievements = %d, want 404", res.status)
		}
		var page market.MatchPage
		res = api.api(http.MethodGet, fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil)
		res.json(t, &page)
		if res.status != http.StatusOK || len(page.Matches) != 1 || page.Matches[0].Reasons[0].Text == "" {
			t.Fatalf("API matches = %d %s", res.status, res.body)
		}
		res = api.api(http.MethodPost, fmt.Sprintf("/api/v1/demands/%d/matches/listing/%d/decline", d.ID, a1.ID), map[string]string{"reason": "other"})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "note") {
			t.Errorf("decline other without note = %d %s", res.status, res.body)
		}
		var dec market.Decision
		res = api.api(http.MethodPost, fmt.Sprintf("/api/v1/demands/%d/matches/listing/%d/accept", d.ID, a1.ID), nil)
		res.json(t, &dec)
		if res.status != http.StatusCreated || dec.DealID == 0 {
			t.Fatalf("accept = %d %s", res.status, res.body)
		}
		if res := api.api(http.MethodPost, fmt.Sprintf("/api/v1/demands/%d/matches/listing/%d/accept", d.ID, a1.ID), nil); res.status != http.StatusConflict {
			t.Errorf("accepting twice = %d, want 409", res.status)
		}

		// The achievement's owner sees the demand proposed back, and the
		// registered enterprise as a candidate.
		u := e.client()
		u.loginForm("uni", testPassword)
		doc = u.get(fmt.Sprintf("/market/listings/%d/matches", a2.ID)).doc(t)
		if doc.Find(fmt.Sprintf(`#matches li[data-match="%d"]`, d.ID)).Length() != 1 {
			t.Errorf("the demand is not proposed for the achievement")
		}
		e1 := doc.Find(fmt.Sprintf(`#enterprise-matches li[data-enterprise="%d"]`, ent.ID))
		if got := e1.Find(`.reasons li[data-feature="industry"]`).Text(); !strings.Contains(got, "行业相同：C38") {
			t.Errorf("enterprise candidate industry reason = %q", got)
		}
		if got := e1.Find(`.reasons li[data-feature="size"]`).Text(); !strings.Contains(got, "中型企业") {
			t.Errorf("enterprise candidate size reason = %q", got)
		}
		tok, _ = e1.Find(`.accept-form input[name="csrf_token"]`).Attr("value")
		if res := u.postForm(fmt.Sprintf("/market/listings/%d/matches/enterprise/%d/accept", a2.ID, ent.ID),
			url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Errorf("accept the enterprise = %d", res.status)
		}

		// Staff: statistics and the county's new matches.
		s := e.client()
		s.loginForm("city", testPassword)
		doc = s.get("/market/matches/stats").doc(t)
		if got := doc.Find(`#match-reasons tr[data-reason="budget"] td.num`).Text(); got != "1" {
			t.Errorf("budget declines on the statistics page = %q, want 1", got)
		}
		if _, err := e.index.ProposeMatches(ctx); err != nil {
			t.Fatal(err)
		}
		doc = s.get("/market/matches?region=320506").doc(t)
		if doc.Find("#new-matches tbody tr").Length() == 0 || strings.Contains(doc.Find("#new-matches").Text(), "没有新的匹配") {
			t.Errorf("no new matches listed for the county")
		}
		if res := c.get("/market/matches"); res.status != http.StatusForbidden {
			t.Errorf("an enterprise opening the staff list = %d, want 403", res.status)
		}
	})
}
