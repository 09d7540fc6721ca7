package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
	"kechuang/internal/directory"
)

// dirWorld is a small directory: two institutions in two counties, one
// linked to an institution account, an expert of each with phone and
// e-mail (one consented to show name and title only, one never
// consented), and a staff-only carrier of 昆山.
type dirWorld struct {
	staff, ksCounty, wzCounty, uni, firm account.User
	instA, instB                         directory.Institution
	public, private                      directory.Expert
	carrier                              directory.Carrier
}

func newDirWorld(t *testing.T, e *env) dirWorld {
	t.Helper()
	ctx := context.Background()
	svc := e.app.Directory
	w := dirWorld{
		staff:    e.createUser("city", account.RoleStaff, "320500"),
		ksCounty: e.createUser("ks", account.RoleCounty, "320583"),
		wzCounty: e.createUser("wz", account.RoleCounty, "320506"),
		uni:      e.createUser("uni", account.RoleInstitution, "320505"),
		firm:     e.createUser("firm", account.RoleEnterprise, "320506"),
	}
	staff := actorOf(w.staff)
	var err error
	if w.instA, err = svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "甲大学", Type: "university",
		RegionCode: "320505", Contact: directory.Contact{Name: "王老师", Phone: "0512-11111111"}}); err != nil {
		t.Fatal(err)
	}
	if w.instB, err = svc.CreateInstitution(ctx, staff, directory.InstitutionInput{Name: "乙研究所", Type: "institute",
		RegionCode: "320506"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.LinkInstitutionAccount(ctx, staff, w.instA.ID, w.uni.ID); err != nil {
		t.Fatal(err)
	}
	if w.public, err = svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "赵公开", InstitutionID: w.instA.ID,
		Title: "教授", Research: "保密的研究方向文本", Disciplines: []string{"机械工程"}, Roles: []string{"reviewer"},
		Contact: &directory.ExpertContact{Phone: "13912345678", Email: "zhao@example.cn"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordExpertConsent(ctx, staff, w.public.ID, directory.ConsentInput{
		Fields:        []string{directory.FieldName, directory.FieldTitle},
		NoticeVersion: svc.Reference().Notice.Version, GivenOn: e.clock.Now().Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	if w.private, err = svc.CreateExpert(ctx, staff, directory.ExpertInput{Name: "钱未授权", InstitutionID: w.instB.ID,
		Disciplines: []string{"机械工程"}, Contact: &directory.ExpertContact{Phone: "13987654321"}}); err != nil {
		t.Fatal(err)
	}
	if w.carrier, err = svc.CreateCarrier(ctx, actorOf(w.ksCounty), directory.CarrierInput{Name: "昆山内部孵化器",
		Kind: "incubator", Capacity: directory.Space{Area: 1000}, RegionCode: "320583",
		Visibility: directory.VisibleStaff}); err != nil {
		t.Fatal(err)
	}
	return w
}

func path(format string, id int64) string { return fmt.Sprintf(format, id) }

// TestDirectoryExpertPrivacy: a visitor never sees an expert's phone or
// e-mail or a field the expert did not consent to show, on the page and
// in the API; an expert without consent is not found; staff see all.
func TestDirectoryExpertPrivacy(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newDirWorld(t, e)
		anon := e.client()
		member := e.client()
		member.mustLoginAPI("firm")
		staff := e.client()
		staff.mustLoginAPI("city")

		for name, c := range map[string]*client{"anonymous": anon, "member": member} {
			res := c.get(path("/directory/experts/%d", w.public.ID))
			if res.status != http.StatusOK {
				t.Fatalf("%s: expert page = %d", name, res.status)
			}
			doc := res.doc(t)
			if doc.Find("h1").Text() != "赵公开" || !strings.Contains(doc.Find("#profile").Text(), "教授") {
				t.Errorf("%s: the consented name and title are missing", name)
			}
			for _, secret := range []string{"13912345678", "zhao@example.cn", "保密的研究方向文本", "甲大学"} {
				if strings.Contains(res.body, secret) {
					t.Errorf("%s: expert page shows %q, which the expert did not consent to show", name, secret)
				}
			}
			if doc.Find(".phone, .email").Length() != 0 || doc.Find("#withheld").Length() != 1 {
				t.Errorf("%s: phone or e-mail shown, or withheld fields not named", name)
			}
			api := c.api(http.MethodGet, path("/api/v1/experts/%d", w.public.ID), nil)
			var got map[string]any
			api.json(t, &got)
			for _, k := range []string{"phone", "email", "research", "institution_id", "affiliation", "account_id"} {
				if _, ok := got[k]; ok {
					t.Errorf("%s: API expert has %q", name, k)
				}
			}
			if res := c.get(path("/directory/experts/%d", w.private.ID)); res.status != http.StatusNotFound {
				t.Errorf("%s: expert without consent = %d, want 404", name, res.status)
			}
			if res := c.api(http.MethodGet, path("/api/v1/experts/%d", w.private.ID), nil); res.status != http.StatusNotFound {
				t.Errorf("%s: API expert without consent = %d, want 404", name, res.status)
			}
			list := c.get("/directory/experts")
			if strings.Contains(list.body, "钱未授权") || !strings.Contains(list.body, "赵公开") || strings.Contains(list.body, "13912345678") {
				t.Errorf("%s: expert list shows the wrong experts or a phone", name)
			}
		}
		// A visitor's filter on a withheld field cannot find the expert.
		if res := anon.get("/directory/experts?discipline=" + url.QueryEscape("机械工程")); strings.Contains(res.body, "赵公开") {
			t.Errorf("a filter on withheld disciplines found the expert")
		}

		res := staff.get(path("/directory/experts/%d", w.public.ID))
		if doc := res.doc(t); doc.Find(".phone").Text() != "13912345678" || doc.Find(".email").Text() != "zhao@example.cn" {
			t.Errorf("staff do not see the phone and e-mail: %q", doc.Find("#profile").Text())
		}
		if res := staff.get(path("/directory/experts/%d", w.private.ID)); res.status != http.StatusOK {
			t.Errorf("staff: expert without consent = %d, want 200", res.status)
		}
		// The institution's editors edit its expert without reading the phone.
		uni := e.client()
		uni.mustLoginAPI("uni")
		res = uni.get(path("/directory/experts/%d/edit", w.public.ID))
		if res.status != http.StatusOK || strings.Contains(res.body, "13912345678") || res.doc(t).Find(`input[name="phone"]`).Length() != 0 {
			t.Errorf("institution editor: edit form = %d or shows the phone", res.status)
		}
	})
}

// TestDirectoryInstitutionEditsOwn: an institution account edits its own
// institution and its experts, and gets 404 for another's.
func TestDirectoryInstitutionEditsOwn(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newDirWorld(t, e)
		uni := e.client()
		uni.mustLoginAPI("uni")

		own := uni.get(path("/directory/institutions/%d", w.instA.ID))
		if own.doc(t).Find("#edit").Length() != 1 {
			t.Errorf("own institution page offers no edit link")
		}
		other := uni.get(path("/directory/institutions/%d", w.instB.ID))
		if other.status != http.StatusOK || other.doc(t).Find("#edit").Length() != 0 {
			t.Errorf("another institution's page = %d, or offers an edit link", other.status)
		}
		tok := uni.formToken(path("/directory/institutions/%d/edit", w.instA.ID))
		form := url.Values{"csrf_token": {tok}, "name": {"甲大学（新名）"}, "type": {"university"}, "visibility": {"public"},
			"summary": {"新的简介"}}
		if res := uni.postForm(path("/directory/institutions/%d", w.instA.ID), form); res.status != http.StatusSeeOther {
			t.Fatalf("save own institution = %d: %s", res.status, res.body)
		}
		if got, _ := e.app.Directory.GetInstitution(context.Background(), account.Actor{}, w.instA.ID); got.Name != "甲大学（新名）" || got.RegionCode != "320505" {
			t.Errorf("after the save: %q in %s", got.Name, got.RegionCode)
		}
		if res := uni.get(path("/directory/institutions/%d/edit", w.instB.ID)); res.status != http.StatusNotFound {
			t.Errorf("edit another institution = %d, want 404", res.status)
		}
		if res := uni.postForm(path("/directory/institutions/%d", w.instB.ID), form); res.status != http.StatusNotFound {
			t.Errorf("save another institution = %d, want 404", res.status)
		}
		body := map[string]any{"name": "改名", "type": "institute"}
		if res := uni.api(http.MethodPut, path("/api/v1/institutions/%d", w.instB.ID), body); res.status != http.StatusNotFound {
			t.Errorf("API update of another institution = %d, want 404", res.status)
		}
		if res := uni.get(path("/directory/experts/%d/edit", w.private.ID)); res.status != http.StatusNotFound {
			t.Errorf("edit another institution's expert = %d, want 404", res.status)
		}
		// It adds experts to its own institution only.
		if res := uni.api(http.MethodPost, "/api/v1/experts", map[string]any{"name": "孙新人", "institution_id": w.instB.ID}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("API create expert of another institution = %d, want 422", res.status)
		}
		tok = uni.formToken("/directory/experts/new")
		res := uni.postForm("/directory/experts", url.Values{"csrf_token": {tok}, "name": {"孙新人"}, "job_title": {"讲师"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("create own expert = %d: %s", res.status, res.body)
		}
		list, _, err := e.app.Directory.FindExperts(context.Background(), actorOf(w.staff), directory.ExpertFilter{Query: "孙新人"})
		if err != nil || len(list) != 1 || list[0].InstitutionID != w.instA.ID {
			t.Errorf("the new expert = %+v, %v; want one of institution %d", list, err, w.instA.ID)
		}
		// It adds platforms to its own institution only.
		tok = uni.formToken(path("/directory/institutions/%d", w.instA.ID))
		plat := url.Values{"csrf_token": {tok}, "name": {"智能制造重点实验室"}, "kind": {"key-lab"}, "level": {"provincial"},
			"approved_year": {"2019"}, "services": {"检测、咨询"}}
		if res := uni.postForm(path("/directory/institutions/%d/platforms", w.instA.ID), plat); res.status != http.StatusSeeOther {
			t.Errorf("add platform to own institution = %d: %s", res.status, res.body)
		}
		if doc := uni.get(path("/directory/institutions/%d", w.instA.ID)).doc(t); !strings.Contains(doc.Find("#platforms").Text(), "智能制造重点实验室") {
			t.Errorf("the new platform is not listed")
		}
		if res := uni.postForm(path("/directory/institutions/%d/platforms", w.instB.ID), plat); res.status != http.StatusNotFound {
			t.Errorf("add platform to another institution = %d, want 404", res.status)
		}
		plat.Set("approved_year", "1800")
		if res := uni.postForm(path("/directory/institutions/%d/platforms", w.instA.ID), plat); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.doc(t).Find("#platforms").Text(), "年份应在 1949 到") {
			t.Errorf("platform approved in 1800 = %d, want 422 naming the year", res.status)
		}
		// Buttons follow the predicates: no "new institution" for it.
		if doc := uni.get("/directory/institutions").doc(t); doc.Find(`a[href="/directory/institutions/new"]`).Length() != 0 {
			t.Errorf("institution account is offered to add institutions")
		}
		if res := uni.get("/directory/institutions/new"); res.status != http.StatusForbidden {
			t.Errorf("institution account: new institution form = %d, want 403", res.status)
		}
	})
}

// TestDirectoryCarrierCountyScope: county staff manage their county's
// carriers; another county's staff get 404 on a staff-only carrier's
// page, form and API, and cannot place one outside their county.
func TestDirectoryCarrierCountyScope(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newDirWorld(t, e)
		ks := e.client()
		ks.mustLoginAPI("ks")
		wz := e.client()
		wz.mustLoginAPI("wz")
		anon := e.client()

		if res := ks.get(path("/directory/carriers/%d", w.carrier.ID)); res.status != http.StatusOK || res.doc(t).Find("#edit").Length() != 1 {
			t.Errorf("own county's carrier = %d or no edit link", res.status)
		}
		for _, p := range []string{path("/directory/carriers/%d", w.carrier.ID), path("/directory/carriers/%d/edit", w.carrier.ID)} {
			if res := wz.get(p); res.status != http.StatusNotFound {
				t.Errorf("other county: GET %s = %d, want 404", p, res.status)
			}
		}
		if res := anon.get(path("/directory/carriers/%d", w.carrier.ID)); res.status != http.StatusNotFound {
			t.Errorf("anonymous: staff-only carrier = %d, want 404", res.status)
		}
		if res := wz.api(http.MethodGet, path("/api/v1/carriers/%d", w.carrier.ID), nil); res.status != http.StatusNotFound {
			t.Errorf("other county: API carrier = %d, want 404", res.status)
		}
		body := map[string]any{"name": "改名", "kind": "incubator", "capacity": map[string]any{"area": 10}}
		if res := wz.api(http.MethodPut, path("/api/v1/carriers/%d", w.carrier.ID), body); res.status != http.StatusNotFound {
			t.Errorf("other county: API update = %d, want 404", res.status)
		}
		tok := wz.formToken("/directory/carriers/new")
		if res := wz.postForm(path("/directory/carriers/%d/tenants", w.carrier.ID), url.Values{"csrf_token": {tok},
			"name": {"某企业"}, "entered": {"2025-01-01"}, "area": {"10"}}); res.status != http.StatusNotFound {
			t.Errorf("other county: add tenant = %d, want 404", res.status)
		}
		// Its own county's staff add a tenant and record its graduation.
		cpage := path("/directory/carriers/%d", w.carrier.ID)
		ktok := ks.formToken(cpage)
		today := e.clock.Now().Format("2006-01-02")
		res := ks.postForm(cpage+"/tenants", url.Values{"csrf_token": {ktok}, "name": {"昆山甲企业"},
			"entered": {e.clock.Now().AddDate(0, 0, -30).Format("2006-01-02")}, "area": {"250"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("add tenant = %d: %s", res.status, res.body)
		}
		doc := ks.get(cpage).doc(t)
		if occ := doc.Find("#occupancy").Text(); occ != "25%" {
			t.Errorf("occupancy = %q, want 25%% (250 of 1000 m²)", occ)
		}
		action, _ := doc.Find("form.exit-form").Attr("action")
		if res := wz.postForm(action, url.Values{"csrf_token": {tok}, "exited": {today}, "exit_reason": {"graduated"}}); res.status != http.StatusNotFound {
			t.Errorf("other county: record exit = %d, want 404", res.status)
		}
		res = ks.postForm(action, url.Values{"csrf_token": {ktok}, "exited": {today}, "exit_reason": {"graduated"}, "next_kind": {"maker-space"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#tenants").Text(), "更高阶段") {
			t.Errorf("graduating to a lower stage = %d, want 422 saying so", res.status)
		}
		res = ks.postForm(action, url.Values{"csrf_token": {ktok}, "exited": {today}, "exit_reason": {"graduated"}, "next_kind": {"accelerator"}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("record exit = %d: %s", res.status, res.body)
		}
		doc = ks.get(cpage).doc(t)
		if g, occ := doc.Find("#graduation-rate").Text(), doc.Find("#occupancy").Text(); g != "100%" || occ != "0%" {
			t.Errorf("after the graduation: graduation rate %q, occupancy %q; want 100%% and 0%%", g, occ)
		}
		if list := wz.get("/directory/carriers"); strings.Contains(list.body, "昆山内部孵化器") {
			t.Errorf("other county's list shows the staff-only carrier")
		}
		// A carrier outside the county is refused, naming the field.
		res = wz.postForm("/directory/carriers", url.Values{"csrf_token": {tok}, "name": {"越界载体"}, "kind": {"incubator"},
			"area": {"100"}, "region_code": {"320583"}, "visibility": {"public"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "超出您的管辖范围") {
			t.Errorf("carrier in another county = %d, want 422 naming the region", res.status)
		}
	})
}

// TestDirectoryFormValidation: a bad form comes back with every error
// beside its field, in Chinese, and what was typed; the API names the
// fields by their Chinese labels.
func TestDirectoryFormValidation(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		c := e.client()
		c.mustLoginAPI("city")
		tok := c.formToken("/directory/funds/new")

		res := c.postForm("/directory/funds", url.Values{"csrf_token": {tok}, "name": {""}, "type": {"guidance"},
			"subscribed": {"100"}, "paid": {"200"}, "region_code": {"320500"}, "manager": {"某管理人"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad fund form = %d, want 422", res.status)
		}
		doc := res.doc(t)
		errs := map[string]string{}
		doc.Find("#directory-form label").Each(func(_ int, l *goquery.Selection) {
			if in := l.Find("input, select, textarea").First(); in.Length() > 0 {
				name, _ := in.Attr("name")
				errs[name] = strings.TrimSpace(l.Find(".field-error").Text())
			}
		})
		if errs["name"] == "" || errs["paid"] != "实缴规模不能超过认缴规模" {
			t.Errorf("field errors = %q; want name required and paid over subscribed", errs)
		}
		if v, _ := doc.Find(`input[name="manager"]`).Attr("value"); v != "某管理人" {
			t.Errorf("typed manager lost: %q", v)
		}
		res = c.postForm("/directory/carriers", url.Values{"csrf_token": {tok}, "name": {"载体"}, "kind": {"maker-space"},
			"stations": {"很多"}, "region_code": {"320583"}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#directory-form").Text(), "应为数字") {
			t.Errorf("carrier with text for stations = %d, want 422 with a number error", res.status)
		}
		api := c.api(http.MethodPost, "/api/v1/funds", map[string]any{"name": "基金", "type": "guidance", "subscribed": 100,
			"paid": 200, "region_code": "320500"})
		var p struct {
			Detail string `json:"detail"`
		}
		api.json(t, &p)
		if api.status != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "实缴规模（万元）") {
			t.Errorf("API bad fund = %d %q; want 422 naming 实缴规模（万元）", api.status, p.Detail)
		}
		if res := c.get("/directory/institutions?type=nonsense"); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad type filter = %d, want 422", res.status)
		}
	})
}

// TestDirectoryAPITour calls every directory operation with success and
// checks the answers against the document (client.do does).
func TestDirectoryAPITour(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("city", account.RoleStaff, "320500")
		staff := e.client()
		staff.mustLoginAPI("city")
		anon := e.client()
		contact := map[string]any{"name": "联系人", "phone": "0512-12345678", "email": "a@example.cn"}
		steps := []apiStep{
			{"inst", staff, http.MethodPost, "/api/v1/institutions", map[string]any{"name": "丙大学", "type": "university",
				"level": "provincial", "region_code": "320505", "disciplines": []string{"机械工程"}, "domains": []string{"电子信息"},
				"website": "https://example.edu.cn", "tto": "技术转移中心", "contact": contact}, http.StatusCreated},
			{"org", staff, http.MethodPost, "/api/v1/service-orgs", map[string]any{"name": "丙服务机构", "type": "ip",
				"services": []string{"专利申请"}, "region_code": "320505", "contact": contact}, http.StatusCreated},
			{"carrier", staff, http.MethodPost, "/api/v1/carriers", map[string]any{"name": "丙众创空间", "kind": "maker-space",
				"capacity": map[string]any{"stations": 50}, "region_code": "320505", "opened": "2020-01-01"}, http.StatusCreated},
			{"fund", staff, http.MethodPost, "/api/v1/funds", map[string]any{"name": "丙基金", "type": "angel", "subscribed": 1000,
				"paid": 500, "stages": []string{"seed"}, "region_code": "320500"}, http.StatusCreated},
		}
		got := runSteps(t, steps)
		steps = []apiStep{
			{"expert", staff, http.MethodPost, "/api/v1/experts", map[string]any{"name": "丙专家", "institution_id": got["inst"]["id"],
				"title": "教授", "research": "机器人", "roles": []string{"mentor"}, "phone": "13800000000"}, http.StatusCreated},
			{"inst2", staff, http.MethodPut, "/api/v1/institutions/" + id(got["inst"]), map[string]any{"name": "丙大学", "type": "university",
				"summary": "改过的简介"}, http.StatusOK},
			{"org2", staff, http.MethodPut, "/api/v1/service-orgs/" + id(got["org"]), map[string]any{"name": "丙服务机构", "type": "legal"}, http.StatusOK},
			{"carrier2", staff, http.MethodPut, "/api/v1/carriers/" + id(got["carrier"]), map[string]any{"name": "丙众创空间",
				"kind": "maker-space", "capacity": map[string]any{"stations": 60}}, http.StatusOK},
			{"fund2", staff, http.MethodPut, "/api/v1/funds/" + id(got["fund"]), map[string]any{"name": "丙基金", "type": "angel",
				"subscribed": 1000, "paid": 800, "stages": []string{"seed"}}, http.StatusOK},
		}
		for k, v := range runSteps(t, steps) {
			got[k] = v
		}
		if got["org2"]["type"] != "legal" || got["fund2"]["paid"] != 800.0 || got["carrier2"]["region_code"] != "320505" {
			t.Errorf("updates = %v, %v, %v", got["org2"], got["fund2"], got["carrier2"])
		}
		steps = []apiStep{
			{"expert2", staff, http.MethodPut, "/api/v1/experts/" + id(got["expert"]), map[string]any{"name": "丙专家",
				"institution_id": got["inst"]["id"], "title": "研究员", "roles": []string{"mentor"}}, http.StatusOK},
			{"insts", anon, http.MethodGet, "/api/v1/institutions?type=university&region=320505&page=1&per_page=10", nil, http.StatusOK},
			{"instget", anon, http.MethodGet, "/api/v1/institutions/" + id(got["inst"]), nil, http.StatusOK},
			{"experts", staff, http.MethodGet, "/api/v1/experts?role=mentor", nil, http.StatusOK},
			{"expertget", staff, http.MethodGet, "/api/v1/experts/" + id(got["expert"]), nil, http.StatusOK},
			{"orgs", anon, http.MethodGet, "/api/v1/service-orgs?type=legal", nil, http.StatusOK},
			{"orgget", anon, http.MethodGet, "/api/v1/service-orgs/" + id(got["org"]), nil, http.StatusOK},
			{"carriers", anon, http.MethodGet, "/api/v1/carriers?kind=maker-space", nil, http.StatusOK},
			{"carrierget", anon, http.MethodGet, "/api/v1/carriers/" + id(got["carrier"]), nil, http.StatusOK},
			{"funds", anon, http.MethodGet, "/api/v1/funds?stage=seed", nil, http.StatusOK},
			{"fundget", anon, http.MethodGet, "/api/v1/funds/" + id(got["fund"]), nil, http.StatusOK},
			{"search", anon, http.MethodGet, "/api/v1/directory/search?q=" + url.QueryEscape("丙"), nil, http.StatusOK},
			{"searchtype", anon, http.MethodGet, "/api/v1/directory/search?q=" + url.QueryEscape("丙") + "&type=fund", nil, http.StatusOK},
			{"badfilter", anon, http.MethodGet, "/api/v1/carriers?kind=castle", nil, http.StatusUnprocessableEntity},
			{"anoncreate", anon, http.MethodPost, "/api/v1/funds", map[string]any{"name": "x", "type": "angel", "subscribed": 1}, http.StatusUnauthorized},
		}
		for k, v := range runSteps(t, steps) {
			got[k] = v
		}
		if got["expert2"]["title"] != "研究员" || got["expertget"]["phone"] != "13800000000" {
			t.Errorf("expert after update = %v", got["expertget"])
		}
		for _, k := range []string{"insts", "experts", "orgs", "carriers", "funds"} {
			if got[k]["total"] != 1.0 {
				t.Errorf("%s total = %v, want 1", k, got[k]["total"])
			}
		}
		// The expert has no consent: the search finds it only for staff,
		// and counts every type.
		facets := map[string]float64{}
		for _, f := range got["search"]["facets"].([]any) {
			m := f.(map[string]any)
			facets[m["type"].(string)] = m["count"].(float64)
		}
		want := map[string]float64{"institution": 1, "platform": 0, "expert": 0, "service_org": 1, "carrier": 1, "fund": 1, "broker": 0}
		if fmt.Sprint(facets) != fmt.Sprint(want) {
			t.Errorf("search facets = %v, want %v", facets, want)
		}
		if hits := got["searchtype"]["hits"].([]any); len(hits) != 1 || hits[0].(map[string]any)["type"] != "fund" {
			t.Errorf("typed search hits = %v", hits)
		}
		if res := anon.get("/api/v1/institutions/" + id(got["inst"])); strings.Contains(res.body, "0512-12345678") {
			t.Errorf("anonymous API sees an institution's contact phone")
		}
		// Every write left its audit row, with the request that made it.
		for _, action := range []string{"institution.create", "institution.update", "expert.create", "expert.update",
			"service_org.create", "service_org.update", "carrier.create", "carrier.update", "fund.create", "fund.update"} {
			var n int
			if err := e.db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = ? AND request_id <> ''",
				action).Scan(&n); err != nil || n != 1 {
				t.Errorf("audit rows of %s = %d, %v; want 1 with a request id", action, n, err)
			}
		}
	})
}

// TestDirectoryDemoPages opens every directory page of the demo as a
// visitor and as staff: every list has rows and every detail page opens.
func TestDirectoryDemoPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		if _, err := e.app.LoadDemo(context.Background(), testPassword); err != nil {
			t.Fatal(err)
		}
		staff := e.client()
		staff.mustLoginAPI("staff")
		for name, c := range map[string]*client{"anonymous": e.client(), "staff": staff} {
			home := c.get("/directory")
			home.doc(t).Find("#directory-counts .count").Each(func(_ int, s *goquery.Selection) {
				if strings.TrimSpace(s.Text()) == "0" {
					t.Errorf("%s: a record type of the demo has no records", name)
				}
			})
			for _, list := range []string{"/directory/institutions", "/directory/experts", "/directory/service-orgs",
				"/directory/carriers", "/directory/funds", "/directory/search?q=" + url.QueryEscape("苏州")} {
				res := c.get(list)
				links := res.doc(t).Find("table.table tbody a")
				if res.status != http.StatusOK || links.Length() == 0 {
					t.Errorf("%s: %s = %d with %d rows", name, list, res.status, links.Length())
				}
				links.Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					if res := c.get(href); res.status != http.StatusOK {
						t.Errorf("%s: %s = %d", name, href, res.status)
					}
				})
			}
			inst := c.get("/directory/institutions?q=" + url.QueryEscape("苏州大学"))
			href, _ := inst.doc(t).Find("#institutions tbody a").First().Attr("href")
			if doc := c.get(href).doc(t); doc.Find("#platforms tbody tr").Length() < 2 || doc.Find("#experts li a").Length() == 0 {
				t.Errorf("%s: 苏州大学 lacks platforms or experts", name)
			}
		}
		res := staff.get("/directory/carriers?q=" + url.QueryEscape("昆山示例众创空间"))
		href, _ := res.doc(t).Find("#carriers tbody a").First().Attr("href")
		doc := staff.get(href).doc(t)
		// 120 stations, current tenants 12 + 20; this year's exits: one
		// graduate, one closed — or fewer when the demo's dates fall in
		// another year; the figures must be percentages either way.
		if occ := doc.Find("#occupancy").Text(); occ != "26.7%" {
			t.Errorf("occupancy of the demo 众创空间 = %q, want 26.7%% (32 of 120 stations)", occ)
		}
		if g := doc.Find("#graduation-rate").Text(); !strings.HasSuffix(g, "%") && g != "—" {
			t.Errorf("graduation rate = %q", g)
		}
	})
}

