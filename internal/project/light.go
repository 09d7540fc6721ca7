package project

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// Light is a project's traffic light.
type Light string

// The lights. None is the light of a project not in the library yet or no
// longer in it.
const (
	LightNone   Light = "none"
	LightGreen  Light = "green"
	LightYellow Light = "yellow"
	LightRed    Light = "red"
)

// Lights lists the lights, best first.
var Lights = []Light{LightGreen, LightYellow, LightRed, LightNone}

func (l Light) rank() int {
	switch l {
	case LightYellow:
		return 1
	case LightRed:
		return 2
	}
	return 0
}

// LightRules are the thresholds of the traffic lights (the N, x and y of
// the rules below). Zero fields take the defaults.
//
//	red    a pending milestone's planned date has passed;
//	       or the report of the latest month whose deadline has passed is missing;
//	       or the year's investment trails the plan by more than RedTrail percent
//	yellow a pending milestone is due within DueDays days (today included);
//	       or the year's investment trails the plan by more than YellowTrail percent
//	green  otherwise
//
// "Trails by p percent": (plan − completed) ÷ plan × 100, rounded to two
// decimals, where plan is the annual plan's share due by the latest month
// assessed (序时进度) and completed is the sum of the year's monthly
// reports. Exactly at a threshold is not beyond it.
type LightRules struct {
	DueDays     int     `json:"due_days"`     // N, default 15
	YellowTrail float64 `json:"yellow_trail"` // x, percent, default 10
	RedTrail    float64 `json:"red_trail"`    // y, percent, default 20
}

func (r LightRules) withDefaults() LightRules {
	if r.DueDays <= 0 {
		r.DueDays = 15
	}
	if r.YellowTrail <= 0 {
		r.YellowTrail = 10
	}
	if r.RedTrail <= 0 {
		r.RedTrail = 20
	}
	if r.RedTrail < r.YellowTrail {
		r.RedTrail = r.YellowTrail
	}
	return r
}

// The rules a light's reasons name.
const (
	RuleMilestoneOverdue = "milestone_overdue"
	RuleMilestoneDue     = "milestone_due"
	RuleReportMissing    = "report_missing"
	RuleInvestmentTrails = "investment_trails"
)

// Reason is one rule that coloured a light.
type Reason struct {
	Rule  string `json:"rule"`
	Light Light  `json:"light"`
	// Milestone and Date: the node and its planned date (milestone rules).
	Milestone string `json:"milestone,omitempty"`
	Date      string `json:"date,omitempty"`
	// Days: days overdue, or days until due (0 = today).
	Days int `json:"days,omitempty"`
	// Month: the report missing, or the month investment was assessed to.
	Month string `json:"month,omitempty"`
	// Trail, Plan and Actual: the investment shortfall in percent and the
	// figures behind it (万元).
	Trail  float64 `json:"trail,omitempty"`
	Plan   float64 `json:"plan,omitempty"`
	Actual float64 `json:"actual,omitempty"`
}

// Text returns the reason in plain words in lang.
func (r Reason) Text(lang string) string {
	switch r.Rule {
	case RuleMilestoneOverdue:
		return i18n.T(lang, "project.reason.milestone_overdue", r.Milestone, r.Date, r.Days)
	case RuleMilestoneDue:
		return i18n.T(lang, "project.reason.milestone_due", r.Milestone, r.Date, r.Days)
	case RuleReportMissing:
		return i18n.T(lang, "project.reason.report_missing", r.Month)
	case RuleInvestmentTrails:
		return i18n.T(lang, "project.reason.investment_trails", r.Month, r.Actual, r.Plan, r.Trail)
	}
	return r.Rule
}

// LightInput is what the light of one project is computed from.
type LightInput struct {
	Today      workday.Date
	Stage      Stage
	Milestones []Milestone
	// MissingMonth is the month whose report is due and missing, "" if none.
	MissingMonth string
	// Plan and Actual are the year's investment due by AssessedMonth and
	// completed by it (万元); Plan 0 means no plan to measure against.
	AssessedMonth string
	Plan, Actual  float64
}

