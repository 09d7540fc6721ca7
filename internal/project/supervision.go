package project

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
	"kechuang/internal/workday"
)

// Level is how hard an order presses (督办等级).
type Level string

// The levels, lowest first. An overdue order rises one level.
const (
	LevelGeneral Level = "general" // 一般督办
	LevelKey     Level = "key"     // 重点督办
	LevelListed  Level = "listed"  // 挂牌督办
)

// Levels lists the levels, lowest first.
var Levels = []Level{LevelGeneral, LevelKey, LevelListed}

// next returns the level above l, and false at the top.
func (l Level) next() (Level, bool) {
	i := slices.Index(Levels, l)
	if i < 0 || i == len(Levels)-1 {
		return l, false
	}
	return Levels[i+1], true
}

// SupervisionState is where an order is.
type SupervisionState string

// The order states: the unit replies to an open order, staff accept the
// reply (closed) or send it back (open again).
const (
	SupervisionOpen    SupervisionState = "open"
	SupervisionReplied SupervisionState = "replied"
	SupervisionClosed  SupervisionState = "closed"
)

// Target is what an order is about.
type Target string

// The targets.
const (
	TargetProject   Target = "project"
	TargetMilestone Target = "milestone"
	TargetRequest   Target = "request"
)

// The steps of an order's record.
const (
	StepOpen     = "open"
	StepReply    = "reply"
	StepAccept   = "accept"
	StepReturn   = "return"
	StepEscalate = "escalate"
)

// Supervision is a 督办 order.
type Supervision struct {
	ID             int64            `json:"id"`
	Target         Target           `json:"target_type"`
	ProjectID      int64            `json:"project_id,omitempty"`
	ProjectName    string           `json:"project_name,omitempty"`
	MilestoneID    int64            `json:"milestone_id,omitempty"`
	MilestoneName  string           `json:"milestone_name,omitempty"`
	RequestID      int64            `json:"request_id,omitempty"`
	RequestTitle   string           `json:"request_title,omitempty"`
	RegionCode     string           `json:"region_code"`
	UnitID         int64            `json:"unit_id"`
	UnitName       string           `json:"unit_name"`
	Problem        string           `json:"problem"`
	ActionRequired string           `json:"action_required"`
	Deadline       workday.Date     `json:"deadline"`
	Level          Level            `json:"level"`
	State          SupervisionState `json:"state"`
	// Auto is true for an order opened by a service request's breach.
	Auto        bool `json:"auto"`
	Escalations int  `json:"escalations"`
	// Overdue is true for an open order past its deadline.
	Overdue      bool               `json:"overdue"`
	OpenedBy     int64              `json:"opened_by,omitempty"`
	OpenedByName string             `json:"opened_by_name,omitempty"`
	RepliedBy    int64              `json:"replied_by,omitempty"`
	CreatedAt    time.Time          `json:"created_at"`
	UpdatedAt    time.Time          `json:"updated_at"`
	ClosedAt     time.Time          `json:"closed_at,omitzero"`
	Actions      []string           `json:"actions"`
	Events       []SupervisionEvent `json:"events,omitempty"` // filled by GetSupervision
}

// SupervisionEvent is one step of an order's record.
type SupervisionEvent struct {
	ID        int64            `json:"id"`
	Action    string           `json:"action"`
	From      SupervisionState `json:"from,omitempty"`
	To        SupervisionState `json:"to"`
	Level     Level            `json:"level"`
	Deadline  workday.Date     `json:"deadline"`
	Note      string           `json:"note,omitempty"`
	Evidence  []Evidence       `json:"evidence"`
	ActorID   int64            `json:"actor_id,omitempty"`
	ActorName string           `json:"actor_name,omitempty"`
	At        time.Time        `json:"at"`
}

