package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// TestInbox reads the inbox as its owner in both languages, pages it,
// marks notices read, and tries another user's notice.
func TestInbox(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inst", account.RoleInstitution, "320505")
		e.createUser("gs", account.RoleCounty, "320505")
		aud := e.createUser("aud", account.RoleAuditor, "")
		inst, gs, auditor := e.client(), e.client(), e.client()
		inst.mustLoginAPI("inst")
		gs.mustLoginAPI("gs")
		auditor.loginForm("aud", testPassword)

		// The institution's achievement is submitted and returned with a
		// reason: two notices, written by market through notice.
		res := inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON("精密零件表面缺陷在线检测系统"))
		var a struct{ ID int64 }
		res.json(t, &a)
		path := fmt.Sprintf("/api/v1/achievements/%d", a.ID)
		if res := inst.api(http.MethodPost, path+"/submit", nil); res.status != http.StatusOK {
			t.Fatalf("submit = %d %s", res.status, res.body)
		}
		if res := gs.api(http.MethodPost, path+"/return", map[string]string{"reason": "请补充专利证书号"}); res.status != http.StatusOK {
			t.Fatalf("return = %d %s", res.status, res.body)
		}

		type item struct{ title, body string }
		read := func(c *client) (string, []item) {
			t.Helper()
			res := c.get("/inbox")
			if res.status != http.StatusOK {
				t.Fatalf("GET /inbox = %d", res.status)
			}
			d := res.doc(t)
			var items []item
			d.Find("#notices li.notice-item").Each(func(_ int, s *goquery.Selection) {
				items = append(items, item{strings.TrimSpace(s.Find(".notice-title").Text()), strings.TrimSpace(s.Find(".notice-body").Text())})
			})
			return strings.TrimSpace(d.Find("h1").Text()), items
		}
		h1, items := read(inst)
		want := []item{
			{"您的科技成果“精密零件表面缺陷在线检测系统”被退回，请修改后重新提交", "退回理由：请补充专利证书号"},
			{"您的科技成果“精密零件表面缺陷在线检测系统”已提交审核", ""},
		}
		if !strings.Contains(h1, "站内信") || !strings.Contains(h1, "2 条未读") || fmt.Sprint(items) != fmt.Sprint(want) {
			t.Errorf("Chinese inbox: %q %v, want 站内信, 2 条未读 and %v", h1, items, want)
		}
		// The same rows in English: the words the platform wrote are
		// English; the title and the reason stay as their authors wrote them.
		inst.get("/lang/en?next=/inbox")
		h1, items = read(inst)
		want = []item{
			{"Your achievement “精密零件表面缺陷在线检测系统” was returned; please revise and resubmit", "Reason: 请补充专利证书号"},
			{"Your achievement “精密零件表面缺陷在线检测系统” was submitted for review", ""},
		}
		if !strings.Contains(h1, "Inbox") || !strings.Contains(h1, "2 unread") || fmt.Sprint(items) != fmt.Sprint(want) {
			t.Errorf("English inbox: %q %v, want Inbox, 2 unread and %v", h1, items, want)
		}
		var box struct {
			Items []struct {
				ID    int64  `json:"id"`
				Kind  string `json:"kind"`
				Title string `json:"title"`
				Body  string `json:"body"`
				Link  string `json:"link"`
			} `json:"items"`
			Unread int `json:"unread"`
		}
		inst.api(http.MethodGet, "/api/v1/notices", nil).json(t, &box)
		if len(box.Items) != 2 || box.Items[0].Kind != "listing.return" || box.Items[0].Body != "Reason: 请补充专利证书号" || box.Unread != 2 {
			t.Errorf("API inbox in English = %+v", box)
		}

		// Another user's notice is 404 on the page and through the API, and
		// stays unread.
		audTok := auditor.formToken("/account")
		if res := auditor.postForm(fmt.Sprintf("/inbox/%d/read", box.Items[0].ID), url.Values{"csrf_token": {audTok}}); res.status != http.StatusNotFound {
			t.Errorf("another user marks my notice on the page = %d, want 404", res.status)
		}
		if res := gs.api(http.MethodPost, fmt.Sprintf("/api/v1/notices/%d/read", box.Items[0].ID), nil); res.status != http.StatusNotFound {
			t.Errorf("another user marks my notice through the API = %d, want 404", res.status)
		}
		if res := inst.api(http.MethodPost, "/api/v1/notices/999999/read", nil); res.status != http.StatusNotFound {
			t.Errorf("mark a notice that does not exist = %d, want 404", res.status)
		}
		// Opening a notice marks it read and goes to what it is about.
		tok := inst.formToken("/inbox")
		res = inst.postForm(fmt.Sprintf("/inbox/%d/read", box.Items[0].ID), url.Values{"csrf_token": {tok}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != box.Items[0].Link {
			t.Errorf("open notice = %d to %q, want 303 to %q", res.status, res.header.Get("Location"), box.Items[0].Link)
		}
		if res := inst.api(http.MethodPost, fmt.Sprintf("/api/v1/notices/%d/read", box.Items[1].ID), nil); res.status != http.StatusNoContent {
			t.Errorf("API mark read = %d %s", res.status, res.body)
		}
		if d := inst.get("/inbox").doc(t); d.Find("#notices li.unread").Length() != 0 || d.Find(".usermenu .inbox-badge .badge").Length() != 0 {
			t.Errorf("after reading both: %d unread items, header badge %q", d.Find("#notices li.unread").Length(),
				d.Find(".usermenu .inbox-badge .badge").Text())
		}

		// The inbox belongs to every role: the auditor has no market at
		// all, yet has an inbox link and an empty inbox…
		d := auditor.get("/").doc(t)
		if href, _ := d.Find(".usermenu a.inbox-badge").Attr("href"); href != "/inbox" {
			t.Errorf("auditor's header inbox link = %q, want /inbox", href)
		}
		if _, items := read(auditor); len(items) != 0 {
			t.Errorf("auditor's inbox = %v, want empty", items)
		}
		// …and any module may write to it: 25 notices page 20 and 5.
		ctx := context.Background()
		for i := 1; i <= 25; i++ {
			err := e.db.InTx(ctx, func(tx *sqldb.Tx) error {
				return notice.Send(ctx, tx, notice.Message{To: aud.ID, Kind: "deal.create", Key: "market.notice.deal_interest",
					Args: []notice.Arg{notice.Text(fmt.Sprintf("企业%02d", i)), notice.Code("market.kind.demand"), notice.Text("注塑件缩痕")}})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		page1 := auditor.get("/inbox").doc(t)
		if n := page1.Find("#notices li.notice-item").Length(); n != 20 || !strings.HasPrefix(page1.Find(".notice-title").First().Text(), "企业25 对您的技术需求") {
			t.Errorf("auditor's first page: %d items, first %q; want 20, newest first", n, page1.Find(".notice-title").First().Text())
		}
		if got := strings.TrimSpace(page1.Find(".pager span").Text()); got != "1 / 2" {
			t.Errorf("pager = %q, want 1 / 2", got)
		}
		if got := page1.Find(".usermenu .inbox-badge .badge").Text(); got != "25" {
			t.Errorf("auditor's header badge = %q, want 25", got)
		}
		page2 := auditor.get("/inbox?page=2").doc(t)
		if n := page2.Find("#notices li.notice-item").Length(); n != 5 || page2.Find(".notice-title").Last().Text() != "企业01 对您的技术需求《注塑件缩痕》表达了合作意向" {
			t.Errorf("auditor's second page: %d items, last %q; want 5 ending with the oldest", n, page2.Find(".notice-title").Last().Text())
		}
		var paged struct {
			Items   []struct{ Title string } `json:"items"`
			Total   int                      `json:"total"`
			PerPage int                      `json:"per_page"`
		}
		auditor.api(http.MethodGet, "/api/v1/notices?page=3&per_page=10", nil).json(t, &paged)
		if len(paged.Items) != 5 || paged.Total != 25 || paged.PerPage != 10 || !strings.HasPrefix(paged.Items[4].Title, "企业01 ") {
			t.Errorf("API page 3 of 10 = %+v, want the 5 oldest of 25", paged)
		}
		// A notice without a link has a "mark read" button that returns
		// to the inbox; read all clears the rest.
		if got := strings.TrimSpace(page2.Find("#notices button").First().Text()); got != "标为已读" {
			t.Errorf("button of a notice without a link = %q, want 标为已读", got)
		}
		id, _ := page2.Find("#notices li.notice-item").First().Attr("data-id")
		audTok = auditor.formToken("/inbox")
		if res := auditor.postForm("/inbox/"+id+"/read", url.Values{"csrf_token": {audTok}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/inbox" {
			t.Errorf("mark read without a link = %d to %q, want 303 to /inbox", res.status, res.header.Get("Location"))
		}
		if res := auditor.postForm("/inbox/read", url.Values{"csrf_token": {audTok}}); res.status != http.StatusSeeOther {
			t.Errorf("read all = %d", res.status)
		}
		if n, err := e.srv.Notices.UnreadCount(ctx, account.Actor{UserID: aud.ID}); err != nil || n != 0 {
			t.Errorf("auditor's unread after read all = %d, %v", n, err)
		}
		// Without the CSRF token nothing is marked.
		if res := inst.postForm("/inbox/read", url.Values{}); res.status != http.StatusForbidden {
			t.Errorf("read all without a token = %d, want 403", res.status)
		}
	})
}

// TestMarketInboxMoved: the inbox was /market/inbox; old links and forms
// still land on it.
func TestMarketInboxMoved(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("ent", account.RoleEnterprise, "320505")
	c, anon := e.client(), e.client()
	c.loginForm("ent", testPassword)
	tests := []struct {
		name     string
		c        *client
		path     string
		want     int
		location string
	}{
		{"page", c, "/market/inbox", http.StatusMovedPermanently, "/inbox"},
		{"page keeps its query", c, "/market/inbox?page=2", http.StatusMovedPermanently, "/inbox?page=2"},
		{"the public goes on to the login", anon, "/market/inbox", http.StatusMovedPermanently, "/inbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.c.get(tt.path)
			if res.status != tt.want || res.header.Get("Location") != tt.location {
				t.Errorf("GET %s = %d to %q, want %d to %q", tt.path, res.status, res.header.Get("Location"), tt.want, tt.location)
			}
		})
	}
	if res := anon.get("/inbox"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("the public's GET /inbox = %d to %q, want the login", res.status, res.header.Get("Location"))
	}
	tok := c.formToken("/account")
	if res := c.postForm("/market/inbox/read", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
		t.Errorf("old read-all form = %d, want 303", res.status)
	}
}
