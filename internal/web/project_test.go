package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/project"
	"kechuang/internal/workday"
)

// projectWorld is the cast of the project tests: city staff (two, for the
// second-person rules), 昆山's county staff acting for its unit, 吴江's
// county staff (another county) and an enterprise account of 昆山 with its
// registry enterprise.
type projectWorld struct {
	e                   *env
	city, city2, ks, wj *client
	firm                *client
	cityA, ksA          account.Actor
	unit                project.Unit
	enterprise          cultivation.Enterprise
}

func newProjectWorld(t *testing.T, e *env) *projectWorld {
	t.Helper()
	ctx := context.Background()
	w := &projectWorld{e: e}
	// The 10th of this month, before the report deadline (the 25th), so
	// that a report filed now is on time whatever day the test runs.
	now := e.clock.Now()
	e.clock.mu.Lock()
	e.clock.now = time.Date(now.Year(), now.Month(), 10, 10, 0, 0, 0, chinaTZ)
	e.clock.mu.Unlock()
	cityU := e.createUser("city", account.RoleStaff, "320500")
	e.createUser("city2", account.RoleStaff, "320500")
	ksU := e.createUser("ks", account.RoleCounty, "320583")
	e.createUser("wj", account.RoleCounty, "320509")
	firmU := e.createUser("firm", account.RoleEnterprise, "320583")
	w.cityA, w.ksA = actorOf(cityU), actorOf(ksU)
	var err error
	if w.unit, err = e.app.Projects.CreateUnit(ctx, w.cityA, project.UnitInput{RegionCode: "320583", Name: "昆山市发改委"}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.Projects.AddUnitMember(ctx, w.cityA, w.unit.ID, ksU.ID); err != nil {
		t.Fatal(err)
	}
	if w.enterprise, err = e.app.Cultivation.CreateEnterprise(ctx, w.cityA, cultivation.Enterprise{
		CreditCode: creditCode("91320583MA1W0K0T1"), Name: "昆山测试精密有限公司", RegionCode: "320583", AccountID: firmU.ID,
		Tags: []string{}}); err != nil {
		t.Fatal(err)
	}
	clients := map[string]**client{"city": &w.city, "city2": &w.city2, "ks": &w.ks, "wj": &w.wj, "firm": &w.firm}
	for name, c := range clients {
		*c = e.client()
		(*c).mustLoginAPI(name)
	}
	return w
}

// today is the servers' day.
func (w *projectWorld) today() workday.Date { return workday.DateOf(w.e.clock.Now()) }

// projectBody is a 招商 project of 昆山 for the API, planned from the
// first of this month for two years.
func (w *projectWorld) projectBody(name string) map[string]any {
	start := workday.NewDate(w.today().Year(), w.today().Month(), 1)
	return map[string]any{"type": "investment", "name": name, "region_code": "320583", "unit_id": w.unit.ID,
		"lead_name": "王副市长", "team": []map[string]string{{"name": "李明", "title": "商务局副局长", "phone": "0512-57000001"}},
		"enterprise_ids": []int64{w.enterprise.ID}, "total_investment": 12000, "annual_investment": 6000,
		"planned_start": start.String(), "planned_end": start.AddDays(720).String(), "description": "新能源汽车零部件生产基地。"}
}

// TestProjectAPITour calls every operation of the project module's API
// with success, in the order a client would, and checks that another
// county's staff gets 404 on each record.
func TestProjectAPITour(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		month := w.today().String()[:7]
		got := runSteps(t, []apiStep{
			{"create", w.ks, http.MethodPost, "/api/v1/projects", w.projectBody("昆山电驱系统项目"), 201},
		})
		p := "/api/v1/projects/" + id(got["create"])
		body := w.projectBody("昆山电驱系统项目（一期）")
		got = runSteps(t, []apiStep{
			{"list", w.city, http.MethodGet, "/api/v1/projects?type=investment&stage=planning&region=320583&page=1&per_page=10", nil, 200},
			{"get", w.ks, http.MethodGet, p, nil, 200},
			{"update", w.ks, http.MethodPut, p, body, 200},
			{"submit", w.ks, http.MethodPost, p + "/transition", map[string]string{"action": "submit"}, 200},
			{"self approve", w.ks, http.MethodPost, p + "/transition", map[string]string{"action": "approve"}, 403},
			{"approve", w.city, http.MethodPost, p + "/transition", map[string]string{"action": "approve"}, 200},
			{"start", w.ks, http.MethodPost, p + "/transition", map[string]string{"action": "start"}, 200},
			{"milestones", w.ks, http.MethodGet, p + "/milestones", nil, 200},
			{"add milestone", w.ks, http.MethodPost, p + "/milestones",
				map[string]string{"name": "设备进场", "planned_date": w.today().AddDays(90).String(), "owner": "项目专班"}, 201},
			{"report", w.ks, http.MethodPost, p + "/reports", map[string]any{"month": month, "investment_month": 800,
				"progress": "厂房主体封顶", "problems": []map[string]string{{"category": "land", "text": "二期用地待落实"}}, "next_plan": "设备招标"}, 200},
			{"reports", w.city, http.MethodGet, p + "/reports", nil, 200},
			{"bad report", w.ks, http.MethodPost, p + "/reports", map[string]any{"month": "2026-13", "investment_month": 1, "progress": "x"}, 422},
			{"adjust", w.ks, http.MethodPost, p + "/adjustment", map[string]any{"total_investment": 15000, "note": "追加二期投资"}, 200},
			{"approve adjustment", w.city, http.MethodPost, p + "/transition", map[string]string{"action": "approve-adjustment"}, 200},
		})
		if got["approve adjustment"]["total_investment"] != 15000.0 || got["approve adjustment"]["stage"] != "implementing" {
			t.Errorf("after the adjustment: total %v, stage %v", got["approve adjustment"]["total_investment"], got["approve adjustment"]["stage"])
		}
		ms := e.milestones(t, w.ks, p)
		mid := ms[0]["id"]
		got = runSteps(t, []apiStep{
			{"complete", w.ks, http.MethodPost, "/api/v1/milestones/" + jsonID(mid) + "/complete",
				map[string]any{"actual_date": w.today().String(), "evidence": []map[string]string{{"name": "签约照片", "ref": "att-1"}}, "note": "已签约"}, 200},
			{"open", w.city, http.MethodPost, "/api/v1/supervisions", map[string]any{"target_type": "project", "project_id": got["add milestone"]["project_id"],
				"problem": "进度滞后", "action_required": "报送整改计划", "deadline": w.today().AddDays(10).String(), "level": "key"}, 201},
		})
		v := "/api/v1/supervisions/" + id(got["open"])
		runSteps(t, []apiStep{
			{"supervisions", w.city, http.MethodGet, "/api/v1/supervisions?state=open&level=key&mine=false", nil, 200},
			{"supervision", w.ks, http.MethodGet, v, nil, 200},
			{"reply", w.ks, http.MethodPost, v + "/reply", map[string]any{"progress": "已制定整改计划", "evidence": []map[string]string{{"name": "计划", "ref": "att-2"}}}, 200},
			{"return", w.city, http.MethodPost, v + "/return", map[string]any{"note": "请补充时间表", "deadline": w.today().AddDays(15).String()}, 200},
			{"reply again", w.ks, http.MethodPost, v + "/reply", map[string]any{"progress": "已补充时间表"}, 200},
			{"accept", w.city, http.MethodPost, v + "/accept", map[string]any{"note": "同意办结"}, 200},
		})
		got = runSteps(t, []apiStep{
			{"request", w.firm, http.MethodPost, "/api/v1/service-requests", map[string]any{"enterprise_id": w.enterprise.ID, "category": "power",
				"title": "双回路供电", "description": "新厂房需双回路供电。"}, 201},
			{"product", w.firm, http.MethodPost, "/api/v1/products", map[string]any{"enterprise_id": w.enterprise.ID, "name": "精密减速器",
				"category": "核心零部件", "capacity": "年产5万台", "market_share": 12.5}, 201},
		})
		rq, pd := "/api/v1/service-requests/"+id(got["request"]), "/api/v1/products/"+id(got["product"])
		runSteps(t, []apiStep{
			{"requests", w.firm, http.MethodGet, "/api/v1/service-requests?state=submitted", nil, 200},
			{"staff requests", w.city, http.MethodGet, "/api/v1/service-requests?category=power&late=false", nil, 200},
			{"request get", w.firm, http.MethodGet, rq, nil, 200},
			{"assign", w.city, http.MethodPost, rq + "/assign", map[string]any{"unit_id": w.unit.ID, "note": "请牵头办理"}, 200},
			{"respond", w.ks, http.MethodPost, rq + "/respond", map[string]any{"response": "已受理"}, 200},
			{"resolve", w.ks, http.MethodPost, rq + "/resolve", map[string]any{"resolution": "已协调供电公司接入"}, 200},
			{"confirm", w.firm, http.MethodPost, rq + "/confirm", map[string]any{"rating": 5, "rating_comment": "满意"}, 200},
			{"products", w.city, http.MethodGet, "/api/v1/products?q=减速器", nil, 200},
			{"product get", w.firm, http.MethodGet, pd, nil, 200},
			{"product update", w.firm, http.MethodPut, pd, map[string]any{"enterprise_id": w.enterprise.ID, "name": "精密减速器 RV", "category": "核心零部件"}, 200},
		})
		// Another county's staff: every record is absent, and its lists are
		// empty.
		for _, path := range []string{p, p + "/milestones", p + "/reports", v, rq, pd} {
			if res := w.wj.api(http.MethodGet, path, nil); res.status != http.StatusNotFound {
				t.Errorf("吴江 GET %s = %d, want 404", path, res.status)
			}
		}
		for _, st := range []apiStep{
			{"wj update", w.wj, http.MethodPut, p, body, 404},
			{"wj transition", w.wj, http.MethodPost, p + "/transition", map[string]string{"action": "complete"}, 404},
			{"wj adjust", w.wj, http.MethodPost, p + "/adjustment", map[string]any{"total_investment": 1, "note": "x"}, 404},
			{"wj report", w.wj, http.MethodPost, p + "/reports", map[string]any{"month": month, "investment_month": 1, "progress": "x"}, 404},
			{"wj milestone", w.wj, http.MethodPost, p + "/milestones", map[string]string{"name": "x", "planned_date": w.today().String()}, 404},
			{"wj reply", w.wj, http.MethodPost, v + "/reply", map[string]any{"progress": "x"}, 404},
			{"wj assign", w.wj, http.MethodPost, rq + "/assign", map[string]any{"unit_id": w.unit.ID}, 404},
		} {
			runSteps(t, []apiStep{st})
		}
		var list struct{ Total int }
		w.wj.api(http.MethodGet, "/api/v1/projects", nil).json(t, &list)
		if list.Total != 0 {
			t.Errorf("吴江 sees %d projects of 昆山", list.Total)
		}
	})
}