// SupervisionInput opens an order.
type SupervisionInput struct {
	Target      Target `json:"target_type"`
	ProjectID   int64  `json:"project_id"`
	MilestoneID int64  `json:"milestone_id"`
	RequestID   int64  `json:"request_id"`
	// UnitID is the unit that must act; 0 takes the project's responsible
	// unit or the request's assigned unit.
	UnitID         int64        `json:"unit_id"`
	Problem        string       `json:"problem"`
	ActionRequired string       `json:"action_required"`
	Deadline       workday.Date `json:"deadline"`
	Level          Level        `json:"level"`
}

// SupervisionReply is the unit's answer: progress and evidence.
type SupervisionReply struct {
	Progress string     `json:"progress"`
	Evidence []Evidence `json:"evidence"`
}

// SupervisionFilter selects orders. Zero fields do not filter.
type SupervisionFilter struct {
	State     SupervisionState
	Level     Level
	Target    Target
	UnitID    int64
	ProjectID int64
	RequestID int64
	Region    string // region prefix
	// Overdue keeps open orders past their deadline.
	Overdue bool
	// Mine keeps the orders addressed to units the actor acts for.
	Mine    bool
	Page    int
	PerPage int
}

const supervisionColumns = `v.id, v.target, COALESCE(v.project_id, 0), COALESCE(p.name, ''), COALESCE(v.milestone_id, 0),
	COALESCE(m.name, ''), COALESCE(v.request_id, 0), COALESCE(r.title, ''), v.region_code, v.unit_id, g.name, v.problem,
	v.action_required, v.deadline, v.level, v.state, v.auto, v.escalations, COALESCE(v.opened_by, 0), ` + "COALESCE(NULLIF(o.display_name, ''), o.username, '')" + `,
	COALESCE(v.replied_by, 0), v.created_at, v.updated_at, v.closed_at`

const supervisionJoins = ` FROM supervisions v JOIN gov_units g ON g.id = v.unit_id LEFT JOIN projects p ON p.id = v.project_id
	LEFT JOIN milestones m ON m.id = v.milestone_id LEFT JOIN service_requests r ON r.id = v.request_id
	LEFT JOIN users o ON o.id = v.opened_by`

func scanSupervision(row interface{ Scan(...any) error }, today workday.Date) (Supervision, error) {
	var v Supervision
	var created, updated, closed sqldb.Time
	if err := row.Scan(&v.ID, &v.Target, &v.ProjectID, &v.ProjectName, &v.MilestoneID, &v.MilestoneName, &v.RequestID,
		&v.RequestTitle, &v.RegionCode, &v.UnitID, &v.UnitName, &v.Problem, &v.ActionRequired, &v.Deadline, &v.Level, &v.State,
		&v.Auto, &v.Escalations, &v.OpenedBy, &v.OpenedByName, &v.RepliedBy, &created, &updated, &closed); err != nil {
		return Supervision{}, err
	}
	v.Overdue = v.State == SupervisionOpen && v.Deadline.Before(today)
	v.CreatedAt, v.UpdatedAt, v.ClosedAt = created.Time, updated.Time, closed.Time
	v.Actions = []string{}
	return v, nil
}

func getSupervision(ctx context.Context, q sqldb.Querier, id int64, today workday.Date) (Supervision, error) {
	v, err := scanSupervision(q.QueryRowContext(ctx, "SELECT "+supervisionColumns+supervisionJoins+" WHERE v.id = ?", id), today)
	if sqldb.IsNoRows(err) {
		return Supervision{}, apperr.New(apperr.NotFound, "project.supervision_not_found")
	}
	if err != nil {
		return Supervision{}, fmt.Errorf("get supervision %d: %w", id, err)
	}
	return v, nil
}

// supervisionActions returns what the actor may do with the order: the
// unit's members reply to an open order; staff in scope other than the one
// who replied accept or return a reply.
func supervisionActions(a account.Actor, v Supervision, member bool) []string {
	out := []string{}
	switch v.State {
	case SupervisionOpen:
		if member {
			out = append(out, StepReply)
		}
	case SupervisionReplied:
		if managesRegion(a, v.RegionCode) && a.UserID != v.RepliedBy {
			out = append(out, StepAccept, StepReturn)
		}
	}
	return out
}

