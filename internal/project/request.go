package project

import (
	"context"
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

// RequestState is where a service request is.
type RequestState string

// The request states, in order.
const (
	RequestSubmitted RequestState = "submitted" // 待分派
	RequestAssigned  RequestState = "assigned"  // 已分派, awaiting the unit's response
	RequestResponded RequestState = "responded" // 已响应, being handled
	RequestResolved  RequestState = "resolved"  // 已办结, awaiting the enterprise's confirmation
	RequestConfirmed RequestState = "confirmed" // 已评价
)

// RequestStates lists the states in order.
var RequestStates = []RequestState{RequestSubmitted, RequestAssigned, RequestResponded, RequestResolved, RequestConfirmed}

// The steps of a request's record, also the actions pages offer.
const (
	ReqSubmit   = "submit"
	ReqAssign   = "assign"
	ReqReassign = "reassign"
	ReqRespond  = "respond"
	ReqResolve  = "resolve"
	ReqConfirm  = "confirm"
)

// Request is an enterprise's service request (企业诉求, 一企一策). The unit
// it is assigned to must respond within RespondDays and resolve within
// ResolveDays working days of the assignment.
type Request struct {
	ID             int64        `json:"id"`
	EnterpriseID   int64        `json:"enterprise_id"`
	EnterpriseName string       `json:"enterprise_name"`
	RegionCode     string       `json:"region_code"`
	RequesterID    int64        `json:"requester_id,omitempty"`
	Category       Category     `json:"category"`
	Title          string       `json:"title"`
	Description    string       `json:"description"`
	State          RequestState `json:"state"`
	UnitID         int64        `json:"unit_id,omitempty"`
	UnitName       string       `json:"unit_name,omitempty"`
	AssignedOn     workday.Date `json:"assigned_on"`
	RespondDue     workday.Date `json:"respond_due"`
	ResolveDue     workday.Date `json:"resolve_due"`
	// DueOfficial is false when a due date was counted Monday–Friday
	// because the calendar has no notice for its year.
	DueOfficial bool      `json:"due_official"`
	RespondedAt time.Time `json:"responded_at,omitzero"`
	Response    string    `json:"response,omitempty"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	Resolution  string    `json:"resolution,omitempty"`
	// RespondLate and ResolveLate: the limit passed before the step (or
	// has passed without it).
	RespondLate   bool           `json:"respond_late"`
	ResolveLate   bool           `json:"resolve_late"`
	ConfirmedAt   time.Time      `json:"confirmed_at,omitzero"`
	Rating        int            `json:"rating,omitempty"` // 1–5
	RatingComment string         `json:"rating_comment,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
	Actions       []string       `json:"actions"`
	Events        []RequestEvent `json:"events,omitempty"` // filled by GetRequest
}

// RequestEvent is one step of a request's record.
type RequestEvent struct {
	ID        int64        `json:"id"`
	Action    string       `json:"action"`
	From      RequestState `json:"from,omitempty"`
	To        RequestState `json:"to"`
	Note      string       `json:"note,omitempty"`
	ActorID   int64        `json:"actor_id,omitempty"`
	ActorName string       `json:"actor_name,omitempty"`
	At        time.Time    `json:"at"`
}

// RequestInput is what an enterprise submits.
type RequestInput struct {
	EnterpriseID int64    `json:"enterprise_id"`
	Category     Category `json:"category"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
}

// RequestFilter selects requests. Zero fields do not filter.
type RequestFilter struct {
	State        RequestState
	Category     Category
	UnitID       int64
	EnterpriseID int64
	Region       string // region prefix
	// Mine keeps the requests assigned to units the actor acts for.
	Mine bool
	// Late keeps the requests past a limit without the step it asks for.
	Late    bool
	Page    int
	PerPage int
}

const requestColumns = `r.id, r.enterprise_id, r.enterprise, r.region_code, COALESCE(r.requester_id, 0), r.category, r.title,
	r.description, r.state, COALESCE(r.unit_id, 0), COALESCE(g.name, ''), r.assigned_on, r.respond_due, r.resolve_due, r.due_official,
	r.responded_at, r.response, r.resolved_at, r.resolution, r.confirmed_at, COALESCE(r.rating, 0), r.rating_comment,
	r.created_at, r.updated_at`

const requestJoins = ` FROM service_requests r LEFT JOIN gov_units g ON g.id = r.unit_id`

func scanRequest(row interface{ Scan(...any) error }, today workday.Date) (Request, error) {
	var r Request
	var responded, resolved, confirmed, created, updated sqldb.Time
	if err := row.Scan(&r.ID, &r.EnterpriseID, &r.EnterpriseName, &r.RegionCode, &r.RequesterID, &r.Category, &r.Title,
		&r.Description, &r.State, &r.UnitID, &r.UnitName, &r.AssignedOn, &r.RespondDue, &r.ResolveDue, &r.DueOfficial,
		&responded, &r.Response, &resolved, &r.Resolution, &confirmed, &r.Rating, &r.RatingComment, &created, &updated); err != nil {
		return Request{}, err
	}
	r.RespondedAt, r.ResolvedAt, r.ConfirmedAt, r.CreatedAt, r.UpdatedAt = responded.Time, resolved.Time, confirmed.Time, created.Time, updated.Time
	r.RespondLate = late(r.RespondDue, r.RespondedAt, today)
	r.ResolveLate = late(r.ResolveDue, r.ResolvedAt, today)
	r.Actions = []string{}
	return r, nil
}

// late reports whether a step due on due was taken after it (at), or, not
// taken yet, is overdue on today. No due date is never late.
func late(due workday.Date, at time.Time, today workday.Date) bool {
	switch {
	case due.IsZero():
		return false
	case at.IsZero():
		return due.Before(today)
	}
	return due.Before(workday.DateOf(at))
}

func getRequest(ctx context.Context, q sqldb.Querier, id int64, today workday.Date) (Request, error) {
	r, err := scanRequest(q.QueryRowContext(ctx, "SELECT "+requestColumns+requestJoins+" WHERE r.id = ?", id), today)
	if sqldb.IsNoRows(err) {
		return Request{}, apperr.New(apperr.NotFound, "project.request_not_found")
	}
	if err != nil {
		return Request{}, fmt.Errorf("get request %d: %w", id, err)
	}
	return r, nil
}

// readsRequest reports whether the actor may see the request: the
// enterprise account that asked, staff in scope and the administrator.
func readsRequest(a account.Actor, r Request) bool {
	if a.LoggedIn() && a.Role == account.RoleEnterprise {
		return r.RequesterID == a.UserID
	}
	return readsRegion(a, r.RegionCode)
}

// requestActions returns what the actor may do with the request now.
func requestActions(a account.Actor, r Request, member bool) []string {
	out := []string{}
	switch r.State {
	case RequestSubmitted:
		if managesRegion(a, r.RegionCode) {
			out = append(out, ReqAssign)
		}
	case RequestAssigned:
		if managesRegion(a, r.RegionCode) {
			out = append(out, ReqReassign)
		}
		if member {
			out = append(out, ReqRespond, ReqResolve)
		}
	case RequestResponded:
		if member {
			out = append(out, ReqResolve)
		}
	case RequestResolved:
		if a.LoggedIn() && a.Role == account.RoleEnterprise && a.UserID == r.RequesterID {
			out = append(out, ReqConfirm)
		}
	}
	return out
}

// requestFor reads a request the actor may see, with its actions.
func (s *Service) requestFor(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Request, error) {
	r, err := getRequest(ctx, q, id, s.today())
	if err != nil {
		return Request{}, err
	}
	if !readsRequest(a, r) {
		return Request{}, apperr.New(apperr.NotFound, "project.request_not_found")
	}
	member, err := isMember(ctx, q, r.UnitID, a.UserID)
	if err != nil {
		return Request{}, err
	}
	r.Actions = requestActions(a, r, member)
	return r, nil
}

func insertRequestEvent(ctx context.Context, tx *sqldb.Tx, id int64, step string, from, to RequestState, note string, actorID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO service_request_events (request_id, action, from_state, to_state, note, actor_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, step, string(from), string(to), note, nullID(actorID), sqldb.At(at))
	if err != nil {
		return fmt.Errorf("insert request event: %w", err)
	}
	return nil
}

func requestEvents(ctx context.Context, q sqldb.Querier, id int64) ([]RequestEvent, error) {
	out, err := queryAll(ctx, q, func(r scanner) (RequestEvent, error) {
		var e RequestEvent
		var at sqldb.Time
		err := r.Scan(&e.ID, &e.Action, &e.From, &e.To, &e.Note, &e.ActorID, &e.ActorName, &at)
		e.At = at.Time
		return e, err
	}, `SELECT e.id, e.action, e.from_state, e.to_state, e.note, COALESCE(e.actor_id, 0), `+userName("u")+`,
		e.at FROM service_request_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.request_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("request %d record: %w", id, err)
	}
	return out, nil
}

