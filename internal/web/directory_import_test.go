package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"kechuang/internal/account"
)

func TestCarrierImport(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ks", account.RoleCounty, "320583")
		ks := e.client()
		ks.loginForm("ks", testPassword)
		if ks.get("/directory/carriers").doc(t).Find(`#import-carriers[href="/directory/import"]`).Length() != 1 {
			t.Error("carriers list: no 导入载体 link for county staff")
		}
		page := ks.get("/directory/import")
		if page.status != http.StatusOK || !strings.Contains(page.body, "导入载体") {
			t.Fatalf("import page = %d", page.status)
		}
		tok := ks.formToken("/directory/import")
		tmpl := ks.get("/directory/import/template.xlsx")
		if tmpl.status != http.StatusOK || !strings.Contains(tmpl.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("template = %d %q", tmpl.status, tmpl.header.Get("Content-Disposition"))
		}
		csv := "载体名称,所属区县,载体类型,面积（平方米）,联系电话\n" +
			"甲孵化器,昆山市,孵化器,3000,0512-12345678\n" +
			"乙孵化器,太仓市,孵化器,3000,\n"
		res := ks.upload("/directory/import", tok, "载体.csv", []byte(csv), map[string]string{"mode": "valid"})
		if res.status != http.StatusSeeOther {
			t.Fatalf("upload = %d %s", res.status, res.body)
		}
		done := ks.waitJob(res.header.Get("Location")).doc(t)
		if rows := done.Find("#problems tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "太仓市") {
			t.Errorf("problems = %q", rows.Text())
		}
		if n := ks.get("/directory/carriers").doc(t).Find(`a[href^="/directory/carriers/"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Text(), "甲孵化器")
		}).Length(); n != 1 {
			t.Errorf("carriers list shows 甲孵化器 %d times after the import, want 1", n)
		}
		// Neither the link nor the page for those who may not create carriers.
		e.createUser("ent", account.RoleEnterprise, "320583")
		ent := e.client()
		ent.loginForm("ent", testPassword)
		if ent.get("/directory/carriers").doc(t).Find("#import-carriers").Length() != 0 {
			t.Error("an enterprise sees the 导入载体 link")
		}
		if res := ent.get("/directory/import"); res.status != http.StatusForbidden {
			t.Errorf("enterprise import page = %d, want 403", res.status)
		}
	})
}