// supervisionFor reads an order the actor may see, with its actions.
func (s *Service) supervisionFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Supervision, error) {
	v, err := getSupervision(ctx, q, id, s.today())
	if err != nil {
		return Supervision{}, err
	}
	if !readsRegion(a, v.RegionCode) {
		return Supervision{}, apperr.New(apperr.NotFound, "project.supervision_not_found")
	}
	member, err := isMember(ctx, q, v.UnitID, a.UserID)
	if err != nil {
		return Supervision{}, err
	}
	v.Actions = supervisionActions(a, v, member)
	return v, nil
}

func insertSupervisionEvent(ctx context.Context, tx *sqldb.Tx, id int64, step string, from, to SupervisionState, level Level,
	deadline workday.Date, note string, evidence []Evidence, actorID int64, at time.Time) error {
	if evidence == nil {
		evidence = []Evidence{}
	}
	ev, err := marshal(evidence)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO supervision_events (supervision_id, action, from_state, to_state, level, deadline, note,
		evidence, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, step, string(from), string(to), level, deadline, note, ev,
		nullID(actorID), sqldb.At(at))
	if err != nil {
		return fmt.Errorf("insert supervision event: %w", err)
	}
	return nil
}

func supervisionEvents(ctx context.Context, q sqldb.Querier, id int64) ([]SupervisionEvent, error) {
	out, err := queryAll(ctx, q, func(r scanner) (SupervisionEvent, error) {
		var e SupervisionEvent
		var evidence string
		var at sqldb.Time
		if err := r.Scan(&e.ID, &e.Action, &e.From, &e.To, &e.Level, &e.Deadline, &e.Note, &evidence, &e.ActorID,
			&e.ActorName, &at); err != nil {
			return e, err
		}
		e.At = at.Time
		return e, json.Unmarshal([]byte(evidence), &e.Evidence)
	}, `SELECT e.id, e.action, e.from_state, e.to_state, e.level, e.deadline, e.note, e.evidence,
		COALESCE(e.actor_id, 0), `+userName("u")+`, e.at FROM supervision_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.supervision_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("supervision %d record: %w", id, err)
	}
	return out, nil
}

// newSupervision is a resolved order ready to insert.
type newSupervision struct {
	target                            Target
	projectID, milestoneID, requestID int64
	region                            string
	unitID                            int64
	problem, action                   string
	deadline                          workday.Date
	level                             Level
	auto                              bool
}

// insertSupervision writes a new order and its first record step.
func insertSupervision(ctx context.Context, tx *sqldb.Tx, n newSupervision, openedBy int64, now time.Time) (int64, error) {
	id, err := tx.InsertID(ctx, `INSERT INTO supervisions (target, project_id, milestone_id, request_id, region_code, unit_id, problem,
		action_required, deadline, level, state, auto, opened_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.target, nullID(n.projectID), nullID(n.milestoneID), nullID(n.requestID), n.region, n.unitID, n.problem, n.action, n.deadline,
		n.level, SupervisionOpen, n.auto, nullID(openedBy), sqldb.At(now), sqldb.At(now))
	if err != nil {
		return 0, err
	}
	return id, insertSupervisionEvent(ctx, tx, id, StepOpen, "", SupervisionOpen, n.level, n.deadline, n.problem, nil, openedBy, now)
}

// OpenSupervision opens a 督办 order on a project, one of its milestones
// or a service request the actor may see. Staff in scope open orders; the
// addressed unit must serve the target's region; the deadline may not lie
// in the past. Bad fields come back together as Invalid.
func (s *Service) OpenSupervision(ctx context.Context, a account.Actor, in SupervisionInput) (Supervision, error) {
	if !CanOpenSupervision(a) {
		return Supervision{}, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	today := s.today()
	var c collect
	var fe *apperr.FieldError
	in.Problem, fe = cleanText("problem", in.Problem, 1000, true)
	c.add(fe)
	in.ActionRequired, fe = cleanText("action_required", in.ActionRequired, 1000, true)
	c.add(fe)
	switch {
	case in.Deadline.IsZero():
		c.field("deadline", "error.required")
	case in.Deadline.Before(today):
		c.field("deadline", "project.deadline_past")
	}
	if in.Level == "" {
		in.Level = LevelGeneral
	}
	if !slices.Contains(Levels, in.Level) {
		c.field("level", "project.level_unknown")
	}
	if !slices.Contains([]Target{TargetProject, TargetMilestone, TargetRequest}, in.Target) {
		c.field("target_type", "project.target_unknown")
	}
	if err := c.err(); err != nil {
		return Supervision{}, err
	}
	var out Supervision
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		n := newSupervision{target: in.Target, problem: in.Problem, action: in.ActionRequired, deadline: in.Deadline, level: in.Level}
		defaultUnit := int64(0)
		switch in.Target {
		case TargetProject, TargetMilestone:
			projectID := in.ProjectID
			field, missing := "project_id", "project.not_found"
			if in.Target == TargetMilestone {
				field, missing = "milestone_id", "project.milestone_not_found"
				m, err := getMilestone(ctx, tx, in.MilestoneID, today)
				if apperr.Is(err, apperr.NotFound) {
					return apperr.Fields(apperr.Field(field, missing))
				}
				if err != nil {
					return err
				}
				n.milestoneID, projectID = m.ID, m.ProjectID
			}
			p, err := s.projectFor(ctx, tx, a, projectID)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Fields(apperr.Field(field, missing))
			}
			if err != nil {
				return err
			}
			if p.Stage.Closed() {
				return apperr.New(apperr.Conflict, "project.closed")
			}
			n.projectID, n.region, defaultUnit = p.ID, p.RegionCode, p.UnitID
		case TargetRequest:
			r, err := s.requestFor(ctx, tx, a, in.RequestID)
			if apperr.Is(err, apperr.NotFound) {
				return apperr.Fields(apperr.Field("request_id", "project.request_not_found"))
			}
			if err != nil {
				return err
			}
			n.requestID, n.region, defaultUnit = r.ID, r.RegionCode, r.UnitID
		}
		if !managesRegion(a, n.region) {
			return apperr.New(apperr.Forbidden, "project.only_staff")
		}
		n.unitID = in.UnitID
		if n.unitID == 0 {
			n.unitID = defaultUnit
		}
		if _, err := usableUnit(ctx, tx, a, n.unitID, n.region, "unit_id"); err != nil {
			return err
		}
		now := s.now()
		id, err := insertSupervision(ctx, tx, n, a.UserID, now)
		if err != nil {
			return err
		}
		if out, err = s.supervisionFor(ctx, tx, a, id); err != nil {
			return err
		}
		if err := s.notifySupervision(ctx, tx, out, StepOpen); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "supervision.open", ObjectType: "supervision", ObjectID: idText(id),
			RegionCode: out.RegionCode, After: out.auditView()})
	})
	return out, err
}