func (r Request) auditView() map[string]any {
	return map[string]any{"enterprise_id": r.EnterpriseID, "category": r.Category, "title": r.Title, "state": r.State,
		"unit_id": r.UnitID, "respond_due": r.RespondDue, "resolve_due": r.ResolveDue, "rating": r.Rating}
}

// SubmitRequest records an enterprise's request for one of the registry
// enterprises linked to its account. Bad fields come back together as
// Invalid; an enterprise the account is not linked to is Invalid on
// enterprise_id.
func (s *Service) SubmitRequest(ctx context.Context, a account.Actor, in RequestInput) (Request, error) {
	if !CanSubmitRequest(a) {
		return Request{}, apperr.New(apperr.Forbidden, "project.only_enterprises")
	}
	var c collect
	var fe *apperr.FieldError
	if !slices.Contains(RequestCategories, in.Category) {
		c.field("category", "project.category_unknown")
	}
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Title, fe = cleanText("title", in.Title, 100, true)
	c.add(fe)
	in.Description, fe = cleanText("description", in.Description, 3000, true)
	c.add(fe)
	e, err := s.registry.GetEnterprise(ctx, a, in.EnterpriseID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		c.field("enterprise_id", "project.enterprise_not_found", in.EnterpriseID)
	case err != nil:
		return Request{}, err
	}
	if err := c.err(); err != nil {
		return Request{}, err
	}
	var out Request
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO service_requests (enterprise_id, enterprise, region_code, requester_id, category, title,
			description, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Name, e.RegionCode, a.UserID, in.Category, in.Title, in.Description, RequestSubmitted, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return err
		}
		if err := insertRequestEvent(ctx, tx, id, ReqSubmit, "", RequestSubmitted, "", a.UserID, now); err != nil {
			return err
		}
		if out, err = s.requestFor(ctx, tx, a, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "service_request.submit", ObjectType: "service_request",
			ObjectID: idText(id), RegionCode: out.RegionCode, After: out.auditView()})
	})
	return out, err
}

