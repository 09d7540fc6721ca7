package cultivation

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Indicator is a quantity a county target (军令状) can be set on, computed
// from the registry.
type Indicator struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Unit  string `json:"unit"`
	// Monthly indicators accrue through the year (certificates by issue
	// date) and get a month-by-month line; others are known at year end.
	Monthly bool `json:"monthly"`
}

// Indicators are the target indicators, in display order.
var Indicators = []Indicator{
	{Key: "tech_sme_new", Label: "新增科技型中小企业", Unit: "家", Monthly: true},
	{Key: "high_tech_new", Label: "新认定高新技术企业", Unit: "家", Monthly: true},
	{Key: "high_tech_total", Label: "有效高新技术企业", Unit: "家", Monthly: true},
	{Key: "rd_expense_growth", Label: "企业研发费用增长率", Unit: "%"},
}

func indicatorByKey(key string) (Indicator, bool) {
	for _, ind := range Indicators {
		if ind.Key == key {
			return ind, true
		}
	}
	return Indicator{}, false
}

// SetTarget sets a county's target for one indicator and year. Only bureau
// staff (city level) set targets, for counties inside their region.
func (s *Service) SetTarget(ctx context.Context, a account.Actor, regionCode string, year int, indicator string, value float64) error {
	var fields []apperr.FieldError
	if _, ok := indicatorByKey(indicator); !ok {
		fields = append(fields, apperr.Field("indicator", "cultivation.indicator_invalid"))
	}
	if year < 2000 || year > s.now().Year()+5 {
		fields = append(fields, apperr.Field("year", "cultivation.year_range", s.now().Year()+5))
	}
	if value < 0 || math.IsNaN(value) || math.IsInf(value, 0) {
		fields = append(fields, apperr.Field("target", "cultivation.not_negative"))
	}
	if region.LevelOf(regionCode) != region.County || !region.ValidCode(regionCode) {
		fields = append(fields, apperr.Field("region_code", "cultivation.region_county"))
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	if !s.CanSetTargets(a) {
		return apperr.New(apperr.Forbidden, "cultivation.only_city_staff")
	}
	if !a.InScope(regionCode) {
		return apperr.Fields(apperr.Field("region_code", "cultivation.region_outside_scope"))
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var old *float64
		err := tx.QueryRowContext(ctx, "SELECT target FROM county_targets WHERE region_code = ? AND year = ? AND indicator = ?",
			regionCode, year, indicator).Scan(&old)
		if err != nil && !sqldb.IsNoRows(err) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO county_targets (region_code, year, indicator, target, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (region_code, year, indicator)
			DO UPDATE SET target = excluded.target, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			regionCode, year, indicator, value, a.UserID, sqldb.At(s.now())); err != nil {
			return err
		}
		var before any
		if old != nil {
			before = map[string]float64{"target": *old}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "target.set", ObjectType: "county_target",
			ObjectID: fmt.Sprintf("%s/%d/%s", regionCode, year, indicator), RegionCode: regionCode,
			Before: before, After: map[string]float64{"target": value}})
	})
}

// IndicatorProgress is one indicator of one county in one year.
type IndicatorProgress struct {
	Indicator
	Target     *float64 `json:"target"`
	Actual     *float64 `json:"actual"` // nil when the data are not there yet
	Completion *float64 `json:"completion_pct"`
	// Expected is the share of the target the linear schedule expects by
	// the reference date, in percent.
	Expected float64 `json:"expected_pct"`
	Behind   bool    `json:"behind"`
	// ByMonth holds the cumulative actual at the end of each month so far
	// and Schedule the linear target for each month (12 entries).
	ByMonth  []float64 `json:"by_month,omitempty"`
	Schedule []float64 `json:"schedule,omitempty"`
}

