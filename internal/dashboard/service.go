package dashboard

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Service computes the dashboard from the registered providers.
type Service struct {
	db        *sqldb.DB
	regions   *region.Service
	now       func() time.Time
	providers []Provider
	groupers  []Grouper

	// The providers' series of a year (the window depends on the year
	// alone), kept for cacheTTL: every summary of that year — any period,
	// any scope, the big screens refreshing — reads them from memory.
	cacheTTL time.Duration
	mu       sync.Mutex
	cache    map[int]cachedSeries
	funnels  map[string]cachedFunnel
}

type cachedSeries struct {
	at     time.Time
	series []Series
}

// DefaultCacheTTL is how long the figures of a year are reused before the
// providers are asked again: a summary is at most this much behind the
// database.
const DefaultCacheTTL = 60 * time.Second

// SetCacheTTL sets how long the figures are reused; 0 asks the providers
// on every summary. The wiring calls it once before serving.
func (s *Service) SetCacheTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cacheTTL, s.cache, s.funnels = max(d, 0), map[int]cachedSeries{}, map[string]cachedFunnel{}
}

// NewService returns the dashboard over db with no providers yet; the
// wiring registers them (Register).
func NewService(db *sqldb.DB, regions *region.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, regions: regions, now: now, cacheTTL: DefaultCacheTTL, cache: map[int]cachedSeries{},
		funnels: map[string]cachedFunnel{}}
}

// Register adds providers; the figures appear in registration order. It
// is called by the wiring before serving.
func (s *Service) Register(p ...Provider) { s.providers = append(s.providers, p...) }

// RegisterGrouper adds a funnel dimension of another module (the event a
// deal came from …); it is called by the wiring before serving.
func (s *Service) RegisterGrouper(g ...Grouper) { s.groupers = append(s.groupers, g...) }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// CanViewDashboard reports whether the actor may open the dashboard and
// the big screen: bureau staff, county staff and the administrator.
func (s *Service) CanViewDashboard(a account.Actor) bool {
	if !a.LoggedIn() {
		return false
	}
	switch a.Role {
	case account.RoleAdmin, account.RoleStaff, account.RoleCounty:
		return true
	}
	return false
}

// Query chooses the period and the scope of a summary.
type Query struct {
	Period Period
	// Scope is "" (the actor's default: the city, or a county user's
	// county), "city", or a county code of the home city.
	Scope string
}

// Area is a county or the city.
type Area struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Figure is one figure of the summary.
type Figure struct {
	Key    string `json:"key"`
	Module string `json:"module"`
	Unit   string `json:"unit"`
	Kind   string `json:"kind"`
	Ratio  bool   `json:"ratio"`
	// Value is the figure in the period and scope; nil when there is no
	// data (a stock never measured, a ratio over nothing).
	Value    *float64 `json:"value"`
	Previous *float64 `json:"previous"`
	LastYear *float64 `json:"last_year"`
	// Change and YoY compare Value with Previous and LastYear: in percent
	// of the earlier value, or in percentage points for a ratio; nil when
	// the earlier value is missing or 0.
	Change *float64 `json:"change"`
	YoY    *float64 `json:"yoy"`
	// City is the figure over the whole home city (the public total a
	// county user sees next to its own).
	City *float64 `json:"city"`
	// Target is the year's target of the scope and TargetPct the
	// completion so far (the year to the period's end); nil without one.
	Target    *float64 `json:"target"`
	TargetPct *float64 `json:"target_pct"`
	// Counties compares the counties the actor may see.
	Counties []CountyValue `json:"counties"`
	// ThisYear and LastYearTrend are the figure month by month (12 each)
	// in the period's year and the year before; nil for months to come.
	ThisYear      []*float64 `json:"this_year"`
	LastYearTrend []*float64 `json:"last_year_trend"`
	// Link is the list page of the figure's records in period and scope.
	Link string `json:"link"`
}

// CountyValue is a figure in one county.
type CountyValue struct {
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Value *float64 `json:"value"`
	Link  string   `json:"link"`
}

// Summary is the dashboard of one period and scope.
type Summary struct {
	Period     string `json:"period"`
	PeriodKind string `json:"period_kind"`
	From       string `json:"from"`
	To         string `json:"to"`
	Previous   string `json:"previous"`
	LastYear   string `json:"last_year"`
	// Scope is the area the figures are of; City the home city.
	Scope Area `json:"scope"`
	City  Area `json:"city"`
	// Counties are the counties the actor may compare.
	Counties []Area     `json:"counties"`
	Figures  []Figure   `json:"figures"`
	Funnel   FunnelRow  `json:"funnel"`
	Recent   []Activity `json:"recent"`
	// Generated is when the summary was computed.
	Generated time.Time `json:"generated"`
}

