package project_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"kechuang/internal/apperr"
	"kechuang/internal/dbtest"
	"kechuang/internal/project"
	"kechuang/internal/sqldb"
)

func TestDeadlineIsConfigurable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for _, tt := range []struct {
			day  int
			want string
		}{{0, "2026-02-25"}, {10, "2026-02-10"}, {28, "2026-02-28"}, {31, "2026-02-25"}} {
			f := newFixture(t, db, project.Config{ReportDeadlineDay: tt.day})
			if got, err := f.svc.Deadline("2026-02"); err != nil || got.String() != tt.want {
				t.Errorf("deadline day %d: Deadline(2026-02) = %s, %v; want %s", tt.day, got, err, tt.want)
			}
		}
		f := newFixture(t, db, project.Config{})
		_, err := f.svc.Deadline("2026-2")
		wantField(t, "Deadline(2026-2)", err, "month", "project.month_format")
	})
}

func TestReportsDeadlinesAndMissingReporters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, project.Config{})
		pp := f.people()
		p1 := f.create(pp.ks, input("甲项目", "320583", pp.ksUnit.ID))
		p2 := f.create(pp.ks, input("乙项目", "320583", pp.ksUnit.ID))
		p3 := f.create(pp.wz, input("丙项目", "320506", pp.wzUnit.ID))
		p4 := f.create(pp.ks, input("丁项目", "320583", pp.ksUnit.ID))
		for _, p := range []project.Project{p1, p2} {
			f.move(p, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.ks, pp.city, pp.ks)
		}
		f.move(p3, []string{project.ActSubmit, project.ActApprove, project.ActStart}, pp.wz, pp.city, pp.wz)
		p4 = f.move(p4, []string{project.ActSubmit, project.ActApprove}, pp.ks, pp.city)

		// Bad reports name their fields.
		f.clock.set("2026-03-20")
		bad := []struct {
			name  string
			in    project.ReportInput
			field string
			key   string
		}{
			{"month format", project.ReportInput{Month: "2026-13", Progress: "x"}, "month", "project.month_format"},
			{"future month", project.ReportInput{Month: "2026-04", Progress: "x"}, "month", "project.month_future"},
			{"before the start", project.ReportInput{Month: "2026-02", Progress: "x"}, "month", "project.month_before_start"},
			{"negative investment", project.ReportInput{Month: "2026-03", InvestmentMonth: -1, Progress: "x"}, "investment_month", "project.amount_range"},
			{"no progress", project.ReportInput{Month: "2026-03"}, "progress", "error.required"},
			{"unknown category", project.ReportInput{Month: "2026-03", Progress: "x", Problems: []project.Problem{{Category: "tech", Text: "缺人"}}},
				"problems", "project.category_unknown"},
		}
		for _, tt := range bad {
			_, err := f.svc.SubmitReport(f.ctx, pp.ks, p1.ID, tt.in)
			wantField(t, tt.name, err, tt.field, tt.key)
		}
		_, err := f.svc.SubmitReport(f.ctx, pp.ks, p4.ID, project.ReportInput{Month: "2026-03", Progress: "x"})
		wantKind(t, "report before the start", err, apperr.Conflict)

		// On time on the 20th; late on the 26th.
		r1, err := f.svc.SubmitReport(f.ctx, pp.ks2, p1.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 1200.5,
			Progress: "完成场地平整和临时设施", Problems: []project.Problem{{Category: project.CatLand, Text: "二期用地指标待落实"}},
			NextPlan: "开展桩基施工"})
		if err != nil || r1.Late || r1.InvestmentTotal != 1200.5 || r1.UnitName != "昆山市商务局" {
			t.Fatalf("on-time report = late %v, total %v, unit %s, %v", r1.Late, r1.InvestmentTotal, r1.UnitName, err)
		}
		f.clock.set("2026-03-25")
		if r, err := f.svc.SubmitReport(f.ctx, pp.ks, p1.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 1300,
			Progress: "完成场地平整"}); err != nil || r.Late || r.InvestmentTotal != 1300 {
			t.Errorf("correction on the deadline day = late %v, total %v, %v", r.Late, r.InvestmentTotal, err)
		}
		f.clock.set("2026-03-26")
		r2, err := f.svc.SubmitReport(f.ctx, pp.ks, p2.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 300, Progress: "设计招标"})
		if err != nil || !r2.Late {
			t.Fatalf("report after the deadline = late %v, %v; want late", r2.Late, err)
		}
		p5 := f.move(p4, []string{project.ActStart}, pp.ks)

		st, err := f.svc.ReportStatus(f.ctx, pp.city, "2026-03", "")
		if err != nil {
			t.Fatal(err)
		}
		if st.Due != 3 || st.Reported != 2 || st.Late != 1 || len(st.Missing) != 1 || st.Missing[0].ID != p3.ID || !st.Passed ||
			st.Deadline.String() != "2026-03-25" {
			t.Errorf("March status = due %d, reported %d, late %d, missing %v, passed %v, deadline %s; want 3, 2, 1, [丙项目], true, 2026-03-25",
				st.Due, st.Reported, st.Late, st.Missing, st.Passed, st.Deadline)
		}
		byUnit := map[string]project.ReportCount{}
		for _, u := range st.ByUnit {
			byUnit[u.UnitName] = u
		}
		if u := byUnit["昆山市商务局"]; u.Due != 2 || u.Reported != 2 || u.Late != 1 || u.Missing != 0 {
			t.Errorf("昆山市商务局 = %+v", u)
		}
		if u := byUnit["吴中区发改局"]; u.Due != 1 || u.Missing != 1 {
			t.Errorf("吴中区发改局 = %+v", u)
		}
		wantCounty := []project.ReportCount{{RegionCode: "320506", RegionName: "吴中区", Due: 1, Missing: 1},
			{RegionCode: "320583", RegionName: "昆山市", Due: 2, Reported: 2, Late: 1}}
		if diff := cmp.Diff(wantCounty, st.ByCounty); diff != "" {
			t.Errorf("by county (-want +got):\n%s", diff)
		}
		// 丁 began on the 26th, after March's deadline: it owes April first.
		if st, _ := f.svc.ReportStatus(f.ctx, pp.ks, "2026-04", ""); st.Due != 3 || len(st.Missing) != 3 || st.Passed {
			t.Errorf("昆山 April status = due %d, missing %d, passed %v; want 3, 3, false (丁 %d included)", st.Due, len(st.Missing), st.Passed, p5.ID)
		}

		// Cumulative investment: this month's added to last month's unless
		// given, and never below it.
		f.clock.set("2026-04-10")
		r, err := f.svc.SubmitReport(f.ctx, pp.ks, p1.ID, project.ReportInput{Month: "2026-04", InvestmentMonth: 200, Progress: "桩基施工"})
		if err != nil || r.InvestmentTotal != 1500 {
			t.Errorf("April total = %v, %v; want 1500 (1300 + 200)", r.InvestmentTotal, err)
		}
		low := 1000.0
		_, err = f.svc.SubmitReport(f.ctx, pp.ks, p1.ID, project.ReportInput{Month: "2026-04", InvestmentMonth: 200, InvestmentTotal: &low, Progress: "x"})
		wantField(t, "total below last month's", err, "investment_total", "project.total_below_previous")
		reports, err := f.svc.Reports(f.ctx, pp.city, p1.ID)
		if err != nil || len(reports) != 2 || reports[0].Month != "2026-04" {
			t.Errorf("reports = %d, %v; want April and March", len(reports), err)
		}

		// The March ledger, as rows and as the bureau's .xlsx.
		f.clock.set("2026-03-27")
		l, err := f.svc.Ledger(f.ctx, pp.city, "2026-03", project.LedgerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Title != "苏州市2026年3月重点项目月度信息台账" || l.Filler != "苏州市" || len(l.Rows) != 3 {
			t.Fatalf("ledger = %q, %q, %d rows", l.Title, l.Filler, len(l.Rows))
		}
		unitLedger, err := f.svc.Ledger(f.ctx, pp.ks, "2026-03", project.LedgerFilter{UnitID: pp.ksUnit.ID})
		if err != nil || unitLedger.Filler != "昆山市商务局" || len(unitLedger.Rows) != 2 {
			t.Errorf("unit ledger = %q, %d rows, %v", unitLedger.Filler, len(unitLedger.Rows), err)
		}
		var buf bytes.Buffer
		if err := project.WriteLedger(&buf, l); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rows, err := x.GetRows("台账")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 6 || rows[0][0] != l.Title || rows[1][0] != "填报单位：苏州市" || rows[1][16] != "填报日期：2026-03-27" ||
			rows[2][1] != "项目名称" || rows[2][8] != "本月完成投资（万元）" {
			t.Fatalf("ledger sheet head = %q", rows[:min(3, len(rows))])
		}
		byName := map[string][]string{}
		for _, row := range rows[3:] {
			byName[row[1]] = row
		}
		if row := byName["甲项目"]; row[8] != "1300" || row[13] != "" || row[17] != "按时报送" || row[4] != "昆山市商务局" || row[5] != "王副县长" {
			t.Errorf("甲 row = %q", row)
		}
		if row := byName["乙项目"]; row[8] != "300" || row[17] != "逾期报送" {
			t.Errorf("乙 row = %q", row)
		}
		if row := byName["丙项目"]; row[8] != "" || row[17] != "未报送" || row[3] != "吴中区" {
			t.Errorf("丙 row = %q", row)
		}
		if first := byName["甲项目"]; first[12] != "完成场地平整" {
			t.Errorf("甲 progress = %q (the correction replaced the first filing)", first[12])
		}
		// The first filing's problem went with its correction; a problem shows as 【类别】text.
		r1b, _ := f.svc.SubmitReport(f.ctx, pp.ks, p2.ID, project.ReportInput{Month: "2026-03", InvestmentMonth: 300, Progress: "设计招标",
			Problems: []project.Problem{{Category: project.CatPower, Text: "临时用电未接入"}}})
		l, _ = f.svc.Ledger(f.ctx, pp.city, "2026-03", project.LedgerFilter{})
		for _, row := range l.Rows {
			if row.ProjectID == p2.ID && (row.Problems != "【用电】临时用电未接入" || !row.Late || !r1b.Late) {
				t.Errorf("乙 problems %q, late %v (a late report stays late when corrected)", row.Problems, row.Late)
			}
		}
	})
}
