package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/sheet"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// Category is what a problem or a service request is about.
type Category string

// The categories. A monthly report's problems take the first six; service
// requests take all nine.
const (
	CatLand       Category = "land"       // 用地
	CatFunding    Category = "funding"    // 资金
	CatApproval   Category = "approval"   // 审批
	CatPower      Category = "power"      // 用电
	CatTalent     Category = "talent"     // 人才
	CatOther      Category = "other"      // 其他
	CatTechnology Category = "technology" // 技术
	CatMarket     Category = "market"     // 市场
	CatPolicy     Category = "policy"     // 政策
)

// ProblemCategories are the categories of a report's problems needing
// coordination.
var ProblemCategories = []Category{CatLand, CatFunding, CatApproval, CatPower, CatTalent, CatOther}

// RequestCategories are the categories of a service request.
var RequestCategories = []Category{CatLand, CatFunding, CatApproval, CatPower, CatTalent, CatTechnology, CatMarket,
	CatPolicy, CatOther}

// Label returns the category's name in lang.
func (c Category) Label(lang string) string { return i18n.T(lang, "project.category."+string(c)) }

// Problem is one problem a report asks to have coordinated.
type Problem struct {
	Category Category `json:"category"`
	Text     string   `json:"text"`
}

// Report is one project's monthly report (月度报送).
type Report struct {
	ID          int64  `json:"id"`
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
	Month       string `json:"month"` // YYYY-MM
	UnitID      int64  `json:"unit_id"`
	UnitName    string `json:"unit_name"`
	// Investment in 万元: completed this month, and in total since the
	// project began.
	InvestmentMonth float64   `json:"investment_month"`
	InvestmentTotal float64   `json:"investment_total"`
	Progress        string    `json:"progress"` // 形象进度
	Problems        []Problem `json:"problems"`
	NextPlan        string    `json:"next_plan,omitempty"`
	// Late is true when the report came after the month's deadline.
	Late         bool      `json:"late"`
	ReportedBy   int64     `json:"reported_by,omitempty"`
	ReporterName string    `json:"reporter_name,omitempty"`
	ReportedAt   time.Time `json:"reported_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ReportInput files or corrects a month's report.
type ReportInput struct {
	Month           string  `json:"month"`
	InvestmentMonth float64 `json:"investment_month"`
	// InvestmentTotal is the cumulative investment; nil adds this month's
	// to the last reported total.
	InvestmentTotal *float64  `json:"investment_total"`
	Progress        string    `json:"progress"`
	Problems        []Problem `json:"problems"`
	NextPlan        string    `json:"next_plan"`
}

var monthPattern = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)

// parseMonth reads "YYYY-MM" as the month's first day.
func parseMonth(s string) (workday.Date, bool) {
	m := monthPattern.FindStringSubmatch(s)
	if m == nil {
		return workday.Date{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if y < 2000 || y > 2100 {
		return workday.Date{}, false
	}
	return workday.NewDate(y, time.Month(mo), 1), true
}

func monthOf(d workday.Date) string { return d.String()[:7] }

const maxProblems = 10

func (in *ReportInput) validate(today workday.Date) error {
	in.Month = strings.TrimSpace(in.Month)
	var c collect
	first, ok := parseMonth(in.Month)
	switch {
	case !ok:
		c.field("month", "project.month_format")
	case first.After(today):
		c.field("month", "project.month_future")
	}
	checkAmount(&c, "investment_month", in.InvestmentMonth)
	if in.InvestmentTotal != nil {
		checkAmount(&c, "investment_total", *in.InvestmentTotal)
	}
	var fe *apperr.FieldError
	in.Progress, fe = cleanText("progress", in.Progress, 2000, true)
	c.add(fe)
	in.NextPlan, fe = cleanText("next_plan", in.NextPlan, 1000, false)
	c.add(fe)
	var problems []Problem
	for _, p := range in.Problems {
		p.Text = strings.TrimSpace(p.Text)
		if p.Category == "" && p.Text == "" {
			continue
		}
		if !slices.Contains(ProblemCategories, p.Category) {
			c.field("problems", "project.category_unknown")
			break
		}
		if p.Text, fe = cleanText("problems", p.Text, 500, true); fe != nil {
			c.add(fe)
			break
		}
		problems = append(problems, p)
	}
	if len(problems) > maxProblems {
		c.field("problems", "project.problems_too_many", maxProblems)
	}
	if problems == nil {
		problems = []Problem{}
	}
	in.Problems = problems
	return c.err()
}

// Deadline returns the last day on which month's report ("YYYY-MM") is on
// time: the configured day of that month.
func (s *Service) Deadline(month string) (workday.Date, error) {
	first, ok := parseMonth(month)
	if !ok {
		return workday.Date{}, apperr.Fields(apperr.Field("month", "project.month_format"))
	}
	return first.AddDays(s.cfg.ReportDeadlineDay - 1), nil
}

// dueMonth returns the latest month whose report deadline has passed by
// today: this month after its deadline day, else the month before.
func (s *Service) dueMonth(today workday.Date) string {
	first := workday.NewDate(today.Year(), today.Month(), 1)
	if today.Day() > s.cfg.ReportDeadlineDay {
		return monthOf(first)
	}
	return monthOf(first.AddMonths(-1))
}

const reportColumns = `r.id, r.project_id, p.name, r.month, r.unit_id, g.name, r.investment_month, r.investment_total, r.progress,
	r.problems, r.next_plan, r.late, COALESCE(r.reported_by, 0), ` + "COALESCE(NULLIF(u.display_name, ''), u.username, '')" + `,
	r.reported_at, r.updated_at`

const reportJoins = ` FROM project_reports r JOIN projects p ON p.id = r.project_id JOIN gov_units g ON g.id = r.unit_id
	LEFT JOIN users u ON u.id = r.reported_by`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var problems string
	var reported, updated sqldb.Time
	if err := row.Scan(&r.ID, &r.ProjectID, &r.ProjectName, &r.Month, &r.UnitID, &r.UnitName, &r.InvestmentMonth,
		&r.InvestmentTotal, &r.Progress, &problems, &r.NextPlan, &r.Late, &r.ReportedBy, &r.ReporterName, &reported, &updated); err != nil {
		return Report{}, err
	}
	if err := json.Unmarshal([]byte(problems), &r.Problems); err != nil {
		return Report{}, fmt.Errorf("report %d problems: %w", r.ID, err)
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	r.ReportedAt, r.UpdatedAt = reported.Time, updated.Time
	return r, nil
}

func getReport(ctx context.Context, q sqldb.Querier, projectID int64, month string) (Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, "SELECT "+reportColumns+reportJoins+" WHERE r.project_id = ? AND r.month = ?", projectID, month))
	if sqldb.IsNoRows(err) {
		return Report{}, apperr.New(apperr.NotFound, "project.report_not_found")
	}
	return r, err
}

// SubmitReport files a project's report for in.Month, or corrects the one
// filed (the old values stay in the audit log). Staff in the project's
// scope report while it is being implemented (else Conflict); the month
// may not lie before the project began or after today. A report after the
// month's deadline is marked late. The cumulative investment may not fall
// below the last month's.
func (s *Service) SubmitReport(ctx context.Context, a account.Actor, projectID int64, in ReportInput) (Report, error) {
	today := s.today()
	if err := in.validate(today); err != nil {
		return Report{}, err
	}
	deadline, _ := s.Deadline(in.Month)
	var out Report
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.projectFor(ctx, tx, a, projectID)
		if err != nil {
			return err
		}
		if !managesRegion(a, p.RegionCode) {
			return apperr.New(apperr.Forbidden, "project.only_staff")
		}
		if !p.Stage.reports() {
			return apperr.New(apperr.Conflict, "project.not_reporting")
		}
		if in.Month < monthOf(p.StartedOn) {
			return apperr.Fields(apperr.Field("month", "project.month_before_start", monthOf(p.StartedOn)))
		}
		var prev sql.NullFloat64
		err = tx.QueryRowContext(ctx, "SELECT investment_total FROM project_reports WHERE project_id = ? AND month < ? ORDER BY month DESC LIMIT 1",
			projectID, in.Month).Scan(&prev)
		if err != nil && !sqldb.IsNoRows(err) {
			return err
		}
		total := prev.Float64 + in.InvestmentMonth
		if in.InvestmentTotal != nil {
			total = *in.InvestmentTotal
			if total < prev.Float64 || total < in.InvestmentMonth {
				return apperr.Fields(apperr.Field("investment_total", "project.total_below_previous", prev.Float64))
			}
		}
		problems, err := marshal(in.Problems)
		if err != nil {
			return err
		}
		now := s.now()
		late := today.After(deadline)
		old, err := getReport(ctx, tx, projectID, in.Month)
		action := "project_report.create"
		var before any
		switch {
		case err == nil:
			action, before = "project_report.update", old
			// A correction keeps the first filing's lateness: filing late and
			// then correcting on time does not make it on time.
			late = old.Late || late
			_, err = tx.ExecContext(ctx, `UPDATE project_reports SET unit_id = ?, investment_month = ?, investment_total = ?,
				progress = ?, problems = ?, next_plan = ?, late = ?, reported_by = ?, updated_at = ? WHERE id = ?`,
				p.UnitID, in.InvestmentMonth, total, in.Progress, problems, in.NextPlan, late, a.UserID, sqldb.At(now), old.ID)
		case apperr.Is(err, apperr.NotFound):
			_, err = tx.ExecContext(ctx, `INSERT INTO project_reports (project_id, month, unit_id, investment_month, investment_total,
				progress, problems, next_plan, late, reported_by, reported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				projectID, in.Month, p.UnitID, in.InvestmentMonth, total, in.Progress, problems, in.NextPlan, late, a.UserID,
				sqldb.At(now), sqldb.At(now))
		}
		if err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, projectID, today, now); err != nil {
			return err
		}
		if out, err = getReport(ctx, tx, projectID, in.Month); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: action, ObjectType: "project_report",
			ObjectID: idText(projectID) + "/" + in.Month, RegionCode: p.RegionCode, Before: before, After: out})
	})
	return out, err
}

