package project

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

func (p Project) auditView() map[string]any {
	return map[string]any{"type": p.Type, "name": p.Name, "region_code": p.RegionCode, "unit_id": p.UnitID,
		"lead_name": p.LeadName, "lead_user_id": p.LeadUserID, "team": p.Team, "enterprise_ids": p.EnterpriseIDs,
		"total_investment": p.TotalInvestment, "annual_investment": p.AnnualInvestment, "plan_year": p.PlanYear,
		"planned_start": p.PlannedStart, "planned_end": p.PlannedEnd, "stage": p.Stage, "exit_reason": p.ExitReason,
		"pending": p.Pending}
}

// checkPeople checks, outside any transaction, that the lead official is a
// staff account the actor sees and that every linked enterprise is in the
// registry and visible to the actor.
func (s *Service) checkPeople(ctx context.Context, a account.Actor, in ProjectInput) error {
	var c collect
	if in.LeadUserID != 0 {
		u, err := s.accounts.GetUser(ctx, a, in.LeadUserID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			c.field("lead_user_id", "project.lead_not_found")
		case err != nil:
			return err
		case u.Role != account.RoleStaff && u.Role != account.RoleCounty:
			c.field("lead_user_id", "project.lead_not_found")
		}
	}
	for _, id := range in.EnterpriseIDs {
		_, err := s.registry.GetEnterprise(ctx, a, id)
		if apperr.Is(err, apperr.NotFound) {
			c.field("enterprise_ids", "project.enterprise_not_found", id)
			break
		}
		if err != nil {
			return err
		}
	}
	return c.err()
}

// CreateProject adds a project in 谋划 to a region inside the actor's
// scope, copying its type's node template unless in.Milestones is given.
// The responsible unit must serve the region; bad fields come back
// together as Invalid.
func (s *Service) CreateProject(ctx context.Context, a account.Actor, in ProjectInput) (Project, error) {
	if !CanCreateProject(a) {
		return Project{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	if err := in.validate(s.types, s.today()); err != nil {
		return Project{}, err
	}
	if !managesRegion(a, in.RegionCode) {
		return Project{}, apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	if err := s.checkPeople(ctx, a, in); err != nil {
		return Project{}, err
	}
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = s.insertChecked(ctx, tx, a, in)
		return err
	})
	return out, err
}

// insertChecked writes a validated project input in tx: it checks the
// responsible unit, inserts the project with its type's node template
// (unless in.Milestones is given), its creation event and its audit row.
// CreateProject and the import share it.
func (s *Service) insertChecked(ctx context.Context, tx *sqldb.Tx, a account.Actor, in ProjectInput) (Project, error) {
	ty, _ := s.types.Get(in.Type)
	nodes := in.Milestones
	if nodes == nil {
		nodes = template(ty, in.PlannedStart, in.PlannedEnd)
	}
	if _, err := usableUnit(ctx, tx, a, in.UnitID, in.RegionCode, "unit_id"); err != nil {
		return Project{}, err
	}
	now := s.now()
	id, err := insertProject(ctx, tx, in, a.UserID, now)
	if err != nil {
		return Project{}, err
	}
	if err := setEnterprises(ctx, tx, id, in.EnterpriseIDs); err != nil {
		return Project{}, err
	}
	for i, m := range nodes {
		if _, err := insertMilestone(ctx, tx, id, i+1, m, now); err != nil {
			return Project{}, err
		}
	}
	if err := insertProjectEvent(ctx, tx, id, "create", "", Planning, "", a.UserID, now); err != nil {
		return Project{}, err
	}
	out, err := s.projectFor(ctx, tx, a, id)
	if err != nil {
		return Project{}, err
	}
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "project.create", ObjectType: "project", ObjectID: idText(id),
		RegionCode: out.RegionCode, After: out.auditView()})
}

// GetProject returns a project the actor may see, with its milestones, its
// lifecycle history and the names of its linked enterprises (those the
// actor may see).
func (s *Service) GetProject(ctx context.Context, a account.Actor, id int64) (Project, error) {
	p, err := s.projectFor(ctx, s.db, a, id)
	if err != nil {
		return Project{}, err
	}
	if p.Milestones, err = loadMilestones(ctx, s.db, id, s.today()); err != nil {
		return Project{}, err
	}
	if p.History, err = projectEvents(ctx, s.db, id); err != nil {
		return Project{}, err
	}
	p.Enterprises = []EnterpriseRef{}
	for _, eid := range p.EnterpriseIDs {
		e, err := s.registry.GetEnterprise(ctx, a, eid)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return Project{}, err
		}
		p.Enterprises = append(p.Enterprises, EnterpriseRef{ID: e.ID, Name: e.Name})
	}
	return p, nil
}

