package event

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/market"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// MeetingState is where a one-to-one meeting stands.
type MeetingState string

// The states of a meeting. Only accepted meetings hold their people and
// table in their slot.
const (
	MeetingRequested MeetingState = "requested"
	MeetingAccepted  MeetingState = "accepted"
	MeetingDeclined  MeetingState = "declined"
	MeetingCancelled MeetingState = "cancelled"
)

// Outcome is what a held meeting led to.
type Outcome string

// The outcomes of a meeting. Interest opens a deal on the listing concerned
// (or an investment interest on a financing need).
const (
	OutcomeNone     Outcome = "none"
	OutcomeFollowUp Outcome = "follow_up"
	OutcomeInterest Outcome = "interest"
)

// Outcomes lists the outcomes in the order forms offer them.
var Outcomes = []Outcome{OutcomeNone, OutcomeFollowUp, OutcomeInterest}

// Party is one side of a meeting as the other side sees it: the contact
// only once the meeting is accepted.
type Party struct {
	UserID       int64        `json:"user_id"`
	Organisation string       `json:"organisation"`
	Role         account.Role `json:"role"`
	Contact      *Contact     `json:"contact"`
}

// Meeting is a one-to-one meeting at an event.
type Meeting struct {
	ID           int64        `json:"id"`
	EventID      int64        `json:"event_id"`
	Requester    Party        `json:"requester"`
	Receiver     Party        `json:"receiver"`
	ListingID    int64        `json:"listing_id"`
	ListingTitle string       `json:"listing_title"`
	Slot         int          `json:"slot"`
	StartsAt     time.Time    `json:"starts_at"`
	Table        int          `json:"table"`
	State        MeetingState `json:"state"`
	Message      string       `json:"message"`
	Outcome      Outcome      `json:"outcome"`
	OutcomeNote  string       `json:"outcome_note"`
	DealID       int64        `json:"deal_id"`
	InterestID   int64        `json:"interest_id"`
	// Actions are what the viewer may do: accept, decline, cancel, outcome.
	Actions []string `json:"actions"`
}

// Other returns the side of the meeting that is not user.
func (m Meeting) Other(user int64) Party {
	if m.Requester.UserID == user {
		return m.Receiver
	}
	return m.Requester
}

// MeetingInput is a request for a meeting: with whom (a user id), in which
// slot (1-based), about which listing of either side (optional) and a
// message.
type MeetingInput struct {
	With      int64  `json:"with"`
	Slot      int    `json:"slot"`
	ListingID int64  `json:"listing_id"`
	Message   string `json:"message"`
}

const meetingColumns = `m.id, m.event_id, m.requester_id, m.receiver_id, COALESCE(m.listing_id, 0), COALESCE(l.title, ''), m.slot,
	COALESCE(m.table_no, 0), m.state, m.message, m.outcome, m.outcome_note, COALESCE(m.deal_id, 0), COALESCE(m.interest_id, 0),
	rq.organisation, rq.role, rq.contact_name, rq.contact_phone, rq.contact_email,
	rc.organisation, rc.role, rc.contact_name, rc.contact_phone, rc.contact_email`

const meetingFrom = ` FROM event_meetings m LEFT JOIN listings l ON l.id = m.listing_id
	JOIN event_registrations rq ON rq.event_id = m.event_id AND rq.user_id = m.requester_id
	JOIN event_registrations rc ON rc.event_id = m.event_id AND rc.user_id = m.receiver_id`

func scanMeeting(row interface{ Scan(...any) error }, k *pii.Keyring) (Meeting, error) {
	var m Meeting
	var rq, rc Contact
	if err := row.Scan(&m.ID, &m.EventID, &m.Requester.UserID, &m.Receiver.UserID, &m.ListingID, &m.ListingTitle, &m.Slot, &m.Table,
		&m.State, &m.Message, &m.Outcome, &m.OutcomeNote, &m.DealID, &m.InterestID,
		&m.Requester.Organisation, &m.Requester.Role, &rq.Name, &rq.Phone, &rq.Email,
		&m.Receiver.Organisation, &m.Receiver.Role, &rc.Name, &rc.Phone, &rc.Email); err != nil {
		return m, err
	}
	if err := k.OpenAll(regPhone, &rq.Phone, regEmail, &rq.Email, regPhone, &rc.Phone, regEmail, &rc.Email); err != nil {
		return m, err
	}
	m.Requester.Contact, m.Receiver.Contact = &rq, &rc
	return m, nil
}

