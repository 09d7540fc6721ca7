package event

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// Service runs events, their registrations and meetings.
type Service struct {
	db     *sqldb.DB
	market *market.Service
	now    func() time.Time
}

// NewService returns the events service. m opens the deals and investment
// interests meetings lead to and checks pitches; now is the clock (nil
// means time.Now).
func NewService(db *sqldb.DB, m *market.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, market: m, now: now}
}

// CanCreate reports whether the actor may create events: bureau and county
// staff, in their region scope.
func CanCreate(a account.Actor) bool {
	return a.LoggedIn() && (a.Role == account.RoleStaff || a.Role == account.RoleCounty)
}

// CanManage reports whether the actor organises e: staff whose scope holds
// the event's region. Organisers edit, publish and cancel it, decide its
// registrations, check participants in and read its meetings and funnel.
func CanManage(a account.Actor, e Event) bool { return CanCreate(a) && a.InScope(e.RegionCode) }

// CanRegister reports whether the actor may register for events:
// enterprises, institutions and investors.
func CanRegister(a account.Actor) bool {
	if !a.LoggedIn() {
		return false
	}
	switch a.Role {
	case account.RoleEnterprise, account.RoleInstitution, account.RoleInvestor:
		return true
	}
	return false
}

// CanViewEvents reports whether the actor may open the events pages:
// everyone, since published events are public.
func (s *Service) CanViewEvents(account.Actor) bool { return true }

// CanCreate is CanCreate, for pages.
func (s *Service) CanCreate(a account.Actor) bool { return CanCreate(a) }

func public(e Event) bool { return e.State == Published || e.State == Cancelled }

// canRead reports whether the actor may see e at all: a public event
// anyone, a draft its organisers and the administrator.
func canRead(a account.Actor, e Event) bool {
	return public(e) || CanManage(a, e) || a.Role == account.RoleAdmin
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// Link is the page of event id.
func Link(id int64) string { return "/events/" + idText(id) }

func (s *Service) actions(a account.Actor, e Event) []string {
	out := []string{}
	if CanManage(a, e) {
		if e.State != Cancelled {
			out = append(out, "edit")
		}
		if e.State == Draft {
			out = append(out, "publish")
		}
		if e.State != Cancelled && !e.Past(s.now()) {
			out = append(out, "cancel")
		}
		out = append(out, "manage")
	}
	if CanRegister(a) && e.State == Published && !e.Past(s.now()) {
		out = append(out, "register")
	}
	return out
}

const eventColumns = `e.id, e.kind, e.state, e.title, e.summary, e.starts_at, e.ends_at, e.place, e.online_url, e.organiser,
	e.theme, e.domain, e.region_code, e.capacity, e.meetings_at, e.slot_minutes, e.slots, e.tables_count, COALESCE(e.created_by, 0),
	e.created_at, e.updated_at, e.published_at,
	(SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.state = 'approved'),
	(SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.state = 'waitlisted')`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var starts, ends, created, updated sqldb.Time
	var meetings, published sql.Null[sqldb.Time]
	err := row.Scan(&e.ID, &e.Kind, &e.State, &e.Title, &e.Summary, &starts, &ends, &e.Place, &e.OnlineURL, &e.Organiser,
		&e.Theme, &e.Domain, &e.RegionCode, &e.Capacity, &meetings, &e.SlotMinutes, &e.Slots, &e.Tables, &e.CreatedBy,
		&created, &updated, &published, &e.Approved, &e.Waitlisted)
	if err != nil {
		return e, err
	}
	e.StartsAt, e.EndsAt, e.CreatedAt, e.UpdatedAt = starts.Time, ends.Time, created.Time, updated.Time
	if meetings.Valid {
		t := meetings.V.Time
		e.MeetingsAt = &t
	}
	if published.Valid {
		t := published.V.Time
		e.PublishedAt = &t
	}
	return e, nil
}

