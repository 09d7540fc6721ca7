package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/workday"
)

// roundWorld is a city with two counties, an enterprise account linked to
// a 昆山 firm and a 吴江 firm without an account, on a clock set to
// Monday 21 September 2026, before 中秋 and 国庆.
type roundWorld struct {
	firmA, firmB cultivation.Enterprise
	city, wj     account.Actor
}

func setDay(e *env, day string) {
	e.clock.mu.Lock()
	e.clock.now = workday.MustParseDate(day).Start().Add(10 * time.Hour)
	e.clock.mu.Unlock()
}

func newRoundWorld(t *testing.T, e *env) roundWorld {
	t.Helper()
	setDay(e, "2026-09-21")
	cityUser := e.createUser("city", account.RoleStaff, "320500")
	e.createUser("ks", account.RoleCounty, "320583")
	wjUser := e.createUser("wj", account.RoleCounty, "320509")
	owner := e.createUser("firm", account.RoleEnterprise, "320583")
	staff := account.Actor{UserID: cityUser.ID, Username: "city", Role: account.RoleStaff, Region: "320500"}
	ctx := context.Background()
	a, err := e.app.Cultivation.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320583MA1RWEB01"),
		Name: "昆山慧眼视觉科技有限公司", RegionCode: "320583", Domain: "电子信息", AccountID: owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.app.Cultivation.CreateEnterprise(ctx, staff, cultivation.Enterprise{CreditCode: creditCode("91320509MA1RWEB02"),
		Name: "吴江新纤材料有限公司", RegionCode: "320509", Domain: "新材料"})
	if err != nil {
		t.Fatal(err)
	}
	return roundWorld{firmA: a, firmB: b, city: staff, wj: account.Actor{UserID: wjUser.ID, Username: "wj", Role: account.RoleCounty, Region: "320509"}}
}

