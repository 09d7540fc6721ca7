package project

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/workday"
)

// Stage is where a project is in its lifecycle.
type Stage string

// The stages, in lifecycle order.
const (
	Planning     Stage = "planning"     // 谋划
	Review       Stage = "review"       // 预审: awaiting staff approval to enter the library
	Stocked      Stage = "stocked"      // 入库
	Implementing Stage = "implementing" // 实施
	Adjusting    Stage = "adjusting"    // 调整: a plan change awaits staff approval
	Completed    Stage = "completed"    // 竣工/投产
	Exited       Stage = "exited"       // 退出
)

// Stages lists the stages in lifecycle order.
var Stages = []Stage{Planning, Review, Stocked, Implementing, Adjusting, Completed, Exited}

// Valid reports whether st is a stage.
func (st Stage) Valid() bool { return slices.Contains(Stages, st) }

// Closed reports whether the project has left the library for good.
func (st Stage) Closed() bool { return st == Completed || st == Exited }

// reports reports whether a project in the stage files monthly reports.
func (st Stage) reports() bool { return st == Implementing || st == Adjusting }

// lit reports whether a project in the stage carries a traffic light.
func (st Stage) lit() bool { return st == Stocked || st == Implementing || st == Adjusting }

// planLocked reports whether the plan (dates, investment, node dates) may
// change only through an approved adjustment.
func (st Stage) planLocked() bool { return st == Implementing || st == Adjusting }

// The lifecycle actions.
const (
	ActSubmit            = "submit"             // 谋划 → 预审
	ActApprove           = "approve"            // 预审 → 入库 (a second person)
	ActReturn            = "return"             // 预审 → 谋划, with the reason
	ActStart             = "start"              // 入库 → 实施
	ActAdjust            = "adjust"             // 实施 → 调整, with the proposed change
	ActApproveAdjustment = "approve-adjustment" // 调整 → 实施, the change applied (a second person)
	ActRejectAdjustment  = "reject-adjustment"  // 调整 → 实施, the change dropped, with the reason
	ActComplete          = "complete"           // 实施 → 竣工/投产
	ActExit              = "exit"               // any open stage → 退出, with the reason
)

// transitions lists, for each action, the stages it leaves from and the
// stage it leads to.
var transitions = map[string]struct {
	from []Stage
	to   Stage
	// second: the one who asked (requested_by) may not take this action.
	second bool
	// note: the action needs a reason.
	note bool
}{
	ActSubmit:            {from: []Stage{Planning}, to: Review},
	ActApprove:           {from: []Stage{Review}, to: Stocked, second: true},
	ActReturn:            {from: []Stage{Review}, to: Planning, second: true, note: true},
	ActStart:             {from: []Stage{Stocked}, to: Implementing},
	ActAdjust:            {from: []Stage{Implementing}, to: Adjusting, note: true},
	ActApproveAdjustment: {from: []Stage{Adjusting}, to: Implementing, second: true},
	ActRejectAdjustment:  {from: []Stage{Adjusting}, to: Implementing, second: true, note: true},
	ActComplete:          {from: []Stage{Implementing}, to: Completed},
	ActExit:              {from: []Stage{Planning, Review, Stocked, Implementing, Adjusting}, to: Exited, note: true},
}

// actionOrder is the order in which ProjectActions lists actions.
var actionOrder = []string{ActSubmit, ActApprove, ActReturn, ActStart, ActAdjust, ActApproveAdjustment,
	ActRejectAdjustment, ActComplete, ActExit}

// TeamMember is one member of a project's special team (专班).
type TeamMember struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"` // post, e.g. 县发改局副局长
	Phone string `json:"phone,omitempty"`
}