func (v Supervision) auditView() map[string]any {
	return map[string]any{"target": v.Target, "project_id": v.ProjectID, "milestone_id": v.MilestoneID, "request_id": v.RequestID,
		"unit_id": v.UnitID, "problem": v.Problem, "action_required": v.ActionRequired, "deadline": v.Deadline, "level": v.Level,
		"state": v.State}
}

// GetSupervision returns an order the actor may see, with its record.
func (s *Service) GetSupervision(ctx context.Context, a account.Actor, id int64) (Supervision, error) {
	v, err := s.supervisionFor(ctx, s.db, a, id)
	if err != nil {
		return Supervision{}, err
	}
	if v.Events, err = supervisionEvents(ctx, s.db, id); err != nil {
		return Supervision{}, err
	}
	return v, nil
}

// FindSupervisions lists the orders the actor may see that match f, the
// nearest deadline first, with the total.
func (s *Service) FindSupervisions(ctx context.Context, a account.Actor, f SupervisionFilter) ([]Supervision, int, error) {
	if !CanViewModule(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	normalizePage(&f.Page, &f.PerPage, 25)
	today := s.today()
	where := []string{"v.region_code LIKE ?"}
	args := []any{scopeLike(a)}
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.State != "" {
		add("v.state = ?", f.State)
	}
	if f.Level != "" {
		add("v.level = ?", f.Level)
	}
	if f.Target != "" {
		add("v.target = ?", f.Target)
	}
	if f.UnitID != 0 {
		add("v.unit_id = ?", f.UnitID)
	}
	if f.ProjectID != 0 {
		add("v.project_id = ?", f.ProjectID)
	}
	if f.RequestID != 0 {
		add("v.request_id = ?", f.RequestID)
	}
	if f.Region != "" {
		add("v.region_code LIKE ?", region.Prefix(f.Region)+"%")
	}
	if f.Overdue {
		add("v.state = ?", SupervisionOpen)
		add("v.deadline < ?", today)
	}
	if f.Mine {
		add("v.unit_id IN (SELECT unit_id FROM gov_unit_members WHERE user_id = ?)", a.UserID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	out, total, err := findPage(ctx, s.db, supervisionColumns, supervisionJoins, cond,
		"CASE WHEN v.state = 'closed' THEN 1 ELSE 0 END, v.deadline, v.id", args, f.Page, f.PerPage,
		func(r scanner) (Supervision, error) { return scanSupervision(r, today) })
	if err != nil {
		return nil, 0, fmt.Errorf("find supervisions: %w", err)
	}
	mine, err := memberUnits(ctx, s.db, a.UserID)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Actions = supervisionActions(a, out[i], mine[out[i].UnitID])
	}
	return out, total, nil
}

// stepSupervision moves order id by step when the actor may take it,
// running change inside the transaction before the record step is written.
func (s *Service) stepSupervision(ctx context.Context, a account.Actor, id int64, step string, note string, evidence []Evidence,
	change func(tx *sqldb.Tx, v Supervision, now time.Time) (SupervisionState, workday.Date, error)) (Supervision, error) {
	var out Supervision
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		v, err := s.supervisionFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !slices.Contains(v.Actions, step) {
			switch {
			case step == StepReply && v.State != SupervisionOpen, step != StepReply && v.State != SupervisionReplied:
				return apperr.New(apperr.Conflict, "project.supervision_state")
			case step == StepReply:
				return apperr.New(apperr.Forbidden, "project.not_your_unit")
			case managesRegion(a, v.RegionCode):
				return apperr.New(apperr.Forbidden, "project.second_person")
			}
			return apperr.New(apperr.Forbidden, "project.only_staff")
		}
		now := s.now()
		to, deadline, err := change(tx, v, now)
		if err != nil {
			return err
		}
		if err := insertSupervisionEvent(ctx, tx, id, step, v.State, to, v.Level, deadline, note, evidence, a.UserID, now); err != nil {
			return err
		}
		if out, err = s.supervisionFor(ctx, tx, a, id); err != nil {
			return err
		}
		if err := s.notifySupervision(ctx, tx, out, step); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "supervision." + step, ObjectType: "supervision", ObjectID: idText(id),
			RegionCode: v.RegionCode, Before: map[string]any{"state": v.State, "deadline": v.Deadline},
			After: map[string]any{"state": to, "deadline": deadline, "note": note, "evidence": evidence}})
	})
	return out, err
}

