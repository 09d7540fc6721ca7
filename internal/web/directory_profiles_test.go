package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
)

// TestDirectoryBrokerProfiles: a broker fills its own profile through the
// form and everybody sees it as its visibility allows, with the
// performance from the deals; another broker, an enterprise and staff of
// another county get 404 on its form, staff in scope may edit it; the API
// carries the profile.
func TestDirectoryBrokerProfiles(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		jj := e.createUser("jj", account.RoleBroker, "320508")
		e.createUser("jj2", account.RoleBroker, "320583")
		e.createUser("firm", account.RoleEnterprise, "320505")
		e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("gs", account.RoleCounty, "320508")
		clients := map[string]*client{}
		for _, name := range []string{"jj", "jj2", "firm", "ks", "gs"} {
			clients[name] = e.client()
			clients[name].mustLoginAPI(name)
		}
		anon := e.client()
		edit := path("/directory/brokers/%d/edit", jj.ID)
		page := path("/directory/brokers/%d", jj.ID)

		// Before it has a profile, the broker's form starts blank; the
		// directory home links to it.
		if res := clients["jj"].get("/directory"); res.doc(t).Find("#my-broker").Length() != 1 {
			t.Errorf("directory home has no link to the broker's own profile")
		}
		if res := clients["jj"].get(edit); res.status != http.StatusOK {
			t.Fatalf("own blank form = %d", res.status)
		}
		for _, name := range []string{"jj2", "firm", "ks"} {
			if res := clients[name].get(edit); res.status != http.StatusNotFound {
				t.Errorf("%s opens another broker's form = %d, want 404", name, res.status)
			}
		}
		tok := clients["jj"].formToken(edit)
		res := clients["jj"].postForm(page, url.Values{"csrf_token": {tok}, "grade": {"senior"}, "organization": {"姑苏技术转移中心"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find("[name=certificate_no]").Length() != 1 ||
			!strings.Contains(res.body, "证书编号") {
			t.Errorf("grade without a certificate = %d, want 422 naming the certificate", res.status)
		}
		res = clients["jj"].postForm(page, url.Values{"csrf_token": {tok}, "certificate_no": {"JSJJ-2025-0107"}, "grade": {"senior"},
			"organization": {"姑苏技术转移中心"}, "fields": {"新材料", "电子信息"}, "summary": {"专注石墨烯成果转化"}, "visibility": {"public"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("save own profile = %d: %s", res.status, res.body)
		}
		// Another broker cannot write it.
		tok2 := clients["jj2"].formToken("/directory/brokers")
		if res := clients["jj2"].postForm(page, url.Values{"csrf_token": {tok2}, "certificate_no": {"X"}}); res.status != http.StatusNotFound {
			t.Errorf("another broker saves the profile = %d, want 404", res.status)
		}
		tokKS := clients["ks"].formToken("/directory/brokers")
		if res := clients["ks"].postForm(page, url.Values{"csrf_token": {tokKS}, "certificate_no": {"X"}}); res.status != http.StatusNotFound {
			t.Errorf("another county's staff saves the profile = %d, want 404", res.status)
		}
		if res := clients["gs"].get(edit); res.status != http.StatusOK {
			t.Errorf("the county's staff open the form = %d, want 200", res.status)
		}
		doc := anon.get(page).doc(t)
		if got := doc.Find("#certificate").Text(); got != "JSJJ-2025-0107" {
			t.Errorf("public profile certificate = %q", got)
		}
		if got := doc.Find("#grade").Text(); got != "高级技术经理人" {
			t.Errorf("grade shown = %q, want 高级技术经理人", got)
		}
		if doc.Find("#perf-handled").Text() != "0" || doc.Find("#edit").Length() != 0 {
			t.Errorf("visitor's view: handled %q, edit links %d", doc.Find("#perf-handled").Text(), doc.Find("#edit").Length())
		}
		if list := anon.get("/directory/brokers?grade=senior"); list.doc(t).Find("#brokers tr[data-broker]").Length() != 1 {
			t.Errorf("broker list by grade: %s", list.body)
		}
		// Searchable at once, by its summary.
		found := anon.api(http.MethodGet, "/api/v1/directory/search?q="+url.QueryEscape("石墨烯")+"&type=broker&field="+url.QueryEscape("新材料"), nil)
		if found.status != http.StatusOK || !strings.Contains(found.body, `"name":"jj"`) {
			t.Errorf("search for the broker = %d %s", found.status, found.body)
		}

		// The API adds the profile to the market's statistics.
		api := clients["firm"].api(http.MethodGet, "/api/v1/brokers", nil)
		var list []struct {
			ID      int64 `json:"id"`
			Profile *struct {
				CertificateNo string `json:"certificate_no"`
				Performance   *struct {
					Handled int `json:"handled"`
				} `json:"performance"`
			} `json:"profile"`
		}
		if err := json.Unmarshal([]byte(api.body), &list); err != nil || api.status != http.StatusOK {
			t.Fatalf("GET /api/v1/brokers = %d %v", api.status, err)
		}
		withProfile := 0
		for _, b := range list {
			if b.Profile != nil {
				withProfile++
				if b.ID != jj.ID || b.Profile.CertificateNo != "JSJJ-2025-0107" || b.Profile.Performance == nil {
					t.Errorf("profile of %d = %+v", b.ID, b.Profile)
				}
			}
		}
		if len(list) != 2 || withProfile != 1 {
			t.Errorf("brokers = %d with %d profiles, want 2 with 1", len(list), withProfile)
		}
		if doc := clients["firm"].get(path("/market/brokers/%d", jj.ID)).doc(t); doc.Find("#directory-profile").Length() != 1 {
			t.Errorf("the market's broker page does not link to the directory profile")
		}
		if one := clients["firm"].api(http.MethodGet, path("/api/v1/brokers/%d", jj.ID), nil); !strings.Contains(one.body, "JSJJ-2025-0107") {
			t.Errorf("GET /api/v1/brokers/{id} = %d %s", one.status, one.body)
		}
	})
}

// TestDirectoryInvestorPreferences: an investor states its preferences;
// logged-in accounts see them, visitors only once the investor makes them
// public; another investor and another county's staff get 404 on the
// form, the county's staff may edit them.
func TestDirectoryInvestorPreferences(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		tz := e.createUser("tz", account.RoleInvestor, "320506")
		e.createUser("tz2", account.RoleInvestor, "320506")
		e.createUser("firm", account.RoleEnterprise, "320505")
		e.createUser("wz", account.RoleCounty, "320506")
		e.createUser("ks", account.RoleCounty, "320583")
		clients := map[string]*client{}
		for _, name := range []string{"tz", "tz2", "firm", "wz", "ks"} {
			clients[name] = e.client()
			clients[name].mustLoginAPI(name)
		}
		anon := e.client()
		edit := path("/directory/investors/%d/edit", tz.ID)
		page := path("/directory/investors/%d", tz.ID)
		for _, name := range []string{"tz2", "firm", "ks"} {
			if res := clients[name].get(edit); res.status != http.StatusNotFound {
				t.Errorf("%s opens another investor's form = %d, want 404", name, res.status)
			}
		}
		tok := clients["tz"].formToken(edit)
		res := clients["tz"].postForm(page, url.Values{"csrf_token": {tok}, "ticket_min": {"500"}, "ticket_max": {"100"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "上限不能低于下限") {
			t.Errorf("ticket range reversed = %d, want 422 naming the field", res.status)
		}
		res = clients["tz"].postForm(page, url.Values{"csrf_token": {tok}, "domains": {"生物与新医药"}, "stages": {"seed", "startup"},
			"ticket_min": {"100"}, "ticket_max": {"2000"}, "regions": {"320500"}, "note": {"关注创新药"}, "visibility": {"members"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("save preferences = %d: %s", res.status, res.body)
		}
		if res := anon.get(page); res.status != http.StatusNotFound {
			t.Errorf("visitor sees members-only preferences = %d, want 404", res.status)
		}
		doc := clients["firm"].get(page).doc(t)
		if got := doc.Find("#ticket").Text(); got != "100 – 2000" {
			t.Errorf("ticket shown to an enterprise = %q", got)
		}
		if got := doc.Find("#stages").Text(); !strings.Contains(got, "种子期") {
			t.Errorf("stages shown = %q", got)
		}
		if clients["wz"].get(edit).status != http.StatusOK {
			t.Errorf("the county's staff cannot open the form")
		}
		tokKS := clients["ks"].formToken("/directory/investors")
		if res := clients["ks"].postForm(page, url.Values{"csrf_token": {tokKS}, "visibility": {"public"}}); res.status != http.StatusNotFound {
			t.Errorf("another county's staff saves the preferences = %d, want 404", res.status)
		}
		// Opting in makes them public.
		res = clients["tz"].postForm(page, url.Values{"csrf_token": {tok}, "domains": {"生物与新医药"}, "visibility": {"public"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("make public = %d", res.status)
		}
		if res := anon.get(page); res.status != http.StatusOK {
			t.Errorf("visitor, public preferences = %d, want 200", res.status)
		}
		if list := anon.get("/directory/investors"); list.doc(t).Find("#investors tr[data-investor]").Length() != 1 {
			t.Errorf("visitor's investor list: %s", list.body)
		}
	})
}