// TestRoundsAPI drives a round through the API on both databases: the
// city opens it, the firm applies, a county sees only its own applicants
// (another county's application is 404), the city reviews all, the notice
// is public, an objection arrives anonymously and must be answered before
// the round closes and the number is issued.
func TestRoundsAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newRoundWorld(t, e)
		city, ks, wj, firm, public := e.client(), e.client(), e.client(), e.client(), e.client()
		city.mustLoginAPI("city")
		ks.mustLoginAPI("ks")
		wj.mustLoginAPI("wj")
		firm.mustLoginAPI("firm")

		in := map[string]any{"rule_set": "tech-sme", "year": 2026, "title": "2026年第三批科技型中小企业评价",
			"opens": "2026-09-01", "closes": "2026-09-30"}
		if res := ks.api(http.MethodPost, "/api/v1/rounds", in); res.status != http.StatusForbidden {
			t.Fatalf("county creates a round: %d %s", res.status, res.body)
		}
		bad := map[string]any{"rule_set": "above-scale", "year": 2026, "title": "x", "opens": "2026-09-30", "closes": "2026-09-01", "number_format": "{year}"}
		if res := city.api(http.MethodPost, "/api/v1/rounds", bad); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, `"rule_set"`) || !strings.Contains(res.body, `"closes"`) || !strings.Contains(res.body, `"number_format"`) {
			t.Fatalf("bad round: %d %s", res.status, res.body)
		}
		res := city.api(http.MethodPost, "/api/v1/rounds", in)
		if res.status != http.StatusCreated {
			t.Fatalf("create round: %d %s", res.status, res.body)
		}
		var round cultivation.Round
		res.json(t, &round)
		base := fmt.Sprintf("/api/v1/rounds/%d", round.ID)
		if res := firm.api(http.MethodGet, "/api/v1/rounds?state=open", nil); res.status != http.StatusOK || !strings.Contains(res.body, `"apply"`) {
			t.Fatalf("list rounds as the firm: %d %s", res.status, res.body)
		}
		if res := public.api(http.MethodGet, "/api/v1/rounds", nil); res.status != http.StatusUnauthorized {
			t.Fatalf("list rounds anonymously: %d", res.status)
		}

		res = firm.api(http.MethodPost, base+"/applications", map[string]any{"evidence": []map[string]string{{"condition": "", "name": "营业执照", "ref": "附件1"}}})
		if res.status != http.StatusCreated {
			t.Fatalf("firm applies: %d %s", res.status, res.body)
		}
		var appA cultivation.Application
		res.json(t, &appA)
		if res := firm.api(http.MethodPost, base+"/applications", map[string]any{}); res.status != http.StatusConflict {
			t.Fatalf("firm applies twice: %d %s", res.status, res.body)
		}
		res = wj.api(http.MethodPost, base+"/applications", map[string]any{"enterprise_id": w.firmB.ID})
		if res.status != http.StatusCreated {
			t.Fatalf("吴江 enters its firm: %d %s", res.status, res.body)
		}
		var appB cultivation.Application
		res.json(t, &appB)

		for _, c := range []struct {
			who  *client
			name string
			want int
		}{{ks, "ks", 1}, {wj, "wj", 1}, {city, "city", 2}, {firm, "firm", 1}} {
			var list struct{ Total int }
			res := c.who.api(http.MethodGet, base+"/applications", nil)
			res.json(t, &list)
			if res.status != http.StatusOK || list.Total != c.want {
				t.Errorf("%s lists %d applications (%d), want %d", c.name, list.Total, res.status, c.want)
			}
		}
		step := func(c *client, app cultivation.Application, name string, body any) response {
			t.Helper()
			return c.api(http.MethodPost, fmt.Sprintf("%s/applications/%d/%s", base, app.ID, name), body)
		}
		full := map[string]any{"checklist": map[string]bool{"complete": true, "consistent": true, "evidence": true}}
		if res := step(ks, appB, "recommend", full); res.status != http.StatusNotFound {
			t.Fatalf("昆山 recommends 吴江's applicant: %d %s, want 404", res.status, res.body)
		}
		if res := step(ks, appA, "recommend", map[string]any{"checklist": map[string]bool{"complete": true}}); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "checklist.evidence") {
			t.Fatalf("recommend with the checklist unmet: %d %s", res.status, res.body)
		}
		if res := step(ks, appA, "recommend", full); res.status != http.StatusOK {
			t.Fatalf("recommend: %d %s", res.status, res.body)
		}
		if res := step(wj, appB, "recommend", full); res.status != http.StatusOK {
			t.Fatalf("recommend B: %d %s", res.status, res.body)
		}
		if res := step(wj, appB, "accept", map[string]any{}); res.status != http.StatusForbidden {
			t.Fatalf("a county accepts: %d %s", res.status, res.body)
		}
		if res := step(city, appB, "send-back", map[string]any{}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("send back without a reason: %d %s", res.status, res.body)
		}
		if res := step(city, appB, "send-back", map[string]any{"reason": "研发费用归集口径需核实"}); res.status != http.StatusOK {
			t.Fatalf("send back: %d %s", res.status, res.body)
		}
		if res := step(wj, appB, "return", map[string]any{"reason": "缺少研发费用专项审计报告"}); res.status != http.StatusOK {
			t.Fatalf("return: %d %s", res.status, res.body)
		}
		if res := step(city, appA, "reject", map[string]any{}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("reject without a reason: %d %s", res.status, res.body)
		}
		if res := step(city, appA, "accept", map[string]any{}); res.status != http.StatusOK {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		if res := step(city, appA, "accept", map[string]any{}); res.status != http.StatusConflict {
			t.Fatalf("accept twice: %d %s", res.status, res.body)
		}
		// The returned firm files again; the city rejects it with a reason.
		res = wj.api(http.MethodPost, base+"/applications", map[string]any{"enterprise_id": w.firmB.ID})
		if res.status != http.StatusCreated {
			t.Fatalf("吴江 enters its firm again: %d %s", res.status, res.body)
		}
		var appB2 cultivation.Application
		res.json(t, &appB2)
		if res := step(wj, appB2, "recommend", full); res.status != http.StatusOK {
			t.Fatalf("recommend B again: %d %s", res.status, res.body)
		}
		if res := step(city, appB2, "reject", map[string]any{"reason": "研发费用占比未达标"}); res.status != http.StatusOK ||
			!strings.Contains(res.body, `"state":"rejected"`) {
			t.Fatalf("reject: %d %s", res.status, res.body)
		}

		if res := public.api(http.MethodGet, base+"/notice", nil); res.status != http.StatusNotFound {
			t.Fatalf("notice before 公示: %d", res.status)
		}
		if res := ks.api(http.MethodPost, base+"/start-notice", nil); res.status != http.StatusForbidden {
			t.Fatalf("a county starts the notice: %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodPost, base+"/start-notice", nil); res.status != http.StatusOK || !strings.Contains(res.body, `"state":"notice"`) {
			t.Fatalf("start the notice: %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodPost, base+"/close", nil); res.status != http.StatusConflict {
			t.Fatalf("close during the notice: %d %s", res.status, res.body)
		}
		res = public.api(http.MethodGet, base+"/notice", nil)
		var notice cultivation.Notice
		res.json(t, &notice)
		if res.status != http.StatusOK || len(notice.Firms) != 1 || notice.Firms[0].Name != w.firmA.Name || notice.NoticeUntil.String() != "2026-10-10" {
			t.Fatalf("public notice: %d %s", res.status, res.body)
		}
		obj := map[string]any{"round_id": round.ID, "application_id": appA.ID, "name": "王五", "contact": "13900000000",
			"reason": "该企业研发人员名单与社保缴纳记录不一致"}
		res = public.api(http.MethodPost, "/api/v1/objections", obj)
		if res.status != http.StatusCreated || strings.Contains(res.body, "13900000000") {
			t.Fatalf("objection: %d %s", res.status, res.body)
		}
		var o cultivation.Objection
		res.json(t, &o)
		long := map[string]any{"round_id": round.ID, "name": strings.Repeat("名", 51), "contact": "x", "reason": "r"}
		if res := public.api(http.MethodPost, "/api/v1/objections", long); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `"name"`) {
			t.Fatalf("objection with a long name: %d %s", res.status, res.body)
		}
		for i := 0; i < 2; i++ {
			public.api(http.MethodPost, "/api/v1/objections", map[string]any{"round_id": round.ID, "name": "赵六", "contact": "x", "reason": "重复"})
		}
		if res := public.api(http.MethodPost, "/api/v1/objections", obj); res.status != http.StatusTooManyRequests {
			t.Fatalf("fourth objection in an hour: %d %s", res.status, res.body)
		}
		if res := firm.api(http.MethodGet, "/api/v1/objections", nil); res.status != http.StatusForbidden {
			t.Fatalf("firm lists objections: %d", res.status)
		}
		if res := wj.api(http.MethodPost, fmt.Sprintf("/api/v1/objections/%d/answer", o.ID), map[string]any{"answer": "x"}); res.status != http.StatusNotFound {
			t.Fatalf("吴江 answers an objection about a 昆山 firm: %d %s, want 404", res.status, res.body)
		}
		res = city.api(http.MethodGet, fmt.Sprintf("/api/v1/objections?round=%d&open=true", round.ID), nil)
		var objs struct{ Items []cultivation.Objection }
		res.json(t, &objs)
		if res.status != http.StatusOK || len(objs.Items) != 3 || objs.Items[len(objs.Items)-1].Contact != "13900000000" {
			t.Fatalf("objections: %d %s", res.status, res.body)
		}

		setDay(e, "2026-10-12")
		city, firm = e.client(), e.client()
		city.mustLoginAPI("city")
		firm.mustLoginAPI("firm")
		tok := city.formToken(fmt.Sprintf("/cultivation/rounds/%d", round.ID))
		closeForm := func() response {
			return city.postForm(fmt.Sprintf("/cultivation/rounds/%d/close", round.ID), url.Values{"csrf_token": {tok}})
		}
		if res := closeForm(); res.status != http.StatusConflict || !strings.Contains(res.body, "异议未答复") {
			t.Fatalf("close with objections open: %d", res.status)
		}
		for _, it := range objs.Items {
			if res := city.api(http.MethodPost, fmt.Sprintf("/api/v1/objections/%d/answer", it.ID),
				map[string]any{"answer": "经核查，社保缴纳记录与申报一致，异议不成立。"}); res.status != http.StatusOK {
				t.Fatalf("answer: %d %s", res.status, res.body)
			}
		}
		if res := city.api(http.MethodPost, base+"/close", nil); res.status != http.StatusOK || !strings.Contains(res.body, `"state":"closed"`) {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		res = firm.api(http.MethodGet, base+"/applications", nil)
		if !strings.Contains(res.body, `"registry_number":"20263205830001"`) {
			t.Fatalf("firm's application after closing: %s", res.body)
		}
		res = public.api(http.MethodGet, base+"/notice", nil)
		if !strings.Contains(res.body, "20263205830001") {
			t.Fatalf("closed notice: %s", res.body)
		}
		if res := city.api(http.MethodGet, fmt.Sprintf("/api/v1/enterprises/%d", w.firmA.ID), nil); !strings.Contains(res.body, `"number":"20263205830001"`) {
			t.Fatalf("registry after closing: %s", res.body)
		}
		if res := city.get(fmt.Sprintf("/cultivation/enterprises/%d", w.firmA.ID)); !strings.Contains(res.doc(t).Find("#certificates").Text(), "登记编号 20263205830001") {
			t.Errorf("the profile's certificates = %q, want the registry number", res.doc(t).Find("#certificates").Text())
		}
		if res := city.api(http.MethodGet, base, nil); res.status != http.StatusOK || !strings.Contains(res.body, `"state":"closed"`) {
			t.Fatalf("round after closing: %d %s", res.status, res.body)
		}
		if res := city.api(http.MethodGet, "/api/v1/rounds/999999", nil); res.status != http.StatusNotFound {
			t.Fatalf("missing round: %d", res.status)
		}
	})
}