// ReplySupervision records the addressed unit's progress and evidence on
// an open order. Only the unit's members reply (others Forbidden); an
// order not open is Conflict.
func (s *Service) ReplySupervision(ctx context.Context, a account.Actor, id int64, r SupervisionReply) (Supervision, error) {
	var c collect
	progress, fe := cleanText("progress", r.Progress, 2000, true)
	c.add(fe)
	evidence, fe := cleanEvidence("evidence", r.Evidence)
	c.add(fe)
	if err := c.err(); err != nil {
		return Supervision{}, err
	}
	return s.stepSupervision(ctx, a, id, StepReply, progress, evidence, func(tx *sqldb.Tx, v Supervision, now time.Time) (SupervisionState, workday.Date, error) {
		_, err := tx.ExecContext(ctx, "UPDATE supervisions SET state = ?, replied_by = ?, updated_at = ? WHERE id = ?",
			SupervisionReplied, a.UserID, sqldb.At(now), id)
		return SupervisionReplied, v.Deadline, err
	})
}

// AcceptSupervision accepts the unit's reply and closes the order. Staff
// in scope accept, except the one who replied.
func (s *Service) AcceptSupervision(ctx context.Context, a account.Actor, id int64, note string) (Supervision, error) {
	note, fe := cleanText("note", note, 500, false)
	if fe != nil {
		return Supervision{}, apperr.Fields(*fe)
	}
	return s.stepSupervision(ctx, a, id, StepAccept, note, nil, func(tx *sqldb.Tx, v Supervision, now time.Time) (SupervisionState, workday.Date, error) {
		_, err := tx.ExecContext(ctx, "UPDATE supervisions SET state = ?, closed_at = ?, updated_at = ? WHERE id = ?",
			SupervisionClosed, sqldb.At(now), sqldb.At(now), id)
		return SupervisionClosed, v.Deadline, err
	})
}