func getEvent(ctx context.Context, q sqldb.Querier, id int64) (Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM events e WHERE e.id = ?", id))
	if sqldb.IsNoRows(err) {
		return Event{}, apperr.New(apperr.NotFound, "event.not_found")
	}
	if err != nil {
		return Event{}, fmt.Errorf("get event %d: %w", id, err)
	}
	return e, nil
}

// loadDetails fills the agenda and pitches of e.
func loadDetails(ctx context.Context, q sqldb.Querier, e *Event) error {
	rows, err := q.QueryContext(ctx, `SELECT starts, title, speaker FROM event_sessions WHERE event_id = ? ORDER BY position`, e.ID)
	if err != nil {
		return fmt.Errorf("event sessions: %w", err)
	}
	e.Sessions = []Session{}
	for rows.Next() {
		var x Session
		if err := rows.Scan(&x.Starts, &x.Title, &x.Speaker); err != nil {
			rows.Close()
			return err
		}
		e.Sessions = append(e.Sessions, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT p.listing_id, l.kind, l.title, COALESCE(NULLIF(u.organization, ''), u.display_name, '')
		FROM event_pitches p JOIN listings l ON l.id = p.listing_id LEFT JOIN users u ON u.id = l.owner_id
		WHERE p.event_id = ? ORDER BY p.position`, e.ID)
	if err != nil {
		return fmt.Errorf("event pitches: %w", err)
	}
	defer rows.Close()
	e.Pitches = []Pitch{}
	for rows.Next() {
		var p Pitch
		if err := rows.Scan(&p.ListingID, &p.Kind, &p.Title, &p.OwnerName); err != nil {
			return err
		}
		e.Pitches = append(e.Pitches, p)
	}
	return rows.Err()
}

// readable loads event id as the actor may see it, or NotFound.
func (s *Service) readable(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Event, error) {
	e, err := getEvent(ctx, q, id)
	if err != nil {
		return Event{}, err
	}
	if !canRead(a, e) {
		return Event{}, apperr.New(apperr.NotFound, "event.not_found")
	}
	return e, nil
}

// managed loads event id for its organiser; anyone else gets NotFound,
// also on a public event: the management pages are the organiser's.
func (s *Service) managed(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Event, error) {
	e, err := getEvent(ctx, q, id)
	if err != nil {
		return Event{}, err
	}
	if !CanManage(a, e) {
		return Event{}, apperr.New(apperr.NotFound, "event.not_found")
	}
	return e, nil
}

// GetEvent returns an event with its agenda, pitches, counts and the
// viewer's actions. A draft is NotFound to all but its organisers and the
// administrator.
func (s *Service) GetEvent(ctx context.Context, a account.Actor, id int64) (Event, error) {
	e, err := s.readable(ctx, s.db, a, id)
	if err != nil {
		return Event{}, err
	}
	if err := loadDetails(ctx, s.db, &e); err != nil {
		return Event{}, err
	}
	e.Actions = s.actions(a, e)
	return e, nil
}

// FindEvents lists the events the actor may see, soonest first for
// upcoming events and latest first otherwise. f.Manage lists those the
// actor organises, drafts included (none for others).
func (s *Service) FindEvents(ctx context.Context, a account.Actor, f Filter) ([]Event, int, error) {
	f.Normalize()
	var where []string
	var args []any
	switch {
	case f.Manage && !CanCreate(a):
		return []Event{}, 0, nil
	case f.Manage:
		where, args = append(where, "e.region_code LIKE ?"), append(args, region.Prefix(a.Scope())+"%")
	case a.Role == account.RoleAdmin:
	case CanCreate(a):
		where, args = append(where, "(e.state <> 'draft' OR e.region_code LIKE ?)"), append(args, region.Prefix(a.Scope())+"%")
	default:
		where = append(where, "e.state <> 'draft'")
	}
	if f.Kind != "" {
		where, args = append(where, "e.kind = ?"), append(args, string(f.Kind))
	}
	order := "e.starts_at DESC, e.id DESC"
	switch f.When {
	case "upcoming":
		where, args = append(where, "e.ends_at > ?"), append(args, sqldb.FormatTime(s.now()))
		order = "e.starts_at, e.id"
	case "past":
		where, args = append(where, "e.ends_at <= ?"), append(args, sqldb.FormatTime(s.now()))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM events e"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count events: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+eventColumns+" FROM events e"+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, err
		}
		e.Sessions, e.Pitches, e.Actions = []Session{}, []Pitch{}, s.actions(a, e)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (e Event) auditView() map[string]any {
	return map[string]any{"kind": e.Kind, "state": e.State, "title": e.Title, "starts_at": e.StartsAt, "organiser": e.Organiser,
		"places": e.Capacity, "slots": e.Slots, "tables": e.Tables}
}

// prepare validates in for actor a: the region defaults to the actor's and
// must lie in its scope; pitches must be published achievements or
// financing needs the actor can see.
func (s *Service) prepare(ctx context.Context, a account.Actor, in *Input) error {
	in.Normalize()
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	var ref *market.Reference
	if s.market != nil {
		ref = s.market.Reference()
	}
	if err := in.Validate(ref); err != nil {
		return err
	}
	if !a.InScope(in.RegionCode) {
		return apperr.Fields(apperr.Field("region_code", "event.region_scope"))
	}
	if in.MeetingsAt == nil {
		in.SlotMinutes, in.Slots, in.Tables = 0, 0, 0
	}
	for _, id := range in.Pitches {
		l, err := s.market.GetListing(ctx, a, id)
		if err != nil || l.Stored() != market.Published || (l.Kind != market.Achievement && l.Kind != market.Financing) {
			return apperr.Fields(apperr.Field("pitches", "event.pitch_bad", idText(id)))
		}
	}
	return nil
}

func writeDetails(ctx context.Context, tx *sqldb.Tx, id int64, in Input) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_sessions WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("clear sessions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_pitches WHERE event_id = ?`, id); err != nil {
		return fmt.Errorf("clear pitches: %w", err)
	}
	for i, x := range in.Sessions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_sessions (event_id, position, starts, title, speaker) VALUES (?, ?, ?, ?, ?)`,
			id, i+1, x.Starts, x.Title, x.Speaker); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
	}
	for i, l := range in.Pitches {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_pitches (event_id, listing_id, position) VALUES (?, ?, ?)`, id, l, i+1); err != nil {
			return fmt.Errorf("insert pitch: %w", err)
		}
	}
	return nil
}

