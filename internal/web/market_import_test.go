package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kechuang/internal/account"
	"kechuang/internal/market"
	"kechuang/internal/sheet"
)

const marketImportCSV = "类型,外部编号,标题,成果简介或需求描述,关键词,技术领域,技术就绪水平（成果）,交易方式,报价（万元，成果）,所属区县,联系人,联系电话\n" +
	"科技成果,W-1,精密零件表面缺陷在线检测系统,检测精度达到0.01毫米，已在两家企业产线试用。,机器视觉、缺陷检测,先进制造与自动化,6,技术许可,80,昆山市,陈老师,0512-65880000\n" +
	"科技成果,W-2,第二项科技成果的标题,一种新材料的制备方法。,新材料,量子玄学,5,技术转让,面议,昆山市,陈老师,0512-65880000\n"

func TestMarketImportPages(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ent := e.createUser("ent", account.RoleEnterprise, "320583")
		owner := account.Actor{UserID: ent.ID, Username: ent.Username, Role: account.RoleEnterprise, Region: "320583"}
		c := e.client()
		c.loginForm("ent", testPassword)
		if n := c.get("/market").doc(t).Find("#import-link").Length(); n != 1 {
			t.Errorf("market toolbar import links = %d, want 1", n)
		}
		tok := c.formToken("/market/import")
		tmpl := c.get("/market/import/template.xlsx")
		if tmpl.status != http.StatusOK || !strings.Contains(tmpl.header.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("template = %d %q", tmpl.status, tmpl.header.Get("Content-Disposition"))
		}

		// All or nothing with a bad row: nothing written, the problem listed.
		res := c.upload("/market/import", tok, "供需.csv", []byte(marketImportCSV), map[string]string{"mode": "all"})
		if res.status != http.StatusSeeOther {
			t.Fatalf("upload = %d %s", res.status, res.body)
		}
		job := res.header.Get("Location")
		done := c.waitJob(job).doc(t)
		if done.Find("#not-applied").Length() != 1 {
			t.Errorf("all-or-nothing with a bad row: no not-applied notice")
		}
		rows := done.Find("#problems tbody tr")
		if rows.Length() != 1 || rows.Find("td").Eq(0).Text() != "3" || rows.Find("td").Eq(1).Text() != "技术领域" {
			t.Errorf("problems = %q", rows.Text())
		}
		// The status block that htmx polls comes alone, without the layout.
		block := c.do(http.MethodGet, job, nil, map[string]string{"HX-Request": "true"})
		if bd := block.doc(t); bd.Find("#import-status").Length() != 1 || bd.Find("header, nav").Length() != 0 {
			t.Errorf("htmx status block = %q", block.body)
		}
		// The report holds the bad row as it was, the reason beside it.
		header, first := errorReport(t, c.get(job+"/errors.xlsx"))
		if header != strings.TrimSpace(strings.SplitN(marketImportCSV, "\n", 2)[0])+",错误原因,原行号" {
			t.Errorf("error report header = %q", header)
		}
		if len(first) < 14 || first[5] != "量子玄学" || !strings.Contains(first[12], "技术领域") || first[13] != "3" {
			t.Errorf("error report row = %q; want row 3 as uploaded with its reason", first)
		}

		// Valid rows only, submitted for review.
		res = c.upload("/market/import", tok, "供需.csv", []byte(marketImportCSV), map[string]string{"mode": "valid", "submit": "1"})
		done = c.waitJob(res.header.Get("Location")).doc(t)
		if got := done.Find("#result-created").Text() + "/" + done.Find("#result-submitted").Text(); got != "1/1" {
			t.Errorf("created/submitted = %q, want 1/1", got)
		}
		mine, _, err := e.market.FindListings(ctx, owner, market.Filter{Mine: true})
		if err != nil || len(mine) != 1 || mine[0].State != market.Submitted {
			t.Fatalf("listings after import = %+v, %v; want one submitted", mine, err)
		}
		// The same file again creates nothing.
		res = c.upload("/market/import", tok, "供需.csv", []byte(marketImportCSV), map[string]string{"mode": "valid", "submit": "1"})
		done = c.waitJob(res.header.Get("Location")).doc(t)
		if got := done.Find("#result-created").Text() + "/" + done.Find("#result-unchanged").Text(); got != "0/1" {
			t.Errorf("re-import created/unchanged = %q, want 0/1", got)
		}
		if n := c.get("/market/import").doc(t).Find("#recent-imports li a").Length(); n != 3 {
			t.Errorf("recent imports = %d, want 3", n)
		}

		// Another user cannot see the job; a broker cannot import.
		e.createUser("broker", account.RoleBroker, "320583")
		b := e.client()
		b.loginForm("broker", testPassword)
		if res := b.get(job); res.status != http.StatusNotFound {
			t.Errorf("another user's job = %d, want 404", res.status)
		}
		if res := b.get("/market/import"); res.status != http.StatusForbidden {
			t.Errorf("broker import page = %d, want 403", res.status)
		}
		btok := b.formToken("/market")
		if res := b.upload("/market/import", btok, "供需.csv", []byte(marketImportCSV), nil); res.status != http.StatusForbidden {
			t.Errorf("broker upload = %d, want 403", res.status)
		}
		// A file named .xlsx that is not one: the job fails and says why.
		res = c.upload("/market/import", tok, "fake.xlsx", []byte("not a workbook"), nil)
		failed := c.waitJob(res.header.Get("Location")).doc(t)
		if got := failed.Find("#import-status .error").Text(); !strings.Contains(got, "不是 Excel") {
			t.Errorf("failed import says %q", got)
		}
		// A workbook with an illegal character in row 4: the job fails,
		// names the row, and writes nothing (it once said done over the
		// rows it had silently dropped).
		res = c.upload("/market/import", tok, "bad.xlsx", illegalCharXLSX(t), map[string]string{"mode": "valid"})
		failed = c.waitJob(res.header.Get("Location")).doc(t)
		if got := failed.Find("#import-status .error").Text(); !strings.Contains(got, "第 4 行") || !strings.Contains(got, "U+0001") {
			t.Errorf("failed import says %q, want row 4 and the character", got)
		}
		if got := failed.Find("#problems tbody tr td").First().Text(); got != "4" {
			t.Errorf("failed import's first problem row = %q, want 4", got)
		}
		if mine, _, _ := e.market.FindListings(ctx, owner, market.Filter{Mine: true}); len(mine) != 1 {
			t.Errorf("listings after the failed import = %d, want still 1", len(mine))
		}
		// Over the size cap: refused before anything is queued.
		big := append([]byte(marketImportCSV), bytes.Repeat([]byte("x"), 21<<20)...)
		if res := c.upload("/market/import", tok, "big.csv", big, nil); res.status < 400 || !strings.Contains(res.body, "20 MB") {
			t.Errorf("21 MB upload = %d, want a 4xx saying the cap", res.status)
		}
		// Not a spreadsheet: a clear message, nothing queued.
		res = c.upload("/market/import", tok, "notes.txt", []byte("hello"), nil)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.doc(t).Find("#import-error").Text(), ".xlsx") {
			t.Errorf("txt upload = %d", res.status)
		}
	})
}

