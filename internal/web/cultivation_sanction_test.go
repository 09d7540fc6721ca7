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

// TestSpotChecksAndBlacklist runs the spot-check and blacklist API and
// pages: the city draws, a county sees and records only its own drawn
// firms (another county 404), a failed check revokes the certificate and
// shows on the public page, the blacklist is public to read and
// staff-only to write, and another city's staff get 404.
func TestSpotChecksAndBlacklist(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ksU := e.createUser("ks", account.RoleCounty, "320583")
		tcU := e.createUser("tc", account.RoleCounty, "320585")
		e.createUser("wj", account.RoleCounty, "320509")
		e.createUser("city", account.RoleStaff, "320500")
		e.createUser("wx", account.RoleStaff, "320200")
		firmU := e.createUser("firm", account.RoleEnterprise, "320583")
		ks := account.Actor{UserID: ksU.ID, Username: "ks", Role: account.RoleCounty, Region: "320583"}
		tc := account.Actor{UserID: tcU.ID, Username: "tc", Role: account.RoleCounty, Region: "320585"}
		cert := []cultivation.Certificate{{Type: "high-tech", Issued: cultivation.Date{Time: e.clock.Now().AddDate(-1, 0, 0)}}}
		var ksFirm, tcFirm cultivation.Enterprise
		for i, f := range []struct {
			code  string
			actor account.Actor
		}{{"91320583MA1KCW001", ks}, {"91320583MA1KCW002", ks}, {"91320585MA1KCW003", tc}} {
			ent := cultivation.Enterprise{CreditCode: creditCode(f.code), Name: "抽查示例企业" + strconv.Itoa(i+1), RegionCode: f.actor.Region,
				Certificates: cert}
			if i == 0 {
				ent.AccountID = firmU.ID
			}
			out, err := e.app.Cultivation.CreateEnterprise(ctx, f.actor, ent)
			if err != nil {
				t.Fatal(err)
			}
			switch i {
			case 0:
				ksFirm = out
			case 2:
				tcFirm = out
			}
		}

		city, ksC, tcC, wjC, wxC, anon := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
		city.mustLoginAPI("city")
		ksC.mustLoginAPI("ks")
		tcC.mustLoginAPI("tc")
		wjC.mustLoginAPI("wj")
		wxC.mustLoginAPI("wx")

		// Draw: staff only, fields checked, seed recorded.
		draw := map[string]any{"title": "2026年高企抽查", "rule_set": "high-tech", "share_percent": 100, "seed": 99}
		if res := ksC.api(http.MethodPost, "/api/v1/spot-checks", draw); res.status != http.StatusForbidden {
			t.Errorf("county draw = %d, want 403", res.status)
		}
		if res := city.api(http.MethodPost, "/api/v1/spot-checks", map[string]any{"title": "x", "rule_set": "high-tech", "share_percent": 0}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "share_percent") {
			t.Errorf("zero share = %d %s, want 422 naming share_percent", res.status, res.body)
		}
		res := city.api(http.MethodPost, "/api/v1/spot-checks", draw)
		var c cultivation.SpotCheck
		res.json(t, &c)
		if res.status != http.StatusCreated || c.Seed != 99 || c.Drawn != 3 || len(c.Population) != 3 || len(c.Conditions) == 0 {
			t.Fatalf("draw = %d %s", res.status, res.body)
		}
		path := "/api/v1/spot-checks/" + strconv.FormatInt(c.ID, 10)
		if res := city.api(http.MethodGet, "/api/v1/spot-checks?page=1&per_page=10", nil); res.status != http.StatusOK || !strings.Contains(res.body, "2026年高企抽查") {
			t.Errorf("list = %d %s", res.status, res.body)
		}

		// County isolation.
		var tcView cultivation.SpotCheck
		res = tcC.api(http.MethodGet, path, nil)
		res.json(t, &tcView)
		if res.status != http.StatusOK || len(tcView.Firms) != 1 || tcView.Firms[0].EnterpriseID != tcFirm.ID || tcView.Population != nil {
			t.Errorf("太仓 view = %d %s", res.status, res.body)
		}
		if res := wjC.api(http.MethodGet, path, nil); res.status != http.StatusNotFound {
			t.Errorf("吴江 view = %d, want 404", res.status)
		}
		firmPath := path + "/firms/" + strconv.FormatInt(ksFirm.ID, 10)
		findings := func(fail bool) []map[string]string {
			var out []map[string]string
			for _, p := range c.Conditions {
				f := map[string]string{"condition": p.ID, "result": "pass", "note": ""}
				if fail && len(out) == 0 {
					f["result"], f["note"] = "fail", "研发人员名单与社保记录不符"
				}
				out = append(out, f)
			}
			return out
		}
		if res := tcC.api(http.MethodPut, firmPath, map[string]any{"findings": findings(false)}); res.status != http.StatusNotFound {
			t.Errorf("太仓 records a 昆山 firm = %d, want 404", res.status)
		}
		if res := ksC.api(http.MethodPut, firmPath, map[string]any{"findings": findings(true)[:1]}); res.status != http.StatusOK {
			t.Errorf("partial findings = %d %s", res.status, res.body)
		}
		if res := ksC.api(http.MethodPut, firmPath, map[string]any{"findings": findings(true), "complete": true}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "reason") {
			t.Errorf("fail without reason = %d %s, want 422 naming reason", res.status, res.body)
		}
		var firm cultivation.SpotCheckFirm
		res = ksC.api(http.MethodPut, firmPath, map[string]any{"findings": findings(true), "complete": true, "reason": "研发人员弄虚作假"})
		res.json(t, &firm)
		if res.status != http.StatusOK || firm.Outcome != "fail" || firm.Revocation == nil {
			t.Fatalf("failing check = %d %s", res.status, res.body)
		}
		if res := ksC.api(http.MethodPut, firmPath, map[string]any{"findings": findings(false), "complete": true}); res.status != http.StatusConflict {
			t.Errorf("recording again = %d, want 409", res.status)
		}
		got, _ := e.app.Cultivation.GetEnterprise(ctx, ks, ksFirm.ID)
		if st := got.Standing(e.clock.Now()); st.Tier != "" {
			t.Errorf("standing after revocation = %q, want none", st.Tier)
		}

		// Pages: the county's detail shows its two firms; the findings form refuses a fail without reason.
		ksP := e.client()
		ksP.loginForm("ks", testPassword)
		d := ksP.get("/cultivation/spot-checks/" + strconv.FormatInt(c.ID, 10)).doc(t)
		if n := d.Find("#drawn-firms tbody tr").Length(); n != 2 || !strings.Contains(d.Find("#seed").Text(), "99") {
			t.Errorf("昆山 detail: %d rows, seed %q", n, d.Find("#seed").Text())
		}
		if !strings.Contains(d.Find("#drawn-firms").Text(), "不合格") {
			t.Errorf("the failed firm is not marked: %q", d.Find("#drawn-firms").Text())
		}
		other := c.Firms[0].EnterpriseID
		for _, f := range c.Firms {
			if f.EnterpriseID != ksFirm.ID && f.RegionCode == "320583" {
				other = f.EnterpriseID
			}
		}
		formPath := "/cultivation/spot-checks/" + strconv.FormatInt(c.ID, 10) + "/firms/" + strconv.FormatInt(other, 10)
		tok := ksP.formToken(formPath)
		form := url.Values{"csrf_token": {tok}, "complete": {"true"}}
		for i, p := range c.Conditions {
			form.Set("result_"+p.ID, "pass")
			if i == 0 {
				form.Set("result_"+p.ID, "fail")
				form.Set("note_"+p.ID, "账实不符")
			}
		}
		if res := ksP.postForm(formPath, form); res.status != http.StatusUnprocessableEntity || res.doc(t).Find(".field-error").Length() == 0 {
			t.Errorf("page fail without reason = %d", res.status)
		}
		for _, p := range c.Conditions {
			form.Set("result_"+p.ID, "pass")
		}
		if res := ksP.postForm(formPath, form); res.status != http.StatusSeeOther {
			t.Errorf("page pass = %d %s", res.status, res.body)
		}
		profile := ksP.get("/cultivation/enterprises/" + strconv.FormatInt(ksFirm.ID, 10)).doc(t)
		if txt := profile.Find("#certificates").Text(); !strings.Contains(txt, "已撤销") {
			t.Errorf("profile certificates = %q, want 已撤销", txt)
		}
		year := strconv.Itoa(e.clock.Now().Year())
		if txt := profile.Find("#sanctions").Text(); !strings.Contains(txt, "高新技术企业资格于") || !strings.Contains(txt, "研发人员弄虚作假") ||
			!strings.Contains(txt, year+" 年度不得再次申报") {
			t.Errorf("profile sanctions = %q", txt)
		}
		wjP := e.client()
		wjP.loginForm("wj", testPassword)
		if res := wjP.get("/cultivation/spot-checks/" + strconv.FormatInt(c.ID, 10)); res.status != http.StatusNotFound {
			t.Errorf("吴江 detail page = %d, want 404", res.status)
		}

		// Blacklist: public read, staff write, another city 404.
		list := map[string]any{"enterprise_id": tcFirm.ID, "kind": "dishonest", "reason": "列入严重失信主体名单", "document": "苏信用〔2026〕12号",
			"ends_on": e.clock.Now().AddDate(1, 0, 0).Format("2006-01-02")}
		if res := tcC.api(http.MethodPost, "/api/v1/blacklist", list); res.status != http.StatusForbidden {
			t.Errorf("county lists = %d, want 403", res.status)
		}
		if res := wxC.api(http.MethodPost, "/api/v1/blacklist", list); res.status != http.StatusUnprocessableEntity {
			t.Errorf("another city lists = %d, want 422", res.status)
		}
		var entry cultivation.BlacklistEntry
		res = city.api(http.MethodPost, "/api/v1/blacklist", list)
		res.json(t, &entry)
		if res.status != http.StatusCreated || entry.Kind != "dishonest" {
			t.Fatalf("list = %d %s", res.status, res.body)
		}
		if res := anon.api(http.MethodGet, "/api/v1/blacklist", nil); res.status != http.StatusOK || !strings.Contains(res.body, tcFirm.CreditCode) {
			t.Errorf("public blacklist = %d %s", res.status, res.body)
		}
		if res := anon.api(http.MethodGet, "/api/v1/blacklist?all=true", nil); res.status != http.StatusUnauthorized {
			t.Errorf("anonymous all = %d, want 401", res.status)
		}
		if res := tcC.api(http.MethodGet, "/api/v1/blacklist?all=true", nil); res.status != http.StatusForbidden {
			t.Errorf("county all = %d, want 403", res.status)
		}
		removal := "/api/v1/blacklist/" + strconv.FormatInt(entry.ID, 10) + "/removal"
		if res := wxC.api(http.MethodPost, removal, map[string]string{"reason": "复议"}); res.status != http.StatusNotFound {
			t.Errorf("another city removes = %d, want 404", res.status)
		}
		if res := city.api(http.MethodPost, removal, map[string]string{"reason": ""}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("removal without reason = %d, want 422", res.status)
		}
		if res := city.api(http.MethodPost, removal, map[string]string{"reason": "信用修复完成"}); res.status != http.StatusOK {
			t.Errorf("removal = %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodPost, removal, map[string]string{"reason": "again"}); res.status != http.StatusConflict {
			t.Errorf("removal twice = %d, want 409", res.status)
		}
		if res := city.api(http.MethodGet, "/api/v1/blacklist?all=true&page=1&per_page=5", nil); res.status != http.StatusOK || !strings.Contains(res.body, "信用修复完成") {
			t.Errorf("staff all = %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodPost, "/api/v1/blacklist", list); res.status != http.StatusCreated {
			t.Errorf("listing again after removal = %d %s", res.status, res.body)
		}

		// The public page: no login, the revocation and the listing, in Chinese and English.
		d = anon.get("/cultivation/public/sanctions").doc(t)
		if txt := d.Find("#public-revocations").Text(); !strings.Contains(txt, ksFirm.Name) || !strings.Contains(txt, "研发人员弄虚作假") ||
			!strings.Contains(txt, "高新技术企业") {
			t.Errorf("public revocations = %q", txt)
		}
		if txt := d.Find("#public-blacklist").Text(); !strings.Contains(txt, tcFirm.CreditCode) || !strings.Contains(txt, "严重失信") {
			t.Errorf("public blacklist = %q", txt)
		}
		if d := anon.get("/cultivation/public/sanctions?list=blacklist&page=1").doc(t); d.Find("#public-blacklist tbody tr").Length() != 1 ||
			d.Find("#public-revocations").Length() != 0 {
			t.Errorf("blacklist alone: %d rows, revocations shown %d", d.Find("#public-blacklist tbody tr").Length(), d.Find("#public-revocations").Length())
		}
		if res := anon.get("/cultivation/public/sanctions?list=all"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad list = %d, want 422", res.status)
		}
		anon.get("/lang/en?next=/")
		d = anon.get("/cultivation/public/sanctions").doc(t)
		if txt := d.Find("main").Text(); !strings.Contains(txt, "Revoked titles") || !strings.Contains(txt, "Serious breach of trust") ||
			strings.Contains(txt, "high-tech") || strings.Contains(txt, "dishonest") {
			t.Errorf("English public page = %q", txt)
		}
		cityP := e.client()
		cityP.loginForm("city", testPassword)
		if d := cityP.get("/cultivation/blacklist").doc(t); d.Find("#blacklist tbody tr").Length() != 2 {
			t.Errorf("staff blacklist rows = %d, want 2", d.Find("#blacklist tbody tr").Length())
		}
		if res := ksP.get("/cultivation/blacklist"); res.status != http.StatusForbidden {
			t.Errorf("county blacklist page = %d, want 403", res.status)
		}
	})
}