// view is the meeting as the actor sees it: the parties' contacts only to
// the organiser and, once accepted, to the two parties; the actions the
// actor may take.
func (s *Service) view(a account.Actor, e Event, m Meeting) Meeting {
	party := a.UserID == m.Requester.UserID || a.UserID == m.Receiver.UserID
	if !CanManage(a, e) && !(party && m.State == MeetingAccepted) {
		m.Requester.Contact, m.Receiver.Contact = nil, nil
	}
	m.StartsAt = e.SlotStart(m.Slot)
	m.Actions = []string{}
	if party {
		switch m.State {
		case MeetingRequested:
			if a.UserID == m.Receiver.UserID {
				m.Actions = append(m.Actions, "accept", "decline")
			}
			m.Actions = append(m.Actions, "cancel")
		case MeetingAccepted:
			if m.Outcome == "" {
				m.Actions = append(m.Actions, "cancel")
				if !s.now().Before(m.StartsAt) {
					m.Actions = append(m.Actions, "outcome")
				}
			}
		}
	}
	return m
}

func getMeeting(ctx context.Context, q sqldb.Querier, id int64) (Meeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, "SELECT "+meetingColumns+meetingFrom+" WHERE m.id = ?", id), pii.From(q))
	if sqldb.IsNoRows(err) {
		return Meeting{}, apperr.New(apperr.NotFound, "event.meeting_not_found")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("get meeting %d: %w", id, err)
	}
	return m, nil
}