func meetingsAt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqldb.At(*t)
}

// CreateEvent creates a draft event. Only staff may (Forbidden), in their
// scope; bad fields come back together as Invalid.
func (s *Service) CreateEvent(ctx context.Context, a account.Actor, in Input) (Event, error) {
	if !CanCreate(a) {
		return Event{}, apperr.New(apperr.Forbidden, "event.staff_only")
	}
	if err := s.prepare(ctx, a, &in); err != nil {
		return Event{}, err
	}
	var out Event
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO events (kind, state, title, summary, starts_at, ends_at, place, online_url, organiser,
			theme, domain, region_code, capacity, meetings_at, slot_minutes, slots, tables_count, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(in.Kind), string(Draft), in.Title, in.Summary,
			sqldb.At(in.StartsAt), sqldb.At(in.EndsAt), in.Place, in.OnlineURL, in.Organiser, in.Theme, in.Domain, in.RegionCode,
			in.Capacity, meetingsAt(in.MeetingsAt), in.SlotMinutes, in.Slots, in.Tables, a.UserID, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
		if err := writeDetails(ctx, tx, id, in); err != nil {
			return err
		}
		if out, err = getEvent(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "event.create", ObjectType: "event", ObjectID: idText(id),
			ObjectName: out.Title, RegionCode: out.RegionCode, After: out.auditView()})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, a, out.ID)
}