// EnterpriseRef names a registry enterprise.
type EnterpriseRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Project is one project of the library.
type Project struct {
	ID         int64  `json:"id"`
	Type       string `json:"type"`
	TypeName   string `json:"type_name"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	UnitID     int64  `json:"unit_id"`
	UnitName   string `json:"unit_name"`
	LeadName   string `json:"lead_name,omitempty"` // 包联领导, name and post
	// LeadUserID is the lead official's account, if any: light changes are
	// sent to it.
	LeadUserID    int64           `json:"lead_user_id,omitempty"`
	Team          []TeamMember    `json:"team"`
	EnterpriseIDs []int64         `json:"enterprise_ids"`
	Enterprises   []EnterpriseRef `json:"enterprises,omitempty"` // filled by GetProject
	// Investment in 万元: the total and the plan for PlanYear.
	TotalInvestment  float64        `json:"total_investment"`
	AnnualInvestment float64        `json:"annual_investment"`
	PlanYear         int            `json:"plan_year"`
	PlannedStart     workday.Date   `json:"planned_start"`
	PlannedEnd       workday.Date   `json:"planned_end"`
	Description      string         `json:"description,omitempty"`
	Stage            Stage          `json:"stage"`
	ExitReason       string         `json:"exit_reason,omitempty"`
	Pending          *Adjustment    `json:"pending,omitempty"` // the adjustment awaiting approval
	RequestedBy      int64          `json:"requested_by,omitempty"`
	Light            Light          `json:"light"`
	LightReasons     []Reason       `json:"light_reasons"`
	LightAt          time.Time      `json:"light_at,omitzero"`
	StartedOn        workday.Date   `json:"started_on"`
	ClosedOn         workday.Date   `json:"closed_on"`
	CreatedBy        int64          `json:"created_by,omitempty"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
	Actions          []string       `json:"actions"` // what the actor may do now
	Milestones       []Milestone    `json:"milestones,omitempty"`
	History          []ProjectEvent `json:"history,omitempty"`
}