// Reports returns a project's reports, newest month first.
func (s *Service) Reports(ctx context.Context, a account.Actor, projectID int64) ([]Report, error) {
	if _, err := s.projectFor(ctx, s.db, a, projectID); err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, s.db, scanReport, "SELECT "+reportColumns+reportJoins+" WHERE r.project_id = ? ORDER BY r.month DESC", projectID)
	if err != nil {
		return nil, fmt.Errorf("project %d reports: %w", projectID, err)
	}
	return out, nil
}

// ProjectRef names a project in lists.
type ProjectRef struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	RegionCode string `json:"region_code"`
	UnitID     int64  `json:"unit_id"`
	UnitName   string `json:"unit_name"`
	Light      Light  `json:"light"`
}

// ReportCount counts one unit's or one county's reports of a month.
type ReportCount struct {
	UnitID     int64  `json:"unit_id,omitempty"`
	UnitName   string `json:"unit_name,omitempty"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Due        int    `json:"due"`
	Reported   int    `json:"reported"`
	Late       int    `json:"late"`
	Missing    int    `json:"missing"`
}

// ReportStatus is who has and who has not reported for a month.
type ReportStatus struct {
	Month    string       `json:"month"`
	Deadline workday.Date `json:"deadline"`
	// Passed is true once the deadline day is over.
	Passed   bool `json:"passed"`
	Due      int  `json:"due"`
	Reported int  `json:"reported"`
	Late     int  `json:"late"`
	// Missing lists the projects due that have not reported, by region,
	// unit and name.
	Missing  []ProjectRef  `json:"missing"`
	ByUnit   []ReportCount `json:"by_unit"`
	ByCounty []ReportCount `json:"by_county"`
}

// dueRow is one project that owes month's report, with the report if filed.
type dueRow struct {
	ref        ProjectRef
	lead       string
	total      float64
	annual     float64
	stage      Stage
	report     *Report
	yearToDate float64
}

// dueProjects returns the projects in the actor's view (and regionPrefix,
// unitID, typ when set) that owe month's report: begun by its deadline and
// not closed by it, with their reports. Ordered by region, unit, id.
func (s *Service) dueProjects(ctx context.Context, a account.Actor, month, regionPrefix string, unitID int64, typ string) ([]dueRow, error) {
	deadline, err := s.Deadline(month)
	if err != nil {
		return nil, err
	}
	cond, args := projectWhere(a, ProjectFilter{Region: regionPrefix, UnitID: unitID, Type: typ})
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.name, p.type, p.region_code, p.unit_id, g.name, p.light, p.lead_name,
		p.total_investment, p.annual_investment, p.stage`+projectJoins+cond+` AND p.started_on IS NOT NULL AND p.started_on <= ?
		AND (p.closed_on IS NULL OR p.closed_on > ?) ORDER BY p.region_code, g.name, p.id`, append(args, deadline, deadline)...)
	if err != nil {
		return nil, fmt.Errorf("projects due for %s: %w", month, err)
	}
	var out []dueRow
	index := map[int64]int{}
	for rows.Next() {
		var d dueRow
		if err := rows.Scan(&d.ref.ID, &d.ref.Name, &d.ref.Type, &d.ref.RegionCode, &d.ref.UnitID, &d.ref.UnitName, &d.ref.Light,
			&d.lead, &d.total, &d.annual, &d.stage); err != nil {
			rows.Close()
			return nil, err
		}
		index[d.ref.ID] = len(out)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// This month's reports and the year's sums, for the projects due.
	reports, err := s.db.QueryContext(ctx, "SELECT "+reportColumns+reportJoins+cond+" AND r.month = ?", append(args, month)...)
	if err != nil {
		return nil, fmt.Errorf("reports of %s: %w", month, err)
	}
	defer reports.Close()
	for reports.Next() {
		r, err := scanReport(reports)
		if err != nil {
			return nil, err
		}
		if i, ok := index[r.ProjectID]; ok {
			out[i].report = &r
		}
	}
	if err := reports.Err(); err != nil {
		return nil, err
	}
	sums, err := s.db.QueryContext(ctx, `SELECT r.project_id, SUM(r.investment_month) FROM project_reports r JOIN projects p ON p.id = r.project_id`+
		cond+` AND r.month >= ? AND r.month <= ? GROUP BY r.project_id`, append(args, month[:4]+"-01", month)...)
	if err != nil {
		return nil, fmt.Errorf("year sums to %s: %w", month, err)
	}
	defer sums.Close()
	for sums.Next() {
		var id int64
		var sum float64
		if err := sums.Scan(&id, &sum); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].yearToDate = sum
		}
	}
	return out, sums.Err()
}

