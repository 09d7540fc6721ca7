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

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
)

// TestCultivationPolicies: a 昆山 firm holding a new 小巨人 title and
// growing R&D meets two policies with their amounts on its profile, marks
// one applied and staff mark it received; the city sees per county who is
// eligible and not claiming and exports the 免申即享 list; English pages
// write amounts as ¥; another county's staff get 404 for the firm and for
// asking about 太仓; the API answers the same.
func TestCultivationPolicies(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ksU := e.createUser("ks", account.RoleCounty, "320583")
		tcU := e.createUser("tc", account.RoleCounty, "320585")
		e.createUser("city", account.RoleStaff, "320500")
		firmU := e.createUser("firm", account.RoleEnterprise, "320583")
		ksActor := account.Actor{UserID: ksU.ID, Username: "ks", Role: account.RoleCounty, Region: "320583"}
		tcActor := account.Actor{UserID: tcU.ID, Username: "tc", Role: account.RoleCounty, Region: "320585"}
		now := e.clock.Now()
		dataYear := now.Year() - 1
		a, err := e.app.Cultivation.CreateEnterprise(ctx, ksActor, cultivation.Enterprise{CreditCode: creditCode("91320583MA1PQL123"),
			Name: "昆山政策示例有限公司", RegionCode: "320583", AccountID: firmU.ID,
			Certificates: []cultivation.Certificate{{Type: "little-giant", Issued: cultivation.Date{Time: now.AddDate(0, -2, 0)}}}})
		if err != nil {
			t.Fatal(err)
		}
		for y, rd := range map[int]float64{dataYear - 1: 2e6, dataYear: 3e6} {
			rev := 5e7
			if err := e.app.Cultivation.PutYear(ctx, ksActor, a.ID, cultivation.YearRecord{Year: y,
				Figures: cultivation.YearFigures{Revenue: &rev, RDExpense: &rd}}); err != nil {
				t.Fatal(err)
			}
		}
		b, err := e.app.Cultivation.CreateEnterprise(ctx, tcActor, cultivation.Enterprise{CreditCode: creditCode("91320585MA1PQL456"),
			Name: "太仓政策示例有限公司", RegionCode: "320585",
			Certificates: []cultivation.Certificate{{Type: "high-tech", Issued: cultivation.Date{Time: now.AddDate(0, -1, 0)}}}})
		if err != nil {
			t.Fatal(err)
		}
		profile := "/cultivation/enterprises/" + strconv.FormatInt(a.ID, 10)

		// The firm's profile: the 小巨人 reward (100万) and the R&D reward (10万), eligible.
		firm := e.client()
		firm.loginForm("firm", testPassword)
		d := firm.get(profile).doc(t)
		row := d.Find(`#policies tr[data-policy="suzhou-little-giant"]`)
		if row.Length() != 1 || strings.TrimSpace(row.Find(".status").Text()) != "符合" || !strings.Contains(row.Find(".amount").Text(), "100万元") {
			t.Fatalf("little-giant row = %q", row.Text())
		}
		if got := d.Find(`#policies tr[data-policy="jiangsu-rd-increase"] .amount`).Text(); !strings.Contains(got, "10万元") {
			t.Errorf("R&D reward amount = %q, want 10万元 (10%% of a 100万 increase)", got)
		}
		if strings.Contains(d.Find("#policies").Text(), "suzhou-little-giant") {
			t.Error("the panel shows a policy id")
		}
		// B may meet the 高企 reward, its missing revenue named.
		tc := e.client()
		tc.loginForm("tc", testPassword)
		bRow := tc.get("/cultivation/enterprises/" + strconv.FormatInt(b.ID, 10)).doc(t).Find(`#policies tr[data-policy="suzhou-high-tech-first"]`)
		if !strings.Contains(bRow.Find(".status").Text(), "可能符合") || !strings.Contains(bRow.Find(".missing").Text(), strconv.Itoa(dataYear)+"年 营业收入") {
			t.Errorf("B 高企 row = %q", bRow.Text())
		}

		// Claim form: bad input 422 naming the field, then applied.
		tok, _ := row.Find(`input[name="csrf_token"]`).Attr("value")
		claim := profile + "/policies/suzhou-little-giant"
		res := firm.postForm(claim, url.Values{"csrf_token": {tok}, "status": {"applied"}, "received_amount": {"100"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find(`#policies tr[data-policy="suzhou-little-giant"] .field-error`).Text(), "已兑现") {
			t.Errorf("amount with applied = %d, want 422 with the amount's message", res.status)
		}
		if res := firm.postForm(claim, url.Values{"csrf_token": {tok}, "status": {"won"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad status = %d, want 422", res.status)
		}
		if res := firm.postForm(claim, url.Values{"csrf_token": {tok}, "status": {"received"}, "received_amount": {"abc"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad amount = %d, want 422", res.status)
		}
		if res := firm.postForm(claim, url.Values{"csrf_token": {tok}, "status": {"applied"}, "note": {"已在线提交"}}); res.status != http.StatusSeeOther {
			t.Fatalf("claim = %d %s", res.status, res.body)
		}
		if got := firm.get(profile).doc(t).Find(`#policies tr[data-policy="suzhou-little-giant"] .claim`).Text(); !strings.Contains(got, "已申报") ||
			!strings.Contains(got, "已在线提交") {
			t.Errorf("claim cell = %q", got)
		}
		// Another county: the firm's profile and its claim are 404.
		tcTok := tc.formToken("/cultivation/enterprises/" + strconv.FormatInt(b.ID, 10))
		if res := tc.postForm(claim, url.Values{"csrf_token": {tcTok}, "status": {"received"}}); res.status != http.StatusNotFound {
			t.Errorf("太仓 claiming for a 昆山 firm = %d, want 404", res.status)
		}

		// Staff: per county, eligible and not claiming; 昆山 cannot ask about 太仓.
		city := e.client()
		city.loginForm("city", testPassword)
		sum := city.get("/cultivation/policies").doc(t)
		ksRow := sum.Find(`#policy-summary tr[data-policy="jiangsu-rd-increase"][data-county="320583"]`)
		if strings.TrimSpace(ksRow.Find(".unclaimed").Text()) != "1" {
			t.Errorf("昆山 R&D unclaimed = %q, want 1", ksRow.Find(".unclaimed").Text())
		}
		lg := city.get("/cultivation/policies/suzhou-little-giant").doc(t)
		if n := lg.Find("#uptake-firms tr[data-firm]").Length(); n != 1 {
			t.Errorf("little-giant firms = %d, want 1", n)
		}
		if lg.Find("#policy-facts .unconfirmed").Length() == 0 || !strings.Contains(lg.Find("#policy-unconfirmed").Text(), "未见原文") {
			t.Error("the policy page does not say which figures are unconfirmed")
		}
		ks := e.client()
		ks.loginForm("ks", testPassword)
		if res := ks.get("/cultivation/policies/suzhou-little-giant?county=320585"); res.status != http.StatusNotFound {
			t.Errorf("昆山 asking about 太仓 = %d, want 404", res.status)
		}
		if res := ks.get("/cultivation/policies/no-such-policy"); res.status != http.StatusNotFound {
			t.Errorf("unknown policy = %d, want 404", res.status)
		}
		ksCounties := ks.get("/cultivation/policies/jiangsu-rd-increase").doc(t).Find("#uptake-counties tbody tr")
		if ksCounties.Length() != 1 {
			t.Errorf("昆山 staff see %d county rows, want their own", ksCounties.Length())
		}
		if firm.get("/cultivation/policies/suzhou-little-giant").doc(t).Find("#policy-uptake").Length() != 0 {
			t.Error("the firm sees the take-up of other firms")
		}

		// 免申即享 export.
		x := city.get("/cultivation/policies/suzhou-little-giant/no-application.xlsx")
		if x.status != http.StatusOK || !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export = %d %s", x.status, x.header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(x.body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("免申即享")
		if !strings.Contains(strings.Join(flatten(rows), "|"), "昆山政策示例有限公司|"+a.CreditCode) {
			t.Errorf("export rows = %q", rows)
		}
		if res := city.get("/cultivation/policies/suzhou-high-tech-first/no-application.xlsx"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("export of a policy needing an application = %d, want 422", res.status)
		}
		if res := firm.get("/cultivation/policies/suzhou-little-giant/no-application.xlsx"); res.status != http.StatusForbidden {
			t.Errorf("firm export = %d, want 403", res.status)
		}

		// English: amounts as ¥ through the money helper.
		city.get("/lang/en?next=/")
		en := city.get("/cultivation/policies/suzhou-little-giant").doc(t)
		if got := en.Find("#policy-amount").Text(); !strings.Contains(got, "¥1M") {
			t.Errorf("English amount = %q, want ¥1M", got)
		}
		if got := city.get(profile).doc(t).Find(`#policies tr[data-policy="jiangsu-rd-increase"] .amount`).Text(); !strings.Contains(got, "¥100K") {
			t.Errorf("English R&D amount = %q, want ¥100K", got)
		}
		if got := city.get("/cultivation/policies/jiangsu-rd-increase").doc(t).Find("#policy-amount").Text(); !strings.Contains(got, "up to ¥1M") {
			t.Errorf("English R&D formula = %q", got)
		}

		// API.
		e.createUser("uni", account.RoleInstitution, "320506")
		firmAPI, cityAPI, ksAPI, tcAPI, uniAPI, anon := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
		uniAPI.mustLoginAPI("uni")
		firmAPI.mustLoginAPI("firm")
		cityAPI.mustLoginAPI("city")
		ksAPI.mustLoginAPI("ks")
		tcAPI.mustLoginAPI("tc")
		apiPath := "/api/v1/enterprises/" + strconv.FormatInt(a.ID, 10) + "/policies"
		runSteps(t, []apiStep{
			{"anonymous list", anon, http.MethodGet, "/api/v1/policies", nil, 401},
			{"a university's list", uniAPI, http.MethodGet, "/api/v1/policies", nil, 403},
			{"list", firmAPI, http.MethodGet, "/api/v1/policies", nil, 200},
			{"one, firm", firmAPI, http.MethodGet, "/api/v1/policies/suzhou-little-giant", nil, 200},
			{"one, city", cityAPI, http.MethodGet, "/api/v1/policies/suzhou-little-giant?county=320583", nil, 200},
			{"one, 昆山 about 太仓", ksAPI, http.MethodGet, "/api/v1/policies/suzhou-little-giant?county=320585", nil, 404},
			{"unknown", cityAPI, http.MethodGet, "/api/v1/policies/no-such", nil, 404},
			{"bad county", cityAPI, http.MethodGet, "/api/v1/policies/suzhou-little-giant?county=32", nil, 422},
			{"firm's policies", firmAPI, http.MethodGet, apiPath, nil, 200},
			{"other county's firm", tcAPI, http.MethodGet, apiPath, nil, 404},
			{"claim, other county", tcAPI, http.MethodPut, apiPath + "/suzhou-little-giant", map[string]any{"status": "received"}, 404},
			{"claim, bad status", ksAPI, http.MethodPut, apiPath + "/suzhou-little-giant", map[string]any{"status": "won"}, 422},
			{"claim, unknown policy", ksAPI, http.MethodPut, apiPath + "/no-such", map[string]any{"status": "applied"}, 404},
			{"claim received", ksAPI, http.MethodPut, apiPath + "/suzhou-little-giant", map[string]any{"status": "received", "received_amount": 1e6, "note": "已拨付"}, 200},
		})
		var one struct {
			Uptake *struct {
				Total struct {
					Eligible, Received, Unclaimed int
				}
			}
		}
		cityAPI.api(http.MethodGet, "/api/v1/policies/suzhou-little-giant", nil).json(t, &one)
		if one.Uptake == nil || one.Uptake.Total.Eligible != 1 || one.Uptake.Total.Received != 1 || one.Uptake.Total.Unclaimed != 0 {
			t.Errorf("uptake after receipt = %+v", one.Uptake)
		}
		var mine []struct {
			Policy string
			Status string
			Amount *float64
			Claim  *struct {
				Status         string
				ReceivedAmount *float64 `json:"received_amount"`
			}
		}
		firmAPI.api(http.MethodGet, apiPath, nil).json(t, &mine)
		for _, p := range mine {
			if p.Policy == "suzhou-little-giant" && (p.Claim == nil || p.Claim.Status != "received" || p.Claim.ReceivedAmount == nil || *p.Claim.ReceivedAmount != 1e6) {
				t.Errorf("claim through the API = %+v", p.Claim)
			}
		}
		var firmView struct {
			Uptake *struct{} `json:"uptake"`
		}
		firmAPI.api(http.MethodGet, "/api/v1/policies/suzhou-little-giant", nil).json(t, &firmView)
		if firmView.Uptake != nil {
			t.Error("the firm's API view carries the take-up")
		}
		// Clearing the mark through the API.
		if res := firmAPI.api(http.MethodPut, apiPath+"/suzhou-little-giant", map[string]any{"status": ""}); res.status != http.StatusOK {
			t.Errorf("clear = %d %s", res.status, res.body)
		}
	})
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