// TestMarketSearchExport checks that the export holds every match, not one
// page, and that a title written as a formula comes out as inert text.
func TestMarketSearchExport(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		inst := e.createUser("inst", account.RoleInstitution, "320505")
		staff := e.createUser("city", account.RoleStaff, "320500")
		owner := account.Actor{UserID: inst.ID, Username: inst.Username, Role: account.RoleInstitution, Region: "320505"}
		reviewer := account.Actor{UserID: staff.ID, Username: staff.Username, Role: account.RoleStaff, Region: "320500"}
		titles := []string{`=HYPERLINK("http://evil.example","点我")`, "一种5G基站用小型化腔体滤波器", "基站天线的小型化设计方法"}
		for _, title := range titles {
			in := market.Input{Title: title, Summary: "面向5G基站射频前端的小型化器件，插入损耗低于0.5dB。",
				Keywords: []string{"5G", "基站"}, Domain: "电子信息/通信技术", Industry: "C39", TRL: 6,
				Modes: []string{"license"}, Contact: market.Contact{Name: "陈老师", Phone: "0512-65880000"}}
			l, err := e.market.CreateListing(ctx, owner, market.Achievement, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.market.Submit(ctx, owner, l.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.market.Approve(ctx, reviewer, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		if res := c.get("/market/search.xlsx?q=5G"); res.status != http.StatusSeeOther {
			t.Errorf("anonymous export = %d, want a redirect to the login page", res.status)
		}
		c.loginForm("city", testPassword)
		page := c.get("/market/search?q=" + url.QueryEscape("5G 基站") + "&per_page=1").doc(t)
		if action, _ := page.Find("#export-form").Attr("action"); action != "/market/search.xlsx" {
			t.Errorf("search page export form action = %q", action)
		}
		res := c.get("/market/search.xlsx?q=" + url.QueryEscape("5G 基站") + "&per_page=1&domain=" + url.QueryEscape("电子信息"))
		if res.status != http.StatusOK {
			t.Fatalf("export = %d %s", res.status, res.body)
		}
		rd, err := sheet.Open(bytes.NewReader([]byte(res.body)), int64(len(res.body)), "export.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		if got := strings.Join(rd.Header(), ","); got != "编号,类型,标题,技术领域,所属区县,技术就绪水平,交易方式,报价/预算,发布日期,链接" {
			t.Errorf("export header = %q", got)
		}
		var got []string
		for {
			row, _, err := rd.Next()
			if err != nil {
				break
			}
			got = append(got, row[2])
			if row[4] != "虎丘区" || row[6] != "技术许可" || row[7] != "面议" || !strings.Contains(row[9], "/market/listings/") {
				t.Errorf("export row = %q", row)
			}
		}
		if len(got) != 3 {
			t.Fatalf("export titles = %q, want all 3 matches despite per_page=1", got)
		}
		stats, err := sheet.OpenSheet(bytes.NewReader([]byte(res.body)), int64(len(res.body)), "export.xlsx", "统计", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer stats.Close()
		if row, _, err := stats.Next(); err != nil || row[0] != "匹配总数" || row[2] != "3" {
			t.Errorf("statistics sheet first row = %q, %v", row, err)
		}
		joined := strings.Join(got, "|")
		if !strings.Contains(joined, `'=HYPERLINK(`) || strings.Contains("|"+joined, `|=HYPERLINK`) {
			t.Errorf("export titles = %q, want the formula neutralised with a leading apostrophe", got)
		}
	})
}

// illegalCharXLSX is the market import as a workbook whose row 4 holds a
// control character that XML does not allow, put into the sheet's XML the
// way no spreadsheet program would (they escape it as _x0001_).
func illegalCharXLSX(t *testing.T) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(marketImportCSV), "\n")
	var rows [][]any
	for r := 2; r <= 5; r++ {
		cells := strings.Split(lines[1], ",")
		cells[1], cells[2] = fmt.Sprintf("W-%d", r), fmt.Sprintf("第%d行的科技成果标题", r)
		if r == 4 {
			cells[2] += "@@"
		}
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = c
		}
		rows = append(rows, row)
	}
	var book bytes.Buffer
	if err := sheet.WriteXLSX(&book, sheet.Sheet{Name: "数据", Header: strings.Split(lines[0], ","), Rows: rows}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(book.Bytes()), int64(book.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(bytes.ReplaceAll(data, []byte("@@"), []byte{1})); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
