package directory_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kechuang/internal/directory"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// stays of one carrier with capacity 10 stations, 4 rooms, 1000 m²:
//
//	A 2025-01-01 –            2 stations, 100 m²
//	B 2025-03-01 – 2026-03-01 graduated, 1 room, 200 m²
//	C 2026-06-15 –            3 stations (entered on the day measured)
//	D 2025-06-01 – 2026-06-15 moved out, 150 m² (left on the day measured)
var (
	capacity = directory.Space{Stations: 10, Rooms: 4, Area: 1000}
	stays    = []directory.Stay{
		{Entered: d("2025-01-01"), Space: directory.Space{Stations: 2, Area: 100}},
		{Entered: d("2025-03-01"), Exited: d("2026-03-01"), Graduated: true, Space: directory.Space{Rooms: 1, Area: 200}},
		{Entered: d("2026-06-15"), Space: directory.Space{Stations: 3}},
		{Entered: d("2025-06-01"), Exited: d("2026-06-15"), Space: directory.Space{Area: 150}},
	}
)

func TestOccupancy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		m       directory.Measure
		at      time.Time
		want    directory.Ratio
		wantVal float64
	}{
		{name: "stations: entry day counts, exit day does not", m: directory.Stations, at: d("2026-06-15"),
			want: directory.Ratio{Num: 5, Den: 10}, wantVal: 0.5},
		{name: "area on the exit day of D", m: directory.Area, at: d("2026-06-15"), want: directory.Ratio{Num: 100, Den: 1000}, wantVal: 0.1},
		{name: "area the day before D left", m: directory.Area, at: d("2026-06-14"), want: directory.Ratio{Num: 250, Den: 1000}, wantVal: 0.25},
		{name: "area the day before B graduated", m: directory.Area, at: d("2026-02-28"), want: directory.Ratio{Num: 450, Den: 1000}, wantVal: 0.45},
		{name: "rooms the day B graduated", m: directory.Rooms, at: d("2026-03-01"), want: directory.Ratio{Num: 0, Den: 4}, wantVal: 0},
		{name: "rooms the day before", m: directory.Rooms, at: d("2026-02-28"), want: directory.Ratio{Num: 1, Den: 4}, wantVal: 0.25},
		{name: "clock time and zone do not move the day", m: directory.Stations,
			at: time.Date(2026, 6, 14, 23, 30, 0, 0, time.FixedZone("CST", 8*3600)), want: directory.Ratio{Num: 2, Den: 10}, wantVal: 0.2},
		{name: "before anyone entered", m: directory.Area, at: d("2024-12-31"), want: directory.Ratio{Num: 0, Den: 1000}, wantVal: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := directory.Occupancy(capacity, stays, tt.m, tt.at)
			if got != tt.want {
				t.Errorf("Occupancy(%s, %s) = %+v, want %+v", tt.m, tt.at.Format(time.DateOnly), got, tt.want)
			}
			if v, ok := got.Value(); !ok || v != tt.wantVal {
				t.Errorf("Occupancy(%s, %s).Value() = %v, %v, want %v, true", tt.m, tt.at.Format(time.DateOnly), v, ok, tt.wantVal)
			}
		})
	}
	if v, ok := directory.Occupancy(directory.Space{}, stays, directory.Stations, d("2026-06-15")).Value(); ok {
		t.Errorf("Occupancy without capacity = %v, true, want no rate", v)
	}
}

func TestGraduationRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to time.Time
		want     directory.Ratio
		defined  bool
	}{
		{name: "B graduated; D left on the period's end, outside", from: d("2026-01-01"), to: d("2026-06-15"),
			want: directory.Ratio{Num: 1, Den: 1}, defined: true},
		{name: "both exits inside", from: d("2026-01-01"), to: d("2026-06-16"), want: directory.Ratio{Num: 1, Den: 2}, defined: true},
		{name: "D alone: moved out, not graduated", from: d("2026-03-02"), to: d("2026-12-31"), want: directory.Ratio{Num: 0, Den: 1}, defined: true},
		{name: "B exits on the first day of the period", from: d("2026-03-01"), to: d("2026-03-02"), want: directory.Ratio{Num: 1, Den: 1}, defined: true},
		{name: "no exits: no rate, not 0", from: d("2025-01-01"), to: d("2026-01-01"), want: directory.Ratio{}, defined: false},
		{name: "tenants still in never count", from: d("2020-01-01"), to: d("2030-01-01"), want: directory.Ratio{Num: 1, Den: 2}, defined: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := directory.GraduationRate(stays, tt.from, tt.to)
			if got != tt.want {
				t.Errorf("GraduationRate(%s, %s) = %+v, want %+v", tt.from.Format(time.DateOnly), tt.to.Format(time.DateOnly), got, tt.want)
			}
			if _, ok := got.Value(); ok != tt.defined {
				t.Errorf("GraduationRate(…).Value() defined = %v, want %v", ok, tt.defined)
			}
		})
	}
}

