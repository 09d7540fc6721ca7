package project

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

const projectColumns = `p.id, p.type, p.name, p.region_code, p.unit_id, g.name, p.lead_name, COALESCE(p.lead_user_id, 0), p.team,
	p.total_investment, p.annual_investment, p.plan_year, p.planned_start, p.planned_end, p.description, p.stage,
	p.exit_reason, p.pending, COALESCE(p.requested_by, 0), p.light, p.light_reasons, p.light_at, p.started_on, p.closed_on,
	COALESCE(p.created_by, 0), p.created_at, p.updated_at`

const projectJoins = ` FROM projects p JOIN gov_units g ON g.id = p.unit_id`

func scanProject(row interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var team, pending, reasons string
	var lightAt, created, updated sqldb.Time
	err := row.Scan(&p.ID, &p.Type, &p.Name, &p.RegionCode, &p.UnitID, &p.UnitName, &p.LeadName, &p.LeadUserID, &team,
		&p.TotalInvestment, &p.AnnualInvestment, &p.PlanYear, &p.PlannedStart, &p.PlannedEnd, &p.Description, &p.Stage,
		&p.ExitReason, &pending, &p.RequestedBy, &p.Light, &reasons, &lightAt, &p.StartedOn, &p.ClosedOn,
		&p.CreatedBy, &created, &updated)
	if err != nil {
		return Project{}, err
	}
	if err := json.Unmarshal([]byte(team), &p.Team); err != nil {
		return Project{}, fmt.Errorf("project %d team: %w", p.ID, err)
	}
	if pending != "" {
		p.Pending = &Adjustment{}
		if err := json.Unmarshal([]byte(pending), p.Pending); err != nil {
			return Project{}, fmt.Errorf("project %d pending: %w", p.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(reasons), &p.LightReasons); err != nil {
		return Project{}, fmt.Errorf("project %d light reasons: %w", p.ID, err)
	}
	if p.Team == nil {
		p.Team = []TeamMember{}
	}
	if p.LightReasons == nil {
		p.LightReasons = []Reason{}
	}
	p.EnterpriseIDs = []int64{}
	p.LightAt, p.CreatedAt, p.UpdatedAt = lightAt.Time, created.Time, updated.Time
	return p, nil
}

// getProject reads a project with its linked enterprise ids, whoever may
// see it.
func (s *Service) getProject(ctx context.Context, q sqldb.Querier, id int64) (Project, error) {
	p, err := scanProject(q.QueryRowContext(ctx, "SELECT "+projectColumns+projectJoins+" WHERE p.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Project{}, apperr.New(apperr.NotFound, "project.not_found")
	}
	if err != nil {
		return Project{}, fmt.Errorf("get project %d: %w", id, err)
	}
	p.EnterpriseIDs, err = queryAll(ctx, q, scanID, "SELECT enterprise_id FROM project_enterprises WHERE project_id = ? ORDER BY enterprise_id", id)
	if err != nil {
		return Project{}, fmt.Errorf("project %d enterprises: %w", id, err)
	}
	s.decorate(&p)
	return p, nil
}

// decorate fills the derived fields every read shows.
func (s *Service) decorate(p *Project) {
	if ty, ok := s.types.Get(p.Type); ok {
		p.TypeName = ty.Name
	} else {
		p.TypeName = p.Type
	}
}

// projectFor reads a project the actor may see; anything else is NotFound.
func (s *Service) projectFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Project, error) {
	p, err := s.getProject(ctx, q, id)
	if err != nil {
		return Project{}, err
	}
	if !readsRegion(a, p.RegionCode) {
		return Project{}, apperr.New(apperr.NotFound, "project.not_found")
	}
	p.Actions = ProjectActions(a, p)
	return p, nil
}

// projectToChange reads a project the actor may change; one it may only
// see is Forbidden, a closed one Conflict.
func (s *Service) projectToChange(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Project, error) {
	p, err := s.projectFor(ctx, q, a, id)
	if err != nil {
		return Project{}, err
	}
	if !managesRegion(a, p.RegionCode) {
		return Project{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if p.Stage.Closed() {
		return Project{}, apperr.New(apperr.Conflict, "project.closed")
	}
	return p, nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func insertProject(ctx context.Context, tx *sqldb.Tx, in ProjectInput, createdBy int64, now time.Time) (int64, error) {
	team, err := marshal(in.Team)
	if err != nil {
		return 0, err
	}
	if in.Team == nil {
		team = "[]"
	}
	return tx.InsertID(ctx, `INSERT INTO projects (type, name, region_code, unit_id, lead_name, lead_user_id, team,
		total_investment, annual_investment, plan_year, planned_start, planned_end, description, stage, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Type, in.Name, in.RegionCode, in.UnitID, in.LeadName, nullID(in.LeadUserID), team, in.TotalInvestment,
		in.AnnualInvestment, in.PlanYear, in.PlannedStart, in.PlannedEnd, in.Description, Planning, nullID(createdBy),
		sqldb.At(now), sqldb.At(now))
}

func updateProfile(ctx context.Context, tx *sqldb.Tx, id int64, in ProjectInput, now time.Time) error {
	team, err := marshal(in.Team)
	if err != nil {
		return err
	}
	if in.Team == nil {
		team = "[]"
	}
	_, err = tx.ExecContext(ctx, `UPDATE projects SET name = ?, region_code = ?, unit_id = ?, lead_name = ?, lead_user_id = ?,
		team = ?, total_investment = ?, annual_investment = ?, plan_year = ?, planned_start = ?, planned_end = ?,
		description = ?, updated_at = ? WHERE id = ?`,
		in.Name, in.RegionCode, in.UnitID, in.LeadName, nullID(in.LeadUserID), team, in.TotalInvestment, in.AnnualInvestment,
		in.PlanYear, in.PlannedStart, in.PlannedEnd, in.Description, sqldb.At(now), id)
	return err
}

func setEnterprises(ctx context.Context, tx *sqldb.Tx, id int64, ids []int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM project_enterprises WHERE project_id = ?", id); err != nil {
		return err
	}
	for _, e := range ids {
		if _, err := tx.ExecContext(ctx, "INSERT INTO project_enterprises (project_id, enterprise_id) VALUES (?, ?)", id, e); err != nil {
			return err
		}
	}
	return nil
}

func insertProjectEvent(ctx context.Context, tx *sqldb.Tx, projectID int64, action string, from, to Stage, note string, actorID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO project_events (project_id, action, from_stage, to_stage, note, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, projectID, action, string(from), string(to), note, nullID(actorID), sqldb.At(at))
	if err != nil {
		return fmt.Errorf("insert project event: %w", err)
	}
	return nil
}

func projectEvents(ctx context.Context, q sqldb.Querier, id int64) ([]ProjectEvent, error) {
	out, err := queryAll(ctx, q, scanProjectEvent, `SELECT e.id, e.action, e.from_stage, e.to_stage, e.note, COALESCE(e.actor_id, 0), `+
		userName("u")+`, e.at FROM project_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.project_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("project %d history: %w", id, err)
	}
	return out, nil
}

func scanProjectEvent(r scanner) (ProjectEvent, error) {
	var e ProjectEvent
	var at sqldb.Time
	err := r.Scan(&e.ID, &e.Action, &e.From, &e.To, &e.Note, &e.ActorID, &e.ActorName, &at)
	e.At = at.Time
	return e, err
}

// projectWhere builds the WHERE clause of a project list: the actor's
// scope and the filter.
func projectWhere(a account.Actor, f ProjectFilter) (string, []any) {
	where := []string{"p.region_code LIKE ?"}
	args := []any{scopeLike(a)}
	if q := strings.TrimSpace(f.Query); q != "" {
		where, args = append(where, `p.name LIKE ? ESCAPE '\'`), append(args, "%"+escapeLike(q)+"%")
	}
	if f.Type != "" {
		where, args = append(where, "p.type = ?"), append(args, f.Type)
	}
	if f.Stage != "" {
		where, args = append(where, "p.stage = ?"), append(args, f.Stage)
	}
	if f.Light != "" {
		where, args = append(where, "p.light = ?"), append(args, f.Light)
	}
	if f.Region != "" {
		where, args = append(where, "p.region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if f.UnitID != 0 {
		where, args = append(where, "p.unit_id = ?"), append(args, f.UnitID)
	}
	if f.EnterpriseID != 0 {
		where = append(where, "p.id IN (SELECT project_id FROM project_enterprises WHERE enterprise_id = ?)")
		args = append(args, f.EnterpriseID)
	}
	if f.Open {
		where, args = append(where, "p.stage NOT IN (?, ?)"), append(args, Completed, Exited)
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

const milestoneColumns = `id, project_id, seq, name, planned_date, owner, state, actual_date, evidence, note, created_at, updated_at`

func scanMilestone(row interface{ Scan(...any) error }, today workday.Date) (Milestone, error) {
	var m Milestone
	var evidence string
	var created, updated sqldb.Time
	if err := row.Scan(&m.ID, &m.ProjectID, &m.Seq, &m.Name, &m.PlannedDate, &m.Owner, &m.State, &m.ActualDate, &evidence,
		&m.Note, &created, &updated); err != nil {
		return Milestone{}, err
	}
	if err := json.Unmarshal([]byte(evidence), &m.Evidence); err != nil {
		return Milestone{}, fmt.Errorf("milestone %d evidence: %w", m.ID, err)
	}
	if m.Evidence == nil {
		m.Evidence = []Evidence{}
	}
	m.Overdue = m.State == MilestonePending && m.PlannedDate.Before(today)
	m.CreatedAt, m.UpdatedAt = created.Time, updated.Time
	return m, nil
}

func getMilestone(ctx context.Context, q sqldb.Querier, id int64, today workday.Date) (Milestone, error) {
	m, err := scanMilestone(q.QueryRowContext(ctx, "SELECT "+milestoneColumns+" FROM milestones WHERE id = ?", id), today)
	if sqldb.IsNoRows(err) {
		return Milestone{}, apperr.New(apperr.NotFound, "project.milestone_not_found")
	}
	if err != nil {
		return Milestone{}, fmt.Errorf("get milestone %d: %w", id, err)
	}
	return m, nil
}

func loadMilestones(ctx context.Context, q sqldb.Querier, projectID int64, today workday.Date) ([]Milestone, error) {
	out, err := queryAll(ctx, q, func(r scanner) (Milestone, error) { return scanMilestone(r, today) },
		"SELECT "+milestoneColumns+" FROM milestones WHERE project_id = ? ORDER BY seq, id", projectID)
	if err != nil {
		return nil, fmt.Errorf("project %d milestones: %w", projectID, err)
	}
	return out, nil
}

func insertMilestone(ctx context.Context, tx *sqldb.Tx, projectID int64, seq int, in MilestoneInput, now time.Time) (int64, error) {
	return tx.InsertID(ctx, `INSERT INTO milestones (project_id, seq, name, planned_date, owner, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, projectID, seq, in.Name, in.PlannedDate, in.Owner, MilestonePending, sqldb.At(now), sqldb.At(now))
}

func nextSeq(ctx context.Context, q sqldb.Querier, projectID int64) (int, error) {
	var seq sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT MAX(seq) FROM milestones WHERE project_id = ?", projectID).Scan(&seq); err != nil {
		return 0, err
	}
	return int(seq.Int64) + 1, nil
}
