package indicator

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Service is 一表通: the catalogue's values, entries, reports.
type Service struct {
	db      *sqldb.DB
	cat     *Catalogue
	regions *region.Service
	now     func() time.Time
}

// NewService returns the service over db with the catalogue cat; now nil
// means time.Now.
func NewService(db *sqldb.DB, cat *Catalogue, regions *region.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, cat: cat, regions: regions, now: now}
}

// Catalogue returns the indicator catalogue and report templates.
func (s *Service) Catalogue() *Catalogue { return s.cat }

// Today is the service's day (China time), YYYY-MM-DD.
func (s *Service) Today() string { return s.now().In(chinaTime).Format("2006-01-02") }

// CurrentMonth is the month of the service's clock.
func (s *Service) CurrentMonth() Period { return MonthOf(s.now()) }

// CanViewIndicators reports whether the actor may open the indicator pages
// and reports: bureau and county staff and administrators. The city
// totals of the catalogue are public (Values with scope "").
func (s *Service) CanViewIndicators(a account.Actor) bool {
	switch a.Role {
	case account.RoleStaff, account.RoleCounty, account.RoleAdmin:
		return true
	}
	return false
}

// CanEnter reports whether the actor may enter (or correct) county's
// indicators: the county's own users, and bureau staff for the counties
// of their city.
func (s *Service) CanEnter(a account.Actor, county string) bool {
	switch a.Role {
	case account.RoleCounty:
		return a.Region == county
	case account.RoleStaff:
		return a.InScope(county)
	}
	return false
}

// CanViewStatus reports whether the actor sees who has (not) reported.
func (s *Service) CanViewStatus(a account.Actor) bool { return s.CanViewIndicators(a) }

// CanRemind reports whether the actor may send reminders to the counties
// that have not reported: city staff.
func (s *Service) CanRemind(a account.Actor) bool { return a.Role == account.RoleStaff }

// counties lists the counties of the instance's home region, or the
// county user's own.
func (s *Service) counties(ctx context.Context, a account.Actor) ([]region.Region, error) {
	all, err := s.homeCounties(ctx)
	if err != nil {
		return nil, err
	}
	if a.Role != account.RoleCounty {
		return all, nil
	}
	for _, r := range all {
		if r.Code == a.Region {
			return []region.Region{r}, nil
		}
	}
	return nil, nil
}

func (s *Service) homeCounties(ctx context.Context) ([]region.Region, error) {
	home, err := s.regions.HomeRegion(ctx)
	if err != nil || home == "" {
		return nil, err
	}
	return s.regions.Children(ctx, home)
}

// homeName is the home region's name.
func (s *Service) homeName(ctx context.Context) (code, name string) {
	home, err := s.regions.HomeRegion(ctx)
	if err != nil || home == "" {
		return "", ""
	}
	if r, err := s.regions.Get(ctx, home); err == nil {
		return home, r.Name
	}
	return home, home
}

// grid holds the values of some indicators for some counties in one
// period: grid[code][county], nil where an entered value is missing.
type grid map[string]map[string]*float64

// city sums an indicator over counties; nil when no county has a value.
func (g grid) city(code string, counties []string) *float64 {
	var sum *float64
	for _, c := range counties {
		if v := g[code][c]; v != nil {
			if sum == nil {
				sum = new(float64)
			}
			*sum += *v
		}
	}
	return sum
}

// applicable reports whether an indicator has a value for a period of
// frequency f: it must be known at least as often.
func applicable(ind Indicator, f Frequency) bool { return ind.Frequency.rank() <= f.rank() }

