package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/dbtest"
	"kechuang/internal/sqldb"
)

func TestLoginPageFlow(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("staff1", account.RoleStaff, "320500")
		c := e.client()
		res := c.loginForm("staff1", testPassword)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Fatalf("login = %d to %q, want 303 to /", res.status, res.header.Get("Location"))
		}
		var sessionCookie *http.Cookie
		for _, ck := range c.http.Jar.Cookies(mustURL(t, e.ts.URL)) {
			if ck.Name == "kc_session" {
				sessionCookie = ck
			}
		}
		if sessionCookie == nil {
			t.Fatal("no kc_session cookie after login")
		}
		home := c.get("/").doc(t)
		if got := home.Find(".usermenu .me").Text(); !strings.Contains(got, "科技局工作人员") {
			t.Errorf("user menu = %q, want the role name", got)
		}
		var nav []string
		home.Find(".mainnav a").Each(func(_ int, s *goquery.Selection) { nav = append(nav, s.Text()) })
		want := []string{"科技大市场", "企业培育", "揭榜挂帅", "路演对接", "项目库", "产业链", "资源库", "一表通", "数据看板"}
		if diff := cmp.Diff(want, nav); diff != "" {
			t.Errorf("nav (-want +got):\n%s", diff)
		}
		tok, _ := home.Find(`form[action="/logout"] input[name="csrf_token"]`).Attr("value")
		if res := c.postForm("/logout", url.Values{"csrf_token": {tok}}); res.status != http.StatusSeeOther {
			t.Fatalf("logout = %d", res.status)
		}
		if res := c.get("/account"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Errorf("/account after logout = %d %q, want redirect to /login", res.status, res.header.Get("Location"))
		}
	})
}

func TestLoginFormErrors(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ent1", account.RoleEnterprise, "320583")
		c := e.client()
		res := c.loginForm("ent1", "wrong-Password-1")
		if res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password = %d, want 401", res.status)
		}
		if got := res.doc(t).Find("#login-error").Text(); got != "用户名或口令不正确" {
			t.Errorf("error text = %q", got)
		}
		// The form keeps the user name but never the password.
		d := res.doc(t)
		if v, _ := d.Find("#username").Attr("value"); v != "ent1" {
			t.Errorf("username kept = %q", v)
		}
		if v, ok := d.Find("#password").Attr("value"); ok && v != "" {
			t.Errorf("password echoed back: %q", v)
		}
		// Without the CSRF token the login form is refused.
		res = c.postForm("/login", url.Values{"username": {"ent1"}, "password": {testPassword}})
		if res.status != http.StatusForbidden {
			t.Errorf("login without CSRF token = %d, want 403", res.status)
		}
	})
}

func TestLockoutThroughAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inst1", account.RoleInstitution, "320505")
		c := e.client()
		for i := 1; i <= 4; i++ {
			if res := c.loginAPI("inst1", "wrong-Password-1"); res.status != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", i, res.status)
			}
		}
		res := c.loginAPI("inst1", "wrong-Password-1")
		if res.status != http.StatusLocked {
			t.Fatalf("fifth failure = %d, want 423", res.status)
		}
		var p struct{ Type, Title, Detail string }
		res.json(t, &p)
		if p.Type != "urn:kechuang:problem:locked" || p.Title != "账户已锁定" || !strings.Contains(p.Detail, "15 分钟") {
			t.Errorf("problem = %+v, want locked type, Chinese title and the 15 minutes", p)
		}
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("Content-Type = %q", ct)
		}
		if res := c.loginAPI("inst1", testPassword); res.status != http.StatusLocked {
			t.Errorf("right password while locked = %d, want 423", res.status)
		}
		e.clock.Add(15*time.Minute + time.Second)
		if res := c.loginAPI("inst1", testPassword); res.status != http.StatusCreated {
			t.Errorf("login after the lock = %d %s", res.status, res.body)
		}
	})
}

