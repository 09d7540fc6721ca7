package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/challenge"
	"kechuang/internal/directory"
	"kechuang/internal/project"
)

// challengeWorld is a city with its staff, two counties, two firms, two
// reviewer experts with accounts and a responsible unit.
type challengeWorld struct {
	staff, firmA, firmB account.Actor
	unit                project.Unit
}

func (e *env) userWithOrg(username, org string, role account.Role, region string) account.Actor {
	e.t.Helper()
	u, err := e.accounts.CreateUser(context.Background(), account.System, account.NewUser{Username: username, DisplayName: username,
		Organization: org, Role: role, RegionCode: region, Password: testPassword})
	if err != nil {
		e.t.Fatalf("create %s: %v", username, err)
	}
	return account.Actor{UserID: u.ID, Username: u.Username, DisplayName: username, Role: role, Region: region}
}

func newChallengeWorld(t *testing.T, e *env) challengeWorld {
	t.Helper()
	setDay(e, "2026-09-21")
	ctx := context.Background()
	w := challengeWorld{staff: e.userWithOrg("city", "苏州市科学技术局", account.RoleStaff, "320500"),
		firmA: e.userWithOrg("firma", "昆山甲精密制造有限公司", account.RoleEnterprise, "320583"),
		firmB: e.userWithOrg("firmb", "苏州乙新材料有限公司", account.RoleEnterprise, "320505")}
	e.createUser("ks", account.RoleCounty, "320583")
	e.createUser("wj", account.RoleCounty, "320509")
	for i, r := range []struct{ name, org, region string }{{"赵教授", "苏州丁大学", "320505"}, {"孙研究员", "苏州戊研究院", "320506"}} {
		a := e.userWithOrg(fmt.Sprintf("expert%d", i+1), r.org, account.RoleInstitution, r.region)
		ex, err := e.app.Directory.CreateExpert(ctx, w.staff, directory.ExpertInput{Name: r.name, Affiliation: r.org, Title: "教授",
			Disciplines: []string{"材料科学与工程"}, Roles: []string{challenge.ReviewerRole}, RegionCode: r.region})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.app.Directory.LinkExpertAccount(ctx, w.staff, ex.ID, a.UserID); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if w.unit, err = e.app.Projects.CreateUnit(ctx, w.staff, project.UnitInput{RegionCode: "320500", Name: "市科技局重大专项处"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func challengeBody(title string) map[string]any {
	return map[string]any{"title": title, "problem": "现有碳纤维复合材料成型周期长、成本高，难以在汽车轻量化部件中批量应用。",
		"indicators": []string{"成型周期不超过 5 分钟", "拉伸强度不低于 600 MPa"}, "field": "材料科学与工程", "budget": 500,
		"period_months": 24, "eligibility": "注册在本市的企业、高校或科研院所。", "ip_terms": "知识产权归揭榜方所有，发榜方享有免费实施许可。",
		"payment_terms": "签约后拨付 30%，中期考核后拨付 40%，验收后拨付 30%。",
		"criteria":      []map[string]any{{"name": "技术先进性", "weight": 40}, {"name": "方案可行性", "weight": 40}, {"name": "团队能力", "weight": 20}},
		"apply_until":   "2026-10-09"}
}

func applicationBody(org string) map[string]any {
	return map[string]any{"org_name": org, "team": []map[string]string{{"name": "钱工", "role": "项目负责人", "affiliation": org}},
		"proposal": "采用快速固化树脂体系与高压树脂传递模塑工艺。", "budget": 480, "accepted_terms": true,
		"milestones": []map[string]string{{"name": "工艺验证", "due": "2027-03-31"}, {"name": "批量验证", "due": "2027-12-31"}}}
}

// TestChallengeAPI walks the challenge API: a 政府榜 is drafted, submitted
// and published; firms apply; the panel is drawn, the applications
// screened, the reviewers declare and score; the notice names the best.
// Along the way it checks who gets 404: another county for a county's
// draft, other firms, other counties and visitors for an application,
// firms for the review.
func TestChallengeAPI(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		w := newChallengeWorld(t, e)
		city := e.client()
		city.mustLoginAPI("city")

		res := city.api(http.MethodPost, "/api/v1/challenges", challengeBody("高性能碳纤维复合材料低成本制备技术"))
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var c challenge.Challenge
		res.json(t, &c)
		bad := challengeBody("权重不对的榜单")
		bad["criteria"] = []map[string]any{{"name": "技术先进性", "weight": 40}}
		if res := city.api(http.MethodPost, "/api/v1/challenges", bad); res.status != http.StatusUnprocessableEntity {
			t.Errorf("weights summing to 40: %d", res.status)
		}
		base := fmt.Sprintf("/api/v1/challenges/%d", c.ID)
		step := func(cl *client, action string, extra map[string]any) response {
			body := map[string]any{"action": action}
			for k, v := range extra {
				body[k] = v
			}
			return cl.api(http.MethodPost, base+"/steps", body)
		}
		for _, act := range []string{"submit", "approve"} {
			if res := step(city, act, nil); res.status != http.StatusOK {
				t.Fatalf("%s: %d %s", act, res.status, res.body)
			}
		}
		visitor := e.client()
		if res := visitor.get("/api/v1/challenges?stage=published"); res.status != http.StatusOK {
			t.Errorf("public list: %d", res.status)
		} else {
			var list struct{ Total int }
			res.json(t, &list)
			if list.Total != 1 {
				t.Errorf("public list holds %d, want 1", list.Total)
			}
		}
		if res := visitor.get(base); res.status != http.StatusOK {
			t.Errorf("public challenge: %d", res.status)
		}

		// A county's draft is 404 to another county.
		ks, wj := e.client(), e.client()
		ks.mustLoginAPI("ks")
		wj.mustLoginAPI("wj")
		res = ks.api(http.MethodPost, "/api/v1/challenges", challengeBody("精密主轴轴承寿命提升技术"))
		var draft challenge.Challenge
		res.json(t, &draft)
		if res := wj.get(fmt.Sprintf("/api/v1/challenges/%d", draft.ID)); res.status != http.StatusNotFound {
			t.Errorf("another county reads a county's draft: %d", res.status)
		}
		// Submitted, it waits for review on its county's workbench, and
		// only there.
		if res := ks.api(http.MethodPost, fmt.Sprintf("/api/v1/challenges/%d/steps", draft.ID), map[string]any{"action": "submit"}); res.status != http.StatusOK {
			t.Fatalf("county submits its draft: %d %s", res.status, res.body)
		}
		todo := func(c *client) string {
			return strings.TrimSpace(c.get("/").doc(t).Find(`#todos a[href="/challenges?stage=review"] .todo-count`).Text())
		}
		if got := todo(ks); got != "1" {
			t.Errorf("昆山's workbench shows %q challenges to review, want 1", got)
		}
		if got := todo(wj); got != "" {
			t.Errorf("吴江's workbench shows another county's challenge to review: %q", got)
		}

		firmA, firmB := e.client(), e.client()
		firmA.mustLoginAPI("firma")
		firmB.mustLoginAPI("firmb")
		res = firmA.api(http.MethodPost, base+"/applications", applicationBody("昆山甲精密制造有限公司"))
		if res.status != http.StatusCreated {
			t.Fatalf("apply: %d %s", res.status, res.body)
		}
		var appA challenge.Application
		res.json(t, &appA)
		res = firmB.api(http.MethodPost, base+"/applications", applicationBody("苏州乙新材料有限公司"))
		var appB challenge.Application
		res.json(t, &appB)
		page := fmt.Sprintf("/challenges/%d/applications/%d", c.ID, appA.ID)
		for _, who := range []struct {
			name string
			c    *client
		}{{"another applicant", firmB}, {"another county", wj}, {"anonymous", visitor}} {
			if res := who.c.get(page); res.status != http.StatusNotFound {
				t.Errorf("%s opens an application: %d", who.name, res.status)
			}
		}
		if res := firmA.get(page); res.status != http.StatusOK {
			t.Errorf("the applicant opens its application: %d", res.status)
		}
		var apps struct{ Items []challenge.Application }
		firmB.get(base+"/applications").json(t, &apps)
		if len(apps.Items) != 1 || apps.Items[0].ID != appB.ID {
			t.Errorf("firm B lists %+v, want its own", apps.Items)
		}
		wj.get(base+"/applications").json(t, &apps)
		if len(apps.Items) != 0 {
			t.Errorf("another county lists %d applications", len(apps.Items))
		}

		for _, act := range []string{"close", "screen"} {
			if res := step(city, act, nil); res.status != http.StatusOK {
				t.Fatalf("%s: %d %s", act, res.status, res.body)
			}
		}
		form := func(cl *client, path string, v url.Values) response {
			v.Set("csrf_token", cl.csrf)
			return cl.postForm(path, v)
		}
		if res := form(city, fmt.Sprintf("/challenges/%d/panel", c.ID), url.Values{"size": {"2"}}); res.status != http.StatusSeeOther {
			t.Fatalf("draw: %d %s", res.status, res.body)
		}
		for _, id := range []int64{appA.ID, appB.ID} {
			if res := form(city, fmt.Sprintf("/challenges/%d/applications/%d/check", c.ID, id), url.Values{"result": {"pass"}}); res.status != http.StatusSeeOther {
				t.Fatalf("check: %d %s", res.status, res.body)
			}
		}
		if res := step(city, "review", nil); res.status != http.StatusOK {
			t.Fatalf("review: %d %s", res.status, res.body)
		}
		for i, scores := range [][2][]float64{{{90, 80, 80}, {70, 70, 70}}, {{80, 90, 90}, {75, 75, 75}}} {
			rev := e.client()
			rev.mustLoginAPI(fmt.Sprintf("expert%d", i+1))
			if res := form(rev, fmt.Sprintf("/challenges/%d/declaration", c.ID), url.Values{"conflict": {"false"}}); res.status != http.StatusSeeOther {
				t.Fatalf("declare: %d %s", res.status, res.body)
			}
			for j, id := range []int64{appA.ID, appB.ID} {
				res := rev.api(http.MethodPost, base+"/reviews", map[string]any{"application_id": id, "scores": scores[j], "comment": "方案完整"})
				if res.status != http.StatusCreated {
					t.Fatalf("score: %d %s", res.status, res.body)
				}
			}
			if res := rev.get(base + "/reviews"); res.status != http.StatusOK {
				t.Errorf("reviewer reads the review: %d", res.status)
			}
		}
		if res := firmA.get(base + "/reviews"); res.status != http.StatusNotFound {
			t.Errorf("an applicant reads the review: %d", res.status)
		}
		if res := wj.get(base + "/reviews"); res.status != http.StatusNotFound {
			t.Errorf("another county reads the review: %d", res.status)
		}
		var rv challenge.Review
		city.get(base+"/reviews").json(t, &rv)
		// A: 84 and 86 → 85; B: 70 and 75 → 72.5.
		if len(rv.Ranking) != 2 || rv.Ranking[0].ApplicationID != appA.ID || rv.Ranking[0].Score != 85 || rv.Ranking[1].Score != 72.5 {
			t.Fatalf("ranking %+v", rv.Ranking)
		}
		if res := step(city, "notice", map[string]any{"application_id": appA.ID}); res.status != http.StatusOK {
			t.Fatalf("notice: %d %s", res.status, res.body)
		}
		if res := visitor.get(fmt.Sprintf("/challenges/%d/notice", c.ID)); res.status != http.StatusOK {
			t.Errorf("public notice: %d", res.status)
		} else if got := res.doc(t).Find("#notice-selected strong").Text(); got != "昆山甲精密制造有限公司" {
			t.Errorf("the notice names %q", got)
		}
		if res := step(city, "sign", map[string]any{"unit_id": w.unit.ID}); res.status != http.StatusConflict {
			t.Errorf("signing during the notice: %d", res.status)
		}
	})
}

// TestChallengeNewPrefill: the new-challenge form takes title and problem
// from the query (the 产业链 pages link here), and refuses bad text.
func TestChallengeNewPrefill(t *testing.T) {
	e := newEnv(t, dbtestOpenSQLite(t))
	e.createUser("city", account.RoleStaff, "320500")
	c := e.client()
	c.mustLoginAPI("city")
	res := c.get("/challenges/new?title=" + url.QueryEscape("高端轴承钢缺口") + "&problem=" + url.QueryEscape("产业链缺少高端轴承钢"))
	if res.status != http.StatusOK {
		t.Fatalf("new: %d", res.status)
	}
	d := res.doc(t)
	if got, _ := d.Find(`#challenge-form input[name="title"]`).Attr("value"); got != "高端轴承钢缺口" {
		t.Errorf("title prefilled %q", got)
	}
	if got := d.Find(`#challenge-form textarea[name="problem"]`).Text(); got != "产业链缺少高端轴承钢" {
		t.Errorf("problem prefilled %q", got)
	}
	if res := c.get("/challenges/new?title=%00"); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a NUL in the title: %d", res.status)
	}
}