// FindProjects lists the projects the actor may see that match f, newest
// first, with the total.
func (s *Service) FindProjects(ctx context.Context, a account.Actor, f ProjectFilter) ([]Project, int, error) {
	if !CanViewModule(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	normalizePage(&f.Page, &f.PerPage, 25)
	cond, args := projectWhere(a, f)
	out, total, err := findPage(ctx, s.db, projectColumns, projectJoins, cond, "p.id DESC", args, f.Page, f.PerPage, scanProject)
	if err != nil {
		return nil, 0, fmt.Errorf("find projects: %w", err)
	}
	if len(out) == 0 {
		return out, total, nil
	}
	byID := map[int64]int{}
	ids := make([]any, 0, len(out))
	for i := range out {
		s.decorate(&out[i])
		out[i].Actions = ProjectActions(a, out[i])
		byID[out[i].ID] = i
		ids = append(ids, out[i].ID)
	}
	links, err := queryAll(ctx, s.db, func(r scanner) ([2]int64, error) {
		var l [2]int64
		err := r.Scan(&l[0], &l[1])
		return l, err
	}, "SELECT project_id, enterprise_id FROM project_enterprises WHERE project_id IN (?"+strings.Repeat(", ?", len(ids)-1)+
		") ORDER BY project_id, enterprise_id", ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("find projects' enterprises: %w", err)
	}
	for _, l := range links {
		out[byID[l[0]]].EnterpriseIDs = append(out[byID[l[0]]].EnterpriseIDs, l[1])
	}
	return out, total, nil
}

// UpdateProject changes a project's profile. Its type stays. While it is
// being implemented its plan (planned dates, investments, plan year) changes
// only through RequestAdjustment: a changed plan field is an Invalid error
// on that field. Completed and exited projects are Conflict.
func (s *Service) UpdateProject(ctx context.Context, a account.Actor, id int64, in ProjectInput) (Project, error) {
	in.Milestones = nil
	old, err := s.projectToChange(ctx, s.db, a, id)
	if err != nil {
		return Project{}, err
	}
	if in.Type == "" {
		in.Type = old.Type
	}
	if in.Type != old.Type {
		return Project{}, apperr.Fields(apperr.Field("type", "project.type_fixed"))
	}
	if in.PlanYear == 0 {
		in.PlanYear = old.PlanYear
	}
	if err := in.validate(s.types, s.today()); err != nil {
		return Project{}, err
	}
	if old.Stage.planLocked() {
		var c collect
		if in.PlannedStart != old.PlannedStart {
			c.field("planned_start", "project.plan_locked")
		}
		if in.PlannedEnd != old.PlannedEnd {
			c.field("planned_end", "project.plan_locked")
		}
		if in.TotalInvestment != old.TotalInvestment {
			c.field("total_investment", "project.plan_locked")
		}
		if in.AnnualInvestment != old.AnnualInvestment {
			c.field("annual_investment", "project.plan_locked")
		}
		if in.PlanYear != old.PlanYear {
			c.field("plan_year", "project.plan_locked")
		}
		if err := c.err(); err != nil {
			return Project{}, err
		}
	}
	if !managesRegion(a, in.RegionCode) {
		return Project{}, apperr.Fields(apperr.Field("region_code", "project.region_outside_scope"))
	}
	if err := s.checkPeople(ctx, a, in); err != nil {
		return Project{}, err
	}
	var out Project
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		cur, err := s.projectToChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if cur.Stage != old.Stage || !cur.UpdatedAt.Equal(old.UpdatedAt) {
			return apperr.New(apperr.Conflict, "project.changed_meanwhile")
		}
		if _, err := usableUnit(ctx, tx, a, in.UnitID, in.RegionCode, "unit_id"); err != nil {
			return err
		}
		now := s.now()
		if err := updateProfile(ctx, tx, id, in, now); err != nil {
			return err
		}
		if err := setEnterprises(ctx, tx, id, in.EnterpriseIDs); err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, id, s.today(), now); err != nil {
			return err
		}
		if out, err = s.projectFor(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "project.update", ObjectType: "project", ObjectID: idText(id),
			RegionCode: out.RegionCode, Before: old.auditView(), After: out.auditView()})
	})
	return out, err
}

