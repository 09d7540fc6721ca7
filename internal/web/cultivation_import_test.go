package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/sheet"
)

// upload posts a multipart import form with the page's CSRF token.
func (c *client) upload(path, token, filename string, body []byte, fields map[string]string) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", token)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(body)
	_ = mw.Close()
	return c.do(http.MethodPost, path, &buf, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// waitJob polls a job page until it shows a finished state.
func (c *client) waitJob(path string) response {
	c.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res := c.get(path)
		state := res.doc(c.t).Find("#job-state").Text()
		if state == "已完成" || state == "失败" {
			return res
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.t.Fatalf("job %s did not finish", path)
	return response{}
}

// errorReport reads an import's error report: the header and first row
// of its marked rows; it checks that its second sheet lists the problems
// (行号, 列, 原因).
func errorReport(t *testing.T, res response) (header string, first []string) {
	t.Helper()
	data := []byte(res.body)
	list, err := sheet.OpenSheet(bytes.NewReader(data), int64(len(data)), "errors.xlsx", "问题列表", sheet.Limits{})
	if err != nil {
		t.Fatalf("error report list: %v", err)
	}
	if got := strings.Join(list.Header(), ","); got != "行号,列,原因" {
		t.Errorf("error report list header = %q", got)
	}
	list.Close()
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), "errors.xlsx", sheet.Limits{})
	if err != nil {
		t.Fatalf("error report: %v", err)
	}
	defer rd.Close()
	first, _, err = rd.Next()
	if err != nil {
		t.Errorf("error report has no rows: %v", err)
	}
	return strings.Join(rd.Header(), ","), first
}

func TestCultivationImportAndExport(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		e.createUser("ks", account.RoleCounty, "320583")
		ks := e.client()
		ks.loginForm("ks", testPassword)
		tok := ks.formToken("/cultivation/import")
		tmpl := ks.get("/cultivation/import/template.xlsx")
		if tmpl.status != http.StatusOK || !strings.Contains(tmpl.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("template = %d %q", tmpl.status, tmpl.header.Get("Content-Disposition"))
		}
		csv := "统一社会信用代码,企业名称,所属区县,年度,营业收入（万元）,研发费用（万元）\n" +
			creditCode("91320583MA1XYK123") + ",甲公司,昆山市,2025,4000,128\n" +
			creditCode("91320583MA1XYK124") + ",乙公司,外星区,2025,100,abc\n"
		res := ks.upload("/cultivation/import", tok, "企业.csv", []byte(csv), map[string]string{"mode": "all"})
		if res.status != http.StatusSeeOther {
			t.Fatalf("upload = %d %s", res.status, res.body)
		}
		job := res.header.Get("Location")
		done := ks.waitJob(job).doc(t)
		if done.Find("#not-applied").Length() != 1 {
			t.Errorf("all-or-nothing with a bad row: no not-applied notice")
		}
		rows := done.Find("#problems tbody tr")
		if rows.Length() != 2 || !strings.Contains(rows.Text(), "外星区") || !strings.Contains(rows.Text(), "不是数字") {
			t.Errorf("problems = %q", rows.Text())
		}
		// The report holds the bad row as it was, the reasons beside it.
		header, first := errorReport(t, ks.get(job+"/errors.xlsx"))
		if header != "统一社会信用代码,企业名称,所属区县,年度,营业收入（万元）,研发费用（万元）,错误原因,原行号" {
			t.Errorf("error report header = %q", header)
		}
		if len(first) < 8 || first[2] != "外星区" || first[5] != "abc" || first[7] != "3" {
			t.Errorf("error report row = %q; want row 3 as uploaded", first)
		}

		res = ks.upload("/cultivation/import", tok, "企业.csv", []byte(csv), map[string]string{"mode": "valid"})
		done = ks.waitJob(res.header.Get("Location")).doc(t)
		if got := done.Find("#import-result dd").Eq(2).Text(); got != "1" {
			t.Errorf("created = %q, want 1", got)
		}
		if n := ks.get("/cultivation").doc(t).Find("#enterprises tbody tr a").Length(); n != 1 {
			t.Errorf("registry has %d enterprises after the valid-rows import, want 1", n)
		}
		// Another user cannot see this job.
		e.createUser("tc", account.RoleCounty, "320585")
		tc := e.client()
		tc.mustLoginAPI("tc")
		if res := tc.get(job); res.status != http.StatusNotFound {
			t.Errorf("another user's job = %d, want 404", res.status)
		}
		// Not a spreadsheet: a clear message, nothing queued.
		res = ks.upload("/cultivation/import", tok, "notes.txt", []byte("hello"), nil)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#import-error").Text(), ".xlsx") {
			t.Errorf("txt upload = %d", res.status)
		}
		export := ks.get("/cultivation/export.xlsx")
		if export.status != http.StatusOK {
			t.Fatalf("export = %d", export.status)
		}
		rd, err := sheet.Open(bytes.NewReader([]byte(export.body)), int64(len(export.body)), "report.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		row, _, err := rd.Next()
		if err != nil || row[1] != "甲公司" {
			t.Errorf("export first row = %v, %v", row, err)
		}
	})
}