// TestRoundPages renders the rounds pages for each role: the list, the
// round with its counts, an application (another county's is 404), the
// public notice without a session, the objections and the export.
func TestRoundPages(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	w := newRoundWorld(t, e)
	ctx := context.Background()
	r, err := e.app.Cultivation.CreateRound(ctx, w.city, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "页面测试批次",
		Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
	if err != nil {
		t.Fatal(err)
	}
	appB, err := e.app.Cultivation.CreateApplication(ctx, w.wj, r.ID, cultivation.ApplicationInput{EnterpriseID: w.firmB.ID})
	if err != nil {
		t.Fatal(err)
	}
	ks, city, anon := e.client(), e.client(), e.client()
	ks.loginForm("ks", testPassword)
	city.loginForm("city", testPassword)
	if res := ks.get(fmt.Sprintf("/cultivation/rounds/%d/applications/%d", r.ID, appB.ID)); res.status != http.StatusNotFound {
		t.Fatalf("昆山 opens 吴江's application: %d, want 404", res.status)
	}
	res := city.get(fmt.Sprintf("/cultivation/rounds/%d/applications/%d", r.ID, appB.ID))
	if res.status != http.StatusOK || res.doc(t).Find("#application-title").Text() != w.firmB.Name {
		t.Fatalf("city opens the application: %d", res.status)
	}
	res = city.get(fmt.Sprintf("/cultivation/rounds/%d", r.ID))
	if d := res.doc(t); res.status != http.StatusOK || d.Find("#applications tbody tr[data-state]").Length() != 1 || d.Find("#stage-counts tbody tr").Length() != 1 {
		t.Fatalf("round page: %d", res.status)
	}
	if res := ks.get(fmt.Sprintf("/cultivation/rounds/%d", r.ID)); res.doc(t).Find("#applications tbody tr[data-state]").Length() != 0 {
		t.Fatal("昆山 sees 吴江's applicant on the round page")
	}
	if res := city.get("/cultivation/rounds"); res.status != http.StatusOK || res.doc(t).Find("#round-form").Length() != 1 {
		t.Fatalf("rounds list for the city: %d", res.status)
	}
	if res := ks.get("/cultivation/rounds"); res.status != http.StatusOK || res.doc(t).Find("#round-form").Length() != 0 {
		t.Fatalf("rounds list for a county: %d", res.status)
	}
	tok := city.formToken("/cultivation/rounds")
	res = city.postForm("/cultivation/rounds", url.Values{"csrf_token": {tok}, "title": {""}, "rule_set": {"tech-sme"}, "year": {"2026"},
		"opens": {"2026-09-01"}, "closes": {"bad"}, "levels": {"county_city"}, "notice_days": {"10"}, "number_format": {"{year}{region}{seq:4}"}})
	if res.status != http.StatusUnprocessableEntity || res.doc(t).Find(`input[name="opens"]`).AttrOr("value", "") != "2026-09-01" {
		t.Fatalf("round form with errors: %d", res.status)
	}
	if res := anon.get(fmt.Sprintf("/cultivation/rounds/%d/notice", r.ID)); res.status != http.StatusNotFound {
		t.Fatalf("notice of an open round: %d", res.status)
	}
	res = city.get(fmt.Sprintf("/cultivation/rounds/%d/export.xlsx?state=submitted", r.ID))
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "PK") {
		t.Fatalf("export: %d", res.status)
	}
	if res := city.get("/cultivation/rounds/objections"); res.status != http.StatusOK {
		t.Fatalf("objections page: %d", res.status)
	}
}