// Transition takes a lifecycle action (ActSubmit, ActApprove, ActReturn,
// ActStart, ActApproveAdjustment, ActRejectAdjustment, ActComplete, ActExit;
// ActAdjust goes through RequestAdjustment). note is the reason, required
// for return, reject-adjustment and exit. Staff in scope act; the one who
// asked for 预审 or 调整 may not decide on it (Forbidden); an action the
// stage does not allow is Conflict.
func (s *Service) Transition(ctx context.Context, a account.Actor, id int64, action, note string) (Project, error) {
	t, ok := transitions[action]
	if !ok {
		return Project{}, apperr.New(apperr.Invalid, "project.action_unknown")
	}
	if action == ActAdjust {
		return Project{}, apperr.New(apperr.Invalid, "project.adjust_needs_change")
	}
	note, fe := cleanText("note", note, 500, t.note)
	if fe != nil {
		return Project{}, apperr.Fields(*fe)
	}
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = s.transition(ctx, tx, a, id, action, note)
		return err
	})
	return out, err
}

// transition takes a lifecycle action in tx; note is already checked.
func (s *Service) transition(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64, action, note string) (Project, error) {
	t := transitions[action]
	p, err := s.projectToChange(ctx, tx, a, id)
	if err != nil {
		return Project{}, err
	}
	if !slices.Contains(t.from, p.Stage) {
		return Project{}, apperr.New(apperr.Conflict, "project.action_not_allowed")
	}
	if t.second && p.RequestedBy == a.UserID {
		return Project{}, apperr.New(apperr.Forbidden, "project.second_person")
	}
	now := s.now()
	today := workday.DateOf(now)
	set := []string{"stage = ?", "updated_at = ?"}
	args := []any{t.to, sqldb.At(now)}
	switch action {
	case ActSubmit:
		set, args = append(set, "requested_by = ?"), append(args, a.UserID)
	case ActApprove, ActReturn, ActRejectAdjustment:
		set = append(set, "requested_by = NULL", "pending = ''")
	case ActStart:
		set, args = append(set, "started_on = ?"), append(args, today)
	case ActApproveAdjustment:
		if err := s.applyAdjustment(ctx, tx, p, now); err != nil {
			return Project{}, err
		}
		set = append(set, "requested_by = NULL", "pending = ''")
	case ActComplete:
		set, args = append(set, "closed_on = ?", "requested_by = NULL"), append(args, today)
	case ActExit:
		set, args = append(set, "closed_on = ?", "exit_reason = ?", "requested_by = NULL", "pending = ''"), append(args, today, note)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE projects SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, id)...); err != nil {
		return Project{}, err
	}
	return s.recordStep(ctx, tx, a, p, action, note, map[string]any{"stage": t.to, "note": note}, now)
}

// recordStep follows a lifecycle step of p (as it was before): the history
// row, the light, the notice and the audit row. It returns the project as
// the actor now sees it.
func (s *Service) recordStep(ctx context.Context, tx *sqldb.Tx, a account.Actor, p Project, action, note string, after map[string]any,
	now time.Time) (Project, error) {
	out, err := s.getProject(ctx, tx, p.ID)
	if err != nil {
		return Project{}, err
	}
	if err := insertProjectEvent(ctx, tx, p.ID, action, p.Stage, out.Stage, note, a.UserID, now); err != nil {
		return Project{}, err
	}
	if err := s.refreshLight(ctx, tx, p.ID, workday.DateOf(now), now); err != nil {
		return Project{}, err
	}
	if out, err = s.projectFor(ctx, tx, a, p.ID); err != nil {
		return Project{}, err
	}
	if err := s.notifyStage(ctx, tx, out, action); err != nil {
		return Project{}, err
	}
	return out, audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "project." + action, ObjectType: "project", ObjectID: idText(p.ID),
		RegionCode: out.RegionCode, Before: map[string]any{"stage": p.Stage, "pending": p.Pending}, After: after})
}