func TestSessionExpiresAfterIdleTimeout(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("inv1", account.RoleInvestor, "320506")
		c := e.client()
		c.mustLoginAPI("inv1")
		e.clock.Add(29 * time.Minute)
		if res := c.get("/api/v1/me"); res.status != http.StatusOK {
			t.Fatalf("/me after 29 idle minutes = %d", res.status)
		}
		e.clock.Add(30*time.Minute + time.Second)
		res := c.get("/api/v1/me")
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "登录已过期") {
			t.Errorf("/me after 30 idle minutes = %d %s, want 401 saying the session expired", res.status, res.body)
		}
		// A page redirects to the login form, which says why.
		c.mustLoginAPI("inv1")
		e.clock.Add(31 * time.Minute)
		res = c.get("/account")
		if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || !strings.Contains(loc, "expired=1") {
			t.Fatalf("/account after expiry = %d %q", res.status, loc)
		}
		if got := c.get(res.header.Get("Location")).doc(t).Find(".notice").Text(); !strings.Contains(got, "登录已过期") {
			t.Errorf("login page notice = %q", got)
		}
	})
}

func TestCSRFIsRequiredForWrites(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("admin1", account.RoleAdmin, "")
		c := e.client()
		c.mustLoginAPI("admin1")
		good := c.csrf
		tests := []struct {
			name   string
			method string
			path   string
			token  string
			want   int
		}{
			{name: "API write without token", method: http.MethodPost, path: "/api/v1/users", token: "", want: http.StatusForbidden},
			{name: "API write with wrong token", method: http.MethodPost, path: "/api/v1/users", token: "x" + good, want: http.StatusForbidden},
			{name: "logout without token", method: http.MethodDelete, path: "/api/v1/session", token: "", want: http.StatusForbidden},
			{name: "API write with token", method: http.MethodPost, path: "/api/v1/users", token: good, want: http.StatusCreated},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c.csrf = tt.token
				res := c.api(tt.method, tt.path, map[string]string{"username": fmt.Sprintf("u%d", i), "role": "enterprise",
					"region_code": "320583", "password": testPassword})
				if res.status != tt.want {
					t.Errorf("%s %s = %d %s, want %d", tt.method, tt.path, res.status, res.body, tt.want)
				}
			})
		}
		c.csrf = good
		// A form post from a page without its token is refused too.
		res := c.postForm("/account/password", url.Values{"current_password": {testPassword},
			"new_password": {"Another-Pass-9"}, "confirm_password": {"Another-Pass-9"}})
		if res.status != http.StatusForbidden || !strings.Contains(res.doc(t).Find(".error").Text(), "防跨站令牌") {
			t.Errorf("password form without token = %d, want 403 with a clear message", res.status)
		}
	})
}

func TestCountyIsolation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("kunshan", account.RoleCounty, "320583")
		e.createUser("city", account.RoleStaff, "320500")
		own := e.createUser("firm-ks", account.RoleEnterprise, "320583")
		other := e.createUser("firm-tc", account.RoleEnterprise, "320585")
		admin := e.createUser("admin1", account.RoleAdmin, "")
		tests := []struct {
			name string
			as   string
			id   int64
			want int
		}{
			{name: "county reads its own county's firm", as: "kunshan", id: own.ID, want: http.StatusOK},
			{name: "county gets 404 for another county's firm", as: "kunshan", id: other.ID, want: http.StatusNotFound},
			{name: "county gets 404 for an administrator", as: "kunshan", id: admin.ID, want: http.StatusNotFound},
			{name: "city staff reads both counties", as: "city", id: other.ID, want: http.StatusOK},
			{name: "a firm gets 404 for another firm", as: "firm-ks", id: other.ID, want: http.StatusNotFound},
			{name: "a firm reads itself", as: "firm-ks", id: own.ID, want: http.StatusOK},
			{name: "unknown id is 404 too", as: "kunshan", id: 99999, want: http.StatusNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := e.client()
				c.mustLoginAPI(tt.as)
				res := c.get(fmt.Sprintf("/api/v1/users/%d", tt.id))
				if res.status != tt.want {
					t.Fatalf("GET user %d as %s = %d, want %d", tt.id, tt.as, res.status, tt.want)
				}
				if tt.want == http.StatusNotFound && strings.Contains(res.body, "firm-tc") {
					t.Errorf("404 body leaks the record: %s", res.body)
				}
			})
		}
		// The county's list holds only its own county.
		c := e.client()
		c.mustLoginAPI("kunshan")
		var list struct {
			Total int `json:"total"`
			Items []struct {
				Username string `json:"username"`
			} `json:"items"`
		}
		c.get("/api/v1/users").json(t, &list)
		var names []string
		for _, u := range list.Items {
			names = append(names, u.Username)
		}
		if diff := cmp.Diff([]string{"firm-ks", "kunshan"}, names); diff != "" || list.Total != 2 {
			t.Errorf("county user list (-want +got):\n%s (total %d)", diff, list.Total)
		}
	})
}

