package project

import (
	"context"
	"fmt"
	"sort"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/workday"
)

// Count is one bar of a breakdown: the filter value it stands for (type
// id, stage, light or region code), its label and the number of projects.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// MonthInvestment is one month of the year's investment: planned (the
// annual plans spread over each project's months of the year) and
// completed (the monthly reports), with running totals. In 万元.
type MonthInvestment struct {
	Month        string  `json:"month"`
	Planned      float64 `json:"planned"`
	Completed    float64 `json:"completed"`
	CumPlanned   float64 `json:"cum_planned"`
	CumCompleted float64 `json:"cum_completed"`
}

// OverdueMilestone is a pending milestone past its planned date.
type OverdueMilestone struct {
	Project     ProjectRef   `json:"project"`
	MilestoneID int64        `json:"milestone_id"`
	Name        string       `json:"name"`
	PlannedDate workday.Date `json:"planned_date"`
	Days        int          `json:"days"` // days overdue
}

// Overview holds the figures of the leaders' view. Each breakdown's Key is
// the ProjectFilter value that lists the projects behind it.
type Overview struct {
	Year       int               `json:"year"`
	Total      int               `json:"total"`
	ByType     []Count           `json:"by_type"`
	ByStage    []Count           `json:"by_stage"`
	ByLight    []Count           `json:"by_light"` // projects in the library only
	ByCounty   []Count           `json:"by_county"`
	Investment []MonthInvestment `json:"investment"`
	AnnualPlan float64           `json:"annual_plan"` // the year's plans, 万元
	Completed  float64           `json:"completed"`   // the year's reports, 万元
	Flow       []MonthFlow       `json:"flow"`
	// Red lists the projects whose light is red; OverdueMilestones the
	// pending milestones past their date (oldest first); both at most
	// listLimit long, the totals beside them.
	Red                []ProjectRef       `json:"red"`
	RedTotal           int                `json:"red_total"`
	OverdueMilestones  []OverdueMilestone `json:"overdue_milestones"`
	OverdueTotal       int                `json:"overdue_total"`
	OverdueSupervision int                `json:"overdue_supervision"`
}

const listLimit = 50

