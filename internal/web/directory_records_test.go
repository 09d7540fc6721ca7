package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/directory"
	"kechuang/internal/sheet"
)

// TestDirectoryRecordImports: county staff import institutions, experts,
// service organisations and funds from the lists' import link; a row of
// another county is a row error naming row and column; members have
// neither the link nor the page.
func TestDirectoryRecordImports(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ks", account.RoleCounty, "320583")
		ks := e.client()
		ks.loginForm("ks", testPassword)
		e.createUser("ent", account.RoleEnterprise, "320583")
		ent := e.client()
		ent.loginForm("ent", testPassword)
		for _, c := range []struct {
			list, name, csv, created string
		}{
			{"/directory/institutions", "institutions", "机构名称,机构类型,所属区县\n甲研究院,科研院所,昆山市\n乙研究院,科研院所,太仓市\n", "甲研究院"},
			{"/directory/experts", "experts", "姓名,工作单位,所属区县,手机号\n甲专家,某公司,昆山市,13800000001\n乙专家,某公司,太仓市,13800000002\n", "甲专家"},
			{"/directory/service-orgs", "service-orgs", "机构名称,机构类型,所属区县\n甲服务公司,科技咨询,昆山市\n乙服务公司,科技咨询,太仓市\n", "甲服务公司"},
			{"/directory/funds", "funds", "基金名称,基金类型,所属地区,认缴规模（万元）\n甲基金,天使基金,昆山市,1000\n乙基金,天使基金,太仓市,1000\n", "甲基金"},
		} {
			t.Run(c.name, func(t *testing.T) {
				base := "/directory/imports/" + c.name
				if ks.get(c.list).doc(t).Find(`#import-records[href="`+base+`"]`).Length() != 1 {
					t.Errorf("%s: no import link for county staff", c.list)
				}
				if page := ks.get(base); page.status != http.StatusOK {
					t.Fatalf("import page = %d", page.status)
				}
				tmpl := ks.get(base + "/template.xlsx")
				if tmpl.status != http.StatusOK || !strings.Contains(tmpl.header.Get("Content-Disposition"), ".xlsx") {
					t.Fatalf("template = %d %q", tmpl.status, tmpl.header.Get("Content-Disposition"))
				}
				tok := ks.formToken(base)
				res := ks.upload(base, tok, "records.csv", []byte(c.csv), map[string]string{"mode": "valid"})
				if res.status != http.StatusSeeOther {
					t.Fatalf("upload = %d %s", res.status, res.body)
				}
				job := res.header.Get("Location")
				done := ks.waitJob(job).doc(t)
				if rows := done.Find("#problems tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "太仓市") ||
					!strings.Contains(rows.Text(), "3") {
					t.Errorf("problems = %q", rows.Text())
				}
				if got := done.Find("#result-created").Text(); strings.TrimSpace(got) != "1" {
					t.Errorf("created = %q, want 1", got)
				}
				if rep := ks.get(job + "/errors.xlsx"); rep.status != http.StatusOK {
					t.Errorf("error report = %d", rep.status)
				}
				if !strings.Contains(ks.get(c.list+"?q="+c.created).body, c.created) {
					t.Errorf("%s does not list %s after the import", c.list, c.created)
				}
				// All or nothing, again: the good row exists, the bad one
				// stops the import; nothing changes.
				res = ks.upload(base, ks.formToken(base), "records.csv", []byte(c.csv), map[string]string{"mode": "all"})
				done = ks.waitJob(res.header.Get("Location")).doc(t)
				if got := strings.TrimSpace(done.Find("#result-created").Text()); got != "0" {
					t.Errorf("second import created %q", got)
				}
				if ent.get(c.list).doc(t).Find("#import-records").Length() != 0 {
					t.Error("an enterprise sees the import link")
				}
				if res := ent.get(base); res.status != http.StatusForbidden {
					t.Errorf("enterprise import page = %d, want 403", res.status)
				}
			})
		}
	})
}