// milestones reads a project's milestones through the API.
func (e *env) milestones(t *testing.T, c *client, project string) []map[string]any {
	t.Helper()
	var out []map[string]any
	c.api(http.MethodGet, project+"/milestones", nil).json(t, &out)
	if len(out) == 0 {
		t.Fatalf("%s has no milestones", project)
	}
	return out
}

var chinaTZ = time.FixedZone("CST", 8*3600)

func jsonID(v any) string { return id(map[string]any{"id": v}) }

// TestProjectPagesCountyIsolation: another county's staff gets 404 on the
// project's pages and forms, and the owner county's staff reaches them.
func TestProjectPagesCountyIsolation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		p := w.createProject(t, "昆山隔离测试项目")
		base := "/projects/" + jsonID(float64(p.ID))
		for _, path := range []string{base, base + "/edit", base + "/report"} {
			if res := w.wj.get(path); res.status != http.StatusNotFound {
				t.Errorf("吴江 GET %s = %d, want 404", path, res.status)
			}
			if res := w.ks.get(path); res.status != http.StatusOK {
				t.Errorf("昆山 GET %s = %d, want 200", path, res.status)
			}
		}
		form := url.Values{"csrf_token": {w.wj.csrf}, "name": {"改名"}, "region_code": {"320583"}}
		if res := w.wj.postForm(base, form); res.status != http.StatusNotFound {
			t.Errorf("吴江 POST %s = %d, want 404", base, res.status)
		}
		if res := w.wj.postForm(base+"/report", url.Values{"csrf_token": {w.wj.csrf}, "month": {"2026-01"}}); res.status != http.StatusNotFound {
			t.Errorf("吴江 POST %s/report = %d, want 404", base, res.status)
		}
		if res := w.wj.postForm(base+"/adjust", url.Values{"csrf_token": {w.wj.csrf}, "total_investment": {"1"}, "note": {"x"}}); res.status != http.StatusNotFound {
			t.Errorf("吴江 POST %s/adjust = %d, want 404", base, res.status)
		}
		// The county proposes an adjustment on the page; the city sees it
		// pending with the button to approve it.
		if res := w.ks.postForm(base+"/adjust", url.Values{"csrf_token": {w.ks.csrf}, "total_investment": {"15000"}, "note": {"追加投资"}}); res.status != http.StatusSeeOther {
			t.Errorf("adjust = %d: %s", res.status, res.body)
		}
		city := w.city.get(base).doc(t)
		if city.Find("#pending-adjustment").Length() != 1 || city.Find(`button[data-action="approve-adjustment"]`).Length() != 1 {
			t.Error("the pending adjustment or its approval is missing from the city's page")
		}
		if w.ks.get(base).doc(t).Find(`button[data-action="approve-adjustment"]`).Length() != 0 {
			t.Error("the one who asked is offered to approve the adjustment")
		}
		doc := w.wj.get("/projects/list").doc(t)
		if n := doc.Find("#projects a[href^='/projects/']").Length(); n != 0 {
			t.Errorf("吴江's list shows %d projects of 昆山", n)
		}
	})
}