// Evaluate applies the rules to in and returns the light and every reason
// for it, reds first. A project outside the library has no light.
func Evaluate(in LightInput, r LightRules) (Light, []Reason) {
	r = r.withDefaults()
	reasons := []Reason{}
	if !in.Stage.lit() {
		return LightNone, reasons
	}
	for _, m := range in.Milestones {
		if m.State != MilestonePending {
			continue
		}
		days := in.Today.DaysUntil(m.PlannedDate)
		switch {
		case days < 0:
			reasons = append(reasons, Reason{Rule: RuleMilestoneOverdue, Light: LightRed, Milestone: m.Name,
				Date: m.PlannedDate.String(), Days: -days})
		case days <= r.DueDays:
			reasons = append(reasons, Reason{Rule: RuleMilestoneDue, Light: LightYellow, Milestone: m.Name,
				Date: m.PlannedDate.String(), Days: days})
		}
	}
	if in.MissingMonth != "" {
		reasons = append(reasons, Reason{Rule: RuleReportMissing, Light: LightRed, Month: in.MissingMonth})
	}
	if in.Plan > 0 {
		trail := roundTo((in.Plan-in.Actual)*100/in.Plan, 2)
		reason := Reason{Rule: RuleInvestmentTrails, Month: in.AssessedMonth, Trail: trail, Plan: roundTo(in.Plan, 2),
			Actual: roundTo(in.Actual, 2)}
		switch {
		case trail > r.RedTrail:
			reason.Light = LightRed
		case trail > r.YellowTrail:
			reason.Light = LightYellow
		}
		if reason.Light != "" {
			reasons = append(reasons, reason)
		}
	}
	light := LightGreen
	for _, x := range reasons {
		if x.Light.rank() > light.rank() {
			light = x.Light
		}
	}
	// Reds first, then yellows, each in the order found.
	ordered := make([]Reason, 0, len(reasons))
	for _, want := range []Light{LightRed, LightYellow} {
		for _, x := range reasons {
			if x.Light == want {
				ordered = append(ordered, x)
			}
		}
	}
	return light, ordered
}

