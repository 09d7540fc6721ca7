package cultivation_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/cultivation"
	"kechuang/internal/dbtest"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
)

// TestTargetReport guards the targets page of #11: R&D growth was always
// "— / n" (it needs the target year's figures, which come after the year;
// the latest growth is now given for reference, and the year's own once
// filed), there was no city total and no export, and 督办 listed every
// county a little short of the schedule instead of those behind by a margin.
func TestTargetReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		// 2 July: the schedule expects 50 %.
		r := newRegistry(t, db, time.Date(2026, 7, 2, 12, 0, 0, 0, time.UTC))
		city := r.actor(t, "city", account.RoleStaff, "320500")
		for code, target := range map[string]float64{"320583": 10, "320585": 10, "320505": 10} {
			if err := r.svc.SetTarget(ctx, city, code, 2026, "tech_sme_new", target); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.svc.SetTarget(ctx, city, "320583", 2026, "rd_expense_growth", 10); err != nil {
			t.Fatal(err)
		}
		// 昆山 4 of 10 (40 %: within 10 points of 50 %), 太仓 3 (30 %: behind),
		// 姑苏 none. 昆山's firms spent 100 and 120 on R&D in 2024, 110 and
		// 150 in 2025: growth 2025/2024 = 260/220 − 1 = 18.2 %.
		n := 0
		add := func(code string, issued []string) []int64 {
			var ids []int64
			for _, d := range issued {
				n++
				e, err := r.svc.CreateEnterprise(ctx, city, cultivation.Enterprise{
					CreditCode: creditCode(t, "91"+code+"MA1TGT"+string(rune('A'+n))+"12"), Name: "目标企业" + string(rune('A'+n)), RegionCode: code,
					Certificates: []cultivation.Certificate{{Type: "tech-sme", Issued: date(d)}}})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, e.ID)
			}
			return ids
		}
		ks := add("320583", []string{"2026-01-10", "2026-02-10", "2026-03-10", "2026-05-10"})
		add("320585", []string{"2026-02-01", "2026-03-01", "2026-06-01"})
		for i, rd := range [][2]float64{{100, 110}, {120, 150}} {
			for j, y := range []int{2024, 2025} {
				v := rd[j] * 10000
				if err := r.svc.PutYear(ctx, city, ks[i], cultivation.YearRecord{Year: y, Figures: cultivation.YearFigures{RDExpense: &v}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		rep, err := r.svc.TargetReport(ctx, city, 2026)
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]cultivation.CountyProgress{}
		for _, c := range rep.Counties {
			by[c.RegionCode] = c
		}
		if by["320583"].Behind || !by["320585"].Behind || !by["320505"].Behind {
			t.Errorf("behind: 昆山 %v, 太仓 %v, 姑苏 %v; want false, true, true (margin %v)",
				by["320583"].Behind, by["320585"].Behind, by["320505"].Behind, rep.Margin)
		}
		rdp := by["320583"].Indicators[3]
		if rdp.Actual != nil || rdp.Latest == nil || *rdp.Latest != 18.2 || rdp.LatestYear != 2025 {
			t.Errorf("昆山 R&D growth 2026 = actual %v, latest %v (%d); want none yet, 18.2 for 2025", rdp.Actual, rdp.Latest, rdp.LatestYear)
		}
		total := rep.Total.Indicators[0]
		if *total.Actual != 7 || *total.Target != 30 || len(total.ByMonth) != 7 || total.ByMonth[5] != 7 {
			t.Errorf("total 科小 = %v of %v by month %v, want 7 of 30", *total.Actual, *total.Target, total.ByMonth)
		}
		if got := rep.Total.Indicators[3]; got.Latest == nil || *got.Latest != 18.2 {
			t.Errorf("total R&D growth latest = %v, want 18.2", got.Latest)
		}
		// The year's own growth once the year is done, over 2025/2024.
		rep25, err := r.svc.TargetReport(ctx, city, 2025)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep25.Counties {
			if c.RegionCode == "320583" {
				if a := c.Indicators[3].Actual; a == nil || *a != 18.2 || c.Indicators[3].Firms != 2 {
					t.Errorf("昆山 R&D growth 2025 = %v over %d firms, want 18.2 over 2", a, c.Indicators[3].Firms)
				}
			}
		}
		// A wider margin spares 太仓 (30 % against 50 %).
		r.svc.SetBehindMargin(25)
		rep, _ = r.svc.TargetReport(ctx, city, 2026)
		for _, c := range rep.Counties {
			if c.RegionCode == "320585" && c.Behind {
				t.Errorf("太仓 behind with a 25-point margin")
			}
		}

		var buf bytes.Buffer
		if err := r.svc.ExportTargets(ctx, city, 2026, &buf); err != nil {
			t.Fatal(err)
		}
		rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "t.xlsx", sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		var rows [][]string
		for {
			row, _, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, row)
		}
		last := rows[len(rows)-1]
		if len(rows) < 11 || last[1] != "合计" || last[2] != "7" || last[3] != "30" {
			t.Errorf("export: %d rows, last %q; want the counties then 合计 7 of 30", len(rows), last)
		}
	})
}