// RequestAdjustment proposes a change to the plan of a project being
// implemented (实施 → 调整) with the reason. The change applies when a
// second staff member approves it (ActApproveAdjustment). An empty change
// or one that leaves an impossible plan is Invalid.
func (s *Service) RequestAdjustment(ctx context.Context, a account.Actor, id int64, adj Adjustment, reason string) (Project, error) {
	reason, fe := cleanText("note", reason, 500, true)
	if fe != nil {
		return Project{}, apperr.Fields(*fe)
	}
	var out Project
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.projectToChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if p.Stage != Implementing {
			return apperr.New(apperr.Conflict, "project.action_not_allowed")
		}
		if err := s.checkAdjustment(ctx, tx, p, &adj); err != nil {
			return err
		}
		pending, err := marshal(adj)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE projects SET stage = ?, pending = ?, requested_by = ?, updated_at = ? WHERE id = ?",
			Adjusting, pending, a.UserID, sqldb.At(now), id); err != nil {
			return err
		}
		out, err = s.recordStep(ctx, tx, a, p, ActAdjust, reason, map[string]any{"stage": Adjusting, "pending": adj, "note": reason}, now)
		return err
	})
	return out, err
}

// checkAdjustment checks that adj changes something and leaves a possible
// plan; milestone dates must name pending milestones of the project.
func (s *Service) checkAdjustment(ctx context.Context, tx *sqldb.Tx, p Project, adj *Adjustment) error {
	start, end, planYear := p.PlannedStart, p.PlannedEnd, p.PlanYear
	total, annual := p.TotalInvestment, p.AnnualInvestment
	changed := false
	if adj.PlannedStart != nil && *adj.PlannedStart != start {
		start, changed = *adj.PlannedStart, true
	}
	if adj.PlannedEnd != nil && *adj.PlannedEnd != end {
		end, changed = *adj.PlannedEnd, true
	}
	if adj.PlanYear != nil && *adj.PlanYear != planYear {
		planYear, changed = *adj.PlanYear, true
	}
	if adj.TotalInvestment != nil && *adj.TotalInvestment != total {
		total, changed = *adj.TotalInvestment, true
	}
	if adj.AnnualInvestment != nil && *adj.AnnualInvestment != annual {
		annual, changed = *adj.AnnualInvestment, true
	}
	var c collect
	checkAmount(&c, "total_investment", total)
	checkAmount(&c, "annual_investment", annual)
	if total > 0 && annual > total {
		c.field("annual_investment", "project.annual_over_total")
	}
	checkPlan(&c, start, end, &planYear, s.today())
	if len(adj.Milestones) > 0 {
		ms, err := loadMilestones(ctx, tx, p.ID, s.today())
		if err != nil {
			return err
		}
		for _, md := range adj.Milestones {
			i := slices.IndexFunc(ms, func(m Milestone) bool { return m.ID == md.ID })
			if i < 0 || ms[i].State != MilestonePending || md.PlannedDate.IsZero() {
				c.field("milestones", "project.milestone_not_pending")
				break
			}
			if md.PlannedDate != ms[i].PlannedDate {
				changed = true
			}
		}
	}
	if err := c.err(); err != nil {
		return err
	}
	if !changed {
		return apperr.New(apperr.Invalid, "project.adjustment_empty")
	}
	return nil
}

// applyAdjustment writes the pending plan change of p.
func (s *Service) applyAdjustment(ctx context.Context, tx *sqldb.Tx, p Project, now time.Time) error {
	adj := p.Pending
	if adj == nil {
		return nil
	}
	set, args := []string{}, []any{}
	if adj.PlannedStart != nil {
		set, args = append(set, "planned_start = ?"), append(args, *adj.PlannedStart)
	}
	if adj.PlannedEnd != nil {
		set, args = append(set, "planned_end = ?"), append(args, *adj.PlannedEnd)
	}
	if adj.PlanYear != nil {
		set, args = append(set, "plan_year = ?"), append(args, *adj.PlanYear)
	}
	if adj.TotalInvestment != nil {
		set, args = append(set, "total_investment = ?"), append(args, *adj.TotalInvestment)
	}
	if adj.AnnualInvestment != nil {
		set, args = append(set, "annual_investment = ?"), append(args, *adj.AnnualInvestment)
	}
	if len(set) > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE projects SET "+strings.Join(set, ", ")+" WHERE id = ?", append(args, p.ID)...); err != nil {
			return err
		}
	}
	for _, md := range adj.Milestones {
		// A milestone done or removed since the request keeps its state.
		if _, err := tx.ExecContext(ctx, "UPDATE milestones SET planned_date = ?, updated_at = ? WHERE id = ? AND project_id = ? AND state = ?",
			md.PlannedDate, sqldb.At(now), md.ID, p.ID, MilestonePending); err != nil {
			return err
		}
	}
	return nil
}

