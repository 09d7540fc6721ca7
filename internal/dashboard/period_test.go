package dashboard_test

import (
	"testing"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/dashboard"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, kind, at           string
		want, from, to, prev, ly string
		bad                      string // the field a refused value names
	}{
		{name: "this month", kind: "", at: "", want: "2026-11", from: "2026-11-01", to: "2026-11-30", prev: "2026-10", ly: "2025-11"},
		{name: "january", kind: "month", at: "2026-01", want: "2026-01", from: "2026-01-01", to: "2026-01-31", prev: "2025-12", ly: "2025-01"},
		{name: "this quarter", kind: "quarter", at: "", want: "2026-Q4", from: "2026-10-01", to: "2026-12-31", prev: "2026-Q3", ly: "2025-Q4"},
		{name: "first quarter", kind: "quarter", at: "2026-Q1", want: "2026-Q1", from: "2026-01-01", to: "2026-03-31", prev: "2025-Q4", ly: "2025-Q1"},
		{name: "a year", kind: "year", at: "2025", want: "2025", from: "2025-01-01", to: "2025-12-31", prev: "2024", ly: "2024"},
		{name: "february of a leap year", kind: "month", at: "2024-02", want: "2024-02", from: "2024-02-01", to: "2024-02-29", prev: "2024-01", ly: "2023-02"},
		{name: "month 13", kind: "month", at: "2026-13", bad: "at"},
		{name: "quarter 5", kind: "quarter", at: "2026-Q5", bad: "at"},
		{name: "a month for a year", kind: "year", at: "2026-11", bad: "at"},
		{name: "too far ahead", kind: "year", at: "2030", bad: "at"},
		{name: "unknown kind", kind: "week", at: "", bad: "period"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := dashboard.ParsePeriod(tt.kind, tt.at, now)
			if tt.bad != "" {
				e := apperr.As(err)
				if e == nil || e.Kind != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != tt.bad {
					t.Errorf("ParsePeriod(%q, %q) = %v, want Invalid naming %s", tt.kind, tt.at, err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{p.String(), p.From(), p.To(), p.Previous().String(), p.LastYear().String()}
			want := []string{tt.want, tt.from, tt.to, tt.prev, tt.ly}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("ParsePeriod(%q, %q): %v, want %v", tt.kind, tt.at, got, want)
					break
				}
			}
		})
	}
}
