package indicator_test

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xuri/excelize/v2"

	"kechuang/data"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/dbtest"
	"kechuang/internal/i18n"
	"kechuang/internal/indicator"
	"kechuang/internal/notice"
	"kechuang/internal/sqldb"
)

// TestComputedIndicatorsMatchAHandCount checks every computed indicator
// of the catalogue against the records of the fixture, counted by hand
// (see seed), for the city and for two counties, in a month and a quarter.
func TestComputedIndicatorsMatchAHandCount(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.seed()
		type want struct{ city, kunshan, taicang float64 }
		for _, tc := range []struct {
			period string
			code   string
			want   want
		}{
			{"2026-11", "KJ01", want{2, 1, 1}},             // 科小 valid on 11-30: E1, E3 (E5 ended 2025)
			{"2026-11", "KJ02", want{1, 0, 1}},             // 科小 issued in November: E3
			{"2026-11", "KJ03", want{2, 1, 1}},             // 高企 valid on 11-30: E1, E3 (E2 expired, E4 revoked)
			{"2026-11", "KJ04", want{1, 0, 1}},             // 高企 issued in November: E3
			{"2026-05", "KJ03", want{3, 2, 1}},             // in May E2 and E4 still held theirs; E3 not yet
			{"2026-11", "JS01", want{3, 2, 1}},             // contracts signed in November
			{"2026-11", "JS02", want{170.5, 150.5, 20}},    // 100 + 50.5, 20
			{"2026-11", "JS03", want{140, 120, 20}},        // 80 + 40, 20
			{"2026-Q4", "JS02", want{1169.5, 150.5, 1019}}, // October's 999 too
			{"2026-11", "XM01", want{3, 1, 2}},             // P1; P4 and P5 (exited 12-01)
			{"2026-09", "XM01", want{3, 2, 1}},             // P1, P2 (completed 10-15); P5
			{"2026-11", "XM02", want{350, 300, 50}},
			{"2026-Q4", "XM02", want{550, 500, 50}},
		} {
			p := period(t, tc.period)
			for _, sc := range []struct {
				scope string
				want  float64
			}{{"", tc.want.city}, {kunshan, tc.want.kunshan}, {taicang, tc.want.taicang}} {
				vs, err := f.svc.Values(f.ctx, f.staff, p, sc.scope)
				if err != nil {
					t.Fatal(err)
				}
				if got := value(vs, tc.code); got == nil || *got != sc.want {
					t.Errorf("%s %s in %q = %s, want %v", tc.code, tc.period, sc.scope, show(got), sc.want)
				}
			}
		}
	})
}