func findMeetings(ctx context.Context, q sqldb.Querier, cond string, args ...any) ([]Meeting, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+meetingColumns+meetingFrom+" WHERE "+cond+" ORDER BY m.slot, m.table_no, m.id", args...)
	if err != nil {
		return nil, fmt.Errorf("find meetings: %w", err)
	}
	defer rows.Close()
	out := []Meeting{}
	for rows.Next() {
		m, err := scanMeeting(rows, pii.From(q))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (m Meeting) auditView() map[string]any {
	return map[string]any{"requester": m.Requester.Organisation, "receiver": m.Receiver.Organisation, "slot": m.Slot,
		"table": m.Table, "state": m.State, "outcome": m.Outcome, "deal_id": m.DealID, "interest_id": m.InterestID}
}

func meetingAudit(ctx context.Context, tx *sqldb.Tx, a account.Actor, action string, e Event, before, after Meeting) error {
	ev := audit.Event{Action: action, ObjectType: "event_meeting", ObjectID: idText(after.ID),
		ObjectName: e.Title + " · " + after.Requester.Organisation + " / " + after.Receiver.Organisation,
		RegionCode: e.RegionCode, After: after.auditView()}
	if before.ID != 0 {
		ev.Before = before.auditView()
	}
	return audit.Record(ctx, tx, a.Audit(), ev)
}

func slotText(e Event, slot int) string {
	return e.SlotStart(slot).In(beijing).Format("01-02 15:04")
}

var beijing = time.FixedZone("CST", 8*3600)

// approvedUser reports whether user holds an approved registration.
func approvedUser(ctx context.Context, q sqldb.Querier, eventID, user int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND user_id = ? AND state = 'approved'`,
		eventID, user).Scan(&n)
	return n > 0, err
}

// participantEvent loads an event the actor takes part in (an approved
// registration) or organises; anyone else gets NotFound.
func (s *Service) participantEvent(ctx context.Context, q sqldb.Querier, a account.Actor, id int64) (Event, bool, error) {
	e, err := s.readable(ctx, q, a, id)
	if err != nil {
		return Event{}, false, err
	}
	if CanManage(a, e) {
		return e, true, nil
	}
	ok, err := approvedUser(ctx, q, id, a.UserID)
	if err != nil {
		return Event{}, false, err
	}
	if !a.LoggedIn() || !ok {
		return Event{}, false, apperr.New(apperr.NotFound, "event.not_participant")
	}
	return e, false, nil
}

// Participant is an approved participant as others see them: no contact
// unless a meeting with the viewer is accepted.
type Participant struct {
	UserID       int64        `json:"user_id"`
	Organisation string       `json:"organisation"`
	Role         account.Role `json:"role"`
	Contact      *Contact     `json:"contact"`
	Listings     []ListingRef `json:"listings"`
}

// ListingRef names a published listing of a participant.
type ListingRef struct {
	ID    int64       `json:"id"`
	Kind  market.Kind `json:"kind"`
	Title string      `json:"title"`
}

// Participants lists the event's approved participants other than the
// viewer, with their published market listings, for a participant to
// choose whom to meet (the organiser sees them all with their contacts).
// Anyone else gets NotFound.
func (s *Service) Participants(ctx context.Context, a account.Actor, eventID int64) ([]Participant, error) {
	e, organiser, err := s.participantEvent(ctx, s.db, a, eventID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.user_id, r.organisation, r.role, r.contact_name, r.contact_phone, r.contact_email,
		(SELECT COUNT(*) FROM event_meetings m WHERE m.event_id = r.event_id AND m.state = 'accepted'
			AND ((m.requester_id = r.user_id AND m.receiver_id = ?) OR (m.receiver_id = r.user_id AND m.requester_id = ?)))
		FROM event_registrations r WHERE r.event_id = ? AND r.state = 'approved' AND r.user_id <> ? ORDER BY r.organisation, r.id`,
		a.UserID, a.UserID, e.ID, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("participants: %w", err)
	}
	defer rows.Close()
	out := []Participant{}
	var owners []int64
	for rows.Next() {
		var p Participant
		var c Contact
		var met int
		if err := rows.Scan(&p.UserID, &p.Organisation, &p.Role, &c.Name, &c.Phone, &c.Email, &met); err != nil {
			return nil, err
		}
		if organiser || met > 0 {
			if err := pii.From(s.db).OpenAll(regPhone, &c.Phone, regEmail, &c.Email); err != nil {
				return nil, err
			}
			p.Contact = &c
		}
		p.Listings = []ListingRef{}
		out = append(out, p)
		owners = append(owners, p.UserID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	listings, err := s.market.PublishedListingsOf(ctx, a, owners)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, p := range out {
		at[p.UserID] = i
	}
	for _, l := range listings {
		i := at[l.OwnerID]
		out[i].Listings = append(out[i].Listings, ListingRef{ID: l.ID, Kind: l.Kind, Title: l.Title})
	}
	return out, nil
}

// busy reports whether user holds slot already (an accepted meeting).
func busy(ctx context.Context, q sqldb.Querier, eventID int64, slot int, user int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_slot_holds WHERE event_id = ? AND slot = ? AND holder = ?`,
		eventID, slot, "u"+idText(user)).Scan(&n)
	return n > 0, err
}

// RequestMeeting asks another approved participant for a meeting in a
// slot. Both must be approved participants of a published event with
// meetings that has not ended, and both free in that slot (Conflict
// otherwise); the listing, if any, must be a published listing of either
// side. The other side is told.
func (s *Service) RequestMeeting(ctx context.Context, a account.Actor, eventID int64, in MeetingInput) (Meeting, error) {
	in.Message = strings.TrimSpace(in.Message)
	var out Meeting
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, _, err := s.participantEvent(ctx, tx, a, eventID)
		if err != nil {
			return err
		}
		if ok, err := approvedUser(ctx, tx, eventID, a.UserID); err != nil {
			return err
		} else if !ok {
			return apperr.New(apperr.Forbidden, "event.not_participant")
		}
		if e.State != Published || e.Past(now) || !e.HasMeetings() {
			return apperr.New(apperr.Conflict, "event.no_meetings")
		}
		errs := text(nil, "message", in.Message, false, maxNote)
		if in.Slot < 1 || in.Slot > e.Slots {
			errs = append(errs, apperr.Field("slot", "event.range", 1, e.Slots))
		}
		other, err := approvedUser(ctx, tx, eventID, in.With)
		if err != nil {
			return err
		}
		if !other || in.With == a.UserID {
			errs = append(errs, apperr.Field("with", "event.with_bad"))
		}
		if in.ListingID != 0 {
			l, err := s.market.GetListing(ctx, a, in.ListingID)
			if err != nil || l.Stored() != market.Published || (l.OwnerID != a.UserID && l.OwnerID != in.With) {
				errs = append(errs, apperr.Field("listing_id", "event.listing_bad"))
			}
		}
		if len(errs) > 0 {
			return apperr.Fields(errs...)
		}
		for _, u := range []int64{a.UserID, in.With} {
			if b, err := busy(ctx, tx, eventID, in.Slot, u); err != nil {
				return err
			} else if b {
				return apperr.New(apperr.Conflict, "event.slot_busy")
			}
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_meetings WHERE event_id = ? AND slot = ? AND state = 'requested'
			AND ((requester_id = ? AND receiver_id = ?) OR (requester_id = ? AND receiver_id = ?))`, eventID, in.Slot,
			a.UserID, in.With, in.With, a.UserID).Scan(&dup); err != nil {
			return fmt.Errorf("count requests: %w", err)
		}
		if dup > 0 {
			return apperr.New(apperr.Conflict, "event.meeting_duplicate")
		}
		var listing any
		if in.ListingID != 0 {
			listing = in.ListingID
		}
		id, err := tx.InsertID(ctx, `INSERT INTO event_meetings (event_id, requester_id, receiver_id, listing_id, slot, state, message,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'requested', ?, ?, ?)`, eventID, a.UserID, in.With, listing, in.Slot,
			in.Message, sqldb.At(now), sqldb.At(now))
		if err != nil {
			return fmt.Errorf("insert meeting: %w", err)
		}
		if out, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		m := notice.Message{To: in.With, Kind: "event.meeting_request", Key: "event.notice.meeting_requested",
			Args: []notice.Arg{notice.Text(out.Requester.Organisation), notice.Text(e.Title), notice.Text(slotText(e, in.Slot))},
			Link: Link(e.ID) + "/agenda", At: now}
		if in.Message != "" {
			m.Body = notice.Text(in.Message)
		}
		if err := notice.Send(ctx, tx, m); err != nil {
			return err
		}
		out = s.view(a, e, out)
		return meetingAudit(ctx, tx, a, "event.meeting_request", e, Meeting{}, out)
	})
	return out, err
}