// TestRoundDemo checks that the demo's rounds give every rounds page
// content: an open round with applicants at every stage, a round on
// public notice with firms and an objection waiting for an answer.
func TestRoundDemo(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	if _, err := e.app.LoadDemo(context.Background(), testPassword); err != nil {
		t.Fatal(err)
	}
	staff := e.client()
	staff.mustLoginAPI("staff")
	var rounds struct{ Items []cultivation.Round }
	staff.api(http.MethodGet, "/api/v1/rounds", nil).json(t, &rounds)
	if len(rounds.Items) != 2 {
		t.Fatalf("demo rounds = %d, want 2", len(rounds.Items))
	}
	for _, r := range rounds.Items {
		var apps struct{ Items []cultivation.Application }
		staff.api(http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/applications?per_page=200", r.ID), nil).json(t, &apps)
		states := map[cultivation.AppState]bool{}
		for _, a := range apps.Items {
			states[a.State] = true
		}
		switch r.State {
		case cultivation.RoundOpen:
			for _, st := range []cultivation.AppState{cultivation.AppSubmitted, cultivation.AppRecommended, cultivation.AppReturned,
				cultivation.AppSentBack, cultivation.AppAccepted, cultivation.AppRejected} {
				if !states[st] {
					t.Errorf("open demo round has no application %s", st)
				}
			}
		case cultivation.RoundNotice:
			res := e.client().get(fmt.Sprintf("/cultivation/rounds/%d/notice", r.ID))
			if res.status != http.StatusOK || res.doc(t).Find("#notice-firms .firm-name").Length() == 0 || res.doc(t).Find("#objection-form").Length() != 1 {
				t.Errorf("demo notice page: %d", res.status)
			}
			var objs struct{ Total int }
			staff.api(http.MethodGet, fmt.Sprintf("/api/v1/objections?round=%d&open=true", r.ID), nil).json(t, &objs)
			if objs.Total != 1 {
				t.Errorf("open demo objections = %d, want 1", objs.Total)
			}
		default:
			t.Errorf("demo round %q is %s", r.Title, r.State)
		}
	}
	firm := e.client()
	firm.mustLoginAPI("enterprise")
	var mine struct{ Total int }
	firm.api(http.MethodGet, fmt.Sprintf("/api/v1/rounds/%d/applications", rounds.Items[len(rounds.Items)-1].ID), nil).json(t, &mine)
	if mine.Total != 1 {
		t.Errorf("the demo enterprise sees %d applications in the open round, want its own", mine.Total)
	}
}

// TestRoundEvidenceFiles uploads evidence to an application on both
// databases: the county uploads a PDF, a text file named .pdf is refused,
// another county cannot fetch the file (404), the city can, and nothing
// more is taken once the county has recommended.
func TestRoundEvidenceFiles(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newRoundWorld(t, e)
		ctx := context.Background()
		r, err := e.app.Cultivation.CreateRound(ctx, w.city, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "材料测试批次",
			Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30")})
		if err != nil {
			t.Fatal(err)
		}
		app, err := e.app.Cultivation.CreateApplication(ctx, w.wj, r.ID, cultivation.ApplicationInput{EnterpriseID: w.firmB.ID})
		if err != nil {
			t.Fatal(err)
		}
		wj, ks, city := e.client(), e.client(), e.client()
		wj.loginForm("wj", testPassword)
		ks.loginForm("ks", testPassword)
		city.loginForm("city", testPassword)
		page := fmt.Sprintf("/cultivation/rounds/%d/applications/%d", r.ID, app.ID)
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		tok := wj.formToken(page)
		if res := wj.upload(page+"/files", tok, "审计报告.pdf", pdf, map[string]string{"condition": ""}); res.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		if res := wj.upload(page+"/files", tok, "假的.pdf", []byte("just text"), nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("upload of text named .pdf: %d", res.status)
		}
		if res := wj.upload(page+"/files", tok, "a.pdf", pdf, map[string]string{"condition": "no-such"}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("upload for an unknown condition: %d", res.status)
		}
		got, err := e.app.Cultivation.GetApplication(ctx, w.city, r.ID, app.ID)
		if err != nil || len(got.Files) != 1 {
			t.Fatalf("files after upload = %+v, %v", got.Files, err)
		}
		file := fmt.Sprintf("%s/files/%d", page, got.Files[0].ID)
		if res := ks.get(file); res.status != http.StatusNotFound {
			t.Fatalf("昆山 fetches 吴江's file: %d, want 404", res.status)
		}
		if res := city.get(file); res.status != http.StatusOK || res.body != string(pdf) || res.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("city fetches the file: %d %q", res.status, res.header.Get("Content-Type"))
		}
		if res := city.get(page); res.doc(t).Find("a.evidence-file").Length() != 1 || res.doc(t).Find("#upload-form").Length() != 0 {
			t.Fatal("the application page does not list the file for the city, or offers the city an upload")
		}
		if _, err := e.app.Cultivation.StepApplication(ctx, w.wj, r.ID, app.ID, cultivation.StepRecommend,
			cultivation.StepInput{Checklist: cultivation.Checklist{Complete: true, Consistent: true, Evidence: true}}); err != nil {
			t.Fatal(err)
		}
		if res := wj.upload(page+"/files", tok, "b.pdf", pdf, nil); res.status != http.StatusForbidden {
			t.Fatalf("upload after recommending: %d", res.status)
		}
	})
}

