package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// TestCultivationPlausibilityFlags: the profile's 合理性提示 panel explains a
// flag in Chinese and English, staff record it as checked (it then
// recedes), another county gets 404 and the enterprise itself never sees
// the panel or the API.
func TestCultivationPlausibilityFlags(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ksU := e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("tc", account.RoleCounty, "320585")
		e.createUser("city", account.RoleStaff, "320500")
		firmU := e.createUser("firm", account.RoleEnterprise, "320583")
		ksActor := account.Actor{UserID: ksU.ID, Username: "ks", Role: account.RoleCounty, Region: "320583"}
		ent, err := e.app.Cultivation.CreateEnterprise(ctx, ksActor, cultivation.Enterprise{CreditCode: creditCode("91320583MA1XYK123"),
			Name: "昆山示例科技有限公司", RegionCode: "320583", AccountID: firmU.ID})
		if err != nil {
			t.Fatal(err)
		}
		rev, low, high := 1e8, 2e6, 6e6 // R&D 2% → 6%: +4 percentage points
		for y, rd := range map[int]float64{2024: low, 2025: high} {
			if err := e.app.Cultivation.PutYear(ctx, ksActor, ent.ID, cultivation.YearRecord{Year: y,
				Figures: cultivation.YearFigures{Revenue: &rev, RDExpense: &rd}}); err != nil {
				t.Fatal(err)
			}
		}
		path := "/cultivation/enterprises/" + strconv.FormatInt(ent.ID, 10)
		api := "/api/v1/enterprises/" + strconv.FormatInt(ent.ID, 10) + "/flags"

		ks := e.client()
		ks.loginForm("ks", testPassword)
		d := ks.get(path).doc(t)
		panel := d.Find("#plausibility")
		if panel.Length() != 1 || !strings.Contains(panel.Find("h2").Text(), "合理性提示") {
			t.Fatalf("no 合理性提示 panel on the profile")
		}
		want := "研发费用占销售收入比例由 2024 年的 2% 升至 2025 年的 6%，一年上升 4 个百分点（提示线：3 个百分点）"
		if got := panel.Find(".flag-open").Text(); !strings.Contains(got, want) || !strings.Contains(got, "研发费用占比突增") {
			t.Errorf("flag text = %q, want %q", got, want)
		}
		if strings.Contains(panel.Text(), "rd_ratio_jump") {
			t.Errorf("the panel shows the internal code: %q", panel.Text())
		}
		tok, _ := d.Find(`#plausibility input[name="csrf_token"]`).Attr("value")
		years, _ := d.Find(`#plausibility input[name="years"]`).Attr("value")
		check := path + "/flags/rd_ratio_jump/check"
		if res := ks.postForm(check, url.Values{"csrf_token": {tok}, "years": {years}, "note": {""}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("empty note = %d, want 422", res.status)
		}
		if res := ks.postForm(check, url.Values{"csrf_token": {tok}, "years": {years}, "note": {"看过\x00"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("note with a NUL = %d, want 422", res.status)
		}
		if res := ks.postForm(check, url.Values{"csrf_token": {tok}, "years": {"20x4"}, "note": {"看过"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad years = %d, want 422", res.status)
		}
		if res := ks.postForm(check, url.Values{"csrf_token": {tok}, "years": {years}, "note": {"已查研发辅助账和发票，属实"}}); res.status != http.StatusSeeOther {
			t.Fatalf("check = %d %s", res.status, res.body)
		}
		panel = ks.get(path).doc(t).Find("#plausibility")
		if panel.Find(".flag-open").Length() != 0 || !strings.Contains(panel.Find(".flag-checked .flag-check").Text(), "已查研发辅助账和发票，属实") ||
			!strings.Contains(panel.Find(".flag-checked .flag-check").Text(), "已核实：ks") {
			t.Errorf("checked flag = %q", panel.Text())
		}

		// English: the explanation in English, the check kept.
		ks.get("/lang/en?next=/")
		panel = ks.get(path).doc(t).Find("#plausibility")
		if got := panel.Text(); !strings.Contains(got, "Plausibility flags") ||
			!strings.Contains(got, "R&D expense as a share of revenue rose from 2% in 2024 to 6% in 2025, 4 percentage points in one year (flagged from 3 points)") ||
			!strings.Contains(got, "Checked: ks") {
			t.Errorf("English panel = %q", got)
		}

		// The data under the flag changes: it is open again.
		changed := 6.5e6
		if err := e.app.Cultivation.PutYear(ctx, ksActor, ent.ID, cultivation.YearRecord{Year: 2025,
			Figures: cultivation.YearFigures{Revenue: &rev, RDExpense: &changed}}); err != nil {
			t.Fatal(err)
		}
		if n := ks.get(path).doc(t).Find("#plausibility .flag-open").Length(); n != 1 {
			t.Errorf("open flags after the data changed = %d, want 1", n)
		}

		// The pool board shows the open flag next to the proposal under review.
		if _, err := e.db.ExecContext(ctx, "UPDATE enterprises SET proposed_tier = ? WHERE id = ?", cultivation.TierInnovative, ent.ID); err != nil {
			t.Fatal(err)
		}
		cell := ks.get("/cultivation/pool").doc(t).Find("#pending .pool-flags a")
		if href, _ := cell.Attr("href"); cell.Length() != 1 || href != path+"#plausibility" || !strings.Contains(cell.Text(), "1 to check") {
			t.Errorf("pool flag cell = %q (%s)", cell.Text(), href)
		}

		// API: the city reads and checks.
		city := e.client()
		city.mustLoginAPI("city")
		res := city.api(http.MethodGet, api, nil)
		var list struct {
			Items []struct {
				Code, Label, Explanation string
				Years                    []int
				Check                    *struct{ By, Note string }
			}
			Checked int
		}
		res.json(t, &list)
		if res.status != http.StatusOK || len(list.Items) != 1 || list.Items[0].Code != "rd_ratio_jump" || list.Items[0].Check != nil ||
			!strings.Contains(list.Items[0].Explanation, "6.5%") {
			t.Fatalf("API flags = %d %s", res.status, res.body)
		}
		res = city.api(http.MethodPost, api+"/rd_ratio_jump/check", map[string]any{"years": []int{2024, 2025}, "note": "复核：新增研发项目两项"})
		if res.status != http.StatusOK || !strings.Contains(res.body, "复核：新增研发项目两项") {
			t.Errorf("API check = %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodPost, api+"/ip_surge/check", map[string]any{"years": []int{2024, 2025}, "note": "x"}); res.status != http.StatusNotFound {
			t.Errorf("checking a flag not raised = %d, want 404", res.status)
		}
		if res := city.api(http.MethodPost, api+"/rd_ratio_jump/check", map[string]any{"years": []int{2024, 2025}, "note": ""}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("API empty note = %d, want 422", res.status)
		}

		// Another county: 404 everywhere.
		tc := e.client()
		tc.mustLoginAPI("tc")
		if res := tc.api(http.MethodGet, api, nil); res.status != http.StatusNotFound {
			t.Errorf("other county's API flags = %d, want 404", res.status)
		}
		if res := tc.api(http.MethodPost, api+"/rd_ratio_jump/check", map[string]any{"years": []int{2024, 2025}, "note": "x"}); res.status != http.StatusNotFound {
			t.Errorf("other county's API check = %d, want 404", res.status)
		}
		tcForm := e.client()
		tcForm.loginForm("tc", testPassword)
		tcTok := tcForm.formToken("/cultivation/enterprises/new")
		if res := tcForm.postForm(check, url.Values{"csrf_token": {tcTok}, "years": {"2024,2025"}, "note": {"x"}}); res.status != http.StatusNotFound {
			t.Errorf("other county's check form = %d, want 404", res.status)
		}

		// The enterprise sees its profile but not the panel; the API is 403.
		firm := e.client()
		firm.mustLoginAPI("firm")
		if res := firm.get(path); res.status != http.StatusOK || res.doc(t).Find("#plausibility").Length() != 0 ||
			strings.Contains(res.body, "合理性提示") {
			t.Errorf("enterprise profile = %d, shows the panel: %v", res.status, strings.Contains(res.body, "合理性提示"))
		}
		if res := firm.api(http.MethodGet, api, nil); res.status != http.StatusForbidden {
			t.Errorf("enterprise API flags = %d, want 403", res.status)
		}
		if res := firm.api(http.MethodPost, api+"/rd_ratio_jump/check", map[string]any{"years": []int{2024, 2025}, "note": "x"}); res.status != http.StatusForbidden {
			t.Errorf("enterprise API check = %d, want 403", res.status)
		}

		// The social-insurance count, entered on the year form, is kept and
		// checked against the staff total: 100 staff, 60 insured.
		tok = ks.formToken(path)
		res = ks.postForm(path+"/years", url.Values{"csrf_token": {tok}, "year": {"2025"}, "revenue": {"10000"}, "rd_expense": {"650"},
			"employees": {"100"}, "insured": {"60"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("year with insured = %d %s", res.status, res.body)
		}
		if v, _ := ks.get(path + "?year=2025").doc(t).Find(`#year-form input[name="insured"]`).Attr("value"); v != "60" {
			t.Errorf("year form insured = %q, want 60", v)
		}
		flag := ks.get(path).doc(t).Find(`#plausibility [data-flag="insurance_gap"]`)
		if got := flag.Text(); !strings.Contains(got, "In 2025 the firm reported 100 staff but paid social insurance for 60: 40% without insurance (flagged from 30%)") {
			t.Errorf("insurance flag = %q", got)
		}
	})
}
