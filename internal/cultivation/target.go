package cultivation

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/pii"
	"kechuang/internal/region"
	"kechuang/internal/sheet"
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
	// Behind: the completion trails the schedule by more than the
	// service's margin (BehindMargin, in percentage points).
	Behind bool `json:"behind"`
	// For a year-end indicator (R&D growth): the firms with figures for
	// both years behind Actual, and, while the year's figures are not in,
	// the latest growth the registry can show (LatestYear over the year
	// before), for reference only.
	Firms      int      `json:"firms"`
	Latest     *float64 `json:"latest,omitempty"`
	LatestYear int      `json:"latest_year,omitempty"`
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

// DefaultBehindMargin is how many percentage points a county's completion
// may trail the linear schedule before 督办 singles it out (see
// Service.SetBehindMargin): 10 points, so that a county a few firms short
// early in the year is not chased, while one at 25 % in July (50 %
// expected) is.
const DefaultBehindMargin = 10.0

// SetBehindMargin sets the margin of Behind, in percentage points (0 to
// 100); the wiring calls it once before serving.
func (s *Service) SetBehindMargin(points float64) {
	s.behindMargin = math.Max(0, math.Min(100, points))
}

// BehindMargin returns the margin of Behind in percentage points.
func (s *Service) BehindMargin() float64 { return s.behindMargin }

// TargetReport is the county targets of a year: each county's progress,
// ranked, and the same figures for all of them together.
type TargetReport struct {
	Year     int              `json:"year"`
	Counties []CountyProgress `json:"counties"`
	// Total sums targets and actuals over the counties (R&D growth over all
	// their firms); it has no rank.
	Total  CountyProgress `json:"total"`
	Margin float64        `json:"behind_margin"`
}

// TargetProgress computes every county's progress in year as of the
// service's clock, ranked by mean completion. County staff get their own
// county only.
func (s *Service) TargetProgress(ctx context.Context, a account.Actor, year int) ([]CountyProgress, error) {
	rep, err := s.TargetReport(ctx, a, year)
	return rep.Counties, err
}

// TargetReport is TargetProgress with the total over the counties.
func (s *Service) TargetReport(ctx context.Context, a account.Actor, year int) (TargetReport, error) {
	if !s.CanViewTargets(a) {
		return TargetReport{}, apperr.New(apperr.Forbidden, "cultivation.only_staff")
	}
	counties, err := s.countiesInScope(ctx, a)
	if err != nil {
		return TargetReport{}, err
	}
	targets := map[string]map[string]float64{}
	rows, err := s.db.QueryContext(ctx, "SELECT region_code, indicator, target FROM county_targets WHERE year = ?", year)
	if err != nil {
		return TargetReport{}, err
	}
	for rows.Next() {
		var code, ind string
		var v float64
		if err := rows.Scan(&code, &ind, &v); err != nil {
			rows.Close()
			return TargetReport{}, err
		}
		if targets[code] == nil {
			targets[code] = map[string]float64{}
		}
		targets[code][ind] = v
	}
	rows.Close()
	actuals, err := s.computeActuals(ctx, a, year)
	if err != nil {
		return TargetReport{}, err
	}
	elapsed := yearElapsed(year, s.now())
	rep := TargetReport{Year: year, Margin: s.behindMargin}
	total := &countyActuals{value: map[string]float64{}, monthly: map[string][]float64{}, firms: map[string]int{}}
	totalTargets := map[string]float64{}
	var rd [2][2]float64 // this year's pair and the latest pair, summed over counties
	var rdFirms [2]int
	for _, c := range counties {
		act := actuals[c.Code]
		if act == nil {
			act = &countyActuals{value: map[string]float64{}, monthly: map[string][]float64{}, firms: map[string]int{}}
		}
		for k, v := range act.value {
			if k != "rd_expense_growth" && k != "rd_expense_growth_latest" {
				total.value[k] += v
			}
		}
		for k, m := range act.monthly {
			if total.monthly[k] == nil {
				total.monthly[k] = make([]float64, len(m))
			}
			for i, v := range m {
				total.monthly[k][i] += v
			}
		}
		for i := range rd {
			rd[i][0] += act.rd[i][0]
			rd[i][1] += act.rd[i][1]
			rdFirms[i] += act.rdFirms[i]
		}
		total.latestYear = max(total.latestYear, act.latestYear)
		for k, v := range targets[c.Code] {
			totalTargets[k] += v
		}
		rep.Counties = append(rep.Counties, s.progressOf(c.Code, c.Name, targets[c.Code], act, elapsed))
	}
	total.rd, total.rdFirms = rd, rdFirms
	total.setGrowth()
	rep.Total = s.progressOf("", "", totalTargets, total, elapsed)
	out := rep.Counties
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
	return rep, nil
}