// Overview returns the leaders' view of the projects the actor may see
// inside regionPrefix ("" for all), with investment and flow for year.
func (s *Service) Overview(ctx context.Context, a account.Actor, year int, regionPrefix string, lang string) (Overview, error) {
	if !CanViewModule(a) {
		return Overview{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	today := s.today()
	o := Overview{Year: year}
	cond, args := projectWhere(a, ProjectFilter{Region: regionPrefix})
	counts := func(column string) (map[string]int, error) {
		rows, err := s.db.QueryContext(ctx, "SELECT "+column+", COUNT(*) FROM projects p"+cond+" GROUP BY "+column, args...)
		if err != nil {
			return nil, fmt.Errorf("count projects by %s: %w", column, err)
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, rows.Err()
	}
	byType, err := counts("p.type")
	if err != nil {
		return o, err
	}
	for _, ty := range s.types.All() {
		o.ByType = append(o.ByType, Count{Key: ty.ID, Label: ty.Name, Count: byType[ty.ID]})
		o.Total += byType[ty.ID]
	}
	byStage, err := counts("p.stage")
	if err != nil {
		return o, err
	}
	for _, st := range Stages {
		o.ByStage = append(o.ByStage, Count{Key: string(st), Label: i18n.T(lang, "project.stage."+string(st)), Count: byStage[string(st)]})
	}
	byLight, err := counts("p.light")
	if err != nil {
		return o, err
	}
	for _, l := range []Light{LightGreen, LightYellow, LightRed} {
		o.ByLight = append(o.ByLight, Count{Key: string(l), Label: i18n.T(lang, "project.light."+string(l)), Count: byLight[string(l)]})
	}
	o.RedTotal = byLight[string(LightRed)]
	byCounty, err := counts("p.region_code")
	if err != nil {
		return o, err
	}
	for code, n := range byCounty {
		o.ByCounty = append(o.ByCounty, Count{Key: code, Label: s.regionName(ctx, code), Count: n})
	}
	sort.Slice(o.ByCounty, func(i, j int) bool { return o.ByCounty[i].Key < o.ByCounty[j].Key })
	if o.Investment, o.AnnualPlan, o.Completed, err = s.investmentByMonth(ctx, cond, args, year); err != nil {
		return o, err
	}
	if o.Flow, err = s.Flow(ctx, a, year, regionPrefix); err != nil {
		return o, err
	}
	// The red list.
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.name, p.type, p.region_code, p.unit_id, g.name, p.light`+projectJoins+cond+
		` AND p.light = ? ORDER BY p.light_at, p.id LIMIT ?`, append(args, LightRed, listLimit)...)
	if err != nil {
		return o, fmt.Errorf("red projects: %w", err)
	}
	o.Red = []ProjectRef{}
	for rows.Next() {
		var r ProjectRef
		if err := rows.Scan(&r.ID, &r.Name, &r.Type, &r.RegionCode, &r.UnitID, &r.UnitName, &r.Light); err != nil {
			rows.Close()
			return o, err
		}
		o.Red = append(o.Red, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	// Overdue milestones of projects still open.
	overdueCond := cond + ` AND p.stage NOT IN (?, ?) AND m.state = ? AND m.planned_date < ?`
	overdueArgs := append(append([]any{}, args...), Completed, Exited, MilestonePending, today)
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM milestones m JOIN projects p ON p.id = m.project_id`+overdueCond,
		overdueArgs...).Scan(&o.OverdueTotal); err != nil {
		return o, fmt.Errorf("count overdue milestones: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT p.id, p.name, p.type, p.region_code, p.unit_id, g.name, p.light, m.id, m.name, m.planned_date
		FROM milestones m JOIN projects p ON p.id = m.project_id JOIN gov_units g ON g.id = p.unit_id`+overdueCond+
		` ORDER BY m.planned_date, m.id LIMIT ?`, append(overdueArgs, listLimit)...)
	if err != nil {
		return o, fmt.Errorf("overdue milestones: %w", err)
	}
	o.OverdueMilestones = []OverdueMilestone{}
	for rows.Next() {
		var m OverdueMilestone
		if err := rows.Scan(&m.Project.ID, &m.Project.Name, &m.Project.Type, &m.Project.RegionCode, &m.Project.UnitID,
			&m.Project.UnitName, &m.Project.Light, &m.MilestoneID, &m.Name, &m.PlannedDate); err != nil {
			rows.Close()
			return o, err
		}
		m.Days = m.PlannedDate.DaysUntil(today)
		o.OverdueMilestones = append(o.OverdueMilestones, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	_, o.OverdueSupervision, err = s.FindSupervisions(ctx, a, SupervisionFilter{Overdue: true, Region: regionPrefix, PerPage: 1})
	return o, err
}

// investmentByMonth spreads the year's annual plans of the projects
// matching cond that are in the library (or completed) over their months of
// the year, and sums the monthly reports.
func (s *Service) investmentByMonth(ctx context.Context, cond string, args []any, year int) ([]MonthInvestment, float64, float64, error) {
	months := make([]MonthInvestment, 12)
	for i := range months {
		months[i].Month = fmt.Sprintf("%04d-%02d", year, i+1)
	}
	var plan, done float64
	rows, err := s.db.QueryContext(ctx, `SELECT p.annual_investment, p.planned_start, p.planned_end FROM projects p`+cond+
		` AND p.plan_year = ? AND p.annual_investment > 0 AND p.stage IN (?, ?, ?, ?)`, append(args, year, Stocked, Implementing, Adjusting, Completed)...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("annual plans: %w", err)
	}
	for rows.Next() {
		var annual float64
		var start, end workday.Date
		if err := rows.Scan(&annual, &start, &end); err != nil {
			rows.Close()
			return nil, 0, 0, err
		}
		from, to := 1, 12
		if start.Year() == year {
			from = int(start.Month())
		}
		if end.Year() == year {
			to = int(end.Month())
		}
		if start.Year() > year || end.Year() < year || to < from {
			continue
		}
		per := annual / float64(to-from+1)
		for m := from; m <= to; m++ {
			months[m-1].Planned += per
		}
		plan += annual
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT r.month, SUM(r.investment_month) FROM project_reports r JOIN projects p ON p.id = r.project_id`+
		cond+` AND r.month >= ? AND r.month <= ? GROUP BY r.month`, append(args, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("monthly investment: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var month string
		var sum float64
		if err := rows.Scan(&month, &sum); err != nil {
			return nil, 0, 0, err
		}
		if first, ok := parseMonth(month); ok && first.Year() == year {
			months[first.Month()-1].Completed += sum
			done += sum
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	var cp, cc float64
	for i := range months {
		months[i].Planned = roundTo(months[i].Planned, 2)
		cp += months[i].Planned
		cc += months[i].Completed
		months[i].CumPlanned, months[i].CumCompleted = roundTo(cp, 2), roundTo(cc, 2)
		months[i].Completed = roundTo(months[i].Completed, 2)
	}
	return months, roundTo(plan, 2), roundTo(done, 2), nil
}