// CountyProgress is a county's progress on all its targets.
type CountyProgress struct {
	RegionCode string              `json:"region_code"`
	RegionName string              `json:"region_name"`
	Indicators []IndicatorProgress `json:"indicators"`
	// Completion is the mean completion of the indicators that have a
	// target and data, in percent; nil when none has.
	Completion *float64 `json:"completion_pct"`
	Rank       int      `json:"rank"`
	Behind     bool     `json:"behind"`
}

// TargetProgress computes every county's progress in year as of the
// service's clock, ranked by mean completion. County staff get their own
// county only.
func (s *Service) TargetProgress(ctx context.Context, a account.Actor, year int) ([]CountyProgress, error) {
	if !s.CanViewTargets(a) {
		return nil, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return nil, err
	}
	targets := map[string]map[string]float64{}
	rows, err := s.db.QueryContext(ctx, "SELECT region_code, indicator, target FROM county_targets WHERE year = ?", year)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code, ind string
		var v float64
		if err := rows.Scan(&code, &ind, &v); err != nil {
			rows.Close()
			return nil, err
		}
		if targets[code] == nil {
			targets[code] = map[string]float64{}
		}
		targets[code][ind] = v
	}
	rows.Close()
	actuals, err := s.computeActuals(ctx, a, year)
	if err != nil {
		return nil, err
	}
	now := s.now()
	elapsed := yearElapsed(year, now)
	var out []CountyProgress
	for _, c := range counties {
		cp := CountyProgress{RegionCode: c.Code, RegionName: c.Name}
		var sum float64
		var n int
		for _, ind := range Indicators {
			ip := IndicatorProgress{Indicator: ind, Expected: math.Round(elapsed * 100)}
			if t, ok := targets[c.Code][ind.Key]; ok {
				ip.Target = &t
			}
			act := actuals[c.Code]
			if act == nil {
				act = &countyActuals{value: map[string]float64{}, monthly: map[string][]float64{}}
			}
			if v, ok := act.value[ind.Key]; ok {
				ip.Actual = &v
			} else if ind.Monthly {
				zero := 0.0 // a county with no enterprise has achieved nothing yet
				ip.Actual = &zero
			}
			if ind.Monthly {
				ip.ByMonth = act.monthly[ind.Key]
				if ip.Target != nil {
					ip.Schedule = make([]float64, 12)
					for m := range ip.Schedule {
						ip.Schedule[m] = math.Round(*ip.Target*float64(m+1)/12*10) / 10
					}
				}
			} else if elapsed < 1 {
				ip.Expected = 100 // year-end figures are judged when the year is complete
			}
			if ip.Target != nil && ip.Actual != nil && *ip.Target > 0 {
				pct := math.Round(*ip.Actual / *ip.Target * 1000) / 10
				ip.Completion = &pct
				sum += math.Min(pct, 100)
				n++
				ip.Behind = (ind.Monthly || elapsed >= 1) && pct < ip.Expected
			}
			cp.Behind = cp.Behind || ip.Behind
			cp.Indicators = append(cp.Indicators, ip)
		}
		if n > 0 {
			mean := math.Round(sum/float64(n)*10) / 10
			cp.Completion = &mean
		}
		out = append(out, cp)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].Completion, out[j].Completion
		switch {
		case ci == nil:
			return false
		case cj == nil:
			return true
		}
		return *ci > *cj
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

// yearElapsed is the fraction of year past at now: 0 before it, 1 after it.
func yearElapsed(year int, now time.Time) float64 {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	switch {
	case now.Before(start):
		return 0
	case !now.Before(end):
		return 1
	}
	return now.Sub(start).Seconds() / end.Sub(start).Seconds()
}

func (s *Service) countiesInScope(ctx context.Context, a account.Actor) ([]region.Region, error) {
	rs := region.NewService(s.db)
	if a.Role == account.RoleCounty {
		r, err := rs.Get(ctx, a.Region)
		if err != nil {
			return nil, err
		}
		return []region.Region{r}, nil
	}
	home := a.Region
	if home == "" {
		// Instance-wide roles see the counties of the instance's home region.
		var err error
		if home, err = rs.HomeRegion(ctx); err != nil || home == "" {
			return nil, err
		}
	}
	return rs.Children(ctx, home)
}

