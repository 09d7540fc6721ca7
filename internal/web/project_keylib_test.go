package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestKeyLibraryAPI walks the key-enterprise library's API: marking by
// hand, saved filters with their checks, and another county's staff
// getting 404 on its records.
func TestKeyLibraryAPI(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		ent := "/api/v1/key-enterprises/" + strconv.FormatInt(w.enterprise.ID, 10)
		got := runSteps(t, []apiStep{
			{"mark", w.ks, http.MethodPut, ent, nil, 200},
			{"mark again", w.city, http.MethodPut, ent, nil, 200},
			{"other county marks", w.wj, http.MethodPut, ent, nil, 404},
			{"enterprise lists", w.firm, http.MethodGet, "/api/v1/key-enterprises", nil, 403},
			{"tagged", w.city, http.MethodGet, "/api/v1/key-enterprises?page=1&per_page=10", nil, 200},
			{"bad tier", w.city, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320500", "name": "错梯队",
				"criteria": map[string]any{"tier": "不存在的梯队"}}, 422},
			{"bad rule set", w.city, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320500", "name": "错标准",
				"criteria": map[string]any{"near_rule_set": "nope", "near_gaps": 2}}, 422},
			{"empty", w.city, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320500", "name": "空",
				"criteria": map[string]any{}}, 422},
			{"outside scope", w.ks, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320509", "name": "吴江",
				"criteria": map[string]any{"tag": "重点企业"}}, 422},
			{"city filter", w.city, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320500", "name": "昆山重点",
				"criteria": map[string]any{"region": "320583", "tag": "重点企业"}}, 201},
			{"county filter", w.ks, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320583", "name": "昆山名录",
				"criteria": map[string]any{"query": "昆山"}}, 201},
			{"same name", w.ks, http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320583", "name": "昆山名录",
				"criteria": map[string]any{"query": "精密"}}, 422},
		})
		if got["tagged"]["total"] != 1.0 {
			t.Errorf("tagged library: %v enterprises, want 1", got["tagged"]["total"])
		}
		cityF, ksF := id(got["city filter"]), id(got["county filter"])
		got = runSteps(t, []apiStep{
			{"filters", w.wj, http.MethodGet, "/api/v1/key-filters", nil, 200},
			{"city list", w.city, http.MethodGet, "/api/v1/key-enterprises?filter=" + cityF, nil, 200},
			{"county list", w.ks, http.MethodGet, "/api/v1/key-enterprises?filter=" + ksF, nil, 200},
			// 吴江 sees the city's filter but none of 昆山's firms through it.
			{"other county, city filter", w.wj, http.MethodGet, "/api/v1/key-enterprises?filter=" + cityF, nil, 200},
			{"other county, county filter", w.wj, http.MethodGet, "/api/v1/key-enterprises?filter=" + ksF, nil, 404},
			{"other county changes", w.wj, http.MethodPut, "/api/v1/key-filters/" + ksF, map[string]any{"region_code": "320509", "name": "改",
				"criteria": map[string]any{"query": "x"}}, 404},
			{"other county deletes", w.wj, http.MethodDelete, "/api/v1/key-filters/" + ksF, nil, 404},
			{"county changes city's", w.ks, http.MethodDelete, "/api/v1/key-filters/" + cityF, nil, 403},
			{"update", w.ks, http.MethodPut, "/api/v1/key-filters/" + ksF, map[string]any{"region_code": "320583", "name": "昆山精密",
				"criteria": map[string]any{"query": "精密"}}, 200},
			{"unmark", w.city, http.MethodDelete, ent, nil, 200},
		})
		if got["city list"]["total"] != 1.0 || got["county list"]["total"] != 1.0 || got["other county, city filter"]["total"] != 0.0 {
			t.Errorf("lists: city %v, county %v, other county %v; want 1, 1, 0",
				got["city list"]["total"], got["county list"]["total"], got["other county, city filter"]["total"])
		}
		if f, _ := got["city list"]["filter"].(map[string]any); f["name"] != "昆山重点" {
			t.Errorf("the page names filter %v", got["city list"]["filter"])
		}
		// Unmarked, the firm leaves the tag-based filter.
		res := w.city.api(http.MethodGet, "/api/v1/key-enterprises?filter="+cityF, nil)
		if !strings.Contains(res.body, `"total":0`) {
			t.Errorf("after unmarking: %s", res.body)
		}
		if res := w.ks.api(http.MethodDelete, "/api/v1/key-filters/"+ksF, nil); res.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", res.status, res.body)
		}
		var n int
		if err := e.db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action IN ('key_filter.save', 'key_filter.delete', 'enterprise.tag')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 6 { // two marks (one a no-op, not written), two saves, one update, one unmark, one delete
			t.Errorf("audit rows: %d, want 6", n)
		}
	})
}