func TestEveryWriteIsAudited(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("admin1", account.RoleAdmin, "")
		e.createUser("aud", account.RoleAuditor, "")
		adm := e.client()
		adm.mustLoginAPI("admin1")
		res := adm.api(http.MethodPost, "/api/v1/users", map[string]string{"username": "newfirm", "display_name": "新企业",
			"role": "enterprise", "region_code": "320583", "password": testPassword})
		if res.status != http.StatusCreated {
			t.Fatalf("create user = %d %s", res.status, res.body)
		}
		if res := adm.get("/api/v1/audit"); res.status != http.StatusForbidden {
			t.Errorf("admin reading the audit log = %d, want 403", res.status)
		}
		aud := e.client()
		aud.mustLoginAPI("aud")
		var list struct {
			Total int `json:"total"`
			Items []struct {
				Action     string `json:"action"`
				ActorName  string `json:"actor_name"`
				Summary    string `json:"summary"`
				ClientAddr string `json:"client_addr"`
				RequestID  string `json:"request_id"`
			} `json:"items"`
		}
		aud.get("/api/v1/audit?action=user.create&actor=admin1").json(t, &list)
		if list.Total != 1 {
			t.Fatalf("user.create rows by admin1 = %d, want 1", list.Total)
		}
		got := list.Items[0]
		if got.ClientAddr != "127.0.0.1" || got.RequestID == "" || !strings.Contains(got.Summary, "新企业") {
			t.Errorf("audit row = %+v, want client address, request id and the new values", got)
		}
		// Logins are audited too.
		aud.get("/api/v1/audit?action=session.login").json(t, &list)
		if list.Total < 2 {
			t.Errorf("session.login rows = %d, want ≥ 2", list.Total)
		}
		// The auditor's page shows the same rows, with paging.
		d := aud.get("/audit?action=user.&per_page=1").doc(t)
		if n := d.Find("#audit > tbody > tr").Length(); n != 1 {
			t.Errorf("audit page rows = %d, want 1 per page", n)
		}
		if d.Find(".pager").Length() != 1 {
			t.Errorf("audit page has no pager")
		}
	})
}

func TestAdminUserPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("admin1", account.RoleAdmin, "")
		c := e.client()
		if res := c.loginForm("admin1", testPassword); res.status != http.StatusSeeOther {
			t.Fatal(res.status)
		}
		tok := c.formToken("/admin/users")
		// A county user with a city-level region: the form says which field is wrong.
		res := c.postForm("/admin/users", url.Values{"csrf_token": {tok}, "username": {"ks2"}, "role": {"county"},
			"region_code": {"320500"}, "password": {testPassword}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad create = %d", res.status)
		}
		d := res.doc(t)
		if got := d.Find("#create-user .field-error").Text(); !strings.Contains(got, "区县一级") {
			t.Errorf("field error = %q, want the region message", got)
		}
		if v, _ := d.Find("#create-user #username").Attr("value"); v != "ks2" {
			t.Errorf("form lost the user name: %q", v)
		}
		res = c.postForm("/admin/users", url.Values{"csrf_token": {tok}, "username": {"ks2"}, "display_name": {"昆山专员"}, "role": {"county"},
			"region_code": {"320583"}, "password": {testPassword}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create = %d %s", res.status, res.body)
		}
		list := c.get("/admin/users?q=ks2").doc(t)
		link, ok := list.Find(`#users a[href^="/admin/users/"]`).Attr("href")
		if !ok {
			t.Fatal("new user not listed")
		}
		if got := list.Find("#users tbody tr").First().Text(); !strings.Contains(got, "昆山市") {
			t.Errorf("row = %q, want the region name", got)
		}
		res = c.postForm(link+"/reset-password", url.Values{"csrf_token": {tok}})
		temp := strings.TrimSpace(res.doc(t).Find("#temp-password").Text())
		if res.status != http.StatusOK || len(temp) != 16 {
			t.Fatalf("reset = %d, temporary password %q", res.status, temp)
		}
		// The new user must change that password before anything else.
		u := e.client()
		if res := u.loginForm("ks2", temp); res.header.Get("Location") != "/account?must_change=1" {
			t.Fatalf("login with temporary password goes to %q", res.header.Get("Location"))
		}
		if res := u.get("/market"); res.header.Get("Location") != "/account?must_change=1" {
			t.Errorf("/market before the change goes to %q", res.header.Get("Location"))
		}
		res = c.postForm(link+"/disable", url.Values{"csrf_token": {tok}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("disable = %d", res.status)
		}
		if res := u.get("/account"); res.status != http.StatusSeeOther {
			t.Errorf("disabled user's session still works: %d", res.status)
		}
	})
}