func TestCarrierRatesAndPooling(t *testing.T) {
	t.Parallel()
	got := directory.CarrierRates(capacity, stays, d("2026-06-15"), d("2026-01-01"), d("2026-06-16"))
	want := directory.Rates{Carriers: 1, Tenants: 2, Entered: 1, Exited: 2, Graduated: 1,
		Stations: directory.Ratio{Num: 5, Den: 10}, Rooms: directory.Ratio{Num: 0, Den: 4}, Area: directory.Ratio{Num: 100, Den: 1000},
		Graduation: directory.Ratio{Num: 1, Den: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CarrierRates (-want +got):\n%s", diff)
	}
	// A small maker space pooled with a large one: the pooled occupancy
	// weighs by capacity (6/30 = 0.2), not the mean of ratios (0.275).
	small := directory.Rates{Carriers: 1, Stations: directory.Ratio{Num: 5, Den: 10}}
	large := directory.Rates{Carriers: 1, Stations: directory.Ratio{Num: 1, Den: 20}, Graduation: directory.Ratio{Num: 2, Den: 3}}
	pooled := small.Add(large)
	if v, _ := pooled.Occupancy(directory.Stations).Value(); pooled.Carriers != 2 || v != 0.2 {
		t.Errorf("pooled = %+v (occupancy %v), want 2 carriers at 6/30 = 0.2", pooled, v)
	}
	if pooled.Graduation != (directory.Ratio{Num: 2, Den: 3}) {
		t.Errorf("pooled graduation = %+v, want 2/3", pooled.Graduation)
	}
}

func TestFlows(t *testing.T) {
	t.Parallel()
	moves := []directory.Move{
		{From: "maker-space", To: "incubator", Exited: d("2026-03-01"), Graduated: true},
		{From: "maker-space", To: "", Exited: d("2026-06-15")},
		{From: "incubator", To: "accelerator", Exited: d("2026-04-01"), Graduated: true},
		{From: "maker-space", To: "incubator", Exited: d("2026-05-01")},
		{From: "incubator", To: "accelerator", Exited: d("2025-12-31"), Graduated: true}, // before the period
		{From: "incubator"}, // still in
	}
	got := directory.Flows(moves, d("2026-01-01"), d("2026-12-31"))
	want := []directory.Flow{
		{From: "incubator", To: "accelerator", Tenants: 1, Graduated: 1},
		{From: "maker-space", To: "", Tenants: 1},
		{From: "maker-space", To: "incubator", Tenants: 2, Graduated: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Flows (-want +got):\n%s", diff)
	}
}

func TestSummarizePortfolio(t *testing.T) {
	t.Parallel()
	rounds := shippedReference(t).Rounds
	rows := []directory.Investment{
		{Name: "甲科技", CreditCode: "C1", Round: "a", Amount: fp(500), InvestedOn: "2024-05-01"},
		{Name: "甲科技", CreditCode: "C1", Round: "b", Amount: fp(1500.5), InvestedOn: "2025-07-01"},
		{Name: "乙团队", Round: "angel", Amount: fp(100.25), InvestedOn: "2023-01-10"},
		{Name: "丙", Round: "retired-round", Amount: fp(0.1), InvestedOn: "2024-01-01"},
	}
	hide := func(rows []directory.Investment) []directory.Investment {
		out := append([]directory.Investment(nil), rows...)
		for i := range out {
			out[i].Amount = nil
		}
		return out
	}
	tests := []struct {
		name string
		rows []directory.Investment
		paid float64
		want directory.PortfolioSummary
	}{
		{name: "amounts by round in reference order, stale round last", rows: rows, paid: 5000, want: directory.PortfolioSummary{
			Investments: 4, Enterprises: 3, Amount: fp(2100.85), Deployed: &directory.Ratio{Num: 2100.85, Den: 5000},
			ByRound: []directory.RoundCount{{Round: "angel", Count: 1, Amount: fp(100.25)}, {Round: "a", Count: 1, Amount: fp(500)},
				{Round: "b", Count: 1, Amount: fp(1500.5)}, {Round: "retired-round", Count: 1, Amount: fp(0.1)}},
			First: "2023-01-10", Last: "2025-07-01"}},
		{name: "hidden amounts stay hidden", rows: hide(rows[:2]), paid: 5000, want: directory.PortfolioSummary{
			Investments: 2, Enterprises: 1, ByRound: []directory.RoundCount{{Round: "a", Count: 1}, {Round: "b", Count: 1}},
			First: "2024-05-01", Last: "2025-07-01"}},
		{name: "no paid-in scale: no deployment share", rows: rows[2:3], paid: 0, want: directory.PortfolioSummary{
			Investments: 1, Enterprises: 1, Amount: fp(100.25), ByRound: []directory.RoundCount{{Round: "angel", Count: 1, Amount: fp(100.25)}},
			First: "2023-01-10", Last: "2023-01-10"}},
		{name: "empty portfolio", rows: nil, paid: 100, want: directory.PortfolioSummary{Amount: fp(0),
			Deployed: &directory.Ratio{Den: 100}, ByRound: []directory.RoundCount{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := directory.SummarizePortfolio(tt.rows, tt.paid, rounds)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SummarizePortfolio (-want +got):\n%s", diff)
			}
		})
	}
}