// milestoneToChange reads a milestone and its project for a change by the
// actor.
func (s *Service) milestoneToChange(ctx context.Context, tx *sqldb.Tx, a account.Actor, id int64) (Milestone, Project, error) {
	m, err := getMilestone(ctx, tx, id, s.today())
	if err != nil {
		return Milestone{}, Project{}, err
	}
	p, err := s.projectToChange(ctx, tx, a, m.ProjectID)
	if apperr.Is(err, apperr.NotFound) {
		return Milestone{}, Project{}, apperr.New(apperr.NotFound, "project.milestone_not_found")
	}
	return m, p, err
}

// Milestones returns a project's milestones in order.
func (s *Service) Milestones(ctx context.Context, a account.Actor, projectID int64) ([]Milestone, error) {
	if _, err := s.projectFor(ctx, s.db, a, projectID); err != nil {
		return nil, err
	}
	return loadMilestones(ctx, s.db, projectID, s.today())
}

// AddMilestone appends a node to a project that is not closed.
func (s *Service) AddMilestone(ctx context.Context, a account.Actor, projectID int64, in MilestoneInput) (Milestone, error) {
	if err := in.validate(); err != nil {
		return Milestone{}, err
	}
	var out Milestone
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		p, err := s.projectToChange(ctx, tx, a, projectID)
		if err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if seq > maxMilestones {
			return apperr.Fields(apperr.Field("milestones", "project.milestones_too_many", maxMilestones))
		}
		now := s.now()
		id, err := insertMilestone(ctx, tx, projectID, seq, in, now)
		if err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, projectID, s.today(), now); err != nil {
			return err
		}
		if out, err = getMilestone(ctx, tx, id, s.today()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "milestone.create", ObjectType: "milestone", ObjectID: idText(id),
			RegionCode: p.RegionCode, After: in})
	})
	return out, err
}

// UpdateMilestone renames a milestone, changes its owner or, before the
// project is implemented, its planned date (afterwards through
// RequestAdjustment: a changed date is Invalid).
func (s *Service) UpdateMilestone(ctx context.Context, a account.Actor, id int64, in MilestoneInput) (Milestone, error) {
	if err := in.validate(); err != nil {
		return Milestone{}, err
	}
	var out Milestone
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		m, p, err := s.milestoneToChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if p.Stage.planLocked() && in.PlannedDate != m.PlannedDate {
			return apperr.Fields(apperr.Field("planned_date", "project.plan_locked"))
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE milestones SET name = ?, planned_date = ?, owner = ?, updated_at = ? WHERE id = ?",
			in.Name, in.PlannedDate, in.Owner, sqldb.At(now), id); err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, p.ID, s.today(), now); err != nil {
			return err
		}
		if out, err = getMilestone(ctx, tx, id, s.today()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "milestone.update", ObjectType: "milestone", ObjectID: idText(id),
			RegionCode: p.RegionCode, Before: MilestoneInput{Name: m.Name, PlannedDate: m.PlannedDate, Owner: m.Owner}, After: in})
	})
	return out, err
}

// DeleteMilestone removes a pending node from a project not yet being
// implemented (afterwards it is Conflict: the plan is locked).
func (s *Service) DeleteMilestone(ctx context.Context, a account.Actor, id int64) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		m, p, err := s.milestoneToChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if p.Stage.planLocked() || m.State != MilestonePending {
			return apperr.New(apperr.Conflict, "project.plan_locked")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM milestones WHERE id = ?", id); err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, p.ID, s.today(), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "milestone.delete", ObjectType: "milestone", ObjectID: idText(id),
			RegionCode: p.RegionCode, Before: map[string]any{"name": m.Name, "planned_date": m.PlannedDate}})
	})
}

// CompleteMilestone records that a node was reached on done.ActualDate
// (not in the future) with its evidence. Recording it again corrects the
// date and evidence.
func (s *Service) CompleteMilestone(ctx context.Context, a account.Actor, id int64, done MilestoneCompletion) (Milestone, error) {
	var c collect
	today := s.today()
	if done.ActualDate.IsZero() {
		c.field("actual_date", "error.required")
	} else if done.ActualDate.After(today) {
		c.field("actual_date", "project.date_in_future")
	}
	ev, fe := cleanEvidence("evidence", done.Evidence)
	c.add(fe)
	note, fe := cleanText("note", done.Note, 500, false)
	c.add(fe)
	if err := c.err(); err != nil {
		return Milestone{}, err
	}
	var out Milestone
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		m, p, err := s.milestoneToChange(ctx, tx, a, id)
		if err != nil {
			return err
		}
		evJSON, err := marshal(ev)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, "UPDATE milestones SET state = ?, actual_date = ?, evidence = ?, note = ?, updated_at = ? WHERE id = ?",
			MilestoneDone, done.ActualDate, evJSON, note, sqldb.At(now), id); err != nil {
			return err
		}
		if err := s.refreshLight(ctx, tx, p.ID, today, now); err != nil {
			return err
		}
		if out, err = getMilestone(ctx, tx, id, today); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "milestone.complete", ObjectType: "milestone", ObjectID: idText(id),
			RegionCode: p.RegionCode, Before: map[string]any{"state": m.State, "actual_date": m.ActualDate},
			After: map[string]any{"state": MilestoneDone, "actual_date": done.ActualDate, "evidence": ev, "note": note}})
	})
	return out, err
}