// GetRequest returns a request the actor may see, with its record.
func (s *Service) GetRequest(ctx context.Context, a account.Actor, id int64) (Request, error) {
	r, err := s.requestFor(ctx, s.db, a, id)
	if err != nil {
		return Request{}, err
	}
	if r.Events, err = requestEvents(ctx, s.db, id); err != nil {
		return Request{}, err
	}
	return r, nil
}

// FindRequests lists the requests the actor may see that match f, newest
// first, with the total. An enterprise sees its own.
func (s *Service) FindRequests(ctx context.Context, a account.Actor, f RequestFilter) ([]Request, int, error) {
	if !CanViewModule(a) && !CanSubmitRequest(a) {
		return nil, 0, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	normalizePage(&f.Page, &f.PerPage, 25)
	today := s.today()
	var where []string
	var args []any
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if a.Role == account.RoleEnterprise {
		add("r.requester_id = ?", a.UserID)
	} else {
		add("r.region_code LIKE ?", scopeLike(a))
	}
	if f.State != "" {
		add("r.state = ?", f.State)
	}
	if f.Category != "" {
		add("r.category = ?", f.Category)
	}
	if f.UnitID != 0 {
		add("r.unit_id = ?", f.UnitID)
	}
	if f.EnterpriseID != 0 {
		add("r.enterprise_id = ?", f.EnterpriseID)
	}
	if f.Region != "" {
		add("r.region_code LIKE ?", region.Prefix(f.Region)+"%")
	}
	if f.Mine {
		add("r.unit_id IN (SELECT unit_id FROM gov_unit_members WHERE user_id = ?)", a.UserID)
	}
	if f.Late {
		add("((r.state = ? AND r.respond_due < ?) OR (r.state IN (?, ?) AND r.resolve_due < ?))",
			RequestAssigned, today, RequestAssigned, RequestResponded, today)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	out, total, err := findPage(ctx, s.db, requestColumns, requestJoins, cond, "r.id DESC", args, f.Page, f.PerPage,
		func(r scanner) (Request, error) { return scanRequest(r, today) })
	if err != nil {
		return nil, 0, fmt.Errorf("find requests: %w", err)
	}
	mine, err := memberUnits(ctx, s.db, a.UserID)
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		out[i].Actions = requestActions(a, out[i], mine[out[i].UnitID])
	}
	return out, total, nil
}

// stepRequest takes step on request id when the actor may, running change
// in the transaction before the record step is written.
func (s *Service) stepRequest(ctx context.Context, a account.Actor, id int64, step, note string,
	change func(tx *sqldb.Tx, r Request, now time.Time) (RequestState, error)) (Request, error) {
	var out Request
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		r, err := s.requestFor(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !slices.Contains(r.Actions, step) {
			return refuseRequestStep(r, step)
		}
		now := s.now()
		to, err := change(tx, r, now)
		if err != nil {
			return err
		}
		if err := insertRequestEvent(ctx, tx, id, step, r.State, to, note, a.UserID, now); err != nil {
			return err
		}
		if out, err = s.requestFor(ctx, tx, a, id); err != nil {
			return err
		}
		if err := s.notifyRequest(ctx, tx, out, step); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "service_request." + step, ObjectType: "service_request",
			ObjectID: idText(id), RegionCode: r.RegionCode, Before: r.auditView(), After: out.auditView()})
	})
	return out, err
}