// createProject creates, approves and starts a 招商 project of 昆山 through
// the service.
func (w *projectWorld) createProject(t *testing.T, name string) project.Project {
	t.Helper()
	ctx := context.Background()
	start := workday.NewDate(w.today().Year(), w.today().Month(), 1)
	p, err := w.e.app.Projects.CreateProject(ctx, w.ksA, project.ProjectInput{Type: "investment", Name: name, RegionCode: "320583",
		UnitID: w.unit.ID, TotalInvestment: 12000, AnnualInvestment: 6000, PlannedStart: start, PlannedEnd: start.AddDays(720)})
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range []string{project.ActSubmit, project.ActApprove, project.ActStart} {
		who := w.ksA
		if i == 1 {
			who = w.cityA
		}
		if p, err = w.e.app.Projects.Transition(ctx, who, p.ID, step, ""); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	return p
}

// TestProjectFormValidation: a refused form comes back 422 with what was
// typed and a Chinese message beside each named field.
func TestProjectFormValidation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		check := func(form url.Values, field, want string) *goquery.Document {
			t.Helper()
			base := url.Values{"csrf_token": {w.ks.csrf}, "type": {"investment"}, "name": {"测试项目"}, "region_code": {"320583"},
				"unit_id": {jsonID(float64(w.unit.ID))}, "total_investment": {"1000"}, "planned_start": {"2026-05-01"},
				"planned_end": {"2027-04-01"}, "lead_name": {"王副市长"}}
			for k, v := range form {
				base[k] = v
			}
			res := w.ks.postForm("/projects", base)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("POST /projects with %v = %d, want 422", form, res.status)
			}
			doc := res.doc(t)
			label := doc.Find("#project-form label").FilterFunction(func(_ int, s *goquery.Selection) bool {
				return s.Find("[name='"+field+"']").Length() > 0
			})
			if got := strings.TrimSpace(label.Find(".field-error").Text()); !strings.Contains(got, want) {
				t.Errorf("error beside %s = %q, want %q", field, got, want)
			}
			return doc
		}
		doc := check(url.Values{"name": {""}}, "name", "必填")
		check(url.Values{"total_investment": {"一千"}}, "total_investment", "应为数字")
		check(url.Values{"planned_start": {"2026-13-01"}}, "planned_start", "日期格式")
		check(url.Values{"planned_end": {"2026-04-01"}}, "planned_end", "不能早于计划开始日期")
		check(url.Values{"annual_investment": {"5000"}}, "annual_investment", "年度计划投资不能超过总投资")
		if v, _ := doc.Find("input[name='lead_name']").Attr("value"); v != "王副市长" {
			t.Errorf("lead_name came back as %q", v)
		}
	})
}