// TestDirectoryExports: every list exports as .xlsx with its filters and
// contacts masked; staff may take the contacts whole (audited), others may
// not; visitors are sent to log in.
func TestDirectoryExports(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ksU := e.createUser("ks", account.RoleCounty, "320583")
		ksA := actorOf(ksU)
		svc := e.app.Directory
		if _, err := svc.CreateInstitution(ctx, ksA, directory.InstitutionInput{Name: "昆山导出研究院", Type: "institute", RegionCode: "320583",
			Contact: directory.Contact{Name: "王", Phone: "0512-57001234", Email: "wang@example.cn"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInstitution(ctx, ksA, directory.InstitutionInput{Name: "昆山另一大学", Type: "university", RegionCode: "320583"}); err != nil {
			t.Fatal(err)
		}
		ks := e.client()
		ks.loginForm("ks", testPassword)
		e.createUser("ent", account.RoleEnterprise, "320583")
		ent := e.client()
		ent.loginForm("ent", testPassword)

		list := ent.get("/directory/institutions?type=institute").doc(t)
		href, _ := list.Find("#export-xlsx").Attr("href")
		if href != "/directory/institutions/export.xlsx?type=institute" {
			t.Errorf("export link = %q", href)
		}
		if list.Find("#export-xlsx-full").Length() != 0 {
			t.Error("an enterprise is offered the full-contacts export")
		}
		res := ent.get(href)
		if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export = %d %s", res.status, res.header.Get("Content-Type"))
		}
		data := []byte(res.body)
		r, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "x.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatalf("export is no .xlsx: %v", err)
		}
		row, _, err := r.Next()
		r.Close()
		if err != nil || row[0] != "昆山导出研究院" {
			t.Fatalf("first row = %v, %v", row, err)
		}
		if strings.Contains(res.body, "57001234") || strings.Contains(res.body, "wang@example.cn") {
			t.Error("the export holds the contact unmasked")
		}
		if res := ent.get("/directory/institutions/export.xlsx?contacts=full"); res.status != http.StatusForbidden {
			t.Errorf("enterprise full export = %d, want 403", res.status)
		}
		full, _ := ks.get("/directory/institutions").doc(t).Find("#export-xlsx-full").Attr("href")
		if res := ks.get(full); res.status != http.StatusOK {
			t.Errorf("staff full export = %d", res.status)
		}
		var n int
		if err := e.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'directory.export_contacts'").Scan(&n); err != nil || n != 1 {
			t.Errorf("full exports audited = %d, %v; want 1", n, err)
		}
		for _, p := range []string{"/directory/experts", "/directory/service-orgs", "/directory/carriers", "/directory/funds"} {
			if res := ks.get(p + "/export.xlsx"); res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), ".xlsx") {
				t.Errorf("%s export = %d", p, res.status)
			}
		}
		if res := e.client().get("/directory/funds/export.xlsx"); res.status != http.StatusSeeOther {
			t.Errorf("visitor export = %d, want a redirect to log in", res.status)
		}
	})
}

