package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/directory"
	"kechuang/internal/market"
)

// TestDemandMatchesPeoplePage: a demand's matches page and API list the
// directory's experts and institutions with reasons and take answers;
// phone and e-mail never show.
func TestDemandMatchesPeoplePage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		firm := e.createUser("firm", account.RoleEnterprise, "")
		city := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("county", account.RoleCounty, "320581")
		d := e.publishAs(firm, city, market.Demand, matchDemand())
		dir := e.app.Directory
		x, err := dir.CreateExpert(ctx, actorOf(city), directory.ExpertInput{Name: "李正极", Affiliation: "苏州某研究院", Title: "研究员",
			Research: "锂离子电池高镍三元正极材料表面包覆改性，提高动力电池循环寿命。", Keywords: []string{"正极材料", "包覆"},
			RegionCode: "320506", Contact: &directory.ExpertContact{Phone: "13912345678", Email: "li@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dir.RecordExpertConsent(ctx, actorOf(city), x.ID, directory.ConsentInput{
			Fields: []string{"name", "institution", "title", "research", "keywords", "region"}, NoticeVersion: dir.Reference().Notice.Version,
			GivenOn: "2026-01-05"}); err != nil {
			t.Fatal(err)
		}
		inst, err := dir.CreateInstitution(ctx, actorOf(city), directory.InstitutionInput{Name: "苏州储能材料研究院", Type: "institute",
			RegionCode: "320506", Domains: []string{"新能源与节能"}, Summary: "锂离子电池正极材料与储能系统研究。",
			Contact: directory.Contact{Name: "孙老师", Phone: "0512-65550000"}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/market/listings/%d/matches", d.ID)

		c := e.client()
		c.loginForm("firm", testPassword)
		res := c.get(path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.status)
		}
		doc := res.doc(t)
		ex := doc.Find(fmt.Sprintf(`#expert-matches li[data-expert="%d"]`, x.ID))
		if ex.Length() != 1 {
			t.Fatalf("the expert is not proposed: %s", doc.Find("#people-matches").Text())
		}
		if got := ex.Find(`.reasons li[data-feature="text"]`).Text(); !strings.Contains(got, "正极") {
			t.Errorf("expert text reason = %q", got)
		}
		if got := doc.Find(fmt.Sprintf(`#institution-matches li[data-institution="%d"]`, inst.ID)).Text(); !strings.Contains(got, "科研院所") {
			t.Errorf("institution row = %q, want its type's label", got)
		}
		for _, leak := range []string{"13912345678", "li@example.com", "0512-65550000"} {
			if strings.Contains(res.body, leak) {
				t.Errorf("the matches page shows %q", leak)
			}
		}
		tok, _ := ex.Find(`.decline-form input[name="csrf_token"]`).Attr("value")
		if res := c.postForm(fmt.Sprintf("%s/expert/%d/decline", path, x.ID), url.Values{"csrf_token": {tok}, "reason": {"region"}}); res.status != http.StatusSeeOther {
			t.Fatalf("decline the expert = %d %s", res.status, res.body)
		}
		doc = c.get(path).doc(t)
		if doc.Find(fmt.Sprintf(`#expert-matches li[data-expert="%d"]`, x.ID)).Length() != 0 {
			t.Errorf("the declined expert is proposed again")
		}
		if got := doc.Find(fmt.Sprintf(`#match-decisions tr[data-candidate="expert:%d"]`, x.ID)).Text(); !strings.Contains(got, "李正极") || !strings.Contains(got, "专家") {
			t.Errorf("decision row = %q", got)
		}

		// The API: the same lists, an institution accepted; another
		// county's staff gets 404.
		api := e.client()
		api.mustLoginAPI("firm")
		var page market.MatchPage
		res = api.api(http.MethodGet, fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil)
		res.json(t, &page)
		if res.status != http.StatusOK || len(page.Institutions) == 0 || page.Institutions[0].Reasons[0].Text == "" {
			t.Fatalf("API matches = %d %s", res.status, res.body)
		}
		if strings.Contains(res.body, "13912345678") {
			t.Errorf("the API shows the expert's phone")
		}
		res = api.api(http.MethodPost, fmt.Sprintf("/api/v1/demands/%d/matches/institution/%d/accept", d.ID, inst.ID), nil)
		if res.status != http.StatusCreated {
			t.Errorf("accept the institution = %d %s", res.status, res.body)
		}
		county := e.client()
		county.mustLoginAPI("county")
		if res := county.api(http.MethodGet, fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("another county's staff = %d, want 404", res.status)
		}
	})
}