// ReturnSupervision sends the unit's reply back with the reason; the
// order is open again, with deadline as its new deadline when given (not
// in the past).
func (s *Service) ReturnSupervision(ctx context.Context, a account.Actor, id int64, note string, deadline workday.Date) (Supervision, error) {
	note, fe := cleanText("note", note, 500, true)
	if fe != nil {
		return Supervision{}, apperr.Fields(*fe)
	}
	if !deadline.IsZero() && deadline.Before(s.today()) {
		return Supervision{}, apperr.Fields(apperr.Field("deadline", "project.deadline_past"))
	}
	return s.stepSupervision(ctx, a, id, StepReturn, note, nil, func(tx *sqldb.Tx, v Supervision, now time.Time) (SupervisionState, workday.Date, error) {
		d := v.Deadline
		if !deadline.IsZero() {
			d = deadline
		}
		_, err := tx.ExecContext(ctx, "UPDATE supervisions SET state = ?, deadline = ?, replied_by = NULL, updated_at = ? WHERE id = ?",
			SupervisionOpen, d, sqldb.At(now), id)
		return SupervisionOpen, d, err
	})
}

// EscalateOverdue raises every open order past its deadline by one level
// (一般 → 重点 → 挂牌督办) with a new deadline EscalationDays working days
// from today, and returns how many it raised. An order already 挂牌督办
// stays overdue. It acts as the system: the scheduled job calls it. The
// update is conditional on the level and deadline read, so an order is
// raised once even when two nodes run it.
func (s *Service) EscalateOverdue(ctx context.Context) (int, error) {
	now := s.now()
	today := workday.DateOf(now)
	ids, err := queryAll(ctx, s.db, scanID, "SELECT id FROM supervisions WHERE state = ? AND deadline < ? AND level <> ? ORDER BY id",
		SupervisionOpen, today, LevelListed)
	if err != nil {
		return 0, fmt.Errorf("overdue supervisions: %w", err)
	}
	raised := 0
	for _, id := range ids {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			v, err := getSupervision(ctx, tx, id, today)
			if err != nil {
				return err
			}
			up, ok := v.Level.next()
			if !ok || !v.Overdue {
				return nil
			}
			deadline, _ := s.cal.AddWorkdays(today, s.cfg.EscalationDays)
			res, err := tx.ExecContext(ctx, `UPDATE supervisions SET level = ?, deadline = ?, escalations = escalations + 1, updated_at = ?
				WHERE id = ? AND level = ? AND deadline = ? AND state = ?`, up, deadline, sqldb.At(now), id, v.Level, v.Deadline, SupervisionOpen)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			note := i18n.T(i18n.Chinese, "project.level."+string(v.Level)) + " → " + i18n.T(i18n.Chinese, "project.level."+string(up))
			if err := insertSupervisionEvent(ctx, tx, id, StepEscalate, v.State, v.State, up, deadline, note, nil, 0, now); err != nil {
				return err
			}
			raised++
			before := map[string]any{"level": v.Level, "deadline": v.Deadline}
			v.Level, v.Deadline, v.Escalations = up, deadline, v.Escalations+1
			if err := s.notifySupervision(ctx, tx, v, StepEscalate); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.System, audit.Event{Action: "supervision.escalate", ObjectType: "supervision",
				ObjectID: idText(id), RegionCode: v.RegionCode, Before: before, After: map[string]any{"level": up, "deadline": deadline}})
		})
		if err != nil {
			return raised, fmt.Errorf("escalate supervision %d: %w", id, err)
		}
	}
	return raised, nil
}