// refuseRequestStep explains why the actor may not take step: the state
// does not allow it (Conflict) or the actor is not the one to (Forbidden).
func refuseRequestStep(r Request, step string) error {
	from := map[string][]RequestState{
		ReqAssign: {RequestSubmitted}, ReqReassign: {RequestAssigned}, ReqRespond: {RequestAssigned},
		ReqResolve: {RequestAssigned, RequestResponded}, ReqConfirm: {RequestResolved},
	}
	if !slices.Contains(from[step], r.State) {
		return apperr.New(apperr.Conflict, "project.request_state")
	}
	switch step {
	case ReqRespond, ReqResolve:
		return apperr.New(apperr.Forbidden, "project.not_your_unit")
	case ReqConfirm:
		return apperr.New(apperr.Forbidden, "project.only_requester")
	}
	return apperr.New(apperr.Forbidden, "project.only_staff")
}

// AssignRequest gives a submitted request to a unit that serves its
// region (or, before the unit responded, to another one: the limits stay).
// The limits count RespondDays and ResolveDays working days from today on
// the calendar. Staff in scope assign.
func (s *Service) AssignRequest(ctx context.Context, a account.Actor, id, unitID int64, note string) (Request, error) {
	note, fe := cleanText("note", note, 500, false)
	if fe != nil {
		return Request{}, apperr.Fields(*fe)
	}
	step := ReqAssign
	if r, err := s.requestFor(ctx, s.db, a, id); err == nil && r.State == RequestAssigned {
		step = ReqReassign
	}
	return s.stepRequest(ctx, a, id, step, note, func(tx *sqldb.Tx, r Request, now time.Time) (RequestState, error) {
		u, err := usableUnit(ctx, tx, a, unitID, r.RegionCode, "unit_id")
		if err != nil {
			return "", err
		}
		if step == ReqReassign {
			_, err := tx.ExecContext(ctx, "UPDATE service_requests SET unit_id = ?, assigned_by = ?, updated_at = ? WHERE id = ?",
				u.ID, a.UserID, sqldb.At(now), r.ID)
			return RequestAssigned, err
		}
		today := workday.DateOf(now)
		respond, o1 := s.cal.AddWorkdays(today, s.cfg.RespondDays)
		resolve, o2 := s.cal.AddWorkdays(today, s.cfg.ResolveDays)
		_, err = tx.ExecContext(ctx, `UPDATE service_requests SET state = ?, unit_id = ?, assigned_by = ?, assigned_on = ?, respond_due = ?,
			resolve_due = ?, due_official = ?, updated_at = ? WHERE id = ?`,
			RequestAssigned, u.ID, a.UserID, today, respond, resolve, o1 && o2, sqldb.At(now), r.ID)
		return RequestAssigned, err
	})
}

// RespondRequest records the assigned unit's first response. Only the
// unit's members respond.
func (s *Service) RespondRequest(ctx context.Context, a account.Actor, id int64, response string) (Request, error) {
	response, fe := cleanText("response", response, 2000, true)
	if fe != nil {
		return Request{}, apperr.Fields(*fe)
	}
	return s.stepRequest(ctx, a, id, ReqRespond, response, func(tx *sqldb.Tx, r Request, now time.Time) (RequestState, error) {
		_, err := tx.ExecContext(ctx, "UPDATE service_requests SET state = ?, responded_at = ?, response = ?, updated_at = ? WHERE id = ?",
			RequestResponded, sqldb.At(now), response, sqldb.At(now), r.ID)
		return RequestResponded, err
	})
}