// TestRoundPagesInEnglish: no internal code (a state, a level, a rule-set
// id) reaches an English reader of the rounds pages.
func TestRoundPagesInEnglish(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	w := newRoundWorld(t, e)
	ctx := context.Background()
	r, err := e.app.Cultivation.CreateRound(ctx, w.city, cultivation.RoundInput{RuleSet: "tech-sme", Year: 2026, Title: "Round",
		Opens: workday.MustParseDate("2026-09-01"), Closes: workday.MustParseDate("2026-09-30"), Levels: cultivation.LevelsCountyCityProvince})
	if err != nil {
		t.Fatal(err)
	}
	app, err := e.app.Cultivation.CreateApplication(ctx, w.wj, r.ID, cultivation.ApplicationInput{EnterpriseID: w.firmB.ID})
	if err != nil {
		t.Fatal(err)
	}
	city := e.client()
	city.loginForm("city", testPassword)
	city.get("/lang/en?next=/")
	for _, path := range []string{"/cultivation/rounds", fmt.Sprintf("/cultivation/rounds/%d", r.ID),
		fmt.Sprintf("/cultivation/rounds/%d/applications/%d", r.ID, app.ID)} {
		res := city.get(path)
		text := res.doc(t).Find("main").Text()
		if res.status != http.StatusOK || text == "" {
			t.Fatalf("%s: %d", path, res.status)
		}
		for _, code := range []string{"tech-sme", "county_city", "submitted", "sent_back", "round.", "verdict.", "待区县审查", "科技型中小企业"} {
			if strings.Contains(text, code) {
				t.Errorf("%s in English shows %q", path, code)
			}
		}
	}
}
