package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/market"
)

// TestInvalidQueryValues: a query value that is present but invalid is
// refused with 422 naming the parameter, on the API (problem errors[].field)
// and on pages (the error page names it), instead of quietly using a
// default the caller did not ask for.
func TestInvalidQueryValues(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		e.createUser("audit1", account.RoleAuditor, "")
		e.createUser("admin1", account.RoleAdmin, "")
		e.createUser("firm", account.RoleEnterprise, "320506")
		clients := map[string]*client{"anon": e.client()}
		for _, u := range []string{"city", "audit1", "admin1", "firm"} {
			clients[u] = e.client()
			clients[u].mustLoginAPI(u)
		}
		tests := []struct {
			name, user, path, field string // path: "[METHOD ]/api/…"
		}{
			{"negative page", "anon", "/api/v1/achievements?page=-1", "page"},
			{"page zero", "anon", "/api/v1/demands?page=0", "page"},
			{"per_page not a number", "anon", "/api/v1/achievements?per_page=abc", "per_page"},
			{"per_page above the maximum", "anon", "/api/v1/achievements?per_page=101", "per_page"},
			{"unknown TRL band", "anon", "/api/v1/achievements?trl=99", "trl"},
			{"unknown mode", "anon", "/api/v1/demands?mode=barter", "mode"},
			{"unknown band", "anon", "/api/v1/demands?band=huge", "band"},
			{"unknown sort", "anon", "/api/v1/achievements?sort=random", "sort"},
			{"unknown state", "firm", "/api/v1/achievements?mine=true&state=lost", "state"},
			{"mine not a boolean", "firm", "/api/v1/achievements?mine=yes", "mine"},
			{"unknown domain", "anon", "/api/v1/achievements?domain=炼金术", "domain"},
			{"search page", "anon", "/api/v1/search?q=电池&page=x", "page"},
			{"search kind", "anon", "/api/v1/search?kind=service", "kind"},
			{"search sort", "anon", "/api/v1/search?sort=views", "sort"},
			{"region code", "anon", "/api/v1/regions?parent=3205", "parent"},
			{"users role", "admin1", "/api/v1/users?role=root", "role"},
			{"users per_page", "admin1", "/api/v1/users?per_page=1000", "per_page"},
			{"audit date", "audit1", "/api/v1/audit?from=2026-13-01", "from"},
			{"enterprise tier", "city", "/api/v1/enterprises?tier=gold", "tier"},
			{"enterprise near", "city", "/api/v1/enterprises?near=nobel", "near"},
			{"assess date", "city", "POST /api/v1/enterprises/1/assess?as_of=tomorrow", "as_of"},
			{"targets year", "city", "/api/v1/targets?year=1800", "year"},
			{"contracts type", "city", "/api/v1/contracts?type=gift", "type"},
			{"contract stats date", "city", "/api/v1/stats/contracts?to=31/12/2026", "to"},
			{"deals role", "firm", "/api/v1/deals?role=judge", "role"},
			{"deals listing", "firm", "/api/v1/deals?listing=-4", "listing"},
			{"notices per_page", "firm", "/api/v1/notices?per_page=0", "per_page"},
			{"new matches page", "city", "/api/v1/matches/new?page=-2", "page"},
			{"a NUL in a query value", "anon", "/api/v1/achievements?region=3205%00", "region"},
			{"a control character in search text", "anon", "/api/v1/search?q=%E7%94%B5%1B%E6%B1%A0", "q"},
			{"invalid UTF-8 in search text", "anon", "/api/v1/search?q=%FF%FE", "q"},
		}
		for _, tt := range tests {
			method, path, ok := strings.Cut(tt.path, " ")
			if !ok {
				method, path = http.MethodGet, tt.path
			}
			res := clients[tt.user].api(method, path, nil)
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: GET %s = %d, want 422: %.200s", tt.name, tt.path, res.status, res.body)
				continue
			}
			var p struct {
				Errors []struct{ Field, Message string }
			}
			res.json(t, &p)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field || p.Errors[0].Message == "" {
				t.Errorf("%s: GET %s errors = %+v, want one naming %q", tt.name, tt.path, p.Errors, tt.field)
			}
		}

		// Pages say the same on the error page, in the user's words.
		pages := []struct {
			name, user, path, want string
		}{
			{"market list", "anon", "/market?page=-1", "页码: 应为不小于 1 的整数（收到“-1”）"},
			{"market TRL", "anon", "/market?trl=99", "没有“99”这个选项"},
			{"search", "anon", "/market/search?q=电池&per_page=abc", "每页条数: 应为 1 到 100 之间的整数（收到“abc”）"},
			{"registry", "city", "/cultivation?tier=gold", "没有“gold”这个选项"},
			{"targets", "city", "/cultivation/targets?year=1800", "年度"},
			{"audit", "audit1", "/audit?from=yesterday", "日期格式应为 YYYY-MM-DD"},
			{"users", "admin1", "/admin/users?page=abc", "页码"},
			{"a NUL in a filter", "anon", "/market?region=%00", "含有空字符 NUL"},
		}
		for _, tt := range pages {
			c := e.client()
			if tt.user != "anon" {
				c.loginForm(tt.user, testPassword)
			}
			res := c.get(tt.path)
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: GET %s = %d, want 422", tt.name, tt.path, res.status)
				continue
			}
			if got := res.doc(t).Find("main .error").Text(); !strings.Contains(got, tt.want) {
				t.Errorf("%s: GET %s says %q, want %q", tt.name, tt.path, got, tt.want)
			}
		}
	})
}