// TestKeyLibraryPages: staff mark a firm by credit code, save a filter
// (a bad one answers 422 naming the field), export the list; another
// county's filter is 404 on the page.
func TestKeyLibraryPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		city := e.client()
		if res := city.loginForm("city", testPassword); res.status != http.StatusSeeOther {
			t.Fatalf("login: %d", res.status)
		}
		tok := city.formToken("/projects/key-enterprises")
		res := city.postForm("/projects/key-enterprises", url.Values{"csrf_token": {tok}, "credit_code": {"91320583XXXXXXXXXX"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#key-add-form .field-error").Text(), "91320583XXXXXXXXXX") {
			t.Errorf("unknown credit code: %d %q", res.status, res.doc(t).Find("#key-add-form .field-error").Text())
		}
		res = city.postForm("/projects/key-enterprises", url.Values{"csrf_token": {tok}, "credit_code": {strings.ToLower(w.enterprise.CreditCode)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("mark: %d %s", res.status, res.body)
		}
		page := city.get("/projects/key-enterprises").doc(t)
		if got := page.Find("#key-enterprises tbody tr td a").First().Text(); got != w.enterprise.Name {
			t.Errorf("library lists %q, want %q", got, w.enterprise.Name)
		}
		res = city.postForm("/projects/key-filters", url.Values{"csrf_token": {tok}, "name": {""}, "region_code": {"320500"}, "tier": {"高新技术企业"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find("#key-filter-form .field-error").Length() == 0 {
			t.Errorf("filter without a name: %d", res.status)
		}
		res = city.postForm("/projects/key-filters", url.Values{"csrf_token": {tok}, "name": {"昆山培育"}, "region_code": {"320500"},
			"region": {"320583"}, "near_rule_set": {"high-tech"}, "near_gaps": {"abc"}})
		if res.status != http.StatusUnprocessableEntity || res.doc(t).Find("#key-filter-form .field-error").Length() == 0 {
			t.Errorf("gaps not a number: %d", res.status)
		}
		res = city.postForm("/projects/key-filters", url.Values{"csrf_token": {tok}, "name": {"昆山重点"}, "region_code": {"320500"},
			"region": {"320583"}, "tag": {"重点企业"}})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/projects/key-enterprises?filter=") {
			t.Fatalf("save filter: %d %s", res.status, res.header.Get("Location"))
		}
		loc := res.header.Get("Location")
		page = city.get(loc).doc(t)
		if page.Find(`#key-filters a[aria-current="page"]`).Text() == "" || page.Find("#key-enterprises tbody tr").Length() != 1 {
			t.Errorf("saved filter page: tabs %q, rows %d", page.Find("#key-filters").Text(), page.Find("#key-enterprises tbody tr").Length())
		}
		// The export holds the same firm.
		xl := city.get(strings.Replace(loc, "/projects/key-enterprises?", "/projects/key-enterprises/export.xlsx?", 1))
		f, err := excelize.OpenReader(bytes.NewReader([]byte(xl.body)))
		if err != nil {
			t.Fatalf("export: %v (%d)", err, xl.status)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 2 || rows[1][0] != w.enterprise.Name {
			t.Errorf("export rows: %v", rows)
		}
		// A county filter of 昆山 is 404 for 吴江's staff, on the page and the export.
		ksF := w.ks.api(http.MethodPost, "/api/v1/key-filters", map[string]any{"region_code": "320583", "name": "昆山名录",
			"criteria": map[string]any{"query": "昆山"}})
		var saved struct{ ID int64 }
		ksF.json(t, &saved)
		wj := e.client()
		wj.loginForm("wj", testPassword)
		for _, p := range []string{"/projects/key-enterprises?filter=" + strconv.FormatInt(saved.ID, 10), "/projects/key-enterprises/export.xlsx?filter=" + strconv.FormatInt(saved.ID, 10)} {
			if res := wj.get(p); res.status != http.StatusNotFound {
				t.Errorf("%s for another county: %d", p, res.status)
			}
		}
		wtok := wj.formToken("/projects/key-enterprises")
		if res := wj.postForm("/projects/key-filters/"+strconv.FormatInt(saved.ID, 10)+"/delete", url.Values{"csrf_token": {wtok}}); res.status != http.StatusNotFound {
			t.Errorf("another county deletes: %d", res.status)
		}
		// Enterprises do not reach the library.
		firm := e.client()
		firm.loginForm("firm", testPassword)
		if res := firm.get("/projects/key-enterprises"); res.status != http.StatusForbidden {
			t.Errorf("enterprise on the library: %d", res.status)
		}
	})
}
