package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/indicator"
)

// TestIndicatorAPITour exercises the 一表通 API and pages: public city
// totals, a county entering its own figures (another county: 404),
// validation naming row and indicator, who has not reported, reminders,
// reports (JSON, .xlsx, print page) and the 高企 report.
func TestIndicatorAPITour(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ind-staff", account.RoleStaff, "320500")
		e.createUser("ind-ks", account.RoleCounty, "320583")
		e.createUser("ind-tc", account.RoleCounty, "320585")
		e.createUser("ind-firm", account.RoleEnterprise, "320583")
		staff, ks, tc, firm, anon := e.client(), e.client(), e.client(), e.client(), e.client()
		staff.mustLoginAPI("ind-staff")
		ks.mustLoginAPI("ind-ks")
		tc.mustLoginAPI("ind-tc")
		firm.mustLoginAPI("ind-firm")
		last := indicator.MonthOf(e.clock.Now()).Prev().String()
		expect := func(name string, res response, status int) response {
			t.Helper()
			if res.status != status {
				t.Fatalf("%s = %d, want %d: %.300s", name, res.status, status, res.body)
			}
			return res
		}
		// City totals are public; a county's values are not.
		var vals indicator.Values
		expect("anonymous catalogue", anon.api(http.MethodGet, "/api/v1/indicators?period="+last, nil), http.StatusOK).json(t, &vals)
		if vals.Scope != "320500" || len(vals.Values) == 0 {
			t.Errorf("catalogue = %+v", vals)
		}
		expect("anonymous county values", anon.api(http.MethodGet, "/api/v1/indicators?scope=320583", nil), http.StatusNotFound)
		expect("bad period", anon.api(http.MethodGet, "/api/v1/indicators?period=2026-13", nil), http.StatusUnprocessableEntity)
		expect("other county's values", tc.api(http.MethodGet, "/api/v1/indicators?scope=320583", nil), http.StatusNotFound)
		expect("own county's values", ks.api(http.MethodGet, "/api/v1/indicators?scope=320583&period="+last, nil), http.StatusOK)

		// Entries.
		body := map[string]any{"period": last, "region_code": "320583", "values": map[string]string{"TB01": "1200.5", "TB02": "7"}}
		expect("other county's entry", tc.api(http.MethodPost, "/api/v1/indicators/entries", body), http.StatusNotFound)
		expect("enterprise entry", firm.api(http.MethodPost, "/api/v1/indicators/entries", body), http.StatusNotFound)
		bad := map[string]any{"period": last, "region_code": "320583", "values": map[string]string{"TB01": "-1", "TB02": "7"}}
		if res := expect("bad entry", ks.api(http.MethodPost, "/api/v1/indicators/entries", bad), http.StatusUnprocessableEntity); !strings.Contains(res.body, "TB01") {
			t.Errorf("the problem does not name TB01: %s", res.body)
		}
		var form indicator.EntryForm
		expect("entry", ks.api(http.MethodPost, "/api/v1/indicators/entries", body), http.StatusOK).json(t, &form)
		if !form.Reported || len(form.Rows) != 2 || *form.Rows[0].Value != 1200.5 {
			t.Errorf("form = %+v", form)
		}
		expect("own form", ks.api(http.MethodGet, "/api/v1/indicators/entries?period="+last, nil), http.StatusOK)
		expect("other county's form", tc.api(http.MethodGet, "/api/v1/indicators/entries?region=320583", nil), http.StatusNotFound)
		expect("anonymous form", anon.api(http.MethodGet, "/api/v1/indicators/entries", nil), http.StatusUnauthorized)

		// Who has not reported.
		var st indicator.Status
		expect("status", staff.api(http.MethodGet, "/api/v1/indicators/status?period="+last, nil), http.StatusOK).json(t, &st)
		if st.Missing != len(st.Counties)-1 || st.Counties[len(st.Counties)-1].Region != "320583" {
			t.Errorf("status = %+v", st)
		}
		expect("enterprise status", firm.api(http.MethodGet, "/api/v1/indicators/status", nil), http.StatusForbidden)

		// Reports and the 高企 report.
		var rep indicator.Report
		expect("monthly", staff.api(http.MethodGet, "/api/v1/reports/monthly?period="+last, nil), http.StatusOK).json(t, &rep)
		if len(rep.Columns) < 3 || rep.Columns[len(rep.Columns)-1].Key != "320500" {
			t.Errorf("monthly columns = %+v", rep.Columns)
		}
		staffCols := len(rep.Columns)
		expect("county monthly", ks.api(http.MethodGet, "/api/v1/reports/monthly", nil), http.StatusOK).json(t, &rep)
		if len(rep.Columns) != 2 {
			t.Errorf("a county user's columns = %+v", rep.Columns)
		}
		expect("unknown template", staff.api(http.MethodGet, "/api/v1/reports/weekly", nil), http.StatusNotFound)
		expect("other county's annual", tc.api(http.MethodGet, "/api/v1/reports/annual?scope=320583", nil), http.StatusNotFound)
		expect("enterprise report", firm.api(http.MethodGet, "/api/v1/reports/monthly", nil), http.StatusForbidden)
		expect("high-tech report", staff.api(http.MethodGet, "/api/v1/indicators/hightech-report", nil), http.StatusOK)
		expect("bad year", staff.api(http.MethodGet, "/api/v1/indicators/hightech-report?year=1990", nil), http.StatusUnprocessableEntity)

		// Pages.
		for _, path := range []string{"/indicators", "/indicators?scope=320585", "/indicators/entries", "/indicators/entries?region=320583",
			"/indicators/reports/monthly", "/indicators/reports/quarterly", "/indicators/reports/annual", "/indicators/hightech-report"} {
			expect("staff "+path, staff.get(path), http.StatusOK)
		}
		x := expect("export", staff.get("/indicators/reports/monthly/export.xlsx?period="+last), http.StatusOK)
		if !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("export type = %s", x.header.Get("Content-Type"))
		}
		expect("county user on another county's page", ks.get("/indicators?scope=320585"), http.StatusNotFound)
		expect("enterprise page", firm.get("/indicators"), http.StatusForbidden)
		doc := expect("report page", staff.get("/indicators/reports/monthly?period="+last), http.StatusOK).doc(t)
		if doc.Find("#report .report-signatures").Length() != 1 || doc.Find("#row-TB01 td").Length() != staffCols+3 {
			t.Errorf("the print page lacks its signatures or rows")
		}

		// The form: a bad value comes back naming the row.
		tok := tc.formToken("/indicators/entries")
		res := tc.postForm("/indicators/entries", url.Values{"csrf_token": {tok}, "period": {last}, "region": {"320585"}, "v_TB01": {"abc"}, "v_TB02": {"3"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "第1行（规上工业企业研发经费支出）：请填写数字") {
			t.Errorf("bad form = %d %.200s", res.status, res.body)
		}
		res = tc.postForm("/indicators/entries", url.Values{"csrf_token": {tok}, "period": {last}, "region": {"320585"}, "v_TB01": {"800"}, "v_TB02": {"3"}})
		if res.status != http.StatusSeeOther {
			t.Errorf("form = %d %.200s", res.status, res.body)
		}
		tok = staff.formToken("/indicators/entries")
		if res := staff.postForm("/indicators/remind", url.Values{"csrf_token": {tok}, "period": {last}}); res.status != http.StatusSeeOther {
			t.Errorf("remind = %d %.200s", res.status, res.body)
		}
	})
}

