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

// anonymousSecrets name the owner of the anonymous listings below: the
// account (display name anonlab) and the listing's contact.
var anonymousSecrets = []string{"anonlab", "孙工", "0512-66001234", "sun@example.com"}

func noAnonymousSecret(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range anonymousSecrets {
		if strings.Contains(body, s) {
			t.Errorf("%s names the anonymous owner (%q)", what, s)
		}
	}
}

// TestMarketAnonymousListing publishes an achievement anonymously through
// the API and follows it: the public page, the API for another member,
// search, the held interest, forwarding by county staff, the owner's
// reveal in the deal and on the listing; another county's staff get 404
// for the held deal.
func TestMarketAnonymousListing(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("anonlab", account.RoleInstitution, "320505")
		anonfirm := e.createUser("anonfirmx", account.RoleEnterprise, "320505")
		e.createUser("firm", account.RoleEnterprise, "320583")
		city := e.createUser("city", account.RoleStaff, "320500")
		e.createUser("gx", account.RoleCounty, "320505")
		e.createUser("ks", account.RoleCounty, "320583")
		clients := map[string]*client{}
		for _, name := range []string{"anonlab", "anonfirmx", "firm", "city", "gx", "ks"} {
			c := e.client()
			c.mustLoginAPI(name)
			clients[name] = c
		}
		// Create and publish through the API, with the anonymous field.
		res := clients["anonlab"].api(http.MethodPost, "/api/v1/achievements", map[string]any{
			"title": "锂离子电池高镍正极材料原子层沉积包覆技术", "summary": "采用原子层沉积在高镍三元正极材料表面包覆氧化铝纳米层，动力电池高温循环寿命提升30%以上。",
			"domain": "新能源与节能", "trl": 6, "modes": []string{"license"}, "region_code": "320505", "anonymous": true,
			"contact": map[string]string{"name": "孙工", "phone": "0512-66001234", "email": "sun@example.com"}})
		var l market.Listing
		res.json(t, &l)
		if res.status != http.StatusCreated && res.status != http.StatusOK || !l.Anonymous {
			t.Fatalf("create anonymous = %d %s", res.status, res.body)
		}
		base := fmt.Sprintf("/api/v1/achievements/%d", l.ID)
		if res := clients["anonlab"].api(http.MethodPost, base+"/submit", nil); res.status != http.StatusOK {
			t.Fatalf("submit = %d %s", res.status, res.body)
		}
		if res := clients["city"].api(http.MethodPost, base+"/approve", nil); res.status != http.StatusOK {
			t.Fatalf("approve = %d %s", res.status, res.body)
		}
		if _, err := e.index.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}

		// The public page, the API for others, search.
		page := e.client().get(market.Link(l.ID))
		if page.status != http.StatusOK || !strings.Contains(page.body, "匿名发布") {
			t.Fatalf("public page = %d, want it saying 匿名发布", page.status)
		}
		noAnonymousSecret(t, "public page", page.body)
		fp := e.client()
		fp.loginForm("firm", testPassword)
		noAnonymousSecret(t, "member's page", fp.get(market.Link(l.ID)).body)
		for _, who := range []string{"firm", "ks"} {
			res := clients[who].api(http.MethodGet, base, nil)
			if res.status != http.StatusOK || !strings.Contains(res.body, `"anonymous":true`) {
				t.Errorf("%s reads = %d %s", who, res.status, res.body)
			}
			noAnonymousSecret(t, who+"'s API", res.body)
		}
		if res := clients["gx"].api(http.MethodGet, base, nil); !strings.Contains(res.body, "孙工") {
			t.Errorf("county staff in scope must see the contact: %s", res.body)
		}
		search := clients["firm"].api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape("原子层沉积"), nil)
		if !strings.Contains(search.body, fmt.Sprintf(`"id":%d`, l.ID)) {
			t.Errorf("search = %s, want the anonymous listing", search.body)
		}
		noAnonymousSecret(t, "search", search.body)
		noAnonymousSecret(t, "search page", e.client().get("/market/search?q="+url.QueryEscape("原子层沉积")).body)

		// Interest is held for the county's staff.
		res = clients["firm"].api(http.MethodPost, "/api/v1/deals", map[string]any{"listing_id": l.ID, "message": "希望获得实施许可。",
			"contact": map[string]string{"name": "李经理", "phone": "0512-57000000"}})
		var d market.Deal
		res.json(t, &d)
		if !d.Held || d.OwnerID != 0 {
			t.Fatalf("interest = %d %s, want held without the owner", res.status, res.body)
		}
		noAnonymousSecret(t, "member's deal", res.body)
		deal := fmt.Sprintf("/api/v1/deals/%d", d.ID)
		for _, sc := range []struct {
			name, user, method, path string
			want                     int
			body                     string
		}{
			{"owner reads the held deal", "anonlab", http.MethodGet, deal, http.StatusNotFound, ""},
			{"other county reads", "ks", http.MethodGet, deal, http.StatusNotFound, ""},
			{"other county forwards", "ks", http.MethodPost, deal + "/forward", http.StatusNotFound, ""},
			{"member forwards", "firm", http.MethodPost, deal + "/forward", http.StatusForbidden, ""},
			{"owner reveals before forwarding", "anonlab", http.MethodPost, deal + "/reveal", http.StatusNotFound, ""},
			{"county staff forward", "gx", http.MethodPost, deal + "/forward", http.StatusOK, `"forwarded_at":`},
			{"forward twice", "gx", http.MethodPost, deal + "/forward", http.StatusConflict, ""},
			{"owner reads", "anonlab", http.MethodGet, deal, http.StatusOK, `"owner_name":"anonlab"`},
			{"member still does not know", "firm", http.MethodGet, deal, http.StatusOK, `"anonymous":true`},
			{"owner reveals in the deal", "anonlab", http.MethodPost, deal + "/reveal", http.StatusOK, `"owner_revealed_at":`},
			{"member now knows", "firm", http.MethodGet, deal, http.StatusOK, `"owner_name":"anonlab"`},
			{"member reveals the listing", "firm", http.MethodPost, base + "/reveal", http.StatusForbidden, ""},
		} {
			res := clients[sc.user].api(sc.method, sc.path, nil)
			if res.status != sc.want || !strings.Contains(res.body, sc.body) {
				t.Errorf("%s: %s %s = %d %s, want %d with %q", sc.name, sc.method, sc.path, res.status, res.body, sc.want, sc.body)
			}
		}
		// Until the listing's reveal, the public page still hides the owner.
		noAnonymousSecret(t, "public page after the deal's reveal", e.client().get(market.Link(l.ID)).body)
		if res := clients["anonlab"].api(http.MethodPost, base+"/reveal", nil); res.status != http.StatusOK || !strings.Contains(res.body, `"revealed_at":`) {
			t.Errorf("reveal listing = %d %s", res.status, res.body)
		}
		if res := clients["anonlab"].api(http.MethodPost, base+"/reveal", nil); res.status != http.StatusConflict {
			t.Errorf("reveal twice = %d, want 409", res.status)
		}
		if body := e.client().get(market.Link(l.ID)).body; !strings.Contains(body, "anonlab") {
			t.Errorf("public page after reveal does not name the owner")
		}

		// A demand, through the form's checkbox, revealed through the API.
		ent := e.client()
		ent.loginForm("anonfirmx", testPassword)
		tok := ent.formToken("/market/new?kind=demand")
		if !strings.Contains(ent.get("/market/new?kind=demand").body, `name="anonymous"`) {
			t.Errorf("the demand form has no anonymous checkbox")
		}
		res = ent.postForm("/market/listings", url.Values{"csrf_token": {tok}, "kind": {"demand"}, "title": {"注塑件缩痕控制工艺改进"},
			"summary": {"注塑件出现缩痕，良率仅为92%。"}, "expected": {"良率提升到98%以上。"}, "domain": {"新材料"}, "modes": {"development"},
			"band": {"50-100"}, "region_code": {"320505"}, "contact_name": {"孙工"}, "contact_phone": {"0512-66001234"},
			"anonymous": {"1"}, "then": {"submit"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("anonymous demand from the form = %d %s", res.status, res.body)
		}
		mine, _, err := e.market.FindListings(context.Background(), actorOf(anonfirm), market.Filter{Mine: true, Kind: market.Demand})
		if err != nil || len(mine) != 1 || !mine[0].Anonymous {
			t.Fatalf("the form's demand = %+v, %v; want one anonymous demand", mine, err)
		}
		if _, err := e.market.Approve(context.Background(), actorOf(city), mine[0].ID); err != nil {
			t.Fatal(err)
		}
		dbase := fmt.Sprintf("/api/v1/demands/%d", mine[0].ID)
		noAnonymousSecret(t, "demand for a member", clients["firm"].api(http.MethodGet, dbase, nil).body)
		if res := clients["anonfirmx"].api(http.MethodPost, dbase+"/reveal", nil); res.status != http.StatusOK {
			t.Errorf("reveal demand = %d %s", res.status, res.body)
		}
	})
}