// ProjectEvent is one step of a project's lifecycle.
type ProjectEvent struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	From      Stage     `json:"from,omitempty"`
	To        Stage     `json:"to"`
	Note      string    `json:"note,omitempty"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	At        time.Time `json:"at"`
}

// ProjectInput creates a project or changes its profile.
type ProjectInput struct {
	Type             string       `json:"type"`
	Name             string       `json:"name"`
	RegionCode       string       `json:"region_code"`
	UnitID           int64        `json:"unit_id"`
	LeadName         string       `json:"lead_name"`
	LeadUserID       int64        `json:"lead_user_id"`
	Team             []TeamMember `json:"team"`
	EnterpriseIDs    []int64      `json:"enterprise_ids"`
	TotalInvestment  float64      `json:"total_investment"`
	AnnualInvestment float64      `json:"annual_investment"`
	// PlanYear is the year AnnualInvestment plans; 0 means the current
	// year if the project runs in it, else the year of its planned start.
	PlanYear     int          `json:"plan_year"`
	PlannedStart workday.Date `json:"planned_start"`
	PlannedEnd   workday.Date `json:"planned_end"`
	Description  string       `json:"description"`
	// Milestones replace the type's template at creation; nil copies the
	// template. Ignored by UpdateProject (milestones have their own methods).
	Milestones []MilestoneInput `json:"milestones,omitempty"`
}

// Adjustment is a change to a project's plan proposed while it is being
// implemented; it applies when a second staff member approves it. Nil
// fields stay as they are.
type Adjustment struct {
	PlannedStart     *workday.Date   `json:"planned_start,omitempty"`
	PlannedEnd       *workday.Date   `json:"planned_end,omitempty"`
	TotalInvestment  *float64        `json:"total_investment,omitempty"`
	AnnualInvestment *float64        `json:"annual_investment,omitempty"`
	PlanYear         *int            `json:"plan_year,omitempty"`
	Milestones       []MilestoneDate `json:"milestones,omitempty"`
}

// MilestoneDate moves one milestone's planned date.
type MilestoneDate struct {
	ID          int64        `json:"id"`
	PlannedDate workday.Date `json:"planned_date"`
}

// ProjectFilter selects projects. Zero fields do not filter.
type ProjectFilter struct {
	Query        string // part of the name
	Type         string
	Stage        Stage
	Light        Light
	Region       string // region prefix
	UnitID       int64
	EnterpriseID int64
	// Open keeps the projects still in the library (not completed or exited).
	Open    bool
	Page    int
	PerPage int
}

const (
	maxTeam         = 30
	maxEnterprises  = 20
	maxMilestones   = 40
	maxInvestment   = 1e8 // 万元: a trillion yuan
	maxProjectYears = 20
)

var phonePattern = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)

// normalize trims the input's texts.
func (in *ProjectInput) normalize() {
	in.Type, in.RegionCode = strings.TrimSpace(in.Type), strings.TrimSpace(in.RegionCode)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.LeadName = strings.Join(strings.Fields(in.LeadName), " ")
	var team []TeamMember
	for _, m := range in.Team {
		m.Name, m.Title, m.Phone = strings.TrimSpace(m.Name), strings.TrimSpace(m.Title), strings.TrimSpace(m.Phone)
		if m.Name != "" || m.Title != "" || m.Phone != "" {
			team = append(team, m)
		}
	}
	in.Team = team
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range in.EnterpriseIDs {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	in.EnterpriseIDs = ids
}

// validate checks every field that needs no database and returns all
// problems at once. today fills in a missing plan year.
func (in *ProjectInput) validate(types *Types, today workday.Date) error {
	in.normalize()
	var c collect
	if _, ok := types.Get(in.Type); !ok {
		c.field("type", "project.type_unknown")
	}
	switch {
	case in.Name == "":
		c.field("name", "error.required")
	case utf8.RuneCountInString(in.Name) > 100:
		c.field("name", "error.too_long", 100)
	case htmlTag.MatchString(in.Name):
		c.field("name", "project.no_html")
	}
	if !region.ValidCode(in.RegionCode) || region.LevelOf(in.RegionCode) == region.Province {
		c.field("region_code", "project.region_level")
	}
	if in.UnitID == 0 {
		c.field("unit_id", "error.required")
	}
	if utf8.RuneCountInString(in.LeadName) > 64 || htmlTag.MatchString(in.LeadName) {
		c.field("lead_name", "error.too_long", 64)
	}
	if len(in.Team) > maxTeam {
		c.field("team", "project.team_too_many", maxTeam)
	}
	for _, m := range in.Team {
		if m.Name == "" || utf8.RuneCountInString(m.Name) > 32 || utf8.RuneCountInString(m.Title) > 64 ||
			htmlTag.MatchString(m.Name+m.Title) || (m.Phone != "" && !phonePattern.MatchString(m.Phone)) {
			c.field("team", "project.team_invalid")
			break
		}
	}
	if len(in.EnterpriseIDs) > maxEnterprises {
		c.field("enterprise_ids", "project.enterprises_too_many", maxEnterprises)
	}
	checkAmount(&c, "total_investment", in.TotalInvestment)
	checkAmount(&c, "annual_investment", in.AnnualInvestment)
	if in.TotalInvestment > 0 && in.AnnualInvestment > in.TotalInvestment {
		c.field("annual_investment", "project.annual_over_total")
	}
	checkPlan(&c, in.PlannedStart, in.PlannedEnd, &in.PlanYear, today)
	var fe *apperr.FieldError
	in.Description, fe = cleanText("description", in.Description, 2000, false)
	c.add(fe)
	if len(in.Milestones) > maxMilestones {
		c.field("milestones", "project.milestones_too_many", maxMilestones)
	}
	for i := range in.Milestones {
		if err := in.Milestones[i].validate(); err != nil {
			c.field("milestones", "project.milestone_invalid", i+1)
			break
		}
	}
	return c.err()
}

func checkAmount(c *collect, field string, v float64) {
	if v < 0 || v > maxInvestment || v != v {
		c.field(field, "project.amount_range")
	}
}

// checkPlan checks the planned period and fills in or checks the plan year.
func checkPlan(c *collect, start, end workday.Date, planYear *int, today workday.Date) {
	switch {
	case start.IsZero():
		c.field("planned_start", "error.required")
	case end.IsZero():
		c.field("planned_end", "error.required")
	case end.Before(start):
		c.field("planned_end", "project.end_before_start")
	case end.Year()-start.Year() > maxProjectYears:
		c.field("planned_end", "project.period_too_long", maxProjectYears)
	}
	if start.IsZero() || end.IsZero() {
		return
	}
	if *planYear == 0 {
		*planYear = start.Year()
		if y := today.Year(); y >= start.Year() && y <= end.Year() {
			*planYear = y
		}
	}
	if *planYear < start.Year() || *planYear > end.Year() {
		c.field("plan_year", "project.plan_year_range", start.Year(), end.Year())
	}
}

// ProjectActions returns the lifecycle actions the actor may take on the
// project now, for pages to show buttons. Staff in the project's scope
// move it; the one who asked for 预审 or 调整 may not approve it.
func ProjectActions(a account.Actor, p Project) []string {
	out := []string{}
	if !managesRegion(a, p.RegionCode) {
		return out
	}
	for _, act := range actionOrder {
		t := transitions[act]
		if !slices.Contains(t.from, p.Stage) {
			continue
		}
		if t.second && p.RequestedBy == a.UserID {
			continue
		}
		out = append(out, act)
	}
	return out
}

// CanEditProject reports whether the actor may change the project's
// profile now (its plan only before implementation; see UpdateProject).
func CanEditProject(a account.Actor, p Project) bool {
	return managesRegion(a, p.RegionCode) && !p.Stage.Closed()
}

// CanReport reports whether the actor may file the project's monthly
// reports: staff in its scope while it is being implemented.
func CanReport(a account.Actor, p Project) bool {
	return managesRegion(a, p.RegionCode) && p.Stage.reports()
}