// partyMeeting loads a meeting of the event for one of its parties (or the
// organiser, when organiser is true); anyone else gets NotFound.
func (s *Service) partyMeeting(ctx context.Context, tx *sqldb.Tx, a account.Actor, eventID, id int64) (Event, Meeting, error) {
	e, err := s.readable(ctx, tx, a, eventID)
	if err != nil {
		return Event{}, Meeting{}, err
	}
	m, err := getMeeting(ctx, tx, id)
	if err != nil {
		return Event{}, Meeting{}, err
	}
	if m.EventID != eventID || !a.LoggedIn() || (a.UserID != m.Requester.UserID && a.UserID != m.Receiver.UserID) {
		return Event{}, Meeting{}, apperr.New(apperr.NotFound, "event.meeting_not_found")
	}
	return e, m, nil
}

// RespondMeeting accepts or declines a meeting asked of the actor. Accepting
// books the two people and the first free table in the slot, in the same
// transaction; the primary key of event_slot_holds refuses a second booking
// of a person or a table in a slot, however requests interleave, so a busy
// person or a full slot is a Conflict. The requester is told.
func (s *Service) RespondMeeting(ctx context.Context, a account.Actor, eventID, id int64, accept bool) (Meeting, error) {
	var out Meeting
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, before, err := s.partyMeeting(ctx, tx, a, eventID, id)
		if err != nil {
			return err
		}
		if before.Receiver.UserID != a.UserID {
			return apperr.New(apperr.Forbidden, "event.meeting_receiver_only")
		}
		if before.State != MeetingRequested || e.State != Published || e.Past(now) {
			return apperr.New(apperr.Conflict, "event.meeting_state")
		}
		action, key := "event.meeting_decline", "event.notice.meeting_declined"
		if accept {
			action, key = "event.meeting_accept", "event.notice.meeting_accepted"
			if err := book(ctx, tx, e, before, now); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE event_meetings SET state = 'declined', updated_at = ? WHERE id = ?`,
			sqldb.At(now), id); err != nil {
			return fmt.Errorf("decline meeting: %w", err)
		}
		if out, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		if err := notice.Send(ctx, tx, notice.Message{To: out.Requester.UserID, Kind: action, Key: key,
			Args: []notice.Arg{notice.Text(out.Receiver.Organisation), notice.Text(e.Title), notice.Text(slotText(e, out.Slot))},
			Link: Link(e.ID) + "/agenda", At: now}); err != nil {
			return err
		}
		out = s.view(a, e, out)
		return meetingAudit(ctx, tx, a, action, e, before, out)
	})
	return out, err
}

// book holds the meeting's two people and a free table in its slot and
// marks it accepted.
func book(ctx context.Context, tx *sqldb.Tx, e Event, m Meeting, now time.Time) error {
	for _, u := range []int64{m.Requester.UserID, m.Receiver.UserID} {
		if b, err := busy(ctx, tx, e.ID, m.Slot, u); err != nil {
			return err
		} else if b {
			return apperr.New(apperr.Conflict, "event.slot_busy")
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT holder FROM event_slot_holds WHERE event_id = ? AND slot = ? AND holder LIKE 't%'`, e.ID, m.Slot)
	if err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	taken := map[int]bool{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(h, "t"))
		taken[n] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	table := 0
	for t := 1; t <= e.Tables; t++ {
		if !taken[t] {
			table = t
			break
		}
	}
	if table == 0 {
		return apperr.New(apperr.Conflict, "event.slot_full")
	}
	for _, h := range []string{"u" + idText(m.Requester.UserID), "u" + idText(m.Receiver.UserID), "t" + strconv.Itoa(table)} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_slot_holds (event_id, slot, holder, meeting_id) VALUES (?, ?, ?, ?)`,
			e.ID, m.Slot, h, m.ID); err != nil {
			if apperr.Is(sqldb.MapError(err), apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "event.slot_busy") // a concurrent acceptance won
			}
			return fmt.Errorf("hold slot: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_meetings SET state = 'accepted', table_no = ?, updated_at = ? WHERE id = ?`,
		table, sqldb.At(now), m.ID); err != nil {
		if apperr.Is(sqldb.MapError(err), apperr.Conflict) {
			return apperr.Wrap(apperr.Conflict, err, "event.slot_full")
		}
		return fmt.Errorf("accept meeting: %w", err)
	}
	return nil
}

