package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"kechuang/internal/sheet"
)

func TestProjectImport(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		w := newProjectWorld(t, e)
		// Staff see the link on the list, the page and the template.
		list := w.ks.get("/projects/list").doc(t)
		if list.Find(`a[href="/projects/list/import"]`).Length() != 1 {
			t.Errorf("the project list has no import link for county staff")
		}
		page := w.ks.get("/projects/list/import")
		if page.status != http.StatusOK || !strings.Contains(page.doc(t).Find("h1").Text(), "导入项目") {
			t.Fatalf("import page = %d", page.status)
		}
		tok := w.ks.formToken("/projects/list/import")
		tmpl := w.ks.get("/projects/list/import/template.xlsx")
		if tmpl.status != http.StatusOK || !strings.Contains(tmpl.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("template = %d %q", tmpl.status, tmpl.header.Get("Content-Disposition"))
		}
		rd, err := sheet.Open(bytes.NewReader([]byte(tmpl.body)), int64(len(tmpl.body)), "t.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatalf("template: %v", err)
		}
		if h := strings.Join(rd.Header(), ","); !strings.HasPrefix(h, "*项目名称,*项目类型,*所属区县,*责任单位,包联领导") {
			t.Errorf("template header = %q", h)
		}
		rd.Close()

		// An upload: one good row, one of another county.
		csv := "项目名称,项目类型,所属区县,责任单位,总投资（万元）,年度计划投资（万元）,计划开工日期,计划完成日期\n" +
			"网页导入项目,招商引资项目,昆山市,昆山市发改委,1000,500,2026-01-01,2027-12-31\n" +
			"外县项目,招商引资项目,吴江区,昆山市发改委,1000,500,2026-01-01,2027-12-31\n"
		res := w.ks.upload("/projects/list/import", tok, "项目.csv", []byte(csv), map[string]string{"mode": "valid"})
		if res.status != http.StatusSeeOther {
			t.Fatalf("upload = %d %s", res.status, res.body)
		}
		done := w.ks.waitJob(res.header.Get("Location")).doc(t)
		if got := done.Find("#result-created").Text(); !strings.Contains(got, "1") {
			t.Errorf("created = %q, want 1", got)
		}
		if rows := done.Find("#problems tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "所属区县") {
			t.Errorf("problems = %q", rows.Text())
		}
		if !strings.Contains(w.ks.get("/projects/list").body, "网页导入项目") {
			t.Error("the imported project is not on the list")
		}

		// An enterprise neither sees the link nor reaches the page.
		if n := w.firm.get("/projects/list").doc(t).Find(`a[href="/projects/list/import"]`).Length(); n != 0 {
			t.Error("an enterprise sees the import link")
		}
		if res := w.firm.get("/projects/list/import"); res.status != http.StatusForbidden {
			t.Errorf("enterprise import page = %d, want 403", res.status)
		}
	})
}