// MonthFlow is one month of the 有进有出 history: projects that entered
// the library (入库) and left it (竣工/投产, 退出).
type MonthFlow struct {
	Month     string `json:"month"` // YYYY-MM
	Entered   int    `json:"entered"`
	Completed int    `json:"completed"`
	Exited    int    `json:"exited"`
}

// FlowEvent is one entry or exit, for the lists behind the counts.
type FlowEvent struct {
	ProjectEvent
	ProjectID   int64  `json:"project_id"`
	ProjectName string `json:"project_name"`
	RegionCode  string `json:"region_code"`
}

// flowWhere selects the entries and exits in [from, to) of the projects
// the actor sees inside regionPrefix.
func flowWhere(a account.Actor, regionPrefix string, from, to workday.Date) (string, []any) {
	cond, args := projectWhere(a, ProjectFilter{Region: regionPrefix})
	return cond + " AND e.to_stage IN (?, ?, ?) AND e.at >= ? AND e.at < ?",
		append(args, Stocked, Completed, Exited, sqldb.FormatTime(from.Start()), sqldb.FormatTime(to.Start()))
}

// Flow returns the twelve months of year with the entries and exits of
// the projects the actor sees (inside regionPrefix, "" for all).
func (s *Service) Flow(ctx context.Context, a account.Actor, year int, regionPrefix string) ([]MonthFlow, error) {
	if !CanViewModule(a) {
		return nil, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	cond, args := flowWhere(a, regionPrefix, workday.NewDate(year, 1, 1), workday.NewDate(year+1, 1, 1))
	type step struct {
		to Stage
		at sqldb.Time
	}
	steps, err := queryAll(ctx, s.db, func(r scanner) (step, error) {
		var x step
		err := r.Scan(&x.to, &x.at)
		return x, err
	}, "SELECT e.to_stage, e.at FROM project_events e JOIN projects p ON p.id = e.project_id"+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("project flow: %w", err)
	}
	months := make([]MonthFlow, 12)
	for i := range months {
		months[i].Month = fmt.Sprintf("%04d-%02d", year, i+1)
	}
	for _, x := range steps {
		m := &months[workday.DateOf(x.at.Time).Month()-1]
		switch x.to {
		case Stocked:
			m.Entered++
		case Completed:
			m.Completed++
		case Exited:
			m.Exited++
		}
	}
	return months, nil
}

// FlowEvents lists the entries and exits of month ("YYYY-MM") behind
// Flow's counts, oldest first, one page at a time, with the total.
func (s *Service) FlowEvents(ctx context.Context, a account.Actor, month, regionPrefix string, page, perPage int) ([]FlowEvent, int, error) {
	if !CanViewModule(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	first, ok := parseMonth(month)
	if !ok {
		return nil, 0, apperr.Fields(apperr.Field("month", "project.month_format"))
	}
	normalizePage(&page, &perPage, 50)
	cond, args := flowWhere(a, regionPrefix, first, first.AddMonths(1))
	out, total, err := findPage(ctx, s.db, `e.id, e.action, e.from_stage, e.to_stage, e.note, COALESCE(e.actor_id, 0), `+userName("u")+`,
		e.at, p.id, p.name, p.region_code`, " FROM project_events e JOIN projects p ON p.id = e.project_id LEFT JOIN users u ON u.id = e.actor_id",
		cond, "e.at, e.id", args, page, perPage, func(r scanner) (FlowEvent, error) {
			var e FlowEvent
			var at sqldb.Time
			err := r.Scan(&e.ID, &e.Action, &e.From, &e.To, &e.Note, &e.ActorID, &e.ActorName, &at, &e.ProjectID, &e.ProjectName, &e.RegionCode)
			e.At = at.Time
			return e, err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("project flow events: %w", err)
	}
	return out, total, nil
}