// values computes inds for counties in p. Computed indicators come from
// their computation (0 where a county has no record); entered ones from
// the entries of the periods inside p (a flow sums them, a stock takes
// the latest entered).
func (s *Service) values(ctx context.Context, inds []Indicator, p Period, counties []string) (grid, error) {
	g := grid{}
	comp := &computer{db: s.db}
	prefix := ""
	if len(counties) == 1 {
		prefix = region.Prefix(counties[0])
	} else if home, _ := s.regions.HomeRegion(ctx); home != "" {
		prefix = region.Prefix(home)
	}
	want := map[string]bool{}
	for _, c := range counties {
		want[c] = true
	}
	var entered []Indicator
	for _, ind := range inds {
		g[ind.Code] = map[string]*float64{}
		if !applicable(ind, p.Freq) {
			continue
		}
		if ind.Source == Entered {
			entered = append(entered, ind)
			continue
		}
		byCounty, err := computations[ind.Computation](ctx, comp, p, prefix)
		if err != nil {
			return nil, err
		}
		for _, c := range counties {
			v := byCounty[c]
			g[ind.Code][c] = &v
		}
	}
	if len(entered) == 0 {
		return g, nil
	}
	// One query over the periods the entered indicators are kept in.
	periods := map[string]Period{}
	var args []any
	for _, ind := range entered {
		for _, sub := range p.Within(ind.Frequency) {
			if _, ok := periods[sub.String()]; !ok {
				periods[sub.String()] = sub
				args = append(args, sub.String())
			}
		}
	}
	q := "SELECT code, period, region_code, value FROM indicator_values WHERE period IN (?" + repeat(",?", len(args)-1) + ")" +
		" AND code IN (?" + repeat(",?", len(entered)-1) + ")"
	for _, ind := range entered {
		args = append(args, ind.Code)
	}
	if len(counties) == 1 {
		q += " AND region_code = ?"
		args = append(args, counties[0])
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read indicator entries: %w", err)
	}
	defer rows.Close()
	latest := map[string]string{} // code/county → the period of its stock value
	byCode := map[string]Indicator{}
	for _, ind := range entered {
		byCode[ind.Code] = ind
	}
	for rows.Next() {
		var code, period, county string
		var v float64
		if err := rows.Scan(&code, &period, &county, &v); err != nil {
			return nil, err
		}
		ind, ok := byCode[code]
		if !ok || !want[county] {
			continue
		}
		if _, ok := periods[period]; !ok || periods[period].Freq != ind.Frequency {
			continue
		}
		cur := g[code][county]
		switch ind.Kind {
		case Flow:
			if cur == nil {
				cur = new(float64)
				g[code][county] = cur
			}
			*cur += v
		case Stock:
			key := code + "/" + county
			if period >= latest[key] {
				latest[key] = period
				g[code][county] = &v
			}
		}
	}
	return g, rows.Err()
}

func repeat(s string, n int) string {
	out := ""
	for range max(n, 0) {
		out += s
	}
	return out
}

// Value is one indicator with its value for a period and scope.
type Value struct {
	Indicator
	// Value is nil when the indicator is not known for the period's
	// frequency or when no county has entered it yet.
	Value      *float64 `json:"value"`
	Applicable bool     `json:"applicable"`
}

// Values is the catalogue with its values for one period and scope.
type Values struct {
	Period      string  `json:"period"`
	PeriodLabel string  `json:"period_label"`
	Scope       string  `json:"scope"` // region code: the city or one county
	ScopeName   string  `json:"scope_name"`
	Values      []Value `json:"values"`
}

// Values returns every catalogue indicator with its value for period p in
// scope: "" (or the home region) for the city totals, which anyone may
// read, or one county, which only its users and bureau staff may read (any
// other actor gets apperr.NotFound).
func (s *Service) Values(ctx context.Context, a account.Actor, p Period, scope string) (Values, error) {
	return s.ValuesOf(ctx, a, p, scope, nil)
}

// ValuesOf is Values for the indicators of codes only (all when nil), in
// the catalogue's order: the workbench's key figures compute no more than
// they show.
func (s *Service) ValuesOf(ctx context.Context, a account.Actor, p Period, scope string, codes []string) (Values, error) {
	home, homeName := s.homeName(ctx)
	out := Values{Period: p.String(), PeriodLabel: p.Label(), Scope: home, ScopeName: homeName}
	all, err := s.homeCounties(ctx)
	if err != nil {
		return out, err
	}
	counties := regionCodes(all)
	if scope != "" && scope != home {
		if !s.CanViewIndicators(a) || !a.InScope(scope) || !contains(counties, scope) {
			return out, apperr.New(apperr.NotFound, "indicator.scope_not_found")
		}
		counties = []string{scope}
		out.Scope = scope
		for _, r := range all {
			if r.Code == scope {
				out.ScopeName = r.Name
			}
		}
	}
	inds := s.cat.Indicators
	if codes != nil {
		inds = nil
		for _, ind := range s.cat.Indicators {
			if contains(codes, ind.Code) {
				inds = append(inds, ind)
			}
		}
	}
	g, err := s.values(ctx, inds, p, counties)
	if err != nil {
		return out, err
	}
	for _, ind := range inds {
		v := Value{Indicator: ind, Applicable: applicable(ind, p.Freq)}
		if v.Applicable {
			v.Value = round(g.city(ind.Code, counties), ind.Decimals)
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}

func regionCodes(rs []region.Region) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// round rounds v to dec decimals.
func round(v *float64, dec int) *float64 {
	if v == nil {
		return nil
	}
	f := math.Pow(10, float64(dec))
	r := math.Round(*v*f) / f
	return &r
}

// sortRegions orders regions by code.
func sortRegions(rs []region.Region) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Code < rs[j].Code })
}

// WithClock returns a copy of the service on another clock (the demo
// enters past periods as of their own dates).
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}