// CancelMeeting cancels a requested or accepted meeting without an outcome,
// by either party; its slot holds are released and the other side told.
func (s *Service) CancelMeeting(ctx context.Context, a account.Actor, eventID, id int64) (Meeting, error) {
	var out Meeting
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, before, err := s.partyMeeting(ctx, tx, a, eventID, id)
		if err != nil {
			return err
		}
		if (before.State != MeetingRequested && before.State != MeetingAccepted) || before.Outcome != "" {
			return apperr.New(apperr.Conflict, "event.meeting_state")
		}
		if err := cancelMeeting(ctx, tx, before.ID, now); err != nil {
			return err
		}
		if out, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		other := out.Other(a.UserID)
		me := out.Requester
		if me.UserID != a.UserID {
			me = out.Receiver
		}
		if err := notice.Send(ctx, tx, notice.Message{To: other.UserID, Kind: "event.meeting_cancel", Key: "event.notice.meeting_cancelled",
			Args: []notice.Arg{notice.Text(me.Organisation), notice.Text(e.Title), notice.Text(slotText(e, out.Slot))},
			Link: Link(e.ID) + "/agenda", At: now}); err != nil {
			return err
		}
		out = s.view(a, e, out)
		return meetingAudit(ctx, tx, a, "event.meeting_cancel", e, before, out)
	})
	return out, err
}