// scope is the resolved scope of a query.
type scope struct {
	city     Area
	all      []Area // every county of the city
	visible  []Area // the counties the actor may compare
	area     Area   // the summary's scope
	counties []string
}

// resolve checks the actor and the scope of q.
func (s *Service) resolve(ctx context.Context, a account.Actor, want string) (scope, error) {
	var sc scope
	if !s.CanViewDashboard(a) {
		return sc, apperr.New(apperr.Forbidden, "dashboard.only_staff")
	}
	home, err := s.regions.HomeRegion(ctx)
	if err != nil {
		return sc, err
	}
	if home == "" {
		return sc, apperr.New(apperr.Conflict, "dashboard.no_home_region")
	}
	hr, err := s.regions.Get(ctx, home)
	if err != nil {
		return sc, err
	}
	sc.city = Area{hr.Code, hr.Name}
	if region.LevelOf(home) == region.County {
		sc.all = []Area{sc.city}
	} else {
		kids, err := s.regions.Children(ctx, home)
		if err != nil {
			return sc, err
		}
		for _, k := range kids {
			sc.all = append(sc.all, Area{k.Code, k.Name})
		}
	}
	if a.Role == account.RoleCounty {
		for _, c := range sc.all {
			if c.Code == a.Region {
				sc.visible = []Area{c}
			}
		}
		if len(sc.visible) == 0 || (want != "" && want != a.Region) {
			return sc, apperr.New(apperr.NotFound, "dashboard.scope_not_found")
		}
		sc.area = sc.visible[0]
		sc.counties = []string{sc.area.Code}
		return sc, nil
	}
	sc.visible = sc.all
	switch want {
	case "", "city":
		sc.area = sc.city
		for _, c := range sc.all {
			sc.counties = append(sc.counties, c.Code)
		}
		return sc, nil
	}
	for _, c := range sc.all {
		if c.Code == want {
			sc.area, sc.counties = c, []string{c.Code}
			return sc, nil
		}
	}
	return sc, apperr.New(apperr.NotFound, "dashboard.scope_not_found")
}

// window is the months a summary of p needs: the year before p's and p's.
func (s *Service) window(sc scope, p Period) Window {
	w := Window{City: sc.city.Code, From: monthKey(p.Year-1, 1), To: monthKey(p.Year, 12), Year: p.Year}
	for _, c := range sc.all {
		w.Counties = append(w.Counties, c.Code)
	}
	w.FromTime = sqldb.FormatTime(time.Date(p.Year-1, 1, 1, 0, 0, 0, 0, time.UTC))
	w.ToTime = sqldb.FormatTime(time.Date(p.Year+1, 1, 1, 0, 0, 0, 0, time.UTC))
	return w
}

// Summary computes every figure of q's period and scope for the actor.
// Errors: Forbidden for an actor who may not see the dashboard, NotFound
// for a scope outside the actor's, Conflict without a home region.
func (s *Service) Summary(ctx context.Context, a account.Actor, q Query) (Summary, error) {
	sc, err := s.resolve(ctx, a, q.Scope)
	if err != nil {
		return Summary{}, err
	}
	p := q.Period
	sum := Summary{Period: p.String(), PeriodKind: p.Kind, From: p.From(), To: p.To(),
		Previous: p.Previous().String(), LastYear: p.LastYear().String(),
		Scope: sc.area, City: sc.city, Counties: sc.visible, Figures: []Figure{}, Generated: s.now().UTC()}
	// The series, the funnel and the ticker read the database
	// independently, each on its own connection: a fresh summary takes
	// about the time of the longest, not of all of them.
	var (
		series           []Series
		serr, ferr, rerr error
		wg               sync.WaitGroup
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		sum.Funnel, ferr = s.totalFunnel(ctx, sc.counties, p)
	}()
	go func() {
		defer wg.Done()
		sum.Recent, rerr = s.recent(ctx, sc.counties, 12)
	}()
	series, serr = s.series(ctx, s.window(sc, p))
	wg.Wait()
	if err := errors.Join(serr, ferr, rerr); err != nil {
		return Summary{}, err
	}
	current := monthKey(s.now().Year(), int(s.now().Month()))
	for _, se := range series {
		sum.Figures = append(sum.Figures, figureOf(se, sc, p, current))
	}
	return sum, nil
}

// series asks every provider for its series over w, or returns those of
// w's year asked less than cacheTTL ago. The series are never changed
// after they are made, so summaries share them.
func (s *Service) series(ctx context.Context, w Window) ([]Series, error) {
	s.mu.Lock()
	c, ok := s.cache[w.Year]
	ttl := s.cacheTTL
	s.mu.Unlock()
	// The wall clock, not the service's: the cache ages in real time even
	// when a test or the demo moves the service's clock.
	if ok && time.Since(c.at) < ttl {
		return c.series, nil
	}
	out, err := s.ask(ctx, w)
	if err != nil {
		return nil, err
	}
	if ttl > 0 {
		s.mu.Lock()
		s.cache[w.Year] = cachedSeries{at: time.Now(), series: out}
		s.mu.Unlock()
	}
	return out, nil
}

