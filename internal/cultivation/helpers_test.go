package cultivation

import (
	"strings"
	"sync"
	"testing"
	"time"

	"kechuang/data"
)

var (
	bookOnce sync.Once
	book     *RuleBook
	bookErr  error
)

// shippedBook loads data/rules once for all tests.
func shippedBook(t testing.TB) *RuleBook {
	t.Helper()
	bookOnce.Do(func() { book, bookErr = LoadRuleSets(data.FS) })
	if bookErr != nil {
		t.Fatalf("LoadRuleSets(data.FS) = %v", bookErr)
	}
	return book
}

func ruleSet(t testing.TB, id, version string) *RuleSet {
	t.Helper()
	rs, err := shippedBook(t).Select(id, version, time.Time{})
	if err != nil {
		t.Fatalf("Select(%q, %q) = %v", id, version, err)
	}
	return rs
}

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }
func np(v int) *int         { return &v }

func day(s string) Date {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return Date{t}
}

// firm builds a small manufacturer whose data year is the year before asOf
// (y). All amounts in 元. Its figures, chosen for easy arithmetic:
//
//	                 y-2        y-1        y
//	revenue          2500万     3200万     4000万
//	main_revenue     2400万     3000万     3800万
//	rd_expense       150万      192万      240万     (6% each year)
//	net_assets       1250万     1600万     2000万
//	total_assets     —          4000万     5000万
//	liabilities      —          2400万     3000万    (60%)
//	employees 100, tech_staff 30, rd_staff 20 in y; net_profit 400万 in y.
func firm(asOf string) AssessmentInput {
	a := day(asOf)
	y := a.Year() - 1
	return AssessmentInput{
		AsOf:     a,
		Founded:  day("2015-03-01"),
		Industry: "C39",
		Years: map[int]YearFigures{
			y: {Revenue: fp(40e6), MainRevenue: fp(38e6), HightechRevenue: fp(30e6), CostTotal: fp(35e6),
				RDExpense: fp(2.4e6), RDExpenseDomestic: fp(2.4e6), Employees: fp(100), TechStaff: fp(30), RDStaff: fp(20),
				TotalAssets: fp(50e6), NetAssets: fp(20e6), Liabilities: fp(30e6), NetProfit: fp(4e6), EquityFinancing: fp(0)},
			y - 1: {Revenue: fp(32e6), MainRevenue: fp(30e6), HightechRevenue: fp(24e6), CostTotal: fp(28e6),
				RDExpense: fp(1.92e6), RDExpenseDomestic: fp(1.92e6), Employees: fp(90), TechStaff: fp(25), RDStaff: fp(18),
				TotalAssets: fp(40e6), NetAssets: fp(16e6), Liabilities: fp(24e6), NetProfit: fp(3e6), EquityFinancing: fp(0)},
			y - 2: {Revenue: fp(25e6), MainRevenue: fp(24e6), HightechRevenue: fp(18e6), CostTotal: fp(22e6),
				RDExpense: fp(1.5e6), RDExpenseDomestic: fp(1.5e6), Employees: fp(80), TechStaff: fp(20), RDStaff: fp(15),
				TotalAssets: fp(30e6), NetAssets: fp(12.5e6), Liabilities: fp(17.5e6), NetProfit: fp(2e6), EquityFinancing: fp(0)},
		},
		IP: &IPCounts{Class1: ip(1), Class2: ip(5), Class1HighValue: ip(0), Class1Own: ip(1), Class1Applied: ip(1)},
	}
}

// year returns a pointer to the figures of year y for editing in place.
func setYear(in *AssessmentInput, y int, edit func(*YearFigures)) {
	f := in.Years[y]
	edit(&f)
	in.Years[y] = f
}

func cond(t *testing.T, r AssessmentResult, id string) ConditionResult {
	t.Helper()
	for _, c := range r.Conditions {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("%s: no condition %q in result", r.RuleSet, id)
	return ConditionResult{}
}

func itemOf(t *testing.T, r AssessmentResult, id string) ItemResult {
	t.Helper()
	for _, it := range r.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("%s: no item %q in result", r.RuleSet, id)
	return ItemResult{}
}

// wantCase is the expectation shared by the per-rule-set tables.
type wantCase struct {
	verdict        Verdict
	scoreMin       *float64 // nil: not checked
	scoreMax       *float64
	pass           map[string]Tri     // condition id → pass
	points         map[string]float64 // item id → exact points
	gaps           []string           // exact gap texts, in order; nil: not checked
	gapContains    []string
	missing        []string // exact, in order; nil: not checked
	confirmCount   *int     // nil: not checked
	confirmContain string
}

func checkResult(t *testing.T, r AssessmentResult, w wantCase) {
	t.Helper()
	if r.Verdict != w.verdict {
		t.Errorf("verdict = %q, want %q (gaps %q, missing %q)", r.Verdict, w.verdict, GapTexts(r.Gaps), r.Missing)
	}
	if w.scoreMin != nil && (!r.ScoreMin.Valid || r.ScoreMin.V != *w.scoreMin) {
		t.Errorf("score_min = %+v, want %v", r.ScoreMin, *w.scoreMin)
	}
	if w.scoreMax != nil && (!r.ScoreMax.Valid || r.ScoreMax.V != *w.scoreMax) {
		t.Errorf("score_max = %+v, want %v", r.ScoreMax, *w.scoreMax)
	}
	if w.scoreMin != nil && w.scoreMax != nil && *w.scoreMin == *w.scoreMax && (!r.Score.Valid || r.Score.V != *w.scoreMin) {
		t.Errorf("score = %+v, want %v", r.Score, *w.scoreMin)
	}
	for id, want := range w.pass {
		if got := cond(t, r, id).Pass; got != want {
			c := cond(t, r, id)
			t.Errorf("condition %s pass = %v, want %v (actual %q, required %q)", id, got, want, c.Actual.String(), c.Required)
		}
	}
	for id, want := range w.points {
		it := itemOf(t, r, id)
		if !it.Points.Valid || it.Points.V != want {
			t.Errorf("item %s points = %+v [%v,%v], want %v", id, it.Points, it.PointsMin, it.PointsMax, want)
		}
	}
	gaps := strings.Join(GapTexts(r.Gaps), "\n")
	if w.gaps != nil && gaps != strings.Join(w.gaps, "\n") {
		t.Errorf("gaps =\n%s\nwant\n%s", gaps, strings.Join(w.gaps, "\n"))
	}
	for _, g := range w.gapContains {
		if !strings.Contains(gaps, g) {
			t.Errorf("gaps %q do not contain %q", gaps, g)
		}
	}
	if w.missing != nil && strings.Join(r.Missing, ",") != strings.Join(w.missing, ",") {
		t.Errorf("missing = %q, want %q", r.Missing, w.missing)
	}
	if w.confirmCount != nil && len(r.ToConfirm) != *w.confirmCount {
		t.Errorf("to_confirm = %q, want %d entries", r.ToConfirm, *w.confirmCount)
	}
	if w.confirmContain != "" && !strings.Contains(strings.Join(r.ToConfirm, "|"), w.confirmContain) {
		t.Errorf("to_confirm = %q, want an entry containing %q", r.ToConfirm, w.confirmContain)
	}
}
