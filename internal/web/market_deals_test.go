package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
)

func actorOf(u account.User) account.Actor {
	return account.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, Region: u.RegionCode}
}

// publishListing creates and publishes an achievement of owner's.
func (e *env) publishListing(owner, reviewer account.User, title string) market.Listing {
	e.t.Helper()
	ctx := context.Background()
	l, err := e.market.CreateListing(ctx, actorOf(owner), market.Achievement, market.Input{Title: title,
		Summary: "一种基于机器视觉的精密零件表面缺陷在线检测系统。", Domain: "先进制造与自动化", TRL: 6, Modes: []string{"license"},
		Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.market.Submit(ctx, actorOf(owner), l.ID); err != nil {
		e.t.Fatal(err)
	}
	if l, err = e.market.Approve(ctx, actorOf(reviewer), l.ID); err != nil {
		e.t.Fatal(err)
	}
	return l
}

func TestMarketDeals(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		inst := e.createUser("inst", account.RoleInstitution, "320505")
		e.createUser("firm", account.RoleEnterprise, "320583")
		e.createUser("stranger", account.RoleInvestor, "320583")
		broker := e.createUser("broker", account.RoleBroker, "320508")
		city := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("ks", account.RoleCounty, "320583")
		l := e.publishListing(inst, city, "精密零件表面缺陷在线检测系统")
		listingPath := fmt.Sprintf("/market/listings/%d", l.ID)

		// Express interest from the listing page; errors name the field.
		firm := e.client()
		firm.loginForm("firm", testPassword)
		page := firm.get(listingPath).doc(t)
		tok, _ := page.Find(`#express-interest input[name="csrf_token"]`).Attr("value")
		if tok == "" {
			t.Fatalf("no express-interest form on the listing page for a member")
		}
		form := url.Values{"csrf_token": {tok}, "listing_id": {fmt.Sprint(l.ID)}, "message": {""}, "contact_name": {"李经理"},
			"contact_email": {"li@example.com"}}
		res := firm.postForm("/market/deals", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#express-interest").Text(), "必填") {
			t.Fatalf("empty message = %d, want 422 with the field error", res.status)
		}
		form.Set("message", "希望获得实施许可，请联系。")
		res = firm.postForm("/market/deals", form)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/market/deals/") {
			t.Fatalf("express interest = %d %s", res.status, res.header.Get("Location"))
		}
		dealPath := strings.TrimSuffix(res.header.Get("Location"), "?done=1")
		id := strings.TrimPrefix(dealPath, "/market/deals/")
		api := "/api/v1/deals/" + id

		// With an open deal, the member sees it instead of the form.
		fp := firm.get(listingPath).doc(t)
		if fp.Find("#listing-deals tr[data-deal]").Length() != 1 || fp.Find("#express-interest").Length() != 0 {
			t.Errorf("member's listing page with an open deal: deals %d, form %d; want 1 deal and no form",
				fp.Find("#listing-deals tr[data-deal]").Length(), fp.Find("#express-interest").Length())
		}

		// The owner sees the interest on its listing and cannot express its own.
		owner := e.client()
		owner.loginForm("inst", testPassword)
		op := owner.get(listingPath).doc(t)
		if op.Find("#listing-deals tr[data-deal]").Length() != 1 || op.Find("#express-interest").Length() != 0 {
			t.Errorf("owner's listing page: deals %d, form %d; want 1 deal and no form",
				op.Find("#listing-deals tr[data-deal]").Length(), op.Find("#express-interest").Length())
		}
		otok, _ := op.Find(`input[name="csrf_token"]`).Attr("value")
		form.Set("csrf_token", otok)
		res = owner.postForm("/market/deals", form)
		if res.status != http.StatusForbidden || !strings.Contains(res.doc(t).Find("#action-error").Text(), "不能对自己发布的信息") {
			t.Errorf("owner's own interest from the form = %d, want 403 saying why", res.status)
		}

		clients := map[string]*client{}
		for _, name := range []string{"inst", "firm", "stranger", "broker", "city", "ks"} {
			c := e.client()
			c.mustLoginAPI(name)
			clients[name] = c
		}
		scenarios := []struct {
			name       string
			user       string
			method     string
			path       string
			body       any
			wantStatus int
			wantBody   string
		}{
			{"stranger reads", "stranger", http.MethodGet, api, nil, http.StatusNotFound, ""},
			{"other county reads", "ks", http.MethodGet, api, nil, http.StatusNotFound, ""},
			{"stranger negotiates", "stranger", http.MethodPost, api + "/negotiate", nil, http.StatusNotFound, ""},
			{"owner on own listing", "inst", http.MethodPost, "/api/v1/deals", map[string]any{"listing_id": l.ID, "message": "自己",
				"contact": map[string]string{"name": "陈", "phone": "0512-65880000"}}, http.StatusForbidden, ""},
			{"bad interest", "stranger", http.MethodPost, "/api/v1/deals", map[string]any{"listing_id": l.ID, "message": "",
				"contact": map[string]string{"name": ""}}, http.StatusUnprocessableEntity, "留言"},
			{"member assigns broker", "firm", http.MethodPost, api + "/assign-broker", map[string]any{"broker_id": broker.ID}, http.StatusForbidden, ""},
			{"staff assigns broker", "city", http.MethodPost, api + "/assign-broker", map[string]any{"broker_id": broker.ID}, http.StatusOK, `"broker_id":`},
			{"staff negotiates", "city", http.MethodPost, api + "/negotiate", nil, http.StatusForbidden, ""},
			{"broker negotiates", "broker", http.MethodPost, api + "/negotiate", map[string]any{"note": "约定面谈"}, http.StatusOK, `"state":"negotiating"`},
			{"negotiate twice", "firm", http.MethodPost, api + "/negotiate", nil, http.StatusConflict, "洽谈"},
			{"terminate without reason", "firm", http.MethodPost, api + "/terminate", map[string]any{}, http.StatusUnprocessableEntity, "终止原因"},
			{"sign", "firm", http.MethodPost, api + "/sign", map[string]any{"amount": 88.5}, http.StatusOK, `"state":"signed"`},
			{"register", "inst", http.MethodPost, api + "/register", nil, http.StatusOK, `"state":"registered"`},
			{"terminate registered", "inst", http.MethodPost, api + "/terminate", map[string]any{"reason": "x"}, http.StatusConflict, ""},
			{"broker reads with history", "broker", http.MethodGet, api, nil, http.StatusOK, `"events":[`},
			{"firm lists", "firm", http.MethodGet, "/api/v1/deals?state=registered", nil, http.StatusOK, `"total":1`},
			{"other county lists", "ks", http.MethodGet, "/api/v1/deals", nil, http.StatusOK, `"total":0`},
			{"unknown state filter", "firm", http.MethodGet, "/api/v1/deals?state=done", nil, http.StatusUnprocessableEntity, "状态"},
			{"brokers", "stranger", http.MethodGet, "/api/v1/brokers", nil, http.StatusOK, `"amount":88.5`},
		}
		for _, sc := range scenarios {
			res := clients[sc.user].api(sc.method, sc.path, sc.body)
			if res.status != sc.wantStatus || !strings.Contains(res.body, sc.wantBody) {
				t.Errorf("%s: %s %s = %d %s, want %d containing %q", sc.name, sc.method, sc.path, res.status, res.body, sc.wantStatus, sc.wantBody)
			}
		}
		if res := (e.client()).get(api); res.status != http.StatusUnauthorized {
			t.Errorf("public reads a deal = %d, want 401", res.status)
		}

		// Pages: the deal with its history, the board, the brokers.
		dp := owner.get(dealPath).doc(t)
		if n := dp.Find("#deal-history li").Length(); n != 5 {
			t.Errorf("history rows = %d, want 5", n)
		}
		if got := strings.TrimSpace(dp.Find("#deal-state").Text()); got != "已登记" {
			t.Errorf("deal state = %q, want 已登记", got)
		}
		if dp.Find("#deal-actions").Length() != 0 {
			t.Errorf("a registered deal shows actions")
		}
		if res := clients["stranger"].get(dealPath); res.status != http.StatusNotFound {
			t.Errorf("stranger's deal page = %d, want 404", res.status)
		}
		if n := firm.get("/market/deals").doc(t).Find("#deals tr[data-deal]").Length(); n != 1 {
			t.Errorf("firm's board = %d deals, want 1", n)
		}
		cityC := e.client()
		cityC.loginForm("city", testPassword)
		if n := cityC.get("/market/deals?state=registered").doc(t).Find("#deals tr[data-deal]").Length(); n != 1 {
			t.Errorf("city's registered deals = %d, want 1", n)
		}
		bp := firm.get("/market/brokers").doc(t)
		row := bp.Find(fmt.Sprintf(`#brokers tr[data-broker="%d"]`, broker.ID))
		if row.Find(".handled").Text() != "1" || row.Find(".completed").Text() != "1" || row.Find(".amount").Text() != "88.5" {
			t.Errorf("broker row = %q/%q/%q, want 1/1/88.5", row.Find(".handled").Text(), row.Find(".completed").Text(), row.Find(".amount").Text())
		}
		prof := cityC.get(fmt.Sprintf("/market/brokers/%d", broker.ID)).doc(t)
		if prof.Find("#broker-amount").Text() != "88.5" || prof.Find("#broker-deals tr[data-deal]").Length() != 1 {
			t.Errorf("broker profile: amount %q, deals %d", prof.Find("#broker-amount").Text(), prof.Find("#broker-deals tr[data-deal]").Length())
		}

		// A step from the deal page: terminate needs a reason.
		res = clients["stranger"].api(http.MethodPost, "/api/v1/deals", map[string]any{"listing_id": l.ID, "message": "有意投资",
			"contact": map[string]string{"name": "王", "email": "wang@example.com"}})
		var d2 market.Deal
		res.json(t, &d2)
		sp := e.client()
		sp.loginForm("stranger", testPassword)
		path2 := market.DealLink(d2.ID)
		tok = sp.formToken(path2)
		res = sp.postForm(path2+"/terminate", url.Values{"csrf_token": {tok}, "reason": {" "}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`form[data-action="terminate"] .field-error`).Length() != 1 {
			t.Errorf("terminate without reason from the page = %d, want 422 with a field error", res.status)
		}
		res = sp.postForm(path2+"/terminate", url.Values{"csrf_token": {tok}, "reason": {"改投其他项目"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("terminate = %d", res.status)
		}
		if got := sp.get(path2).doc(t).Find("#deal-reason").Text(); got != "改投其他项目" {
			t.Errorf("reason shown = %q", got)
		}
		var inbox struct {
			Items []struct {
				Kind string `json:"kind"`
			} `json:"items"`
		}
		clients["inst"].get("/api/v1/notices").json(t, &inbox)
		kinds := map[string]int{}
		for _, n := range inbox.Items {
			kinds[n.Kind]++
		}
		if kinds["deal.create"] != 2 || kinds["deal.terminate"] != 1 {
			t.Errorf("owner's notices = %v, want 2 deal.create and 1 deal.terminate", kinds)
		}
	})
}