// progressOf computes one row of the report from its targets and actuals.
func (s *Service) progressOf(code, name string, targets map[string]float64, act *countyActuals, elapsed float64) CountyProgress {
	cp := CountyProgress{RegionCode: code, RegionName: name}
	var sum float64
	var n int
	for _, ind := range Indicators {
		ip := IndicatorProgress{Indicator: ind, Expected: math.Round(elapsed * 100), Firms: act.firms[ind.Key]}
		if t, ok := targets[ind.Key]; ok {
			ip.Target = &t
		}
		if v, ok := act.value[ind.Key]; ok {
			ip.Actual = &v
		} else if ind.Monthly {
			zero := 0.0 // a county with no enterprise has achieved nothing yet
			ip.Actual = &zero
		}
		if ind.Key == "rd_expense_growth" && ip.Actual == nil {
			if v, ok := act.value["rd_expense_growth_latest"]; ok {
				ip.Latest, ip.LatestYear = &v, act.latestYear
			}
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
			ip.Behind = (ind.Monthly || elapsed >= 1) && pct < ip.Expected-s.behindMargin
		}
		cp.Behind = cp.Behind || ip.Behind
		cp.Indicators = append(cp.Indicators, ip)
	}
	if n > 0 {
		mean := math.Round(sum/float64(n)*10) / 10
		cp.Completion = &mean
	}
	return cp
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
	firms   map[string]int
	// rd holds the summed R&D expense (previous, current) of the firms with
	// figures in both years: [0] for the target year over the year before,
	// [1] for latestYear over the year before it; rdFirms counts them.
	rd         [2][2]float64
	rdFirms    [2]int
	latestYear int
}

// setGrowth derives the R&D growth values from the sums.
func (c *countyActuals) setGrowth() {
	if c.rd[0][0] > 0 {
		c.value["rd_expense_growth"] = math.Round((c.rd[0][1]/c.rd[0][0]-1)*1000) / 10
	}
	c.firms["rd_expense_growth"] = c.rdFirms[0]
	if c.rd[1][0] > 0 {
		c.value["rd_expense_growth_latest"] = math.Round((c.rd[1][1]/c.rd[1][0]-1)*1000) / 10
	}
}

// computeActuals derives each county's indicator values in year from the
// registry: certificates by issue date, R&D expense from the year records.
func (s *Service) computeActuals(ctx context.Context, a account.Actor, year int) (map[string]*countyActuals, error) {
	out := map[string]*countyActuals{}
	get := func(code string) *countyActuals {
		c := out[code]
		if c == nil {
			c = &countyActuals{value: map[string]float64{}, monthly: map[string][]float64{}, firms: map[string]int{}}
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
	// R&D growth: enterprises with R&D expense in both years. While the
	// target year's figures are not in (they are filed after it ends), the
	// latest year with figures is read too, for reference.
	latest := year
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(y.year), 0) FROM enterprise_years y
		JOIN enterprises e ON e.id = y.enterprise_id WHERE e.region_code LIKE ? AND y.year <= ?`, scope+"%", year).Scan(&latest); err != nil {
		return nil, err
	}
	yrows, err := s.db.QueryContext(ctx, `SELECT y.enterprise_id, y.year, y.data FROM enterprise_years y
		JOIN enterprises e ON e.id = y.enterprise_id WHERE e.region_code LIKE ? AND y.year IN (?, ?, ?, ?)`,
		scope+"%", year-1, year, latest-1, latest)
	if err != nil {
		return nil, err
	}
	defer yrows.Close()
	rdByYear := map[int64]map[int]*float64{}
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
		if rdByYear[id] == nil {
			rdByYear[id] = map[int]*float64{}
		}
		rdByYear[id][y] = rec.Figures.RDExpense
	}
	if err := yrows.Err(); err != nil {
		return nil, err
	}
	for id, ys := range rdByYear {
		c := get(byID[id])
		for i, y := range [2]int{year, latest} {
			if prev, cur := ys[y-1], ys[y]; prev != nil && cur != nil {
				c.rd[i][0] += *prev
				c.rd[i][1] += *cur
				c.rdFirms[i]++
			}
		}
	}
	for _, c := range out {
		c.latestYear = latest
		c.setGrowth()
	}
	return out, nil
}

// addFrom adds one to every cumulative month from month m (1-based) on.
func addFrom(cum []float64, m int) {
	for i := m - 1; i < len(cum); i++ {
		if i >= 0 {
			cum[i]++
		}
	}
}

// ExportTargets writes the year's target report as an .xlsx workbook: one
// row per county in rank order, then the total (全市合计), with actual,
// target and completion of every indicator and whether the county is
// singled out for supervision (督办). Who may read the report may export it.
func (s *Service) ExportTargets(ctx context.Context, a account.Actor, year int, w io.Writer) error {
	rep, err := s.TargetReport(ctx, a, year)
	if err != nil {
		return err
	}
	header := []string{"排名", "区县"}
	widths := []float64{6, 14}
	for _, ind := range Indicators {
		header = append(header, ind.Label+"（实际，"+ind.Unit+"）", ind.Label+"（目标，"+ind.Unit+"）", ind.Label+" 完成率%")
		widths = append(widths, 16, 16, 14)
	}
	header = append(header, "平均完成率%", "督办")
	widths = append(widths, 12, 8)
	num := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	row := func(rank any, name string, cp CountyProgress) []any {
		r := []any{rank, name}
		for _, ip := range cp.Indicators {
			r = append(r, num(ip.Actual), num(ip.Target), num(ip.Completion))
		}
		behind := "否"
		if cp.Behind {
			behind = "是"
		}
		return append(r, num(cp.Completion), behind)
	}
	var rows [][]any
	for _, cp := range rep.Counties {
		rows = append(rows, row(cp.Rank, cp.RegionName, cp))
	}
	rows = append(rows, row(nil, "合计", rep.Total))
	return sheet.WriteXLSX(w, sheet.Sheet{Name: "目标进度", Title: fmt.Sprintf("%d年度区县培育目标完成情况", year),
		Preface: [][]any{{"统计日期", s.now().Format(dateLayout)},
			{"督办口径", fmt.Sprintf("完成率低于线性进度 %g 个百分点以上", rep.Margin)}},
		Header: header, Rows: rows, ColWidths: widths})
}