// ResolveRequest records how the assigned unit resolved the request; a
// resolution without an earlier response counts as the response too.
func (s *Service) ResolveRequest(ctx context.Context, a account.Actor, id int64, resolution string) (Request, error) {
	resolution, fe := cleanText("resolution", resolution, 2000, true)
	if fe != nil {
		return Request{}, apperr.Fields(*fe)
	}
	return s.stepRequest(ctx, a, id, ReqResolve, resolution, func(tx *sqldb.Tx, r Request, now time.Time) (RequestState, error) {
		set := "state = ?, resolved_at = ?, resolution = ?, updated_at = ?"
		args := []any{RequestResolved, sqldb.At(now), resolution, sqldb.At(now)}
		if r.RespondedAt.IsZero() {
			set, args = set+", responded_at = ?, response = ?", append(args, sqldb.At(now), resolution)
		}
		_, err := tx.ExecContext(ctx, "UPDATE service_requests SET "+set+" WHERE id = ?", append(args, r.ID)...)
		return RequestResolved, err
	})
}

// ConfirmRequest records the enterprise's confirmation of the result and
// its rating, 1 (very dissatisfied) to 5 (very satisfied). Only the account
// that asked confirms.
func (s *Service) ConfirmRequest(ctx context.Context, a account.Actor, id int64, rating int, comment string) (Request, error) {
	var c collect
	if rating < 1 || rating > 5 {
		c.field("rating", "project.rating_range")
	}
	comment, fe := cleanText("rating_comment", comment, 500, false)
	c.add(fe)
	if err := c.err(); err != nil {
		return Request{}, err
	}
	return s.stepRequest(ctx, a, id, ReqConfirm, comment, func(tx *sqldb.Tx, r Request, now time.Time) (RequestState, error) {
		_, err := tx.ExecContext(ctx, "UPDATE service_requests SET state = ?, confirmed_at = ?, rating = ?, rating_comment = ?, updated_at = ? WHERE id = ?",
			RequestConfirmed, sqldb.At(now), rating, comment, sqldb.At(now), r.ID)
		return RequestConfirmed, err
	})
}

// CheckRequestDeadlines opens a 督办 order (一般, due in SupervisionDays
// working days, addressed to the assigned unit) for every request whose
// response or resolution limit has passed without it, once per limit, and
// returns how many it opened. It acts as the system: the scheduled job
// calls it. The breach mark is claimed with a conditional update, so two
// nodes open one order.
func (s *Service) CheckRequestDeadlines(ctx context.Context) (int, error) {
	now := s.now()
	today := workday.DateOf(now)
	type breach struct {
		id      int64
		resolve bool
	}
	var due []breach
	rows, err := s.db.QueryContext(ctx, `SELECT id, state, respond_due, resolve_due, respond_breach, resolve_breach FROM service_requests
		WHERE (state = ? AND respond_due < ? AND respond_breach = ?) OR (state IN (?, ?) AND resolve_due < ? AND resolve_breach = ?)
		ORDER BY id`, RequestAssigned, today, false, RequestAssigned, RequestResponded, today, false)
	if err != nil {
		return 0, fmt.Errorf("requests past their limits: %w", err)
	}
	for rows.Next() {
		var id int64
		var state RequestState
		var respondDue, resolveDue workday.Date
		var respondBreach, resolveBreach bool
		if err := rows.Scan(&id, &state, &respondDue, &resolveDue, &respondBreach, &resolveBreach); err != nil {
			rows.Close()
			return 0, err
		}
		if state == RequestAssigned && respondDue.Before(today) && !respondBreach {
			due = append(due, breach{id: id})
		}
		if resolveDue.Before(today) && !resolveBreach {
			due = append(due, breach{id: id, resolve: true})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	opened := 0
	for _, b := range due {
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			r, err := getRequest(ctx, tx, b.id, today)
			if err != nil {
				return err
			}
			column, problemKey, actionKey, limit := "respond_breach", "project.auto.respond_problem", "project.auto.respond_action", r.RespondDue
			if b.resolve {
				column, problemKey, actionKey, limit = "resolve_breach", "project.auto.resolve_problem", "project.auto.resolve_action", r.ResolveDue
			}
			res, err := tx.ExecContext(ctx, "UPDATE service_requests SET "+column+" = ? WHERE id = ? AND "+column+" = ?", true, r.ID, false)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			deadline, _ := s.cal.AddWorkdays(today, s.cfg.SupervisionDays)
			n := newSupervision{target: TargetRequest, requestID: r.ID, region: r.RegionCode, unitID: r.UnitID,
				problem: i18n.T(i18n.Chinese, problemKey, r.EnterpriseName, r.Title, limit.String()),
				action:  i18n.T(i18n.Chinese, actionKey), deadline: deadline, level: LevelGeneral, auto: true}
			id, err := insertSupervision(ctx, tx, n, 0, now)
			if err != nil {
				return err
			}
			opened++
			v, err := getSupervision(ctx, tx, id, today)
			if err != nil {
				return err
			}
			if err := s.notifySupervision(ctx, tx, v, StepOpen); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.System, audit.Event{Action: "supervision.open", ObjectType: "supervision", ObjectID: idText(id),
				RegionCode: v.RegionCode, After: v.auditView()})
		})
		if err != nil {
			return opened, fmt.Errorf("breach of request %d: %w", b.id, err)
		}
	}
	return opened, nil
}