// LevelCount counts one unit's orders of one level.
type LevelCount struct {
	Level   Level `json:"level"`
	Total   int   `json:"total"`
	Open    int   `json:"open"` // open or replied, not yet closed
	Closed  int   `json:"closed"`
	Overdue int   `json:"overdue"`
}

// SupervisionStat is one unit's orders: counts by level and the average
// number of days from opening to closing.
type SupervisionStat struct {
	UnitID     int64        `json:"unit_id"`
	UnitName   string       `json:"unit_name"`
	RegionCode string       `json:"region_code"`
	ByLevel    []LevelCount `json:"by_level"`
	Total      int          `json:"total"`
	Open       int          `json:"open"`
	Closed     int          `json:"closed"`
	Overdue    int          `json:"overdue"`
	// AvgDaysToClose is the mean of closing minus opening in days (one
	// decimal) over the closed orders; nil when none is closed.
	AvgDaysToClose *float64 `json:"avg_days_to_close"`
}

// SupervisionStats returns, per unit, the orders the actor may see (inside
// regionPrefix, "" for all) counted by level and state, with the average
// days to close; the units with most open orders first.
func (s *Service) SupervisionStats(ctx context.Context, a account.Actor, regionPrefix string) ([]SupervisionStat, error) {
	if !CanViewModule(a) {
		return nil, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	today := s.today()
	where, args := "v.region_code LIKE ?", []any{scopeLike(a)}
	if regionPrefix != "" {
		where, args = where+" AND v.region_code LIKE ?", append(args, region.Prefix(regionPrefix)+"%")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT v.unit_id, g.name, g.region_code, v.level, v.state, v.deadline, v.created_at, v.closed_at
		FROM supervisions v JOIN gov_units g ON g.id = v.unit_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("supervision stats: %w", err)
	}
	defer rows.Close()
	byUnit := map[int64]*SupervisionStat{}
	closedDays := map[int64][]float64{}
	for rows.Next() {
		var unitID int64
		var name, code string
		var level Level
		var state SupervisionState
		var deadline workday.Date
		var created, closed sqldb.Time
		if err := rows.Scan(&unitID, &name, &code, &level, &state, &deadline, &created, &closed); err != nil {
			return nil, err
		}
		st := byUnit[unitID]
		if st == nil {
			st = &SupervisionStat{UnitID: unitID, UnitName: name, RegionCode: code}
			for _, l := range Levels {
				st.ByLevel = append(st.ByLevel, LevelCount{Level: l})
			}
			byUnit[unitID] = st
		}
		lc := &st.ByLevel[max(slices.Index(Levels, level), 0)]
		st.Total++
		lc.Total++
		switch {
		case state == SupervisionClosed:
			st.Closed++
			lc.Closed++
			closedDays[unitID] = append(closedDays[unitID], closed.Sub(created.Time).Hours()/24)
		default:
			st.Open++
			lc.Open++
			if state == SupervisionOpen && deadline.Before(today) {
				st.Overdue++
				lc.Overdue++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]SupervisionStat, 0, len(byUnit))
	for id, st := range byUnit {
		if days := closedDays[id]; len(days) > 0 {
			sum := 0.0
			for _, d := range days {
				sum += d
			}
			avg := roundTo(sum/float64(len(days)), 1)
			st.AvgDaysToClose = &avg
		}
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Open != out[j].Open {
			return out[i].Open > out[j].Open
		}
		return out[i].UnitName < out[j].UnitName
	})
	return out, nil
}