// UpdateEvent changes an event that is not cancelled. Its organiser only
// (NotFound for anyone else). A larger capacity moves the waiting list up;
// the meeting grid may not shrink below a booked slot or table (Conflict).
func (s *Service) UpdateEvent(ctx context.Context, a account.Actor, id int64, in Input) (Event, error) {
	if _, err := s.managed(ctx, s.db, a, id); err != nil {
		return Event{}, err
	}
	if err := s.prepare(ctx, a, &in); err != nil {
		return Event{}, err
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		before, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if before.State == Cancelled {
			return apperr.New(apperr.Conflict, "event.cancelled")
		}
		var outside int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_meetings WHERE event_id = ? AND state IN ('requested', 'accepted')
			AND (slot > ? OR table_no > ?)`, id, in.Slots, in.Tables).Scan(&outside); err != nil {
			return fmt.Errorf("count meetings outside: %w", err)
		}
		if outside > 0 {
			return apperr.New(apperr.Conflict, "event.meetings_outside")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET kind = ?, title = ?, summary = ?, starts_at = ?, ends_at = ?, place = ?,
			online_url = ?, organiser = ?, theme = ?, domain = ?, region_code = ?, capacity = ?, meetings_at = ?, slot_minutes = ?,
			slots = ?, tables_count = ?, updated_at = ? WHERE id = ?`, string(in.Kind), in.Title, in.Summary, sqldb.At(in.StartsAt),
			sqldb.At(in.EndsAt), in.Place, in.OnlineURL, in.Organiser, in.Theme, in.Domain, in.RegionCode, in.Capacity,
			meetingsAt(in.MeetingsAt), in.SlotMinutes, in.Slots, in.Tables, sqldb.At(now), id); err != nil {
			return fmt.Errorf("update event: %w", err)
		}
		if err := writeDetails(ctx, tx, id, in); err != nil {
			return err
		}
		after, err := getEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "event.update", ObjectType: "event", ObjectID: idText(id),
			ObjectName: after.Title, RegionCode: after.RegionCode, Before: before.auditView(), After: after.auditView()}); err != nil {
			return err
		}
		return promote(ctx, tx, a, after, now)
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, a, id)
}

// PublishEvent makes a draft public. Its organiser only.
func (s *Service) PublishEvent(ctx context.Context, a account.Actor, id int64) (Event, error) {
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if e.State != Draft {
			return apperr.New(apperr.Conflict, "event.not_draft")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET state = 'published', published_at = ?, updated_at = ? WHERE id = ?`,
			sqldb.At(now), sqldb.At(now), id); err != nil {
			return fmt.Errorf("publish event: %w", err)
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "event.publish", ObjectType: "event", ObjectID: idText(id),
			ObjectName: e.Title, RegionCode: e.RegionCode, Before: map[string]any{"state": e.State}, After: map[string]any{"state": Published}})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, a, id)
}

// CancelEvent cancels an event that has not ended, with a reason sent to
// everyone registered. Its organiser only.
func (s *Service) CancelEvent(ctx context.Context, a account.Actor, id int64, reason string) (Event, error) {
	reason = strings.TrimSpace(reason)
	if errs := text(nil, "reason", reason, true, maxNote); len(errs) > 0 {
		return Event{}, apperr.Fields(errs...)
	}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.managed(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if e.State == Cancelled || e.Past(now) {
			return apperr.New(apperr.Conflict, "event.cancelled")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET state = 'cancelled', updated_at = ? WHERE id = ?`, sqldb.At(now), id); err != nil {
			return fmt.Errorf("cancel event: %w", err)
		}
		users, err := userIDs(ctx, tx, `SELECT user_id FROM event_registrations WHERE event_id = ? AND state IN ('pending', 'approved', 'waitlisted')`, id)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := notice.Send(ctx, tx, notice.Message{To: u, Kind: "event.cancel", Key: "event.notice.cancelled",
				Args: []notice.Arg{notice.Text(e.Title)}, Body: notice.Text(reason), Link: Link(id), At: now}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "event.cancel", ObjectType: "event", ObjectID: idText(id),
			ObjectName: e.Title, RegionCode: e.RegionCode, Before: map[string]any{"state": e.State},
			After: map[string]any{"state": Cancelled, "cancel_reason": reason}})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, a, id)
}

func userIDs(ctx context.Context, q sqldb.Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