// TestOpenAPIEnumsMatchTheData: the choices the document lists for query
// parameters are the codes the server accepts, which come from the shipped
// reference data and the domain packages; a code added to the data must be
// added to the document too.
func TestOpenAPIEnumsMatchTheData(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtestOpenSQLite(t))
	ref := e.market.Reference()
	var ruleSets []string
	for _, rs := range e.app.Cultivation.Rules().List() {
		if !slices.Contains(ruleSets, rs.ID) {
			ruleSets = append(ruleSets, rs.ID)
		}
	}
	var trl, modes, bands, ctypes, roles, states, dealStates []string
	for _, b := range ref.TRLBands {
		trl = append(trl, b.Code)
	}
	for _, m := range ref.Modes {
		modes = append(modes, m.Code)
	}
	for _, b := range ref.Bands {
		bands = append(bands, b.Code)
	}
	for _, c := range e.market.ContractTypes() {
		ctypes = append(ctypes, c.Code)
	}
	for _, r := range account.Roles {
		roles = append(roles, string(r))
	}
	for _, s := range market.States {
		states = append(states, string(s))
	}
	for _, s := range market.DealStates {
		dealStates = append(dealStates, string(s))
	}
	tests := []struct {
		op, param string
		want      []string
	}{
		{"GET /achievements", "trl", trl},
		{"GET /demands", "mode", modes},
		{"GET /demands", "band", bands},
		{"GET /achievements", "state", states},
		{"GET /contracts", "type", ctypes},
		{"GET /users", "role", roles},
		{"GET /enterprises", "tier", cultivation.Tiers},
		{"GET /enterprises", "near", ruleSets},
		{"GET /deals", "state", dealStates},
	}
	ct := apiContract(t)
	for _, tt := range tests {
		var op *operation
		for _, o := range ct.ops {
			if o.key == tt.op {
				op = o
			}
		}
		sch := op.query[tt.param]
		if sch == nil || sch.Enum == nil {
			t.Errorf("%s ?%s has no enum in openapi.json", tt.op, tt.param)
			continue
		}
		var got []string
		for _, v := range sch.Enum.Values {
			got = append(got, v.(string))
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s ?%s enum (-accepted +documented):\n%s", tt.op, tt.param, diff)
		}
	}
}