func cancelMeeting(ctx context.Context, tx *sqldb.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_slot_holds WHERE meeting_id = ?`, id); err != nil {
		return fmt.Errorf("release slot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_meetings SET state = 'cancelled', updated_at = ? WHERE id = ?`, sqldb.At(now), id); err != nil {
		return fmt.Errorf("cancel meeting: %w", err)
	}
	return nil
}

// dropMeetings cancels the open meetings of a user who no longer takes part
// (withdrawn or declined), telling the other sides.
func (s *Service) dropMeetings(ctx context.Context, tx *sqldb.Tx, a account.Actor, e Event, user int64, now time.Time) error {
	list, err := findMeetings(ctx, tx, `m.event_id = ? AND (m.requester_id = ? OR m.receiver_id = ?) AND m.state IN ('requested', 'accepted')
		AND m.outcome = ''`, e.ID, user, user)
	if err != nil {
		return err
	}
	for _, m := range list {
		if err := cancelMeeting(ctx, tx, m.ID, now); err != nil {
			return err
		}
		me, other := m.Requester, m.Receiver
		if me.UserID != user {
			me, other = other, me
		}
		if err := notice.Send(ctx, tx, notice.Message{To: other.UserID, Kind: "event.meeting_cancel", Key: "event.notice.meeting_cancelled",
			Args: []notice.Arg{notice.Text(me.Organisation), notice.Text(e.Title), notice.Text(slotText(e, m.Slot))},
			Link: Link(e.ID) + "/agenda", At: now}); err != nil {
			return err
		}
		after := m
		after.State = MeetingCancelled
		if err := meetingAudit(ctx, tx, a, "event.meeting_cancel", e, m, after); err != nil {
			return err
		}
	}
	return nil
}

// MeetingFilter selects meetings of an event.
type MeetingFilter struct {
	State MeetingState
}