// TestWorkbenchCountsPerRole: the home page of bureau and county staff
// lists their to-dos, each counted in the user's scope and linking to its
// list; other roles keep the cards.
func TestWorkbenchCountsPerRole(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("wb-staff", account.RoleStaff, "320500")
		e.createUser("wb-ks", account.RoleCounty, "320583")
		e.createUser("wb-tc", account.RoleCounty, "320585")
		e.createUser("wb-inst", account.RoleInstitution, "320583")
		staff, ks, tc, inst := e.client(), e.client(), e.client(), e.client()
		staff.mustLoginAPI("wb-staff")
		ks.mustLoginAPI("wb-ks")
		tc.mustLoginAPI("wb-tc")
		inst.mustLoginAPI("wb-inst")
		// Two achievements of 昆山 awaiting review.
		for i := range 2 {
			res := inst.api(http.MethodPost, "/api/v1/achievements", achievementJSON(fmt.Sprintf("精密零件表面缺陷在线检测系统（%d）", i+1)))
			if res.status != http.StatusCreated {
				t.Fatalf("create = %d %s", res.status, res.body)
			}
			var l struct{ ID int64 }
			res.json(t, &l)
			if res := inst.api(http.MethodPost, fmt.Sprintf("/api/v1/achievements/%d/submit", l.ID), nil); res.status != http.StatusOK {
				t.Fatalf("submit = %d %s", res.status, res.body)
			}
		}
		last := indicator.MonthOf(e.clock.Now()).Prev().String()
		body := map[string]any{"period": last, "region_code": "320583", "values": map[string]string{"TB01": "1", "TB02": "1"}}
		if res := ks.api(http.MethodPost, "/api/v1/indicators/entries", body); res.status != http.StatusOK {
			t.Fatalf("entry = %d %s", res.status, res.body)
		}
		var counties int
		if err := e.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM regions WHERE parent_code = '320500'").Scan(&counties); err != nil {
			t.Fatal(err)
		}
		todos := func(c *client) map[string]string {
			t.Helper()
			doc := c.get("/").doc(t)
			out := map[string]string{}
			doc.Find("#todos li a").Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				out[href] = strings.TrimSpace(s.Find(".todo-count").Text())
			})
			if doc.Find("#todos").Length() == 0 {
				return nil
			}
			return out
		}
		review := "/market/review?kind=achievement"
		entries := "/indicators/entries?period=" + last
		for _, tc := range []struct {
			name string
			c    *client
			want map[string]string // link → count; "" means absent
		}{
			{"city staff", staff, map[string]string{review: "2", entries: fmt.Sprint(counties - 1)}},
			{"昆山", ks, map[string]string{review: "2", entries: ""}},
			{"太仓", tc, map[string]string{review: "", entries: "1"}},
		} {
			got := todos(tc.c)
			if got == nil {
				t.Errorf("%s has no workbench", tc.name)
				continue
			}
			for link, want := range tc.want {
				if got[link] != want {
					t.Errorf("%s: %s = %q, want %q (all: %v)", tc.name, link, got[link], want, got)
				}
			}
		}
		if todos(inst) != nil {
			t.Errorf("an institution got the workbench")
		}
		if doc := inst.get("/").doc(t); doc.Find(".cards .card").Length() == 0 {
			t.Errorf("an institution lost its cards")
		}
		if doc := staff.get("/").doc(t); doc.Find("#key-figures .figure").Length() != 4 {
			t.Errorf("key figures = %d", doc.Find("#key-figures .figure").Length())
		}
	})
}