// TestDirectoryConsentAndPortfolioForms: an editor records a written
// consent on the expert page, after which visitors see the profile; the
// fund page adds a portfolio row whose amount visitors do not see.
func TestDirectoryConsentAndPortfolioForms(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newDirWorld(t, e)
		staff := e.client()
		staff.mustLoginAPI("city")
		anon := e.client()
		page := path("/directory/experts/%d", w.private.ID)
		tok := staff.formToken(page)
		res := staff.postForm(page+"/consent", url.Values{"csrf_token": {tok}, "fields": {"title"}, "notice_version": {"2026-1"},
			"given_on": {e.clock.Now().Format("2006-01-02")}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#consent-form").Text(), "须包含姓名") {
			t.Errorf("consent without the name = %d, want 422 saying the name is needed", res.status)
		}
		if res := anon.get(page); res.status != http.StatusNotFound {
			t.Fatalf("before consent: %d, want 404", res.status)
		}
		res = staff.postForm(page+"/consent", url.Values{"csrf_token": {tok}, "fields": {"name", "institution"},
			"notice_version": {"2026-1"}, "given_on": {e.clock.Now().Format("2006-01-02")}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("record consent = %d: %s", res.status, res.body)
		}
		if res := anon.get(page); res.status != http.StatusOK || !strings.Contains(res.body, "乙研究所") || strings.Contains(res.body, "13987654321") {
			t.Errorf("after consent: %d, or institution missing, or phone shown", res.status)
		}
		if res := anon.get(page); res.doc(t).Find("#consent-form").Length() != 0 {
			t.Errorf("a visitor is offered the consent form")
		}

		fund, err := e.app.Directory.CreateFund(context.Background(), actorOf(w.staff), directory.FundInput{Name: "测试基金",
			Type: "angel", Subscribed: 1000, Paid: 400, RegionCode: "320500"})
		if err != nil {
			t.Fatal(err)
		}
		fpage := path("/directory/funds/%d", fund.ID)
		res = staff.postForm(fpage+"/investments", url.Values{"csrf_token": {tok}, "name": {"某被投企业"}, "round": {"angel"},
			"investment_amount": {"100"}, "invested_on": {e.clock.Now().AddDate(1, 0, 0).Format("2006-01-02")}})
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "日期不能晚于今天") {
			t.Errorf("investment in the future = %d, want 422", res.status)
		}
		res = staff.postForm(fpage+"/investments", url.Values{"csrf_token": {tok}, "name": {"某被投企业"}, "round": {"angel"},
			"investment_amount": {"100"}, "invested_on": {e.clock.Now().Format("2006-01-02")}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("add investment = %d: %s", res.status, res.body)
		}
		if txt := staff.get(fpage).doc(t).Find("#portfolio").Text(); !strings.Contains(txt, "某被投企业") || !strings.Contains(txt, "25%") {
			t.Errorf("portfolio for staff = %q, want the row and 25%% of paid-in deployed", txt)
		}
		if txt := anon.get(fpage).doc(t).Find("#portfolio").Text(); !strings.Contains(txt, "某被投企业") || strings.Contains(txt, "100") {
			t.Errorf("portfolio for visitors = %q, want the row without its amount", txt)
		}
		if res := anon.postForm(fpage+"/investments", url.Values{"csrf_token": {tok}}); res.status == http.StatusSeeOther && strings.Contains(res.header.Get("Location"), "done") {
			t.Errorf("a visitor added an investment")
		}
	})
}