// Meetings lists an event's meetings: all of them for the organiser, the
// actor's own for a participant, by slot and table; anyone else gets
// NotFound.
func (s *Service) Meetings(ctx context.Context, a account.Actor, eventID int64, f MeetingFilter) ([]Meeting, error) {
	e, err := s.readable(ctx, s.db, a, eventID)
	if err != nil {
		return nil, err
	}
	cond, args := "m.event_id = ?", []any{eventID}
	if !CanManage(a, e) {
		if !a.LoggedIn() {
			return nil, apperr.New(apperr.NotFound, "event.not_participant")
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND user_id = ?`,
			eventID, a.UserID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, apperr.New(apperr.NotFound, "event.not_participant")
		}
		cond, args = cond+" AND (m.requester_id = ? OR m.receiver_id = ?)", append(args, a.UserID, a.UserID)
	}
	if f.State != "" {
		cond, args = cond+" AND m.state = ?", append(args, string(f.State))
	}
	list, err := findMeetings(ctx, s.db, cond, args...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i] = s.view(a, e, list[i])
	}
	return list, nil
}

// GetMeeting returns one meeting for its parties and the organiser.
func (s *Service) GetMeeting(ctx context.Context, a account.Actor, eventID, id int64) (Meeting, error) {
	e, err := s.readable(ctx, s.db, a, eventID)
	if err != nil {
		return Meeting{}, err
	}
	m, err := getMeeting(ctx, s.db, id)
	if err != nil {
		return Meeting{}, err
	}
	party := a.LoggedIn() && (a.UserID == m.Requester.UserID || a.UserID == m.Receiver.UserID)
	if m.EventID != eventID || !(party || CanManage(a, e)) {
		return Meeting{}, apperr.New(apperr.NotFound, "event.meeting_not_found")
	}
	return s.view(a, e, m), nil
}

// OutcomeInput is what a party records after a meeting.
type OutcomeInput struct {
	Outcome Outcome `json:"outcome"`
	Note    string  `json:"note"`
}

// RecordOutcome records what an accepted meeting led to, by either party,
// once its slot has begun; a meeting has one outcome (Conflict after).
// Interest needs the meeting's listing to be the other side's: it opens,
// as the actor, a market deal on it (market.CreateDeal, with the actor's
// registration contact) or, on a financing need, an investment interest
// (market.ExpressInterest) — exactly what a normal interest does, with its
// own notices and audit rows — and the meeting keeps the link, so that the
// event's funnel follows the deal.
func (s *Service) RecordOutcome(ctx context.Context, a account.Actor, eventID, id int64, in OutcomeInput) (Meeting, error) {
	in.Note = strings.TrimSpace(in.Note)
	var me Registration
	var e Event
	var m Meeting
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if e, m, err = s.partyMeeting(ctx, tx, a, eventID, id); err != nil {
			return err
		}
		me, err = getReg(ctx, tx, "r.event_id = ? AND r.user_id = ?", eventID, a.UserID)
		return err
	})
	if err != nil {
		return Meeting{}, err
	}
	if m.State != MeetingAccepted || m.Outcome != "" || s.now().Before(e.SlotStart(m.Slot)) {
		return Meeting{}, apperr.New(apperr.Conflict, "event.outcome_state")
	}
	errs := text(nil, "note", in.Note, in.Outcome == OutcomeInterest, maxNote)
	switch in.Outcome {
	case OutcomeNone, OutcomeFollowUp, OutcomeInterest:
	default:
		errs = append(errs, apperr.Field("outcome", "error.required"))
	}
	var l market.Listing
	if in.Outcome == OutcomeInterest {
		var err error
		if m.ListingID != 0 {
			l, err = s.market.GetListing(ctx, a, m.ListingID)
		}
		switch {
		case m.ListingID == 0 || err != nil:
			errs = append(errs, apperr.Field("outcome", "event.outcome_needs_listing"))
		case l.OwnerID == a.UserID:
			errs = append(errs, apperr.Field("outcome", "event.outcome_own_listing"))
		}
	}
	if len(errs) > 0 {
		return Meeting{}, apperr.Fields(errs...)
	}
	var dealID, interestID any
	if in.Outcome == OutcomeInterest {
		if l.Kind == market.Financing {
			x, err := s.market.ExpressInterest(ctx, a, l.ID, in.Note)
			if err != nil {
				return Meeting{}, err
			}
			interestID = x.ID
		} else {
			d, err := s.market.CreateDeal(ctx, a, market.DealInput{ListingID: l.ID, Message: in.Note,
				Contact: market.Contact{Name: me.Contact.Name, Phone: me.Contact.Phone, Email: me.Contact.Email}})
			if err != nil {
				return Meeting{}, err
			}
			dealID = d.ID
		}
	}
	var out Meeting
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE event_meetings SET outcome = ?, outcome_note = ?, outcome_by = ?, outcome_at = ?,
			deal_id = ?, interest_id = ?, updated_at = ? WHERE id = ? AND state = 'accepted' AND outcome = ''`, string(in.Outcome), in.Note,
			a.UserID, sqldb.At(now), dealID, interestID, sqldb.At(now), id)
		if err != nil {
			return fmt.Errorf("record outcome: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.New(apperr.Conflict, "event.outcome_state")
		}
		if out, err = getMeeting(ctx, tx, id); err != nil {
			return err
		}
		who := out.Requester
		if who.UserID != a.UserID {
			who = out.Receiver
		}
		if err := notice.Send(ctx, tx, notice.Message{To: out.Other(a.UserID).UserID, Kind: "event.meeting_outcome",
			Key: "event.notice.outcome", Args: []notice.Arg{notice.Text(who.Organisation), notice.Text(e.Title),
				notice.Code("event.outcome." + string(in.Outcome))}, Link: Link(e.ID) + "/agenda", At: now}); err != nil {
			return err
		}
		out = s.view(a, e, out)
		return meetingAudit(ctx, tx, a, "event.meeting_outcome", e, m, out)
	})
	return out, err
}

