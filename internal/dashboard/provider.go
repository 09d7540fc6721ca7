package dashboard

import (
	"context"
	"net/url"
)

// Provider is what a module contributes to the dashboard: its figures as
// monthly series per county. A provider reads; it never writes.
type Provider interface {
	// Figures returns the provider's series over the window's months for
	// every county of the window.
	Figures(ctx context.Context, w Window) ([]Series, error)
}

// ProviderFunc adapts a function to Provider.
type ProviderFunc func(ctx context.Context, w Window) ([]Series, error)

// Figures calls f.
func (f ProviderFunc) Figures(ctx context.Context, w Window) ([]Series, error) { return f(ctx, w) }

// Window is what a provider is asked for: the months From to To
// ("YYYY-MM", both included), the counties of the home city, and the
// year whose targets apply.
type Window struct {
	// City is the home city's code and Counties its counties' codes.
	City     string
	Counties []string
	From, To string
	Year     int
	// FromTime and ToTime are From's first instant and the instant after
	// To, as stored timestamps compare ("2026-01-01T00:00:00.000000Z").
	FromTime, ToTime string
}

// Months lists the window's months.
func (w Window) Months() []string {
	var out []string
	for m := w.From; m <= w.To; m = nextMonth(m) {
		out = append(out, m)
	}
	return out
}

func nextMonth(m string) string {
	y, n := atoi(m[:4]), atoi(m[5:7])
	if n == 12 {
		return monthKey(y+1, 1)
	}
	return monthKey(y, n+1)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// How a series' months make up a period.
const (
	// Flow figures add up over the months (contracts signed in the month).
	Flow = "flow"
	// Stock figures are the value at the period's end (high-tech firms
	// holding a valid certificate).
	Stock = "stock"
)

// Series is one figure of one module: a value per county and month. A
// ratio (Den set) is Num/Den in percent, summed over the months of a
// period (Flow) or taken at its end (Stock), pooled over counties.
type Series struct {
	// Key names the figure: its label is the catalog key
	// dashboard.figure.<Key>.
	Key string
	// Module is the module's web key (market, cultivation, projects,
	// directory), for grouping.
	Module string
	// Unit is the catalog key of the unit (unit.wan_yuan, unit.count …).
	Unit string
	// Kind is Flow or Stock.
	Kind string
	// Num holds the values by county, then month "YYYY-MM"; a month
	// missing is 0 for a flow and "no data" for a stock.
	Num map[string]map[string]float64
	// Den, for a ratio, holds the denominators the same way.
	Den map[string]map[string]float64
	// Targets holds the county targets of the window's year, when the
	// figure has targets (军令状); nil otherwise.
	Targets map[string]float64
	// List is the list page that shows the figure's records; the
	// dashboard adds region (and from, to when Dated) to its query.
	List string
	// Dated: the list page filters by from and to (YYYY-MM-DD).
	Dated bool
}

// Ratio reports whether the series is a ratio.
func (s Series) Ratio() bool { return s.Den != nil }

// link is the list page of the series for region in [from, to].
func (s Series) link(regionCode, from, to string) string {
	if s.List == "" {
		return ""
	}
	q := url.Values{}
	if regionCode != "" {
		q.Set("region", regionCode)
	}
	if s.Dated {
		q.Set("from", from)
		q.Set("to", to)
	}
	if len(q) == 0 {
		return s.List
	}
	sep := "?"
	for _, c := range s.List {
		if c == '?' {
			sep = "&"
		}
	}
	return s.List + sep + q.Encode()
}

// add adds v to the series at county and month.
func add(m map[string]map[string]float64, county, month string, v float64) {
	if m[county] == nil {
		m[county] = map[string]float64{}
	}
	m[county][month] += v
}

// set sets the series at county and month to v.
func set(m map[string]map[string]float64, county, month string, v float64) {
	if m[county] == nil {
		m[county] = map[string]float64{}
	}
	m[county][month] = v
}