// ReportStatus returns, for month ("YYYY-MM"), how many projects in the
// actor's view (inside regionPrefix, "" for all) owe a report, how many
// have reported (and late), who has not, and the same per unit and per
// county.
func (s *Service) ReportStatus(ctx context.Context, a account.Actor, month, regionPrefix string) (ReportStatus, error) {
	if !CanViewModule(a) {
		return ReportStatus{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	deadline, err := s.Deadline(month)
	if err != nil {
		return ReportStatus{}, err
	}
	due, err := s.dueProjects(ctx, a, month, regionPrefix, 0, "")
	if err != nil {
		return ReportStatus{}, err
	}
	st := ReportStatus{Month: month, Deadline: deadline, Passed: s.today().After(deadline), Missing: []ProjectRef{},
		ByUnit: []ReportCount{}, ByCounty: []ReportCount{}}
	units, counties := map[int64]*ReportCount{}, map[string]*ReportCount{}
	for _, d := range due {
		u := units[d.ref.UnitID]
		if u == nil {
			u = &ReportCount{UnitID: d.ref.UnitID, UnitName: d.ref.UnitName, RegionCode: d.ref.RegionCode}
			units[d.ref.UnitID] = u
		}
		c := counties[d.ref.RegionCode]
		if c == nil {
			c = &ReportCount{RegionCode: d.ref.RegionCode, RegionName: s.regionName(ctx, d.ref.RegionCode)}
			counties[d.ref.RegionCode] = c
		}
		st.Due++
		u.Due++
		c.Due++
		switch {
		case d.report == nil:
			st.Missing = append(st.Missing, d.ref)
			u.Missing++
			c.Missing++
		default:
			st.Reported++
			u.Reported++
			c.Reported++
			if d.report.Late {
				st.Late++
				u.Late++
				c.Late++
			}
		}
	}
	for _, u := range units {
		u.RegionName = s.regionName(ctx, u.RegionCode)
		st.ByUnit = append(st.ByUnit, *u)
	}
	for _, c := range counties {
		st.ByCounty = append(st.ByCounty, *c)
	}
	sort.Slice(st.ByUnit, func(i, j int) bool {
		x, y := st.ByUnit[i], st.ByUnit[j]
		if x.Missing != y.Missing {
			return x.Missing > y.Missing
		}
		return x.UnitName < y.UnitName
	})
	sort.Slice(st.ByCounty, func(i, j int) bool { return st.ByCounty[i].RegionCode < st.ByCounty[j].RegionCode })
	return st, nil
}

// regionName returns the region's name, or its code when unknown.
func (s *Service) regionName(ctx context.Context, code string) string {
	if s.regions == nil {
		return code
	}
	r, err := s.regions.Get(ctx, code)
	if err != nil {
		return code
	}
	return r.Name
}

// LedgerFilter narrows a month's ledger.
type LedgerFilter struct {
	Region string // region prefix
	UnitID int64
	Type   string
	// Filler is the 填报单位 to print; "" names the unit (when filtered by
	// one) or the region.
	Filler string
}

// Ledger is a month's 台账 in the layout bureaus use: a title, the
// reporting unit and date, one row per project that owes the month's
// report.
type Ledger struct {
	Month  string       `json:"month"`
	Title  string       `json:"title"`
	Filler string       `json:"filler"` // 填报单位
	Date   workday.Date `json:"date"`   // 填报日期
	Rows   []LedgerRow  `json:"rows"`
}

// LedgerRow is one project's line of the ledger. Investment in 万元; the
// month's figures are nil when the project has not reported.
type LedgerRow struct {
	No               int      `json:"no"`
	ProjectID        int64    `json:"project_id"`
	Name             string   `json:"name"`
	TypeName         string   `json:"type_name"`
	RegionName       string   `json:"region_name"`
	UnitName         string   `json:"unit_name"`
	LeadName         string   `json:"lead_name"`
	TotalInvestment  float64  `json:"total_investment"`
	AnnualInvestment float64  `json:"annual_investment"`
	InvestmentMonth  *float64 `json:"investment_month"`
	YearToDate       float64  `json:"year_to_date"`
	InvestmentTotal  *float64 `json:"investment_total"`
	// AnnualRate is the year's completion in percent of the annual plan;
	// nil without a plan.
	AnnualRate *float64 `json:"annual_rate"`
	Progress   string   `json:"progress"`
	Problems   string   `json:"problems"`
	NextPlan   string   `json:"next_plan"`
	Stage      Stage    `json:"stage"`
	Light      Light    `json:"light"`
	Reported   bool     `json:"reported"`
	Late       bool     `json:"late"`
}

// Ledger returns month's ledger of the projects in the actor's view that
// owe its report, narrowed by f.
func (s *Service) Ledger(ctx context.Context, a account.Actor, month string, f LedgerFilter) (Ledger, error) {
	if !CanViewModule(a) {
		return Ledger{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	due, err := s.dueProjects(ctx, a, month, f.Region, f.UnitID, f.Type)
	if err != nil {
		return Ledger{}, err
	}
	l := Ledger{Month: month, Date: s.today(), Rows: []LedgerRow{}, Filler: strings.TrimSpace(f.Filler)}
	where := a.Scope()
	if f.Region != "" {
		where = f.Region
	}
	place := ""
	if where != "" {
		place = s.regionName(ctx, where)
	}
	if l.Filler == "" && f.UnitID != 0 {
		if u, err := getUnit(ctx, s.db, f.UnitID); err == nil && readsUnit(a, u) {
			l.Filler = u.Name
		}
	}
	if l.Filler == "" {
		l.Filler = place
	}
	first, _ := parseMonth(month)
	l.Title = i18n.T(i18n.Chinese, "project.ledger.title", place, first.Year(), int(first.Month()))
	for i, d := range due {
		row := LedgerRow{No: i + 1, ProjectID: d.ref.ID, Name: d.ref.Name, TypeName: d.ref.Type, RegionName: s.regionName(ctx, d.ref.RegionCode),
			UnitName: d.ref.UnitName, LeadName: d.lead, TotalInvestment: d.total, AnnualInvestment: d.annual, YearToDate: d.yearToDate,
			Stage: d.stage, Light: d.ref.Light}
		if ty, ok := s.types.Get(d.ref.Type); ok {
			row.TypeName = ty.Name
		}
		if d.annual > 0 {
			rate := roundTo(d.yearToDate*100/d.annual, 2)
			row.AnnualRate = &rate
		}
		if r := d.report; r != nil {
			row.Reported, row.Late = true, r.Late
			row.InvestmentMonth, row.InvestmentTotal = &r.InvestmentMonth, &r.InvestmentTotal
			row.Progress, row.NextPlan = r.Progress, r.NextPlan
			var parts []string
			for _, p := range r.Problems {
				parts = append(parts, "【"+p.Category.Label(i18n.Chinese)+"】"+p.Text)
			}
			row.Problems = strings.Join(parts, "\n")
		}
		l.Rows = append(l.Rows, row)
	}
	return l, nil
}

// Sheet returns the ledger as a spreadsheet sheet: the title row, 填报单位
// and 填报日期, the header and one row per project.
func (l Ledger) Sheet() sheet.Sheet {
	zh := i18n.Chinese
	header := []string{"序号", "项目名称", "项目类型", "所在地", "责任单位", "包联领导", "总投资（万元）", "年度计划投资（万元）",
		"本月完成投资（万元）", "本年累计完成投资（万元）", "开工以来累计完成投资（万元）", "年度投资完成率（%）", "形象进度",
		"存在问题及需协调事项", "下月计划", "项目阶段", "红黄绿灯", "报送情况"}
	rows := make([][]any, len(l.Rows))
	for i, r := range l.Rows {
		status := i18n.T(zh, "project.ledger.on_time")
		switch {
		case !r.Reported:
			status = i18n.T(zh, "project.ledger.missing")
		case r.Late:
			status = i18n.T(zh, "project.ledger.late")
		}
		rows[i] = []any{r.No, r.Name, r.TypeName, r.RegionName, r.UnitName, r.LeadName, r.TotalInvestment, r.AnnualInvestment,
			optional(r.InvestmentMonth), r.YearToDate, optional(r.InvestmentTotal), optional(r.AnnualRate), r.Progress, r.Problems,
			r.NextPlan, i18n.T(zh, "project.stage."+string(r.Stage)), i18n.T(zh, "project.light."+string(r.Light)), status}
	}
	return sheet.Sheet{
		Name:      "台账",
		Title:     l.Title,
		Preface:   [][]any{{"填报单位：" + l.Filler, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, "填报日期：" + l.Date.String()}},
		Header:    header,
		Rows:      rows,
		ColWidths: []float64{6, 30, 14, 12, 20, 14, 12, 12, 12, 12, 14, 12, 40, 40, 30, 10, 10, 10},
	}
}

// WriteLedger writes the ledger as an .xlsx workbook.
func WriteLedger(w io.Writer, l Ledger) error { return sheet.WriteXLSX(w, l.Sheet()) }

func optional(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}