func TestEnglishSwitch(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.client()
		res := c.get("/lang/en?next=/login")
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
			t.Fatalf("switch = %d %q", res.status, res.header.Get("Location"))
		}
		d := c.get("/login").doc(t)
		if got := d.Find("h1").Text(); got != "Log in" {
			t.Errorf("h1 = %q, want Log in", got)
		}
		if lang, _ := d.Find("html").Attr("lang"); lang != "en" {
			t.Errorf("html lang = %q", lang)
		}
		// An open redirect through next is refused.
		if res := c.get("/lang/zh-CN?next=//evil.example"); res.header.Get("Location") != "/" {
			t.Errorf("next=//evil.example redirects to %q, want /", res.header.Get("Location"))
		}
	})
}

func TestModulePlaceholders(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("staff1", account.RoleStaff, "320500")
		anon := e.client()
		for _, p := range []string{"/cultivation", "/projects"} {
			if res := anon.get(p); res.status != http.StatusSeeOther {
				t.Errorf("anonymous %s = %d, want a redirect to login", p, res.status)
			}
		}
		c := e.client()
		c.mustLoginAPI("staff1")
		// Every planned module is built now: none answers with the
		// not-available page any more.
		for _, p := range []string{"/chains", "/dashboard"} {
			res := c.get(p)
			if res.status != http.StatusOK || res.doc(t).Find("#not-available").Length() != 0 {
				t.Errorf("%s = %d, want 200 with the module's own page", p, res.status)
			}
		}
	})
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("broker1", account.RoleBroker, "320508")
		c := e.client()
		res := c.get("/login")
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		csp := res.header.Get("Content-Security-Policy")
		for _, part := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("CSP %q lacks %q", csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline code: %q", csp)
		}
		if strings.Contains(res.body, "<script>") || strings.Contains(res.body, " style=") {
			t.Errorf("page has inline script or style")
		}
		res = c.loginAPI("broker1", testPassword)
		var cookie string
		for _, sc := range res.header.Values("Set-Cookie") {
			if strings.HasPrefix(sc, "kc_session=") {
				cookie = sc
			}
		}
		if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
			t.Errorf("session cookie %q lacks HttpOnly or SameSite=Lax", cookie)
		}
	})
}

func TestOutputIsEscaped(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("admin1", account.RoleAdmin, "")
		c := e.client()
		c.mustLoginAPI("admin1")
		res := c.api(http.MethodPost, "/api/v1/users", map[string]string{"username": "xss1", "display_name": `<script>alert(1)</script>`,
			"role": "investor", "password": testPassword})
		if res.status != http.StatusCreated {
			t.Fatal(res.status, res.body)
		}
		page := c.get("/admin/users?q=xss1")
		if strings.Contains(page.body, "<script>alert(1)</script>") || !strings.Contains(page.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("display name not escaped on the users page")
		}
	})
}