type countyActuals struct {
	value   map[string]float64
	monthly map[string][]float64
}

// computeActuals derives each county's indicator values in year from the
// registry: certificates by issue date, R&D expense from the year records.
func (s *Service) computeActuals(ctx context.Context, a account.Actor, year int) (map[string]*countyActuals, error) {
	out := map[string]*countyActuals{}
	get := func(code string) *countyActuals {
		c := out[code]
		if c == nil {
			c = &countyActuals{value: map[string]float64{}, monthly: map[string][]float64{}}
			out[code] = c
		}
		return c
	}
	scope := region.Prefix(a.Scope())
	rows, err := s.db.QueryContext(ctx, "SELECT "+enterpriseColumns+" FROM enterprises WHERE region_code LIKE ?", scope+"%")
	if err != nil {
		return nil, err
	}
	now := s.now()
	months := 12
	if year == now.Year() {
		months = int(now.Month())
	} else if year > now.Year() {
		months = 0
	}
	byID := map[int64]string{}
	for rows.Next() {
		e, err := scanEnterprise(rows, pii.From(s.db))
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[e.ID] = e.RegionCode
		c := get(e.RegionCode)
		for _, key := range []string{"tech_sme_new", "high_tech_new", "high_tech_total"} {
			if c.monthly[key] == nil {
				c.monthly[key] = make([]float64, months)
				c.value[key] += 0
			}
		}
		for _, cert := range e.Certificates {
			if cert.Issued.IsZero() {
				continue
			}
			y, m := cert.Issued.Year(), int(cert.Issued.Month())
			switch cert.Type {
			case "tech-sme":
				if y == year {
					c.value["tech_sme_new"]++
					addFrom(c.monthly["tech_sme_new"], m)
				}
			case "high-tech":
				if y == year {
					c.value["high_tech_new"]++
					addFrom(c.monthly["high_tech_new"], m)
				}
				// A 高企 certificate is valid for three years from its issue.
				if y <= year && y > year-3 {
					c.value["high_tech_total"]++
					from := 1
					if y == year {
						from = m
					}
					addFrom(c.monthly["high_tech_total"], from)
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// R&D growth: enterprises with R&D expense in both years.
	yrows, err := s.db.QueryContext(ctx, `SELECT y.enterprise_id, y.year, y.data FROM enterprise_years y
		JOIN enterprises e ON e.id = y.enterprise_id WHERE e.region_code LIKE ? AND y.year IN (?, ?)`, scope+"%", year-1, year)
	if err != nil {
		return nil, err
	}
	defer yrows.Close()
	type pair struct{ prev, cur *float64 }
	pairs := map[int64]*pair{}
	for yrows.Next() {
		var id int64
		var y int
		var data string
		if err := yrows.Scan(&id, &y, &data); err != nil {
			return nil, err
		}
		var rec YearRecord
		if err := jsonUnmarshal(data, &rec); err != nil {
			return nil, err
		}
		p := pairs[id]
		if p == nil {
			p = &pair{}
			pairs[id] = p
		}
		if y == year {
			p.cur = rec.Figures.RDExpense
		} else {
			p.prev = rec.Figures.RDExpense
		}
	}
	sums := map[string][2]float64{}
	for id, p := range pairs {
		if p.prev == nil || p.cur == nil {
			continue
		}
		code := byID[id]
		s := sums[code]
		s[0] += *p.prev
		s[1] += *p.cur
		sums[code] = s
	}
	for code, s := range sums {
		if s[0] > 0 {
			get(code).value["rd_expense_growth"] = math.Round((s[1]/s[0]-1)*1000) / 10
		}
	}
	return out, yrows.Err()
}

// addFrom adds one to every cumulative month from month m (1-based) on.
func addFrom(cum []float64, m int) {
	for i := m - 1; i < len(cum); i++ {
		if i >= 0 {
			cum[i]++
		}
	}
}