// TestExpertSelfService: the expert linked to a record reads it, takes a
// copy and asks for its deletion through the API and the pages; staff of
// its county decide; everyone else gets 404.
func TestExpertSelfService(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ksU := e.createUser("ks", account.RoleCounty, "320583")
		e.createUser("wz", account.RoleCounty, "320506")
		profU := e.createUser("prof", account.RoleInstitution, "320583")
		e.createUser("other", account.RoleInstitution, "320583")
		svc := e.app.Directory
		ex, err := svc.CreateExpert(ctx, actorOf(ksU), directory.ExpertInput{Name: "钱自助", Title: "教授", RegionCode: "320583",
			Contact: &directory.ExpertContact{Phone: "13900001111", Email: "qian@example.cn"}})
		if err != nil {
			t.Fatal(err)
		}
		// Staff of the expert's county link it to the expert's account on
		// the expert page; those of another county cannot.
		ksPage := e.client()
		ksPage.loginForm("ks", testPassword)
		tok := ksPage.formToken(ownPath(ex.ID))
		link := ownPath(ex.ID) + "/account"
		if res := ksPage.postForm(link, map[string][]string{"csrf_token": {tok}, "username": {"nobody"}}); res.status != http.StatusUnprocessableEntity ||
			res.doc(t).Find("#account-link-form .error").Length() != 1 {
			t.Errorf("link to an unknown username = %d", res.status)
		}
		if res := ksPage.postForm(link, map[string][]string{"csrf_token": {tok}, "username": {"prof"}}); res.status != http.StatusSeeOther {
			t.Fatalf("link = %d %s", res.status, res.body)
		}
		wzPage := e.client()
		wzPage.loginForm("wz", testPassword)
		if res := wzPage.postForm(link, map[string][]string{"csrf_token": {wzPage.formToken("/directory/experts")}, "username": {"other"}}); res.status != http.StatusNotFound {
			t.Errorf("another county links = %d, want 404", res.status)
		}
		if got, _ := svc.GetExpert(ctx, actorOf(ksU), ex.ID); got.AccountID != profU.ID {
			t.Fatalf("linked account = %d, want %d", got.AccountID, profU.ID)
		}
		prof, other, wz, ks := e.client(), e.client(), e.client(), e.client()
		prof.mustLoginAPI("prof")
		other.mustLoginAPI("other")
		wz.mustLoginAPI("wz")
		ks.mustLoginAPI("ks")

		if res := e.client().api(http.MethodGet, "/api/v1/me/expert", nil); res.status != http.StatusUnauthorized {
			t.Errorf("visitor /me/expert = %d", res.status)
		}
		if res := other.api(http.MethodGet, "/api/v1/me/expert", nil); res.status != http.StatusNotFound {
			t.Errorf("unlinked /me/expert = %d, want 404", res.status)
		}
		if res := other.api(http.MethodGet, "/api/v1/me/expert/export", nil); res.status != http.StatusNotFound {
			t.Errorf("unlinked export = %d, want 404", res.status)
		}
		var me directory.Expert
		res := prof.api(http.MethodGet, "/api/v1/me/expert", nil)
		res.json(t, &me)
		if res.status != http.StatusOK || me.ID != ex.ID || me.Phone != "13900001111" {
			t.Fatalf("/me/expert = %d %+v", res.status, me)
		}
		var copy directory.ExpertExport
		res = prof.api(http.MethodGet, "/api/v1/me/expert/export", nil)
		res.json(t, &copy)
		if res.status != http.StatusOK || copy.Expert.Email != "qian@example.cn" || copy.Notice.Version == "" {
			t.Fatalf("export = %d %+v", res.status, copy)
		}
		// The pages: the record with the copy's downloads and the form.
		page := prof.get("/directory/me/expert").doc(t)
		if page.Find("#my-data #export-json").Length() != 1 || page.Find("#deletion-form").Length() != 1 {
			t.Errorf("own expert page lacks the copy or the deletion form")
		}
		if res := prof.get("/directory/me/expert/export.json"); res.status != http.StatusOK || !strings.Contains(res.body, "13900001111") {
			t.Errorf("JSON copy = %d", res.status)
		}
		if res := prof.get("/directory/me/expert/export.xlsx"); res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("xlsx copy = %d", res.status)
		}
		if res := other.get("/directory/me/expert/export.xlsx"); res.status != http.StatusNotFound {
			t.Errorf("unlinked xlsx copy = %d, want 404", res.status)
		}
		if page := other.get(ownPath(ex.ID)).doc(t); page.Find("#my-data").Length() != 0 {
			t.Error("another account sees the expert's own data section")
		}

		// The request, through the API.
		if res := other.api(http.MethodPost, "/api/v1/me/expert/deletion-request", map[string]string{"reason": "x"}); res.status != http.StatusNotFound {
			t.Errorf("unlinked deletion request = %d, want 404", res.status)
		}
		var req directory.DeletionRequest
		res = prof.api(http.MethodPost, "/api/v1/me/expert/deletion-request", map[string]string{"reason": "不再担任评审专家"})
		res.json(t, &req)
		if res.status != http.StatusCreated || req.State != directory.DeletionPending {
			t.Fatalf("deletion request = %d %s", res.status, res.body)
		}
		if res := prof.api(http.MethodPost, "/api/v1/me/expert/deletion-request", map[string]string{}); res.status != http.StatusConflict {
			t.Errorf("second request = %d, want 409", res.status)
		}
		if res := prof.api(http.MethodPost, "/api/v1/me/expert/deletion-request", map[string]string{"reason": strings.Repeat("长", 4001)}); res.status != http.StatusConflict && res.status != http.StatusUnprocessableEntity {
			t.Errorf("over-long reason = %d", res.status)
		}
		decide := "/api/v1/expert-deletion-requests/" + strconv.FormatInt(req.ID, 10) + "/decide"
		var page1 struct {
			Total int `json:"total"`
		}
		wz.api(http.MethodGet, "/api/v1/expert-deletion-requests?state=pending", nil).json(t, &page1)
		if page1.Total != 0 {
			t.Errorf("another county's staff list %d requests", page1.Total)
		}
		for who, c := range map[string]*client{"other county": wz, "the expert": prof, "another account": other} {
			if res := c.api(http.MethodPost, decide, map[string]any{"approve": true}); res.status != http.StatusNotFound {
				t.Errorf("%s decides = %d, want 404", who, res.status)
			}
		}
		ks.api(http.MethodGet, "/api/v1/expert-deletion-requests?state=pending", nil).json(t, &page1)
		if page1.Total != 1 {
			t.Errorf("county staff list %d pending requests, want 1", page1.Total)
		}
		if res := ks.api(http.MethodGet, "/api/v1/expert-deletion-requests?state=lost", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("bad state filter = %d", res.status)
		}
		if res := ks.api(http.MethodPost, decide, map[string]any{"approve": false}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("refusal without a note = %d, want 422", res.status)
		}
		res = ks.api(http.MethodPost, decide, map[string]any{"approve": false, "note": "评审项目未结题，须保存至结题"})
		if res.status != http.StatusOK || !strings.Contains(res.body, `"refused"`) {
			t.Fatalf("refuse = %d %s", res.status, res.body)
		}
		if res := ks.api(http.MethodPost, decide, map[string]any{"approve": true}); res.status != http.StatusConflict {
			t.Errorf("deciding twice = %d, want 409", res.status)
		}
		if res := prof.api(http.MethodGet, "/api/v1/notices", nil); !strings.Contains(res.body, "评审项目未结题") {
			t.Errorf("the expert's inbox lacks the refusal: %s", res.body)
		}
		var own struct {
			Total int `json:"total"`
		}
		prof.api(http.MethodGet, "/api/v1/expert-deletion-requests", nil).json(t, &own)
		if own.Total != 1 {
			t.Errorf("the expert lists %d own requests, want 1", own.Total)
		}

		// Again through the pages; staff carry it out on theirs.
		profPage := e.client()
		profPage.loginForm("prof", testPassword)
		tok = profPage.formToken("/directory/me/expert")
		if res := profPage.postForm("/directory/me/expert/deletion-request", map[string][]string{"csrf_token": {tok},
			"deletion_reason": {"请删除"}}); res.status != http.StatusSeeOther {
			t.Fatalf("page request = %d %s", res.status, res.body)
		}
		if ksPage.get("/directory/experts").doc(t).Find(`#deletion-requests[href="/directory/deletion-requests"]`).Length() != 1 {
			t.Error("no link to the deletion requests for county staff")
		}
		list := ksPage.get("/directory/deletion-requests?state=pending").doc(t)
		form := list.Find("form.decide")
		if form.Length() != 1 {
			t.Fatalf("pending requests on the staff page = %d", form.Length())
		}
		action, _ := form.Attr("action")
		tok, _ = form.Find(`input[name="csrf_token"]`).Attr("value")
		if res := ksPage.postForm(action, map[string][]string{"csrf_token": {tok}, "decision": {"refuse"}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("page refusal without note = %d, want 422", res.status)
		}
		if res := ksPage.postForm(action, map[string][]string{"csrf_token": {tok}, "decision": {"approve"}}); res.status != http.StatusSeeOther {
			t.Fatalf("page approval = %d %s", res.status, res.body)
		}
		if res := prof.api(http.MethodGet, "/api/v1/me/expert", nil); res.status != http.StatusNotFound {
			t.Errorf("/me/expert after deletion = %d, want 404", res.status)
		}
		if _, err := svc.GetExpert(ctx, actorOf(ksU), ex.ID); err == nil {
			t.Error("the expert record survives its deletion")
		}
		if hits, err := svc.Search(ctx, actorOf(ksU), directory.SearchFilter{Query: "钱自助"}); err != nil || hits.Total != 0 {
			t.Errorf("the directory search still finds the deleted expert: %+v %v", hits, err)
		}
		if res := prof.api(http.MethodGet, "/api/v1/notices", nil); !strings.Contains(res.body, "已按您的申请删除") {
			t.Errorf("the expert's inbox lacks the deletion: %s", res.body)
		}
	})
}

func ownPath(id int64) string { return "/directory/experts/" + strconv.FormatInt(id, 10) }