func TestProblemForUnknownAPIPath(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		res := e.client().get("/api/v1/no-such-thing")
		var p struct {
			Type      string `json:"type"`
			Title     string `json:"title"`
			Status    int    `json:"status"`
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(res.body), &p); err != nil || res.status != 404 {
			t.Fatalf("= %d %s", res.status, res.body)
		}
		if p.Type != "urn:kechuang:problem:not-found" || p.Title != "未找到" || p.Status != 404 || p.RequestID != res.header.Get("X-Request-ID") {
			t.Errorf("problem = %+v", p)
		}
		if !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("Content-Type = %q", res.header.Get("Content-Type"))
		}
	})
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.client()
		for _, p := range []string{"/healthz", "/readyz"} {
			if res := c.get(p); res.status != http.StatusOK {
				t.Errorf("%s = %d", p, res.status)
			}
		}
		c.get("/login")
		m := c.get("/metrics")
		for _, want := range []string{`kechuang_http_requests_total{method="GET",route="GET /login",status="200"}`,
			"kechuang_http_request_duration_seconds_bucket", "go_sql_open_connections"} {
			if !strings.Contains(m.body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
}

// TestOpenAPIDocumentMatchesRoutes fails when a route is registered without
// being documented, or documented without being registered.
func TestOpenAPIDocumentMatchesRoutes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" /api/v1"+p)
		}
	}
	sort.Strings(documented)
	e := newEnv(t, dbtestOpenSQLite(t))
	if diff := cmp.Diff(e.srv.APIRoutes(), documented); diff != "" {
		t.Errorf("API routes (-registered +documented):\n%s", diff)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestWithoutHomeRegion: a server started without --home-region works, and
// the pages that list its counties say what to configure.
func TestWithoutHomeRegion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnvHome(t, db, "")
		e.createUser("admin1", account.RoleAdmin, "")
		e.createUser("firm1", account.RoleEnterprise, "")
		if doc := e.client().get("/").doc(t); doc.Find("#no-home-region").Length() != 0 {
			t.Error("the public home page talks about server configuration")
		}
		admin := e.client()
		admin.mustLoginAPI("admin1")
		firm := e.client()
		firm.mustLoginAPI("firm1")
		tests := []struct {
			name string
			c    *client
			path string
		}{
			{name: "home", c: admin, path: "/"},
			{name: "market", c: admin, path: "/market"},
			{name: "users", c: admin, path: "/admin/users"},
			{name: "registry", c: admin, path: "/cultivation"},
			{name: "targets", c: admin, path: "/cultivation/targets"},
			{name: "listing form of a member without a county", c: firm, path: "/market/new?kind=demand"},
		}
		for _, tt := range tests {
			res := tt.c.get(tt.path)
			if res.status != http.StatusOK {
				t.Errorf("%s: GET %s = %d", tt.name, tt.path, res.status)
				continue
			}
			notice := res.doc(t).Find("#no-home-region")
			if notice.Length() != 1 || !strings.Contains(notice.Text(), "--home-region") || !strings.Contains(notice.Text(), "KECHUANG_HOME_REGION") {
				t.Errorf("%s: GET %s does not say to configure --home-region", tt.name, tt.path)
			}
		}
	})
}