// TestEnteredIndicators: a county enters its own figures once per period
// (validation names the indicator and its row), cannot enter another
// county's (404), a correction is audited with the old values, and the
// city's figure is the sum of the counties' while a quarter sums the
// months of a flow.
func TestEnteredIndicators(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		nov, oct := period(t, "2026-11"), period(t, "2026-10")
		// Validation: every row named.
		_, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "-3", "TB02": "七"})
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 2 || e.Fields[0].Field != "TB01" || e.Fields[0].Key != "indicator.value_negative" ||
			e.Fields[1].Field != "TB02" || e.Fields[1].Key != "indicator.value_number" {
			t.Fatalf("bad values: %v", err)
		}
		if msg := i18n.T(i18n.Chinese, e.Fields[1].Key, e.Fields[1].Args...); msg != "第2行（发明专利授权量）：请填写数字" {
			t.Errorf("message = %q", msg)
		}
		if _, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "1"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a missing row = %v, want invalid", err)
		}
		if _, err := f.svc.SubmitEntries(f.ctx, f.kunshan, period(t, "2027-01"), kunshan, map[string]string{"TB01": "1", "TB02": "1"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a future period = %v, want invalid", err)
		}
		// Scope: another county, an enterprise.
		for _, who := range []struct {
			name string
			err  error
		}{
			{"county user for another county", func() error {
				_, err := f.svc.SubmitEntries(f.ctx, f.taicang, nov, kunshan, map[string]string{"TB01": "1", "TB02": "1"})
				return err
			}()},
			{"enterprise", func() error {
				_, err := f.svc.SubmitEntries(f.ctx, f.firm, nov, kunshan, map[string]string{"TB01": "1", "TB02": "1"})
				return err
			}()},
			{"county user reading another county's form", func() error { _, err := f.svc.EntryForm(f.ctx, f.taicang, nov, kunshan); return err }()},
			{"county user reading another county's values", func() error { _, err := f.svc.Values(f.ctx, f.taicang, nov, kunshan); return err }()},
		} {
			if !apperr.Is(who.err, apperr.NotFound) {
				t.Errorf("%s: %v, want not found", who.name, who.err)
			}
		}
		// Entries: 昆山 by its user (twice: a correction), 太仓 by city staff.
		if _, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "1,000", "TB02": "9"}); err != nil {
			t.Fatal(err)
		}
		form, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "1200.5", "TB02": "7"})
		if err != nil {
			t.Fatal(err)
		}
		if !form.Reported || form.Late || len(form.Rows) != 2 || *form.Rows[0].Value != 1200.5 || form.Deadline != "2026-12-10" {
			t.Errorf("form = %+v", form)
		}
		if _, err := f.svc.SubmitEntries(f.ctx, f.staff, nov, taicang, map[string]string{"TB01": "800", "TB02": "3"}); err != nil {
			t.Fatal(err)
		}
		// October, late (its deadline was 11-10).
		if form, err := f.svc.SubmitEntries(f.ctx, f.kunshan, oct, kunshan, map[string]string{"TB01": "1000", "TB02": "5"}); err != nil || !form.Late {
			t.Fatalf("october = %+v, %v", form, err)
		}
		for _, tc := range []struct {
			period, scope, code string
			want                string
		}{
			{"2026-11", "", "TB01", "2000.5"}, {"2026-11", "", "TB02", "10"}, {"2026-11", kunshan, "TB01", "1200.5"},
			{"2026-Q4", kunshan, "TB01", "2200.5"}, {"2026-Q4", "", "TB02", "15"},
			{"2026-09", "", "TB01", "nil"},      // nobody reported
			{"2026-11", "", "TB03", "nil"},      // quarterly: not for a month
			{"2026-11", wujiang, "TB01", "nil"}, // 吴江 has not reported
		} {
			vs, err := f.svc.Values(f.ctx, f.staff, period(t, tc.period), tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			if got := show(value(vs, tc.code)); got != tc.want {
				t.Errorf("%s %s %q = %s, want %s", tc.code, tc.period, tc.scope, got, tc.want)
			}
		}
		entries, _, err := audit.NewService(db).FindEntries(f.ctx, audit.Actor{Role: audit.ReaderRole}, audit.Filter{Action: "indicator.report"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 4 {
			t.Errorf("audit rows = %d, want 4", len(entries))
		}
	})
}

// TestStatusAndReminders: the counties that have not reported come first;
// a reminder reaches every user of those counties, in both languages, and
// none of the counties that reported; only city staff send it.
func TestStatusAndReminders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		nov := period(t, "2026-11")
		if _, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "1", "TB02": "1"}); err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.Status(f.ctx, f.staff, nov)
		if err != nil {
			t.Fatal(err)
		}
		var counties int
		if err := db.QueryRowContext(f.ctx, "SELECT COUNT(*) FROM regions WHERE parent_code = '320500'").Scan(&counties); err != nil {
			t.Fatal(err)
		}
		if st.Missing != counties-1 || len(st.Counties) != counties || st.Counties[len(st.Counties)-1].Region != kunshan || st.Counties[0].Reported {
			t.Errorf("status = %d missing of %d, last %+v", st.Missing, len(st.Counties), st.Counties[len(st.Counties)-1])
		}
		mine, err := f.svc.Status(f.ctx, f.taicang, nov)
		if err != nil || len(mine.Counties) != 1 || mine.Missing != 1 {
			t.Errorf("a county user's status = %+v, %v", mine, err)
		}
		if _, err := f.svc.Remind(f.ctx, f.taicang, nov); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a county user reminding = %v", err)
		}
		sent, err := f.svc.Remind(f.ctx, f.staff, nov)
		if err != nil || sent != 1 { // 太仓's user; 昆山 reported
			t.Fatalf("remind = %d, %v", sent, err)
		}
		inbox := notice.NewService(db, func() time.Time { return fixedNow })
		for _, tc := range []struct {
			lang, want string
		}{{i18n.Chinese, "请报送2026年11月的一表通指标，截止日期2026-12-10"}, {i18n.English, "Please report the indicators of 2026年11月 by 2026-12-10"}} {
			got, err := inbox.Inbox(f.ctx, f.taicang, tc.lang, notice.Filter{})
			if err != nil || len(got.Items) != 1 || got.Items[0].Title != tc.want || !strings.HasPrefix(got.Items[0].Link, "/indicators/entries") {
				t.Errorf("%s inbox = %+v, %v", tc.lang, got.Items, err)
			}
		}
		if got, _ := inbox.Inbox(f.ctx, f.kunshan, i18n.Chinese, notice.Filter{}); len(got.Items) != 0 {
			t.Errorf("昆山 reported but was reminded: %+v", got.Items)
		}
	})
}

