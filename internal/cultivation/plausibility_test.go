package cultivation

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kechuang/data"
)

// yr builds a year record: revenue 1亿 (so R&D ratio in % is rd in 百万),
// R&D expense rd 元, high-tech revenue ht 元, employees, tech staff and IP
// (class1, class2); a negative value leaves the field empty.
func yr(year int, rd, ht, emp, tech float64, c1, c2 int) YearRecord {
	opt := func(v float64) *float64 {
		if v < 0 {
			return nil
		}
		return fp(v)
	}
	optI := func(v int) *int {
		if v < 0 {
			return nil
		}
		return ip(v)
	}
	return YearRecord{Year: year, Figures: YearFigures{Revenue: fp(100e6), RDExpense: opt(rd), HightechRevenue: opt(ht),
		Employees: opt(emp), TechStaff: opt(tech)}, IP: IPCounts{Class1: optI(c1), Class2: optI(c2)}}
}

func flagSummary(fs []Flag) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s%v%v", f.Code, f.Years, f.Values))
	}
	return strings.Join(out, " ")
}

func TestLoadThresholdsShipped(t *testing.T) {
	th, err := LoadThresholds(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	if th.RDRatioJump.MaxRisePP != 3 || th.EmployeesJump.MinFactor != 2 || th.EmployeesJump.MinBase != 10 ||
		th.TechStaffJump.MinBase != 5 || th.HightechShareJump.MaxRisePP != 30 || th.IPSurge.MinAdded != 5 ||
		th.IPSurge.WindowMonths != 6 || th.InsuranceGap.MaxUninsuredShare != 0.3 || th.InsuranceGap.MinGap != 5 || th.RDRatioEdge.BandPP != 0.3 || th.RDRatioEdge.Years != 3 ||
		!slices.Equal(th.RDRatioEdge.ThresholdsPct, []float64{3, 4, 5}) { // the file's fallback list
		t.Errorf("shipped thresholds = %+v; the table test below assumes the shipped values", th)
	}
	if shippedBook(t).Thresholds() == nil {
		t.Error("LoadRuleSets did not load the thresholds")
	}
	// The R&D ratio lines come from the rule sets: 高企 3/4/5% by revenue
	// band (32号 第十一条(五)), 专精特新 3%, 小巨人 2022 3% and 6% (63号
	// 附件3); they replace the file's fallback list.
	if got := shippedBook(t).RDRatioThresholds(); !slices.Equal(got, []float64{3, 4, 5, 6}) {
		t.Errorf("R&D ratio thresholds of the rule sets = %v, want [3 4 5 6]", got)
	}
	if got := shippedBook(t).Thresholds().RDRatioEdge.ThresholdsPct; !slices.Equal(got, []float64{3, 4, 5, 6}) {
		t.Errorf("thresholds in use = %v", got)
	}
}

// TestPlausibilityFlags walks every flag across its limits: just below, at
// and above, each figure worked out by hand (revenue 1亿 throughout).
func TestPlausibilityFlags(t *testing.T) {
	th := shippedBook(t).Thresholds()
	none := -1.0
	app := []time.Time{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)} // an application after 2024
	cases := []struct {
		name  string
		years []YearRecord
		apps  []time.Time
		want  string
	}{
		// R&D ratio 2% → 4.99% (+2.99 pp), 5% (+3), 5.01% (+3.01); limit 3 pp.
		{"rd below", []YearRecord{yr(2023, 2e6, none, none, none, -1, -1), yr(2024, 4.99e6, none, none, none, -1, -1)}, nil, ""},
		{"rd at", []YearRecord{yr(2023, 2e6, none, none, none, -1, -1), yr(2024, 5e6, none, none, none, -1, -1)}, nil, "rd_ratio_jump[2023 2024][2 5]"},
		{"rd above", []YearRecord{yr(2023, 2e6, none, none, none, -1, -1), yr(2024, 5.01e6, none, none, none, -1, -1)}, nil, "rd_ratio_jump[2023 2024][2 5.01]"},
		{"rd falls", []YearRecord{yr(2023, 9e6, none, none, none, -1, -1), yr(2024, 2e6, none, none, none, -1, -1)}, nil, ""},
		{"rd gap year", []YearRecord{yr(2022, 2e6, none, none, none, -1, -1), yr(2024, 9e6, none, none, none, -1, -1)}, nil, ""},
		// Employees 50 → 99 (1.98×), 100 (2×), 101; base 9 → 30 not flagged, 10 → 20 is.
		{"staff below", []YearRecord{yr(2023, none, none, 50, none, -1, -1), yr(2024, none, none, 99, none, -1, -1)}, nil, ""},
		{"staff at", []YearRecord{yr(2023, none, none, 50, none, -1, -1), yr(2024, none, none, 100, none, -1, -1)}, nil, "employees_jump[2023 2024][50 100]"},
		{"staff above", []YearRecord{yr(2023, none, none, 50, none, -1, -1), yr(2024, none, none, 101, none, -1, -1)}, nil, "employees_jump[2023 2024][50 101]"},
		{"staff base below", []YearRecord{yr(2023, none, none, 9, none, -1, -1), yr(2024, none, none, 30, none, -1, -1)}, nil, ""},
		{"staff base at", []YearRecord{yr(2023, none, none, 10, none, -1, -1), yr(2024, none, none, 20, none, -1, -1)}, nil, "employees_jump[2023 2024][10 20]"},
		// Technical staff 5 → 9 (1.8×), 10 (2×); base 4 → 12 not flagged.
		{"tech below", []YearRecord{yr(2023, none, none, none, 5, -1, -1), yr(2024, none, none, none, 9, -1, -1)}, nil, ""},
		{"tech at", []YearRecord{yr(2023, none, none, none, 5, -1, -1), yr(2024, none, none, none, 10, -1, -1)}, nil, "tech_staff_jump[2023 2024][5 10]"},
		{"tech base below", []YearRecord{yr(2023, none, none, none, 4, -1, -1), yr(2024, none, none, none, 12, -1, -1)}, nil, ""},
		// High-tech share 30% → 59.99% (+29.99), 60% (+30), 61%; limit 30 pp.
		{"hightech below", []YearRecord{yr(2023, none, 30e6, none, none, -1, -1), yr(2024, none, 59.99e6, none, none, -1, -1)}, nil, ""},
		{"hightech at", []YearRecord{yr(2023, none, 30e6, none, none, -1, -1), yr(2024, none, 60e6, none, none, -1, -1)}, nil, "hightech_share_jump[2023 2024][30 60]"},
		{"hightech above", []YearRecord{yr(2023, none, 30e6, none, none, -1, -1), yr(2024, none, 61e6, none, none, -1, -1)}, nil, "hightech_share_jump[2023 2024][30 61]"},
		// IP 5 → 9 (+4), 10 (+5, 2×); 6 → 11 (+5 but 1.83×); 0 → 4, 0 → 5.
		{"ip added below", []YearRecord{yr(2023, none, none, none, none, 1, 4), yr(2024, none, none, none, none, 1, 8)}, app, ""},
		{"ip at", []YearRecord{yr(2023, none, none, none, none, 1, 4), yr(2024, none, none, none, none, 2, 8)}, app, "ip_surge[2023 2024][5 10]"},
		{"ip factor below", []YearRecord{yr(2023, none, none, none, none, 1, 5), yr(2024, none, none, none, none, 1, 10)}, app, ""},
		{"ip from zero below", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 4)}, app, ""},
		{"ip from zero at", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 5)}, app, "ip_surge[2023 2024][0 5]"},
		// The window: an application from 2025-01-01 up to (not on) 2025-07-01.
		{"ip no application", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 9)}, nil, ""},
		{"ip application before year end", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 9)},
			[]time.Time{time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)}, ""},
		{"ip application on year end", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 9)},
			[]time.Time{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, "ip_surge[2023 2024][0 9]"},
		{"ip application last day", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 9)},
			[]time.Time{time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)}, "ip_surge[2023 2024][0 9]"},
		{"ip application after window", []YearRecord{yr(2023, none, none, none, none, 0, 0), yr(2024, none, none, none, none, 0, 9)},
			[]time.Time{time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}, ""},
		// R&D ratio edge: 3.0, 3.3, 4.1 (each within 0.3 above 3, 3, 4) → one flag;
		// 3.31 or 2.99 in the run breaks it; four years give two runs.
		{"edge at", []YearRecord{yr(2022, 3e6, none, none, none, -1, -1), yr(2023, 3.3e6, none, none, none, -1, -1), yr(2024, 4.1e6, none, none, none, -1, -1)}, nil,
			"rd_ratio_edge[2022 2023 2024][3 3.3 4.1]"},
		{"edge above band", []YearRecord{yr(2022, 3e6, none, none, none, -1, -1), yr(2023, 3.31e6, none, none, none, -1, -1), yr(2024, 4.1e6, none, none, none, -1, -1)}, nil, ""},
		{"edge below threshold", []YearRecord{yr(2022, 3e6, none, none, none, -1, -1), yr(2023, 2.99e6, none, none, none, -1, -1), yr(2024, 4.1e6, none, none, none, -1, -1)}, nil, ""},
		{"edge at 6%", []YearRecord{yr(2022, 6e6, none, none, none, -1, -1), yr(2023, 6.3e6, none, none, none, -1, -1), yr(2024, 6.1e6, none, none, none, -1, -1)}, nil,
			"rd_ratio_edge[2022 2023 2024][6 6.3 6.1]"},
		{"edge two years", []YearRecord{yr(2023, 3e6, none, none, none, -1, -1), yr(2024, 3.1e6, none, none, none, -1, -1)}, nil, ""},
		{"edge gap", []YearRecord{yr(2021, 3e6, none, none, none, -1, -1), yr(2022, 3.1e6, none, none, none, -1, -1), yr(2024, 3.2e6, none, none, none, -1, -1)}, nil, ""},
		{"edge four years", []YearRecord{yr(2024, 5.2e6, none, none, none, -1, -1), yr(2021, 3e6, none, none, none, -1, -1), yr(2022, 3.1e6, none, none, none, -1, -1), yr(2023, 4e6, none, none, none, -1, -1)}, nil,
			"rd_ratio_edge[2021 2022 2023][3 3.1 4] rd_ratio_edge[2022 2023 2024][3.1 4 5.2]"},
		// Staff total vs social insurance: 100 staff, 71 insured (29% without)
		// is below the 30% line, 70 is at it, 69 above; a gap under 5
		// persons never flags (10 staff, 6 insured: 40%), 16 vs 11 (5, 31%) does.
		{"insurance below", []YearRecord{ins(yr(2024, none, none, 100, none, -1, -1), 71)}, nil, ""},
		{"insurance at", []YearRecord{ins(yr(2024, none, none, 100, none, -1, -1), 70)}, nil, "insurance_gap[2024][100 70]"},
		{"insurance above", []YearRecord{ins(yr(2024, none, none, 100, none, -1, -1), 69)}, nil, "insurance_gap[2024][100 69]"},
		{"insurance small gap", []YearRecord{ins(yr(2024, none, none, 10, none, -1, -1), 6)}, nil, ""},
		{"insurance gap at 5", []YearRecord{ins(yr(2024, none, none, 16, none, -1, -1), 11)}, nil, "insurance_gap[2024][16 11]"},
		{"insurance not entered", []YearRecord{yr(2024, none, none, 100, none, -1, -1)}, nil, ""},
		{"more insured than staff", []YearRecord{ins(yr(2024, none, none, 100, none, -1, -1), 130)}, nil, ""},
		{"empty", nil, nil, ""},
	}
	for _, c := range cases {
		got := flagSummary(PlausibilityFlags(th, c.years, c.apps))
		if got != c.want {
			t.Errorf("%s: flags = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestFlagSubjectAndArgs(t *testing.T) {
	th := shippedBook(t).Thresholds()
	fs := PlausibilityFlags(th, []YearRecord{yr(2023, 2e6, none(), none(), none(), -1, -1), yr(2024, 5.5e6, none(), none(), none(), -1, -1)}, nil)
	if len(fs) != 1 {
		t.Fatalf("flags = %v", fs)
	}
	f := fs[0]
	if f.Subject() != "rd_ratio_jump:2023,2024=2,5.5" {
		t.Errorf("subject = %q", f.Subject())
	}
	if f.Explain != "plausibility.rd_ratio_jump" || fmt.Sprint(f.Args) != "[2023 2 2024 5.5 3.5 3]" {
		t.Errorf("explain = %q %v", f.Explain, f.Args)
	}
}

func none() float64 { return -1 }

func ins(y YearRecord, n int) YearRecord { y.Insured = &n; return y }