// TestProjectLedger: a month's report through the form shows in the
// ledger page, its printable version and the .xlsx in the bureau layout
// (title row, 填报单位 and 填报日期, header, one row per project); a project
// that has not reported is listed as missing.
func TestProjectLedger(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		reported := w.createProject(t, "昆山已报送项目")
		w.createProject(t, "昆山未报送项目")
		month := w.today().String()[:7]
		base := "/projects/" + jsonID(float64(reported.ID))
		// A refused report names its field and keeps what was typed.
		res := w.ks.postForm(base+"/report", url.Values{"csrf_token": {w.ks.csrf}, "month": {month}, "investment_month": {"八百"},
			"progress": {"主体封顶"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad report = %d, want 422", res.status)
		}
		if got := res.doc(t).Find("#report-form .field-error").Text(); !strings.Contains(got, "应为数字") {
			t.Errorf("bad report errors %q", got)
		}
		res = w.ks.postForm(base+"/report", url.Values{"csrf_token": {w.ks.csrf}, "month": {month}, "investment_month": {"800"},
			"progress": {"主体封顶"}, "problem_category_0": {"land"}, "problem_text_0": {"二期用地待落实"}, "next_plan": {"设备招标"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("report = %d, want 303: %s", res.status, res.body)
		}
		page := w.city.get("/projects/ledger?month=" + month + "&region=320583")
		if page.status != http.StatusOK {
			t.Fatalf("ledger = %d", page.status)
		}
		doc := page.doc(t)
		if n := doc.Find("#ledger tbody tr").Length(); n != 2 {
			t.Errorf("ledger has %d rows, want 2", n)
		}
		if got := doc.Find("#missing").Text(); !strings.Contains(got, "昆山未报送项目") || strings.Contains(got, "昆山已报送项目") {
			t.Errorf("not reported: %q", got)
		}
		printed := w.city.get("/projects/ledger?month=" + month + "&region=320583&print=true").doc(t)
		if printed.Find("#ledger-print-page #ledger tbody tr").Length() != 2 {
			t.Error("the printable ledger lacks its rows")
		}
		x := w.city.get("/projects/ledger.xlsx?month=" + month + "&region=320583")
		if x.status != http.StatusOK || !strings.Contains(x.header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("ledger.xlsx = %d %s", x.status, x.header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(strings.NewReader(x.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 {
			t.Fatalf("ledger.xlsx has %d rows, want title, 填报单位, header and 2 projects: %q", len(rows), rows)
		}
		wantTitle := "昆山市" // the ledger of the county
		if !strings.Contains(rows[0][0], wantTitle) || !strings.Contains(rows[0][0], "台账") {
			t.Errorf("title row %q", rows[0])
		}
		if !strings.HasPrefix(rows[1][0], "填报单位：") || !strings.HasPrefix(rows[1][len(rows[1])-1], "填报日期："+w.today().String()) {
			t.Errorf("preface row %q", rows[1])
		}
		if rows[2][0] != "序号" || rows[2][1] != "项目名称" {
			t.Errorf("header row %q", rows[2])
		}
		byName := map[string][]string{}
		for _, r := range rows[3:] {
			byName[r[1]] = r
		}
		col := func(name string) int {
			for i, h := range rows[2] {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s in %q", name, rows[2])
			return 0
		}
		got := byName["昆山已报送项目"]
		if got == nil || got[col("本月完成投资（万元）")] != "800" || !strings.Contains(got[col("存在问题及需协调事项")], "【用地】二期用地待落实") ||
			got[col("报送情况")] != "按时报送" {
			t.Errorf("reported row %q", got)
		}
		if miss := byName["昆山未报送项目"]; miss == nil || miss[col("报送情况")] != "未报送" {
			t.Errorf("missing row %q", miss)
		}
	})
}

// TestProjectSupervisionPages: staff open a 督办 order from the project's
// page, the unit replies, staff send it back and then accept it; the
// record keeps every step, and another county's staff gets 404.
func TestProjectSupervisionPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		p := w.createProject(t, "昆山督办测试项目")
		pid := jsonID(float64(p.ID))
		if w.city.get("/projects/"+pid).doc(t).Find("#open-supervision form").Length() != 1 {
			t.Fatal("the project page offers staff no 督办 form")
		}
		res := w.city.postForm("/supervisions", url.Values{"csrf_token": {w.city.csrf}, "target_type": {"project"},
			"project_id": {pid}, "problem": {"开工滞后"}, "action_required": {"五日内报送整改方案"},
			"deadline": {w.today().AddDays(5).String()}, "level": {"listed"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("open = %d: %s", res.status, res.body)
		}
		v := res.header.Get("Location")
		if res := w.wj.get(v); res.status != http.StatusNotFound {
			t.Errorf("吴江 GET %s = %d, want 404", v, res.status)
		}
		if w.city.get(v).doc(t).Find("#reply-form").Length() != 0 {
			t.Error("staff who are not the unit's members are offered the reply")
		}
		steps := []struct {
			who   *client
			path  string
			form  url.Values
			state string
		}{
			{w.ks, v + "/reply", url.Values{"progress": {"方案已上报"}, "evidence_name": {"整改方案"}, "evidence_ref": {"att-9"}}, "已回复"},
			{w.city, v + "/return", url.Values{"note": {"请补充时间节点"}}, "办理中"},
			{w.ks, v + "/reply", url.Values{"progress": {"已补充时间节点"}}, "已回复"},
			{w.city, v + "/accept", url.Values{"note": {"同意办结"}}, "已办结"},
		}
		for _, st := range steps {
			st.form.Set("csrf_token", st.who.csrf)
			if res := st.who.postForm(st.path, st.form); res.status != http.StatusSeeOther {
				t.Fatalf("POST %s = %d: %s", st.path, res.status, res.body)
			}
			doc := w.city.get(v).doc(t)
			if got := strings.TrimSpace(doc.Find("#supervision-state").Text()); got != st.state {
				t.Errorf("after %s: state %q, want %q", st.path, got, st.state)
			}
		}
		doc := w.city.get(v).doc(t)
		if n := doc.Find("#supervision-record tbody tr").Length(); n != 5 {
			t.Errorf("record has %d steps, want 5", n)
		}
		// An order on one milestone, picked in the same form.
		ms, err := e.app.Projects.Milestones(context.Background(), w.cityA, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		res = w.city.postForm("/supervisions", url.Values{"csrf_token": {w.city.csrf}, "target_type": {"project"},
			"project_id": {pid}, "milestone_id": {jsonID(float64(ms[1].ID))}, "problem": {"节点临近"}, "action_required": {"提前协调"},
			"deadline": {w.today().AddDays(5).String()}, "level": {"general"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("open on a milestone = %d: %s", res.status, res.body)
		}
		if got := w.city.get(res.header.Get("Location")).doc(t).Find(".facts").Text(); !strings.Contains(got, ms[1].Name) {
			t.Errorf("the milestone order's page %q does not name %s", got, ms[1].Name)
		}
		list := w.city.get("/supervisions?state=closed&level=listed").doc(t)
		if list.Find("#supervisions a[href='"+v+"']").Length() != 1 {
			t.Error("the closed order is not in the filtered list")
		}
		if res := w.city.get("/supervisions?level=urgent"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad level filter = %d, want 422", res.status)
		}
	})
}

// TestProjectRequestPages: the enterprise submits a request from its
// form, staff assign it to a unit, the unit responds and resolves, the
// enterprise confirms and rates it; another county's staff gets 404, and a
// bad form names its field.
func TestProjectRequestPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		if loc := w.firm.get("/projects"); loc.status != http.StatusSeeOther || loc.header.Get("Location") != "/service-requests" {
			t.Errorf("enterprise /projects = %d %s, want its requests", loc.status, loc.header.Get("Location"))
		}
		ent := jsonID(float64(w.enterprise.ID))
		res := w.firm.postForm("/service-requests", url.Values{"csrf_token": {w.firm.csrf}, "enterprise_id": {ent},
			"category": {"power"}, "title": {""}, "description": {"新厂房需双回路供电。"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("empty title = %d, want 422", res.status)
		}
		if got := res.doc(t).Find("#request-form .field-error").Text(); !strings.Contains(got, "必填") {
			t.Errorf("empty title errors %q", got)
		}
		res = w.firm.postForm("/service-requests", url.Values{"csrf_token": {w.firm.csrf}, "enterprise_id": {ent},
			"category": {"power"}, "title": {"双回路供电"}, "description": {"新厂房需双回路供电。"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("submit = %d: %s", res.status, res.body)
		}
		rq := res.header.Get("Location")
		if res := w.wj.get(rq); res.status != http.StatusNotFound {
			t.Errorf("吴江 GET %s = %d, want 404", rq, res.status)
		}
		steps := []struct {
			who   *client
			step  string
			form  url.Values
			state string
		}{
			{w.city, "assign", url.Values{"unit_id": {jsonID(float64(w.unit.ID))}, "note": {"请牵头办理"}}, "已分派"},
			{w.ks, "respond", url.Values{"response": {"已受理"}}, "已响应"},
			{w.ks, "resolve", url.Values{"resolution": {"已协调接入"}}, "已办结"},
			{w.firm, "confirm", url.Values{"rating": {"4"}, "rating_comment": {"较满意"}}, "已评价"},
		}
		for _, st := range steps {
			if st.who.get(rq).doc(t).Find("#"+st.step+"-form").Length() != 1 {
				t.Errorf("%s is not offered its %s form", st.step, st.step)
			}
			st.form.Set("csrf_token", st.who.csrf)
			if res := st.who.postForm(rq+"/"+st.step, st.form); res.status != http.StatusSeeOther {
				t.Fatalf("%s = %d: %s", st.step, res.status, res.body)
			}
			if got := strings.TrimSpace(w.city.get(rq).doc(t).Find("#request-state").Text()); got != st.state {
				t.Errorf("after %s: state %q, want %q", st.step, got, st.state)
			}
		}
		if res := w.wj.postForm(rq+"/assign", url.Values{"csrf_token": {w.wj.csrf}, "unit_id": {"1"}}); res.status != http.StatusNotFound {
			t.Errorf("吴江 assign = %d, want 404", res.status)
		}
		list := w.city.get("/service-requests?state=confirmed&category=power").doc(t)
		if list.Find("#requests a[href='"+rq+"']").Length() != 1 || list.Find("#request-stats").Length() != 1 {
			t.Error("the confirmed request or the units' record is missing from the list")
		}
	})
}

// TestProjectUnitsPage: staff add a unit and its member from the units
// page; a duplicate name is refused beside the field; another county's
// staff cannot touch the unit (404).
func TestProjectUnitsPage(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		form := url.Values{"csrf_token": {w.city.csrf}, "region_code": {"320583"}, "name": {"昆山市商务局"}}
		if res := w.city.postForm("/projects/units", form); res.status != http.StatusSeeOther {
			t.Fatalf("create unit = %d: %s", res.status, res.body)
		}
		res := w.city.postForm("/projects/units", form)
		if res.status == http.StatusSeeOther {
			t.Fatal("a duplicate unit name was accepted")
		}
		if got := res.doc(t).Find("#unit-form .field-error").Text(); got == "" {
			t.Error("the duplicate name has no message beside the field")
		}
		units, _, err := e.app.Projects.FindUnits(context.Background(), w.cityA, project.UnitFilter{Query: "商务局"})
		if err != nil || len(units) != 1 {
			t.Fatalf("units %v, %v", units, err)
		}
		path := "/projects/units/" + jsonID(float64(units[0].ID)) + "/members"
		member := url.Values{"csrf_token": {w.city.csrf}, "user_id": {jsonID(float64(w.ksA.UserID))}}
		if res := w.city.postForm(path, member); res.status != http.StatusSeeOther {
			t.Fatalf("add member = %d: %s", res.status, res.body)
		}
		if got := w.city.get("/projects/units").doc(t).Find("#unit-" + jsonID(float64(units[0].ID))).Text(); !strings.Contains(got, "ks") {
			t.Errorf("the unit's row %q lacks its new member", got)
		}
		member.Set("csrf_token", w.wj.csrf)
		if res := w.wj.postForm(path, member); res.status != http.StatusNotFound {
			t.Errorf("吴江 add member = %d, want 404", res.status)
		}
	})
}