// ask asks every provider for its series over w, all at once (each
// provider reads on its own connection), and returns them in
// registration order.
func (s *Service) ask(ctx context.Context, w Window) ([]Series, error) {
	got := make([][]Series, len(s.providers))
	errs := make([]error, len(s.providers))
	var wg sync.WaitGroup
	for i, p := range s.providers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = p.Figures(ctx, w)
		}()
	}
	wg.Wait()
	var out []Series
	for i := range got {
		if errs[i] != nil {
			return nil, fmt.Errorf("dashboard figures: %w", errs[i])
		}
		out = append(out, got[i]...)
	}
	return out, nil
}

// figureOf derives the figure of series se in period p and scope sc;
// months after current have no data yet.
func figureOf(se Series, sc scope, p Period, current string) Figure {
	f := Figure{Key: se.Key, Module: se.Module, Unit: se.Unit, Kind: se.Kind, Ratio: se.Ratio(), Counties: []CountyValue{}}
	scopeCode := ""
	if len(sc.counties) == 1 && sc.area.Code != sc.city.Code {
		scopeCode = sc.area.Code
	}
	f.Link = se.link(scopeCode, p.From(), p.To())
	f.Value = valueOf(se, sc.counties, p.Months(), current)
	f.Previous = valueOf(se, sc.counties, p.Previous().Months(), current)
	f.LastYear = valueOf(se, sc.counties, p.LastYear().Months(), current)
	f.Change, f.YoY = compare(f.Value, f.Previous, f.Ratio), compare(f.Value, f.LastYear, f.Ratio)
	var all []string
	for _, c := range sc.all {
		all = append(all, c.Code)
	}
	f.City = valueOf(se, all, p.Months(), current)
	for _, c := range sc.visible {
		f.Counties = append(f.Counties, CountyValue{Code: c.Code, Name: c.Name,
			Value: valueOf(se, []string{c.Code}, p.Months(), current), Link: se.link(c.Code, p.From(), p.To())})
	}
	f.ThisYear, f.LastYearTrend = make([]*float64, 12), make([]*float64, 12)
	for m := 1; m <= 12; m++ {
		f.ThisYear[m-1] = valueOf(se, sc.counties, []string{monthKey(p.Year, m)}, current)
		f.LastYearTrend[m-1] = valueOf(se, sc.counties, []string{monthKey(p.Year-1, m)}, current)
	}
	if se.Targets != nil {
		var t float64
		has := false
		for _, c := range sc.counties {
			if v, ok := se.Targets[c]; ok {
				t += v
				has = true
			}
		}
		if has {
			f.Target = ptr(round2(t))
			_, last := p.span()
			var ytd []string
			for m := 1; m <= last; m++ {
				ytd = append(ytd, monthKey(p.Year, m))
			}
			if v := valueOf(se, sc.counties, ytd, current); v != nil && t > 0 {
				f.TargetPct = ptr(round2(*v / t * 100))
			}
		}
	}
	return f
}

// valueOf is the series over counties and months: summed (Flow) or at
// the last month with data (Stock), a ratio pooled as ΣNum/ΣDen in
// percent. Months after current are left out; nil when nothing is left
// or there is no data.
func valueOf(se Series, counties, months []string, current string) *float64 {
	months = slices.DeleteFunc(slices.Clone(months), func(m string) bool { return m > current })
	if len(months) == 0 {
		return nil
	}
	if se.Kind == Stock {
		months = months[len(months)-1:]
	}
	var num, den float64
	seen := false
	for _, c := range counties {
		for _, m := range months {
			if v, ok := se.Num[c][m]; ok {
				num += v
				seen = true
			}
			if se.Den != nil {
				den += se.Den[c][m]
			}
		}
	}
	switch {
	case se.Den != nil:
		if den == 0 {
			return nil
		}
		return ptr(round2(num / den * 100))
	case se.Kind == Stock && !seen:
		return nil
	}
	return ptr(round2(num))
}

// compare is the change from before to now: percent, or points for a
// ratio.
func compare(now, before *float64, ratio bool) *float64 {
	if now == nil || before == nil {
		return nil
	}
	if ratio {
		return ptr(round2(*now - *before))
	}
	if *before == 0 {
		return nil
	}
	return ptr(round2((*now - *before) / *before * 100))
}

func ptr(v float64) *float64 { return &v }

func round2(v float64) float64 { return math.Round(v*100) / 100 }