// TestReportAssembly: a report is its template's rows with the
// catalogue's values: a column per county and the city total (a county
// user: its county and the city), or three years and the change.
func TestReportAssembly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.seed()
		nov := period(t, "2026-11")
		if _, err := f.svc.SubmitEntries(f.ctx, f.kunshan, nov, kunshan, map[string]string{"TB01": "1200.5", "TB02": "7"}); err != nil {
			t.Fatal(err)
		}
		tpl, _ := f.svc.Catalogue().Template("monthly")
		rep, err := f.svc.Report(f.ctx, f.staff, "monthly", nov, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != len(tpl.Rows) || rep.Title != "苏州市2026年11月科技创新主要指标月报" || rep.Unit != "苏州市" || rep.Date != "2026-12-03" {
			t.Fatalf("report = %q %q %q, %d rows", rep.Title, rep.Unit, rep.Date, len(rep.Rows))
		}
		col := func(rep indicator.Report, key string) int {
			for i, c := range rep.Columns {
				if c.Key == key {
					return i
				}
			}
			t.Fatalf("no column %s in %+v", key, rep.Columns)
			return -1
		}
		cell := func(rep indicator.Report, code, key string) string {
			for _, r := range rep.Rows {
				if r.Code == code {
					return show(r.Cells[col(rep, key)])
				}
			}
			t.Fatalf("no row %s", code)
			return ""
		}
		for _, tc := range []struct{ code, col, want string }{
			{"KJ03", kunshan, "1"}, {"KJ03", "320500", "2"}, {"JS02", taicang, "20"}, {"JS02", "320500", "170.5"},
			{"TB01", kunshan, "1200.5"}, {"TB01", taicang, "nil"}, {"TB01", "320500", "1200.5"}, {"XM01", taicang, "2"},
		} {
			if got := cell(rep, tc.code, tc.col); got != tc.want {
				t.Errorf("monthly %s/%s = %s, want %s", tc.code, tc.col, got, tc.want)
			}
		}
		// A county user: its county and the city total, nothing else.
		mine, err := f.svc.Report(f.ctx, f.kunshan, "monthly", nov, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(mine.Columns) != 2 || mine.Columns[0].Key != kunshan || mine.Columns[1].Key != "320500" || mine.Unit != "昆山市" {
			t.Errorf("county columns = %+v, unit %q", mine.Columns, mine.Unit)
		}
		if got := cell(mine, "JS02", "320500"); got != "170.5" {
			t.Errorf("the county user's city total = %s", got)
		}
		// The annual layout: 2024, 2025, 2026 and the change.
		year, err := f.svc.Report(f.ctx, f.staff, "annual", period(t, "2026"), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(year.Columns) != 4 || year.Columns[3].Key != "growth" {
			t.Fatalf("annual columns = %+v", year.Columns)
		}
		for _, tc := range []struct{ code, col, want string }{
			{"KJ03", "2025", "3"}, {"KJ03", "2026", "2"}, {"KJ03", "growth", "-33.3"}, {"JS02", "2026", "1169.5"}, {"JS02", "growth", "nil"},
		} {
			if got := cell(year, tc.code, tc.col); got != tc.want {
				t.Errorf("annual %s/%s = %s, want %s", tc.code, tc.col, got, tc.want)
			}
		}
		for _, bad := range []struct {
			name string
			err  error
			kind apperr.Kind
		}{
			{"unknown template", func() error { _, err := f.svc.Report(f.ctx, f.staff, "weekly", nov, ""); return err }(), apperr.NotFound},
			{"period of another frequency", func() error { _, err := f.svc.Report(f.ctx, f.staff, "annual", nov, ""); return err }(), apperr.Invalid},
			{"another county's annual report", func() error {
				_, err := f.svc.Report(f.ctx, f.kunshan, "annual", period(t, "2026"), taicang)
				return err
			}(), apperr.NotFound},
			{"an enterprise", func() error { _, err := f.svc.Report(f.ctx, f.firm, "monthly", nov, ""); return err }(), apperr.Forbidden},
		} {
			if !apperr.Is(bad.err, bad.kind) {
				t.Errorf("%s: %v, want %s", bad.name, bad.err, bad.kind)
			}
		}
	})
}