func roundTo(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// lightInput gathers what p's light is computed from on today.
func (s *Service) lightInput(ctx context.Context, q sqldb.Querier, p Project, today workday.Date) (LightInput, error) {
	in := LightInput{Today: today, Stage: p.Stage}
	if !p.Stage.lit() {
		return in, nil
	}
	var err error
	if in.Milestones, err = loadMilestones(ctx, q, p.ID, today); err != nil {
		return in, err
	}
	if !p.Stage.reports() {
		return in, nil
	}
	reported := map[string]float64{} // month → investment that month
	rows, err := q.QueryContext(ctx, "SELECT month, investment_month FROM project_reports WHERE project_id = ?", p.ID)
	if err != nil {
		return in, fmt.Errorf("project %d reports: %w", p.ID, err)
	}
	for rows.Next() {
		var m string
		var v float64
		if err := rows.Scan(&m, &v); err != nil {
			rows.Close()
			return in, err
		}
		reported[m] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	due := s.dueMonth(today)
	if deadline, _ := s.Deadline(due); !p.StartedOn.IsZero() && !p.StartedOn.After(deadline) {
		if _, ok := reported[due]; !ok {
			in.MissingMonth = due
		}
	}
	// Investment against the year's plan, up to the latest month due (or
	// this month, once reported early).
	y := today.Year()
	if p.PlanYear != y || p.AnnualInvestment <= 0 || p.PlannedStart.Year() > y || p.PlannedEnd.Year() < y {
		return in, nil
	}
	startM, endM := 1, 12
	if p.PlannedStart.Year() == y {
		startM = int(p.PlannedStart.Month())
	}
	if p.PlannedEnd.Year() == y {
		endM = int(p.PlannedEnd.Month())
	}
	assessed := due
	if cur := monthOf(today); hasKey(reported, cur) {
		assessed = cur
	}
	first, _ := parseMonth(assessed)
	if first.Year() != y || int(first.Month()) < startM {
		return in, nil
	}
	k := min(int(first.Month()), endM) - startM + 1
	in.AssessedMonth = assessed
	in.Plan = p.AnnualInvestment * float64(k) / float64(endM-startM+1)
	for m, v := range reported {
		if m >= fmt.Sprintf("%04d-01", y) && m <= assessed {
			in.Actual += v
		}
	}
	return in, nil
}

func hasKey(m map[string]float64, k string) bool {
	_, ok := m[k]
	return ok
}

// refreshLight recomputes project id's light on today and stores it when it
// or its reasons changed; a change of colour adds a history row, an audit
// row and a notice. It returns whether the colour changed. The update is
// conditional on the colour read, so two nodes refreshing at once record
// one change.
func (s *Service) refreshLight(ctx context.Context, tx *sqldb.Tx, id int64, today workday.Date, now time.Time) error {
	_, err := s.refreshLightAs(ctx, tx, audit.System, id, today, now)
	return err
}

func (s *Service) refreshLightAs(ctx context.Context, tx *sqldb.Tx, who audit.Actor, id int64, today workday.Date, now time.Time) (bool, error) {
	p, err := s.getProject(ctx, tx, id)
	if err != nil {
		return false, err
	}
	in, err := s.lightInput(ctx, tx, p, today)
	if err != nil {
		return false, err
	}
	light, reasons := Evaluate(in, s.cfg.Lights)
	reasonsJSON, err := marshal(reasons)
	if err != nil {
		return false, err
	}
	oldJSON, err := marshal(p.LightReasons)
	if err != nil {
		return false, err
	}
	if light == p.Light && reasonsJSON == oldJSON {
		return false, nil
	}
	if light == p.Light {
		_, err := tx.ExecContext(ctx, "UPDATE projects SET light_reasons = ? WHERE id = ? AND light = ?", reasonsJSON, id, p.Light)
		return false, err
	}
	res, err := tx.ExecContext(ctx, "UPDATE projects SET light = ?, light_reasons = ?, light_at = ? WHERE id = ? AND light = ?",
		light, reasonsJSON, sqldb.At(now), id, p.Light)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil // another node recorded it
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO project_lights (project_id, light, previous, reasons, at) VALUES (?, ?, ?, ?, ?)",
		id, light, p.Light, reasonsJSON, sqldb.At(now)); err != nil {
		return false, err
	}
	if err := s.notifyLight(ctx, tx, p, p.Light, light, reasons); err != nil {
		return false, err
	}
	return true, audit.Record(ctx, tx, who, audit.Event{Action: "project.light", ObjectType: "project", ObjectID: idText(id),
		RegionCode: p.RegionCode, Before: map[string]any{"light": p.Light}, After: map[string]any{"light": light, "reasons": reasons}})
}

// LightChange is one change of a project's light, with the reasons for
// the new colour.
type LightChange struct {
	Light    Light     `json:"light"`
	Previous Light     `json:"previous"`
	Reasons  []Reason  `json:"reasons"`
	At       time.Time `json:"at"`
}

// LightHistory returns a project's light changes, newest first.
func (s *Service) LightHistory(ctx context.Context, a account.Actor, projectID int64) ([]LightChange, error) {
	if _, err := s.projectFor(ctx, s.db, a, projectID); err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, s.db, func(r scanner) (LightChange, error) {
		var c LightChange
		var reasons string
		var at sqldb.Time
		if err := r.Scan(&c.Light, &c.Previous, &reasons, &at); err != nil {
			return c, err
		}
		c.At = at.Time
		return c, json.Unmarshal([]byte(reasons), &c.Reasons)
	}, "SELECT light, previous, reasons, at FROM project_lights WHERE project_id = ? ORDER BY id DESC", projectID)
	if err != nil {
		return nil, fmt.Errorf("project %d light history: %w", projectID, err)
	}
	return out, nil
}

// RefreshLights recomputes the light of every project in the library (and
// clears it on projects that left) as of now, and returns how many changed
// colour. It acts as the system: the scheduled job calls it.
func (s *Service) RefreshLights(ctx context.Context) (int, error) {
	ids, err := queryAll(ctx, s.db, scanID, "SELECT id FROM projects WHERE stage IN (?, ?, ?) OR light <> ? ORDER BY id",
		Stocked, Implementing, Adjusting, LightNone)
	if err != nil {
		return 0, fmt.Errorf("projects to light: %w", err)
	}
	changed := 0
	now := s.now()
	today := workday.DateOf(now)
	for _, id := range ids {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			c, err := s.refreshLightAs(ctx, tx, audit.System, id, today, now)
			if c {
				changed++
			}
			return err
		})
		if err != nil {
			return changed, fmt.Errorf("light of project %d: %w", id, err)
		}
	}
	return changed, nil
}
