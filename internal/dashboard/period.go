package dashboard

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
)

// The kinds of period.
const (
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
)

// PeriodKinds lists the kinds of period, in display order.
var PeriodKinds = []string{Month, Quarter, Year}

// Period is one calendar month, quarter or year.
type Period struct {
	Kind string
	Year int
	// N is the month (1–12) or the quarter (1–4); 0 for a year.
	N int
}

// ParsePeriod reads a period of kind from at: "2026-11" for a month,
// "2026-Q4" for a quarter, "2026" for a year. An empty at is the period
// containing now. A bad value is apperr.Invalid naming the field "at".
func ParsePeriod(kind, at string, now time.Time) (Period, error) {
	if kind == "" {
		kind = Month
	}
	bad := apperr.Fields(apperr.Field("at", "dashboard.period_invalid", at))
	p := Period{Kind: kind, Year: now.Year()}
	switch kind {
	case Month:
		p.N = int(now.Month())
		if at != "" {
			t, err := time.Parse("2006-01", at)
			if err != nil {
				return Period{}, bad
			}
			p.Year, p.N = t.Year(), int(t.Month())
		}
	case Quarter:
		p.N = (int(now.Month())-1)/3 + 1
		if at != "" {
			y, q, ok := strings.Cut(at, "-Q")
			yn, err1 := strconv.Atoi(y)
			qn, err2 := strconv.Atoi(q)
			if !ok || err1 != nil || err2 != nil || qn < 1 || qn > 4 || len(y) != 4 {
				return Period{}, bad
			}
			p.Year, p.N = yn, qn
		}
	case Year:
		if at != "" {
			yn, err := strconv.Atoi(at)
			if err != nil || len(at) != 4 {
				return Period{}, bad
			}
			p.Year = yn
		}
	default:
		return Period{}, apperr.Fields(apperr.Field("period", "dashboard.period_invalid", kind))
	}
	if p.Year < 2000 || p.Year > now.Year()+1 {
		return Period{}, bad
	}
	return p, nil
}

// String is the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	}
	return strconv.Itoa(p.Year)
}

// span is the period's first and last month (1–12).
func (p Period) span() (first, last int) {
	switch p.Kind {
	case Month:
		return p.N, p.N
	case Quarter:
		return 3*p.N - 2, 3 * p.N
	}
	return 1, 12
}

// Months lists the period's months as "YYYY-MM".
func (p Period) Months() []string {
	first, last := p.span()
	out := make([]string, 0, last-first+1)
	for m := first; m <= last; m++ {
		out = append(out, monthKey(p.Year, m))
	}
	return out
}

// From and To are the period's first and last day, YYYY-MM-DD.
func (p Period) From() string {
	first, _ := p.span()
	return monthKey(p.Year, first) + "-01"
}

// To is the period's last day, YYYY-MM-DD.
func (p Period) To() string {
	_, last := p.span()
	return time.Date(p.Year, time.Month(last)+1, 0, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// Previous is the period before p (the month, quarter or year before).
func (p Period) Previous() Period {
	switch p.Kind {
	case Month:
		if p.N == 1 {
			return Period{Month, p.Year - 1, 12}
		}
		return Period{Month, p.Year, p.N - 1}
	case Quarter:
		if p.N == 1 {
			return Period{Quarter, p.Year - 1, 4}
		}
		return Period{Quarter, p.Year, p.N - 1}
	}
	return Period{Year, p.Year - 1, 0}
}

// LastYear is the same period a year earlier.
func (p Period) LastYear() Period { return Period{p.Kind, p.Year - 1, p.N} }

func monthKey(year, month int) string { return fmt.Sprintf("%04d-%02d", year, month) }