// TestFinancingMatchesInvestors: a financing need's matches are
// investors; the investor's own list proposes the need; permissions.
func TestFinancingMatchesInvestors(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		firm := e.createUser("firm", account.RoleEnterprise, "320506")
		city := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("county", account.RoleCounty, "320581")
		inv := e.createUser("inv", account.RoleInvestor, "320506")
		low := e.createUser("low", account.RoleInvestor, "320506")
		l := e.publishAs(firm, city, market.Financing, financingNeed())
		dir := e.app.Directory
		if _, err := dir.PutInvestorPreferences(ctx, actorOf(city), inv.ID, directory.InvestorInput{Domains: []string{"新能源与节能"},
			Stages: []string{"growth"}, TicketMin: money(1000), TicketMax: money(5000)}); err != nil {
			t.Fatal(err)
		}
		if _, err := dir.PutInvestorPreferences(ctx, actorOf(city), low.ID, directory.InvestorInput{Domains: []string{"电子信息"},
			Stages: []string{"seed"}, TicketMax: money(200)}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/market/listings/%d/matches", l.ID)

		c := e.client()
		c.loginForm("firm", testPassword)
		if doc := c.get(fmt.Sprintf("/market/listings/%d", l.ID)).doc(t); doc.Find("#matches-link").Length() != 1 {
			t.Errorf("the financing need's page has no link to its matches")
		}
		doc := c.get(path).doc(t)
		items := doc.Find(`#matches li.match[data-candidate-kind="investor"]`)
		if items.Length() != 2 {
			t.Fatalf("investors = %d, want 2: %s", items.Length(), doc.Find("#matches").Text())
		}
		if id, _ := items.First().Attr("data-match"); id != fmt.Sprint(inv.ID) {
			t.Errorf("first investor = %s, want %d", id, inv.ID)
		}
		if got := items.First().Find(`.reasons li[data-feature="ticket"]`).Text(); !strings.Contains(got, "1000–5000 万元") {
			t.Errorf("ticket reason = %q", got)
		}

		api := e.client()
		api.mustLoginAPI("firm")
		var page market.MatchPage
		res := api.api(http.MethodGet, fmt.Sprintf("/api/v1/financing/%d/matches?page=1", l.ID), nil)
		res.json(t, &page)
		if res.status != http.StatusOK || len(page.Matches) != 2 || page.Matches[0].CandidateKind != market.CandidateInvestor {
			t.Fatalf("API financing matches = %d %s", res.status, res.body)
		}
		res = api.api(http.MethodPost, fmt.Sprintf("/api/v1/financing/%d/matches/investor/%d/decline", l.ID, low.ID), map[string]string{"reason": "budget"})
		if res.status != http.StatusCreated {
			t.Errorf("decline an investor = %d %s", res.status, res.body)
		}
		res = api.api(http.MethodPost, fmt.Sprintf("/api/v1/financing/%d/matches/investor/%d/accept", l.ID, inv.ID), nil)
		if res.status != http.StatusCreated {
			t.Errorf("accept an investor = %d %s", res.status, res.body)
		}
		if res := api.api(http.MethodPost, fmt.Sprintf("/api/v1/financing/%d/matches/investor/%d/accept", l.ID, inv.ID), nil); res.status != http.StatusConflict {
			t.Errorf("accept twice = %d, want 409", res.status)
		}

		// The investors' side: the page from the toolbar and the API.
		i := e.client()
		i.loginForm("inv", testPassword)
		home := i.get("/market").doc(t)
		href, _ := home.Find("#financing-matches-link").Attr("href")
		if href != "/market/financing-matches" {
			t.Fatalf("the investor's toolbar links to %q", href)
		}
		doc = i.get(href).doc(t)
		if doc.Find(fmt.Sprintf(`#financing-matches li[data-listing="%d"]`, l.ID)).Length() != 1 || doc.Find("#no-preferences").Length() != 0 {
			t.Errorf("the investor's page: %s", doc.Find("main").Text())
		}
		ia := e.client()
		ia.mustLoginAPI("inv")
		var mine market.FinancingMatchPage
		res = ia.api(http.MethodGet, "/api/v1/me/financing-matches?page=1", nil)
		res.json(t, &mine)
		if res.status != http.StatusOK || len(mine.Matches) != 1 || mine.Matches[0].ID != l.ID || mine.Matches[0].Reasons[0].Text == "" {
			t.Fatalf("API my financing matches = %d %s", res.status, res.body)
		}
		if strings.Contains(res.body, "0512-66001234") || strings.Contains(res.body, "use_of_funds") {
			t.Errorf("the investor's list shows the firm's contact or details: %s", res.body)
		}
		la := e.client()
		la.mustLoginAPI("low")
		if res := la.api(http.MethodGet, "/api/v1/me/financing-matches", nil); res.status != http.StatusOK || strings.Contains(res.body, l.Title) {
			t.Errorf("a declined investor's list = %d %s", res.status, res.body)
		}
		// Who else: investors and another county's staff 404 on the need's
		// matches; an enterprise has no financing-matches list (403).
		if res := ia.api(http.MethodGet, fmt.Sprintf("/api/v1/financing/%d/matches", l.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("an investor opening the need's matches = %d, want 404", res.status)
		}
		county := e.client()
		county.mustLoginAPI("county")
		if res := county.api(http.MethodGet, fmt.Sprintf("/api/v1/financing/%d/matches", l.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("another county's staff = %d, want 404", res.status)
		}
		if res := api.api(http.MethodGet, "/api/v1/me/financing-matches", nil); res.status != http.StatusForbidden {
			t.Errorf("an enterprise's financing matches = %d, want 403", res.status)
		}
		if res := ia.api(http.MethodGet, "/api/v1/me/financing-matches?page=0", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("page 0 = %d, want 422", res.status)
		}
		if res := i.get(path); res.status != http.StatusNotFound {
			t.Errorf("the investor opening the need's matches page = %d, want 404", res.status)
		}
	})
}
