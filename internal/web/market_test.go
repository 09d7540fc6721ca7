package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
)

// achievementJSON is a complete achievement for the API.
func achievementJSON(title string) map[string]any {
	return map[string]any{"title": title, "summary": "一种基于机器视觉的精密零件表面缺陷在线检测系统。\n\n检测精度达到0.01毫米。",
		"keywords": []string{"机器视觉"}, "domain": "先进制造与自动化/高性能、智能化仪器仪表", "industry": "C40", "trl": 6,
		"ip":    []map[string]string{{"type": "invention", "number": "ZL202310000000.1", "status": "granted"}},
		"modes": []string{"license"}, "price": 80, "contact": map[string]string{"name": "陈老师", "phone": "0512-65880000"}}
}

func TestMarketAPIScenarios(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inst", account.RoleInstitution, "320505")
		e.createUser("ent", account.RoleEnterprise, "320583")
		e.createUser("broker", account.RoleBroker, "320508")
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("gs", account.RoleCounty, "320505")
		inst, ent, broker, ks, gs, anon := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
		inst.mustLoginAPI("inst")
		ent.mustLoginAPI("ent")
		broker.mustLoginAPI("broker")
		ks.mustLoginAPI("ks")
		gs.mustLoginAPI("gs")

		res := inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON("精密零件表面缺陷在线检测系统"))
		if res.status != http.StatusCreated {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		var a struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
			Band  string `json:"band"`
		}
		res.json(t, &a)
		if a.State != "draft" || a.Band != "50-100" {
			t.Errorf("created = %+v, want a draft in band 50-100", a)
		}
		path := fmt.Sprintf("/api/v1/achievements/%d", a.ID)
		bad := achievementJSON("好")
		bad["summary"] = "<script>alert(1)</script>"
		bad["trl"] = 0
		scenarios := []struct {
			name       string
			c          *client
			method     string
			url        string
			body       any
			wantStatus int
			want       []string // substrings of the body
			notWant    []string
		}{
			{"anonymous cannot create", anon, "POST", "/api/v1/achievements", achievementJSON("匿名发布的成果"), 401, nil, nil},
			{"broker cannot create", broker, "POST", "/api/v1/achievements", achievementJSON("经纪人发布的成果"), 403, nil, nil},
			{"validation names fields in Chinese", inst, "POST", "/api/v1/achievements", bad, 422,
				[]string{"标题", "简介", "不接受 HTML", "技术就绪水平"}, nil},
			{"draft is 404 to the public", anon, "GET", path, nil, 404, nil, nil},
			{"draft is 404 to another enterprise", ent, "GET", path, nil, 404, nil, nil},
			{"another enterprise cannot edit", ent, "PUT", path, achievementJSON("改名的成果"), 404, nil, nil},
			{"wrong kind path is 404", inst, "GET", fmt.Sprintf("/api/v1/demands/%d", a.ID), nil, 404, nil, nil},
			{"owner submits", inst, "POST", path + "/submit", nil, 200, []string{`"state":"submitted"`}, nil},
			{"owner cannot edit a submitted listing", inst, "PUT", path, achievementJSON("改名的成果"), 409, nil, nil},
			{"another county cannot see the queue item", ks, "POST", path + "/approve", nil, 404, nil, nil},
			{"return needs a reason", gs, "POST", path + "/return", map[string]string{"reason": ""}, 422, []string{"退回理由"}, nil},
			{"county approves its own county", gs, "POST", path + "/approve", nil, 200, []string{`"state":"published"`}, nil},
			{"public sees no contact", anon, "GET", path, nil, 200, []string{`"title"`}, []string{"contact", "0512"}},
			{"public list has no contact", anon, "GET", "/api/v1/achievements?trl=4-6&mode=license", nil, 200, []string{`"total":1`}, []string{"contact"}},
			{"member sees the contact", broker, "GET", path, nil, 200, []string{`"contact"`, "0512-65880000"}, nil},
			{"member cannot withdraw", broker, "POST", path + "/withdraw", nil, 403, nil, nil},
			{"owner renews", inst, "POST", path + "/renew", nil, 200, []string{`"state":"published"`}, nil},
			{"owner's listings by state", inst, "GET", "/api/v1/achievements?mine=true&state=published", nil, 200, []string{`"total":1`}, nil},
			{"members do not read queues", broker, "GET", "/api/v1/achievements?state=submitted", nil, 403, nil, nil},
			{"notices", inst, "GET", "/api/v1/notices", nil, 200, []string{`"unread":3`, "已审核通过", "已提交审核", "已续期一年"}, nil},
			{"reference", anon, "GET", "/api/v1/market/reference", nil, 200, []string{"电子信息", "作价入股"}, nil},
		}
		for _, sc := range scenarios {
			res := sc.c.api(sc.method, sc.url, sc.body)
			if res.status != sc.wantStatus {
				t.Errorf("%s: %s %s = %d %s, want %d", sc.name, sc.method, sc.url, res.status, res.body, sc.wantStatus)
				continue
			}
			for _, w := range sc.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("%s: body lacks %q: %s", sc.name, w, res.body)
				}
			}
			for _, w := range sc.notWant {
				if strings.Contains(res.body, w) {
					t.Errorf("%s: body has %q: %s", sc.name, w, res.body)
				}
			}
		}
	})
}

func TestMarketPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ent", account.RoleEnterprise, "320583")
		e.createUser("ent2", account.RoleEnterprise, "320583")
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("investor", account.RoleInvestor, "320506")
		ent := e.client()
		if res := ent.loginForm("ent", testPassword); res.status != http.StatusSeeOther {
			t.Fatal(res.status)
		}
		tok := ent.formToken("/market/new?kind=demand")
		demand := url.Values{"csrf_token": {tok}, "kind": {"demand"}, "title": {"注塑件缩痕导致良率低的问题"},
			"summary": {"注塑件出现缩痕，良率仅为92%。"}, "expected": {"良率提升到98%以上。"}, "domain": {"新材料/高分子材料"},
			"industry": {"C29"}, "region_code": {"320583"}, "modes": {"development", "service"}, "band": {"50-100"},
			"deadline": {"2099-06-30"}, "contact_name": {"张经理"}, "contact_phone": {"13800000000"}, "then": {"draft"}}
		// Inline validation: every bad field is named next to its input.
		bad := url.Values{}
		for k, v := range demand {
			bad[k] = v
		}
		bad.Set("title", "")
		bad.Del("modes")
		bad.Set("summary", "<p>HTML</p>")
		res := ent.postForm("/market/listings", bad)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form = %d", res.status)
		}
		d := res.doc(t)
		for _, sel := range []string{`input[name="title"] ~ .field-error`, `textarea[name="summary"] ~ .field-error`, `fieldset.modes .field-error`} {
			if d.Find(sel).Length() != 1 {
				t.Errorf("no inline error at %s", sel)
			}
		}
		if s := d.Find("#form-summary").Text(); !strings.Contains(s, "标题") || !strings.Contains(s, "交易方式") {
			t.Errorf("summary = %q, want the fields named", s)
		}
		res = ent.postForm("/market/listings", demand)
		if res.status != http.StatusSeeOther {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		page := strings.Split(res.header.Get("Location"), "?")[0]
		if d := ent.get(page).doc(t); d.Find("#listing-state").Text() != "草稿" || d.Find(`#listing-actions a[href$="/edit"]`).Length() != 1 {
			t.Errorf("draft page: state %q", d.Find("#listing-state").Text())
		}
		// A second, nearly identical demand from another firm is flagged as its twin.
		if res := ent.postForm(page+"/submit", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Fatalf("submit = %d", res.status)
		}
		ent2 := e.client()
		ent2.loginForm("ent2", testPassword)
		tok2 := ent2.formToken("/market/new?kind=demand")
		dup := url.Values{}
		for k, v := range demand {
			dup[k] = v
		}
		dup.Set("csrf_token", tok2)
		dup.Set("title", "注塑件缩痕导致良率低问题")
		dup.Set("then", "submit")
		if res := ent2.postForm("/market/listings", dup); res.status != http.StatusSeeOther {
			t.Fatalf("dup = %d %s", res.status, res.body)
		}
		// Another enterprise cannot edit the first one's listing.
		if res := ent2.get(page + "/edit"); res.status != http.StatusNotFound {
			t.Errorf("other's edit page = %d, want 404", res.status)
		}
		// The county reviewer sees both, the twin shown, and approves the first.
		ks := e.client()
		ks.loginForm("ks", testPassword)
		q := ks.get("/market/review").doc(t)
		if n := q.Find("#queue tbody tr").Length(); n != 2 {
			t.Fatalf("queue rows = %d, want 2", n)
		}
		if q.Find(`#queue .twin-cell a`).Length() != 1 || !strings.Contains(q.Find("#review-link .badge").Text(), "2") {
			t.Errorf("queue: twins %d, badge %q", q.Find(`#queue .twin-cell a`).Length(), q.Find("#review-link .badge").Text())
		}
		ktok := ks.formToken("/market/review")
		if res := ks.postForm(page+"/approve", url.Values{"csrf_token": {ktok}, "next": {"/market/review"}}); res.status != http.StatusSeeOther {
			t.Fatalf("approve = %d %s", res.status, res.body)
		}
		// Public page: listed, no contact; an investor sees the contact.
		anon := e.client()
		home := anon.get("/market?kind=demand&band=50-100").doc(t)
		if n := home.Find("#listings li.listing").Length(); n != 1 {
			t.Errorf("public list = %d, want 1", n)
		}
		if home.Find("#domain-counts li").Length() != 8 {
			t.Errorf("domain counts = %d, want 8", home.Find("#domain-counts li").Length())
		}
		pub := anon.get(page).doc(t)
		if pub.Find("#contact .phone").Length() != 0 || strings.Contains(pub.Text(), "13800000000") {
			t.Errorf("the public sees the phone number")
		}
		inv := e.client()
		inv.loginForm("investor", testPassword)
		if got := inv.get(page).doc(t).Find("#contact .phone").Text(); got != "13800000000" {
			t.Errorf("investor sees phone %q", got)
		}
		if views := anon.get(page).doc(t).Find("#views").Text(); !strings.Contains(views, "3") {
			t.Errorf("views = %q, want 3 after three visits", views)
		}
		// The owner's inbox has a notice per transition (submitted,
		// approved), with the unread count; the market toolbar counts them
		// too.
		box := ent.get("/inbox").doc(t)
		if box.Find("#notices li.unread").Length() != 2 {
			t.Errorf("inbox: %d unread items, want 2", box.Find("#notices li.unread").Length())
		}
		if got := ent.get("/market/mine").doc(t).Find("#inbox-link .badge").Text(); !strings.Contains(got, "2") {
			t.Errorf("market toolbar badge = %q, want 2", got)
		}
		if got := box.Find(".usermenu .inbox-badge .badge").Text(); got != "2" {
			t.Errorf("header badge = %q, want 2", got)
		}
		if res := ent.postForm("/inbox/read", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Errorf("read all = %d", res.status)
		}
		if d := ent.get("/inbox").doc(t); d.Find("#notices li.unread").Length() != 0 || d.Find(".usermenu .inbox-badge .badge").Length() != 0 {
			t.Errorf("still unread after read all")
		}
		mine := ent.get("/market/mine?state=published").doc(t)
		if mine.Find("#my-listings tbody tr").Length() != 1 || mine.Find("#state-tabs a.active .count").Text() != "1" {
			t.Errorf("my published = %d", mine.Find("#my-listings tbody tr").Length())
		}
		if mine.Find(`#my-listings tbody tr a[href$="/matches"]`).Length() != 1 {
			t.Errorf("a published listing has no link to its matches on 我的发布")
		}
		// An institution offers an achievement through the form, with IP rows.
		e.createUser("inst", account.RoleInstitution, "320505")
		inst := e.client()
		inst.loginForm("inst", testPassword)
		form := inst.get("/market/new?kind=achievement")
		if form.status != http.StatusOK || form.doc(t).Find(`select[name="ip_type"]`).Length() != 4 {
			t.Fatalf("achievement form = %d", form.status)
		}
		itok := inst.formToken("/market/new?kind=achievement")
		res = inst.postForm("/market/listings", url.Values{"csrf_token": {itok}, "kind": {"achievement"}, "title": {"精密零件表面缺陷在线检测系统"},
			"summary": {"一种基于机器视觉的检测系统。\r\n\r\n已在两家企业试用。"}, "domain": {"先进制造与自动化"}, "trl": {"6"},
			"region_code": {"320505"}, "modes": {"license"}, "price": {"80"}, "contact_name": {"陈老师"}, "contact_email": {"chen@example.edu.cn"},
			"ip_type": {"invention", "", "", ""}, "ip_number": {"ZL202310000000.1", "", "", ""}, "ip_status": {"granted", "", "", ""}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("achievement create = %d %s", res.status, res.doc(t).Find("#form-summary").Text())
		}
		ad := inst.get(strings.Split(res.header.Get("Location"), "?")[0]).doc(t)
		if ad.Find("#ip tbody tr").Length() != 1 || ad.Find("#summary p").Length() != 2 || !strings.Contains(ad.Find("#price").Text(), "80") {
			t.Errorf("achievement page: ip rows %d, paragraphs %d, price %q", ad.Find("#ip tbody tr").Length(), ad.Find("#summary p").Length(), ad.Find("#price").Text())
		}
		if edit := inst.get(strings.Split(res.header.Get("Location"), "?")[0] + "/edit"); edit.status != http.StatusOK {
			t.Errorf("edit form = %d", edit.status)
		}
		// Out of scope is 404 for pages too; the queue is staff-only.
		if res := inv.get("/market/review"); res.status != http.StatusForbidden {
			t.Errorf("investor review page = %d, want 403", res.status)
		}
	})
}