// Agenda is a participant's own page of an event: the registration (with
// the check-in URL its QR code encodes), the meetings asked and booked, the
// slots and which of them the participant holds.
type Agenda struct {
	Event        Event          `json:"event"`
	Registration Registration   `json:"registration"`
	Meetings     []Meeting      `json:"meetings"`
	Slots        []SlotOfAgenda `json:"slots"`
}

// SlotOfAgenda is one slot of a personal agenda: its time and the accepted
// meeting the participant has in it, if any.
type SlotOfAgenda struct {
	Slot     int       `json:"slot"`
	StartsAt time.Time `json:"starts_at"`
	Meeting  *Meeting  `json:"meeting"`
}

// MyAgenda returns the actor's agenda for an event it registered for;
// NotFound without a registration.
func (s *Service) MyAgenda(ctx context.Context, a account.Actor, eventID int64) (Agenda, error) {
	e, err := s.GetEvent(ctx, a, eventID)
	if err != nil {
		return Agenda{}, err
	}
	reg, err := s.MyRegistration(ctx, a, eventID)
	if err != nil {
		return Agenda{}, err
	}
	ms, err := s.Meetings(ctx, a, eventID, MeetingFilter{})
	if err != nil {
		return Agenda{}, err
	}
	ag := Agenda{Event: e, Registration: reg, Meetings: ms, Slots: []SlotOfAgenda{}}
	for i, t := range e.SlotTimes() {
		sl := SlotOfAgenda{Slot: i + 1, StartsAt: t}
		for j := range ms {
			if ms[j].Slot == i+1 && ms[j].State == MeetingAccepted {
				sl.Meeting = &ms[j]
			}
		}
		ag.Slots = append(ag.Slots, sl)
	}
	return ag, nil
}

// Funnel is an event's conversion counted from its rows: approved
// registrations, those who checked in, accepted meetings, meetings that
// opened a deal or investment interest, and of those the ones that reached
// a contract now (a deal signed or registered, an interest invested).
type Funnel struct {
	Registered int `json:"registered"`
	Attended   int `json:"attended"`
	Meetings   int `json:"meetings"`
	Deals      int `json:"deals"`
	Contracts  int `json:"contracts"`
}

// Funnel counts the event's funnel for its organiser and the
// administrator (NotFound for anyone else).
func (s *Service) Funnel(ctx context.Context, a account.Actor, eventID int64) (Funnel, error) {
	e, err := s.readable(ctx, s.db, a, eventID)
	if err != nil {
		return Funnel{}, err
	}
	if !CanManage(a, e) && a.Role != account.RoleAdmin {
		return Funnel{}, apperr.New(apperr.NotFound, "event.not_found")
	}
	var f Funnel
	if err := s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'approved' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'approved' AND checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM event_registrations WHERE event_id = ?`, eventID).Scan(&f.Registered, &f.Attended); err != nil {
		return f, fmt.Errorf("funnel registrations: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_meetings WHERE event_id = ? AND state = 'accepted'`,
		eventID).Scan(&f.Meetings); err != nil {
		return f, fmt.Errorf("funnel meetings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT COALESCE(deal_id, 0), COALESCE(interest_id, 0) FROM event_meetings
		WHERE event_id = ? AND state = 'accepted' AND (deal_id IS NOT NULL OR interest_id IS NOT NULL)`, eventID)
	if err != nil {
		return f, fmt.Errorf("funnel deals: %w", err)
	}
	var deals, interests []int64
	for rows.Next() {
		var d, i int64
		if err := rows.Scan(&d, &i); err != nil {
			rows.Close()
			return f, err
		}
		if d != 0 {
			deals = append(deals, d)
		}
		if i != 0 {
			interests = append(interests, i)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	p, err := s.market.ProgressOf(ctx, a, deals, interests)
	if err != nil {
		return f, err
	}
	f.Deals, f.Contracts = p.Deals+p.Interests, p.Contracts()
	return f, nil
}