// TestUnknownURLs: an address that leads nowhere gets the styled Chinese
// 404 page with a way back (not Go's plain "404 page not found"), a wrong
// method a 405 page or problem with an Allow header, and /favicon.ico is
// there.
func TestUnknownURLs(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("staff1", account.RoleStaff, "320500")
		anon := e.client()
		res := anon.do(http.MethodGet, "/no/such/page", nil, map[string]string{"Referer": e.ts.URL + "/market?kind=demand"})
		if res.status != http.StatusNotFound || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /no/such/page = %d %q", res.status, res.header.Get("Content-Type"))
		}
		d := res.doc(t)
		if h := d.Find("main h1").Text(); h != "页面不存在" {
			t.Errorf("404 heading = %q", h)
		}
		if !strings.Contains(d.Find("main .error").Text(), "/no/such/page") {
			t.Errorf("404 page does not name the address: %q", d.Find("main .error").Text())
		}
		if href, _ := d.Find("#home-link").Attr("href"); href != "/" {
			t.Errorf("404 home link = %q", href)
		}
		if href, _ := d.Find("#back-link").Attr("href"); href != "/market?kind=demand" {
			t.Errorf("404 back link = %q, want the referring page", href)
		}
		// A referrer elsewhere is no way back.
		res = anon.do(http.MethodGet, "/no/such/page", nil, map[string]string{"Referer": "https://elsewhere.example/x"})
		if res.doc(t).Find("#back-link").Length() != 0 {
			t.Error("404 page links back to another site")
		}
		// Signed in, the page keeps the navigation.
		c := e.client()
		c.mustLoginAPI("staff1")
		if d := c.get("/market/no-such").doc(t); d.Find(`.mainnav a[href="/cultivation"]`).Length() != 1 {
			t.Error("the 404 page of a signed-in user has no navigation")
		}
		if res := anon.get("/static/no-such.css"); res.status != http.StatusNotFound || res.doc(t).Find("#home-link").Length() != 1 {
			t.Errorf("GET /static/no-such.css = %d, want the styled 404", res.status)
		}

		methods := []struct {
			name, method, path, allow string
			api                       bool
		}{
			{name: "page", method: http.MethodPut, path: "/market", allow: "GET, HEAD"},
			{name: "form post without a token", method: http.MethodPost, path: "/market", allow: "GET, HEAD"},
			{name: "api", method: http.MethodGet, path: "/api/v1/session", allow: "DELETE, POST", api: true},
			{name: "api delete", method: http.MethodDelete, path: "/api/v1/me", allow: "GET, HEAD", api: true},
		}
		for _, tt := range methods {
			res := anon.do(tt.method, tt.path, nil, nil)
			if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != tt.allow {
				t.Errorf("%s: %s %s = %d, Allow %q; want 405, Allow %q", tt.name, tt.method, tt.path, res.status, res.header.Get("Allow"), tt.allow)
				continue
			}
			if tt.api {
				var p struct {
					Type   string `json:"type"`
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				res.json(t, &p)
				if p.Type != "urn:kechuang:problem:method-not-allowed" || p.Status != 405 || !strings.Contains(p.Detail, tt.method) {
					t.Errorf("%s: problem = %+v", tt.name, p)
				}
				continue
			}
			d := res.doc(t)
			if h := d.Find("main h1").Text(); h != "不支持该请求方式" || !strings.Contains(d.Find("main .error").Text(), tt.method) {
				t.Errorf("%s: 405 page = %q / %q", tt.name, h, d.Find("main .error").Text())
			}
		}

		res = anon.get("/favicon.ico")
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "image/vnd.microsoft.icon" || !strings.HasPrefix(res.body, "\x00\x00\x01\x00") {
			t.Errorf("GET /favicon.ico = %d %q, %d bytes", res.status, res.header.Get("Content-Type"), len(res.body))
		}
		if href, _ := anon.get("/").doc(t).Find(`link[rel="icon"]`).Attr("href"); !strings.HasPrefix(href, "/static/favicon.ico?v=") {
			t.Errorf("the layout's icon link = %q", href)
		}
	})
}

// TestNavigationPerRole: the main navigation and the home page's cards list
// exactly the sections the viewer may open, in the modules' order.
func TestNavigationPerRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	// 项目库 is for the bureau, the counties and enterprises (their service
	// requests); the other roles have nothing to do there. 数据看板 is for
	// the bureau and the counties only.
	members := "market challenges events chains directory"
	// 一表通 is for the bureau, the counties and the administrator; bureau
	// and county staff get the workbench on the home page instead of cards.
	staff := "market cultivation challenges events projects chains directory indicators dashboard"
	tests := []struct {
		role       account.Role
		region     string
		nav, cards string
	}{
		{role: "", nav: "market challenges events directory", cards: "market challenges events directory"},
		{role: account.RoleAdmin, nav: staff + " users peers", cards: staff},
		{role: account.RoleSecurity, nav: members + " users", cards: members},
		{role: account.RoleAuditor, nav: members + " audit", cards: members},
		{role: account.RoleStaff, region: "320500", nav: staff, cards: ""},
		{role: account.RoleCounty, region: "320583", nav: staff, cards: ""},
		{role: account.RoleEnterprise, region: "320583", nav: "market cultivation challenges events projects chains directory", cards: "market cultivation challenges events projects chains directory"},
		{role: account.RoleInstitution, region: "320505", nav: members, cards: members},
		{role: account.RoleBroker, region: "320508", nav: members, cards: members},
		{role: account.RoleInvestor, region: "320506", nav: members, cards: members},
	}
	keys := func(sel *goquery.Selection) string {
		var out []string
		sel.Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(href, "/admin"), "/"))
		})
		return strings.Join(out, " ")
	}
	for _, tt := range tests {
		c := e.client()
		if tt.role != "" {
			e.createUser("nav-"+string(tt.role), tt.role, tt.region)
			c.mustLoginAPI("nav-" + string(tt.role))
		}
		d := c.get("/").doc(t)
		if got := keys(d.Find(".mainnav a")); got != tt.nav {
			t.Errorf("%q: nav = %q, want %q", tt.role, got, tt.nav)
		}
		if got := keys(d.Find(".cards a.card")); got != tt.cards {
			t.Errorf("%q: home cards = %q, want %q", tt.role, got, tt.cards)
		}
	}
}
