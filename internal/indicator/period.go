package indicator

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
)

// Frequency is how often an indicator is known: each month, quarter or
// year.
type Frequency string

// The frequencies.
const (
	Monthly   Frequency = "month"
	Quarterly Frequency = "quarter"
	Yearly    Frequency = "year"
)

// finer reports whether f is at least as fine as g (a month is finer than
// a quarter, which is finer than a year).
func (f Frequency) rank() int {
	switch f {
	case Monthly:
		return 0
	case Quarterly:
		return 1
	}
	return 2
}

// Period is a report period: a month (2026-11), a quarter (2026-Q4) or a
// year (2026).
type Period struct {
	Freq Frequency
	Year int
	N    int // month 1–12, quarter 1–4, 0 for a year
}

// ParsePeriod reads "2026-11", "2026-Q4" or "2026"; a bad text is
// apperr.Invalid on field "period".
func ParsePeriod(s string) (Period, error) {
	bad := apperr.Fields(apperr.Field("period", "indicator.period_invalid"))
	if len(s) < 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 || y > 2100 {
		return Period{}, bad
	}
	rest := s[4:]
	switch {
	case rest == "":
		return Period{Freq: Yearly, Year: y}, nil
	case strings.HasPrefix(rest, "-Q") && len(rest) == 3:
		q := int(rest[2] - '0')
		if q < 1 || q > 4 {
			return Period{}, bad
		}
		return Period{Freq: Quarterly, Year: y, N: q}, nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		return Period{Freq: Monthly, Year: y, N: m}, nil
	}
	return Period{}, bad
}

// MonthOf is the month period of t (in China time).
func MonthOf(t time.Time) Period {
	t = t.In(chinaTime)
	return Period{Freq: Monthly, Year: t.Year(), N: int(t.Month())}
}

// String is the period's code.
func (p Period) String() string {
	switch p.Freq {
	case Monthly:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case Quarterly:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// Label is the period as a Chinese report names it: 2026年11月,
// 2026年第4季度, 2026年.
func (p Period) Label() string {
	switch p.Freq {
	case Monthly:
		return fmt.Sprintf("%d年%d月", p.Year, p.N)
	case Quarterly:
		return fmt.Sprintf("%d年第%d季度", p.Year, p.N)
	}
	return fmt.Sprintf("%d年", p.Year)
}

// firstMonth and lastMonth bound the period in months (1–12).
func (p Period) firstMonth() int {
	switch p.Freq {
	case Monthly:
		return p.N
	case Quarterly:
		return 3*p.N - 2
	}
	return 1
}

func (p Period) lastMonth() int {
	switch p.Freq {
	case Monthly:
		return p.N
	case Quarterly:
		return 3 * p.N
	}
	return 12
}

// Start is the period's first day, End the day after its last (both
// YYYY-MM-DD), so that a date d is in it when Start <= d < End.
func (p Period) Start() string { return fmt.Sprintf("%04d-%02d-01", p.Year, p.firstMonth()) }

// End is the day after the period's last day.
func (p Period) End() string {
	y, m := p.Year, p.lastMonth()+1
	if m == 13 {
		y, m = y+1, 1
	}
	return fmt.Sprintf("%04d-%02d-01", y, m)
}

// endTime is End as a time in China time.
func (p Period) endTime() time.Time {
	t, _ := time.ParseInLocation("2006-01-02", p.End(), chinaTime)
	return t
}

// Months lists the month periods inside p.
func (p Period) Months() []Period {
	var out []Period
	for m := p.firstMonth(); m <= p.lastMonth(); m++ {
		out = append(out, Period{Freq: Monthly, Year: p.Year, N: m})
	}
	return out
}

// Within lists the periods of frequency f inside p, in order; nil when f
// is coarser than p's own frequency.
func (p Period) Within(f Frequency) []Period {
	if f.rank() < p.Freq.rank() {
		switch f {
		case Monthly:
			return p.Months()
		case Quarterly:
			var out []Period
			for q := (p.firstMonth() + 2) / 3; q <= p.lastMonth()/3; q++ {
				out = append(out, Period{Freq: Quarterly, Year: p.Year, N: q})
			}
			return out
		}
	}
	if f == p.Freq {
		return []Period{p}
	}
	return nil
}

// Prev is the period before p of the same frequency.
func (p Period) Prev() Period {
	switch p.Freq {
	case Monthly:
		if p.N == 1 {
			return Period{Freq: Monthly, Year: p.Year - 1, N: 12}
		}
		return Period{Freq: Monthly, Year: p.Year, N: p.N - 1}
	case Quarterly:
		if p.N == 1 {
			return Period{Freq: Quarterly, Year: p.Year - 1, N: 4}
		}
		return Period{Freq: Quarterly, Year: p.Year, N: p.N - 1}
	}
	return Period{Freq: Yearly, Year: p.Year - 1}
}

// YearAgo is the same period one year before.
func (p Period) YearAgo() Period { return Period{Freq: p.Freq, Year: p.Year - 1, N: p.N} }

// Deadline is the last day (YYYY-MM-DD) for entering the period's
// indicators: day deadlineDay of the month after the period.
func (p Period) Deadline(deadlineDay int) string {
	return p.End()[:8] + fmt.Sprintf("%02d", deadlineDay)
}

var chinaTime = time.FixedZone("CST", 8*3600)