// TestReportXLSXLayout reads the exported workbook back: title, form
// number and period, 填报单位 and 填报日期, the header, the rows, the
// signature line.
func TestReportXLSXLayout(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, sqldb.SQLite)
	f := newFixture(t, db)
	f.seed()
	rep, err := f.svc.Report(f.ctx, f.kunshan, "monthly", period(t, "2026-11"), "")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := indicator.WriteReportXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	if sheet != "科统月1表" {
		t.Errorf("sheet = %q", sheet)
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	at := func(r, c int) string {
		if r < len(rows) && c < len(rows[r]) {
			return rows[r][c]
		}
		return ""
	}
	for _, tc := range []struct {
		r, c int
		want string
	}{
		{0, 0, "苏州市2026年11月科技创新主要指标月报"},
		{1, 0, "表号：科统月1表"}, {1, 3, "报告期：2026年11月"},
		{2, 0, "填报单位：昆山市"}, {2, 3, "填报日期：2026-12-03"},
		{3, 0, "序号"}, {3, 1, "指标名称"}, {3, 2, "计量单位"}, {3, 3, "昆山市"}, {3, 4, "苏州市合计"},
		{4, 0, "1"}, {4, 1, "有效科技型中小企业数"}, {4, 2, "家"}, {4, 3, "1"}, {4, 4, "2"},
		{9, 1, "技术合同成交额"}, {9, 3, "150.5"}, {9, 4, "170.5"},
		{14, 1, "发明专利授权量"}, {14, 3, "—"},
		{16, 0, "单位负责人："},
	} {
		if got := at(tc.r, tc.c); got != tc.want {
			t.Errorf("cell %s%d = %q, want %q", string(rune('A'+tc.c)), tc.r+1, got, tc.want)
		}
	}
	if got := strings.Join(rows[len(rows)-1], ""); !strings.Contains(got, "统计负责人：") || !strings.Contains(got, "填表人：") {
		t.Errorf("signature line = %q", got)
	}
	if merged, _ := x.GetMergeCells(sheet); len(merged) == 0 || merged[0].GetStartAxis() != "A1" {
		t.Errorf("the title row is not merged: %v", merged)
	}
}

// TestHighTechReport checks the annual report's figures and text against
// the fixture: 2026 ends with E1 and E3 (E2 lapsed, E4 revoked), 2025
// ended with E1, E2, E4.
func TestHighTechReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.seed()
		rep, err := f.svc.HighTechReport(f.ctx, f.staff, 2026)
		if err != nil {
			t.Fatal(err)
		}
		c := rep.City
		if c.Count != 2 || c.Prev != 3 || show(c.Growth) != "-33.3" || c.New != 1 || c.Lapsed != 2 || c.Revenue != 10000 || c.RD != 500 ||
			show(c.Intensity) != "5" || c.Firms != 1 {
			t.Errorf("city = %+v growth %s intensity %s", c, show(c.Growth), show(c.Intensity))
		}
		byKey := map[string]indicator.HighTechGroup{}
		for _, g := range append(rep.Counties, rep.Domains...) {
			byKey[g.Key] = g
		}
		for _, tc := range []struct {
			key                     string
			count, prev, nw, lapsed int
		}{{kunshan, 1, 2, 0, 1}, {taicang, 1, 1, 1, 1}, {wujiang, 0, 0, 0, 0}, {"电子信息", 2, 1, 1, 0}, {"先进制造与自动化", 0, 1, 0, 1}} {
			g := byKey[tc.key]
			if g.Count != tc.count || g.Prev != tc.prev || g.New != tc.nw || g.Lapsed != tc.lapsed {
				t.Errorf("%s = %+v, want %d/%d/%d/%d", tc.key, g, tc.count, tc.prev, tc.nw, tc.lapsed)
			}
		}
		if rep.Domains[0].Key != "电子信息" {
			t.Errorf("first domain = %s", rep.Domains[0].Key)
		}
		var text []string
		for _, s := range rep.Sentences {
			text = append(text, i18n.T(i18n.Chinese, s.Key, s.Args...))
		}
		want := []string{
			"2026年苏州市有效高新技术企业2家，较上年下降33.3%。",
			"全年新认定（含重新认定）高新技术企业1家，证书到期未重新认定或被撤销2家。",
			"从技术领域看，电子信息领域企业最多，共2家，占100.0%。",
			"已填报年度数据的1家高企实现营业收入1.00亿元，研发费用0.05亿元，研发投入强度5.00%。",
		}
		if strings.Join(text, "|") != strings.Join(want, "|") {
			t.Errorf("text =\n%s\nwant\n%s", strings.Join(text, "\n"), strings.Join(want, "\n"))
		}
		mine, err := f.svc.HighTechReport(f.ctx, f.kunshan, 2026)
		if err != nil || len(mine.Counties) != 1 || mine.Counties[0].Key != kunshan || mine.City.Count != 2 {
			t.Errorf("a county user's report = %+v, %v", mine.Counties, err)
		}
		if _, err := f.svc.HighTechReport(f.ctx, f.firm, 2026); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("an enterprise = %v", err)
		}
	})
}