// RequestStat is one unit's service-request record.
type RequestStat struct {
	UnitID          int64  `json:"unit_id"`
	UnitName        string `json:"unit_name"`
	RegionCode      string `json:"region_code"`
	Received        int    `json:"received"` // assigned to the unit
	Responded       int    `json:"responded"`
	RespondedOnTime int    `json:"responded_on_time"`
	Resolved        int    `json:"resolved"`
	ResolvedOnTime  int    `json:"resolved_on_time"`
	// OnTimeRate is the percentage of decided requests (resolved, or past
	// the resolution limit) that were responded to and resolved within
	// both limits; nil when none is decided.
	OnTimeRate *float64 `json:"on_time_rate"`
	Rated      int      `json:"rated"`
	// Satisfaction is the mean rating (1–5, two decimals); nil when none.
	Satisfaction *float64 `json:"satisfaction"`
}

// RequestStats returns, per unit, the requests the actor may see (inside
// regionPrefix, "" for all): received, on time, satisfaction; the units
// that received most first.
func (s *Service) RequestStats(ctx context.Context, a account.Actor, regionPrefix string) ([]RequestStat, error) {
	if !CanViewModule(a) {
		return nil, apperr.New(apperr.Forbidden, "project.only_staff")
	}
	today := s.today()
	where, args := "r.region_code LIKE ?", []any{scopeLike(a)}
	if regionPrefix != "" {
		where, args = where+" AND r.region_code LIKE ?", append(args, region.Prefix(regionPrefix)+"%")
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+requestColumns+requestJoins+" WHERE r.unit_id IS NOT NULL AND "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("request stats: %w", err)
	}
	defer rows.Close()
	type acc struct {
		RequestStat
		decided, onTime, ratingSum int
	}
	byUnit := map[int64]*acc{}
	for rows.Next() {
		r, err := scanRequest(rows, today)
		if err != nil {
			return nil, err
		}
		st := byUnit[r.UnitID]
		if st == nil {
			st = &acc{RequestStat: RequestStat{UnitID: r.UnitID, UnitName: r.UnitName}}
			byUnit[r.UnitID] = st
		}
		st.Received++
		if !r.RespondedAt.IsZero() {
			st.Responded++
			if !r.RespondLate {
				st.RespondedOnTime++
			}
		}
		resolved := !r.ResolvedAt.IsZero()
		if resolved {
			st.Resolved++
			if !r.ResolveLate {
				st.ResolvedOnTime++
			}
		}
		if resolved || r.ResolveLate {
			st.decided++
			if resolved && !r.RespondLate && !r.ResolveLate {
				st.onTime++
			}
		}
		if r.Rating > 0 {
			st.Rated++
			st.ratingSum += r.Rating
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]RequestStat, 0, len(byUnit))
	for id, st := range byUnit {
		if u, err := getUnit(ctx, s.db, id); err == nil {
			st.RegionCode = u.RegionCode
		}
		if st.decided > 0 {
			rate := roundTo(float64(st.onTime)*100/float64(st.decided), 1)
			st.OnTimeRate = &rate
		}
		if st.Rated > 0 {
			avg := roundTo(float64(st.ratingSum)/float64(st.Rated), 2)
			st.Satisfaction = &avg
		}
		out = append(out, st.RequestStat)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Received != out[j].Received {
			return out[i].Received > out[j].Received
		}
		return out[i].UnitName < out[j].UnitName
	})
	return out, nil
}