// TestCatalogueChecksItsData: the shipped catalogue loads, each indicator
// once, computed ones naming a computation; a template naming a code the
// catalogue lacks, or an indicator with an unknown computation, is
// refused.
func TestCatalogueChecksItsData(t *testing.T) {
	t.Parallel()
	cat, err := indicator.LoadCatalogue(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Templates) != 3 || cat.Templates[0].ID != "monthly" || cat.Templates[2].ID != "annual" {
		t.Errorf("templates = %+v", cat.Templates)
	}
	var computed, entered int
	for _, ind := range cat.Indicators {
		if ind.Source == indicator.Computed {
			computed++
		} else {
			entered++
		}
	}
	if computed < 5 || entered < 3 {
		t.Errorf("%d computed, %d entered", computed, entered)
	}
	base, _ := data.FS.ReadFile("indicators/catalogue.json")
	good := `{"id": "monthly", "name": "月报", "name_en": "m", "form": "x", "frequency": "month", "layout": "counties", "rows": ["KJ01"]}`
	for _, tc := range []struct {
		name      string
		catalogue string
		template  string
		want      string
	}{
		{"unknown row", string(base), strings.Replace(good, "KJ01", "ZZ99", 1), "not in the catalogue"},
		{"yearly row in a monthly report", string(base), strings.Replace(good, "KJ01", "TB05", 1), "known only per year"},
		{"unknown computation", strings.Replace(string(base), "cultivation.tech_sme_valid", "cultivation.guess", 1), good, "unknown computation"},
		{"repeated code", strings.Replace(string(base), `"code": "KJ02"`, `"code": "KJ01"`, 1), good, "repeated code"},
	} {
		fsys := fstest.MapFS{"indicators/catalogue.json": {Data: []byte(tc.catalogue)}, "indicators/reports/monthly.json": {Data: []byte(tc.template)}}
		if _, err := indicator.LoadCatalogue(fsys); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestParsePeriod covers the period codes and their arithmetic.
func TestParsePeriod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, str, start, end, prev, yearAgo, deadline string
	}{
		{"2026-11", "2026-11", "2026-11-01", "2026-12-01", "2026-10", "2025-11", "2026-12-10"},
		{"2026-01", "2026-01", "2026-01-01", "2026-02-01", "2025-12", "2025-01", "2026-02-10"},
		{"2026-Q4", "2026-Q4", "2026-10-01", "2027-01-01", "2026-Q3", "2025-Q4", "2027-01-10"},
		{"2026-Q1", "2026-Q1", "2026-01-01", "2026-04-01", "2025-Q4", "2025-Q1", "2026-04-10"},
		{"2026", "2026", "2026-01-01", "2027-01-01", "2025", "2025", "2027-01-10"},
	} {
		p, err := indicator.ParsePeriod(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{p.String(), p.Start(), p.End(), p.Prev().String(), p.YearAgo().String(), p.Deadline(10)}
		want := []string{tc.str, tc.start, tc.end, tc.prev, tc.yearAgo, tc.deadline}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v, want %v", tc.in, got, want)
		}
	}
	for _, bad := range []string{"", "26-11", "2026-13", "2026-Q5", "2026-1", "1999", "2026/11", "2026-11-01"} {
		if _, err := indicator.ParsePeriod(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q = %v, want invalid", bad, err)
		}
	}
}
