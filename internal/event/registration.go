package event

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/notice"
	"kechuang/internal/pii"
	"kechuang/internal/sqldb"
)

// The columns of personal data, sealed at rest (package pii).
var (
	regPhone = pii.Column{Table: "event_registrations", Name: "contact_phone"}
	regEmail = pii.Column{Table: "event_registrations", Name: "contact_email"}
)

// SealedColumns are the events' columns holding personal data: the wiring
// seals their legacy plain text at start (pii.SealAll).
var SealedColumns = []pii.Column{regPhone, regEmail}

// RegState is where a registration stands.
type RegState string

// The states of a registration. Approved registrations hold the places
// (at most the capacity); waitlisted ones wait for a place in order.
const (
	RegPending    RegState = "pending"
	RegApproved   RegState = "approved"
	RegWaitlisted RegState = "waitlisted"
	RegDeclined   RegState = "declined"
	RegCancelled  RegState = "cancelled"
)

// RegStates lists the states in the order filters offer them.
var RegStates = []RegState{RegPending, RegApproved, RegWaitlisted, RegDeclined, RegCancelled}

// Contact is how to reach a participant. Other participants see it only
// once a meeting between them is accepted.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// Registration is one user's registration for an event, for its
// organisation.
type Registration struct {
	ID           int64        `json:"id"`
	EventID      int64        `json:"event_id"`
	UserID       int64        `json:"user_id"`
	Organisation string       `json:"organisation"`
	Role         account.Role `json:"role"`
	Contact      Contact      `json:"contact"`
	Note         string       `json:"note"`
	State        RegState     `json:"state"`
	// Position is the place on the waiting list (1 = next), 0 otherwise.
	Position    int        `json:"position"`
	CheckedInAt *time.Time `json:"checked_in_at"`
	CreatedAt   time.Time  `json:"created_at"`
	// token is the secret part of the check-in URL: only the registrant
	// (on the agenda page, as a QR code) and the organiser's scan see it.
	token string
}

// CheckInPath is the URL the registration's QR code encodes: unguessable,
// and useful to the organiser only (anyone else gets NotFound there).
func (r Registration) CheckInPath() string {
	if r.token == "" {
		return ""
	}
	return Link(r.EventID) + "/checkin/" + r.token
}

// RegistrationInput is what a registrant writes.
type RegistrationInput struct {
	Contact Contact `json:"contact"`
	Note    string  `json:"note"`
}

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRE = regexp.MustCompile(`^[0-9+\-() ]{5,20}$`)
)

func (in *RegistrationInput) normalize() {
	in.Contact.Name, in.Contact.Phone = strings.TrimSpace(in.Contact.Name), strings.TrimSpace(in.Contact.Phone)
	in.Contact.Email, in.Note = strings.TrimSpace(in.Contact.Email), strings.TrimSpace(in.Note)
}

func (in RegistrationInput) validate() error {
	errs := text(nil, "contact_name", in.Contact.Name, true, 50)
	errs = text(errs, "note", in.Note, false, maxNote)
	if in.Contact.Phone == "" && in.Contact.Email == "" {
		errs = append(errs, apperr.Field("contact_phone", "event.contact_required"))
	}
	if in.Contact.Phone != "" && !phoneRE.MatchString(in.Contact.Phone) {
		errs = append(errs, apperr.Field("contact_phone", "event.phone_bad"))
	}
	switch {
	case utf8.RuneCountInString(in.Contact.Email) > 100:
		errs = append(errs, apperr.Field("contact_email", "error.too_long", 100))
	case in.Contact.Email != "" && !emailRE.MatchString(in.Contact.Email):
		errs = append(errs, apperr.Field("contact_email", "event.email_bad"))
	}
	if len(errs) > 0 {
		return apperr.Fields(errs...)
	}
	return nil
}

const regColumns = `r.id, r.event_id, r.user_id, r.organisation, r.role, r.contact_name, r.contact_phone, r.contact_email, r.note,
	r.state, r.check_token, r.checked_in_at, r.created_at,
	CASE WHEN r.state = 'waitlisted' THEN (SELECT COUNT(*) FROM event_registrations w WHERE w.event_id = r.event_id
		AND w.state = 'waitlisted' AND (w.queued_at < r.queued_at OR (w.queued_at = r.queued_at AND w.id <= r.id))) ELSE 0 END`

func scanReg(row interface{ Scan(...any) error }, k *pii.Keyring) (Registration, error) {
	var r Registration
	var checked, created sqldb.Time
	var phone, email string
	if err := row.Scan(&r.ID, &r.EventID, &r.UserID, &r.Organisation, &r.Role, &r.Contact.Name, &phone, &email, &r.Note,
		&r.State, &r.token, &checked, &created, &r.Position); err != nil {
		return r, err
	}
	r.CreatedAt = created.Time
	if !checked.IsZero() {
		t := checked.Time
		r.CheckedInAt = &t
	}
	var err error
	if r.Contact.Phone, err = k.Open(regPhone, phone); err != nil {
		return r, err
	}
	if r.Contact.Email, err = k.Open(regEmail, email); err != nil {
		return r, err
	}
	return r, nil
}

func getReg(ctx context.Context, q sqldb.Querier, where string, args ...any) (Registration, error) {
	r, err := scanReg(q.QueryRowContext(ctx, "SELECT "+regColumns+" FROM event_registrations r WHERE "+where, args...), pii.From(q))
	if sqldb.IsNoRows(err) {
		return Registration{}, apperr.New(apperr.NotFound, "event.registration_not_found")
	}
	if err != nil {
		return Registration{}, fmt.Errorf("get registration: %w", err)
	}
	return r, nil
}

func (r Registration) auditView() map[string]any {
	return map[string]any{"organisation": r.Organisation, "role": r.Role, "state": r.State}
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func regAudit(ctx context.Context, tx *sqldb.Tx, a account.Actor, action string, e Event, before, after Registration) error {
	ev := audit.Event{Action: action, ObjectType: "event_registration", ObjectID: idText(after.ID),
		ObjectName: e.Title + " · " + after.Organisation, RegionCode: e.RegionCode, After: after.auditView()}
	if before.ID != 0 {
		ev.Before = before.auditView()
	}
	return audit.Record(ctx, tx, a.Audit(), ev)
}

// Register registers the actor (an enterprise, institution or investor)
// for a published event that has not ended. The registration waits for
// the organiser's decision; the organiser is told. A second registration
// while one is open is a Conflict; after a withdrawal or a decline, the
// actor may register again.
func (s *Service) Register(ctx context.Context, a account.Actor, eventID int64, in RegistrationInput) (Registration, error) {
	if !CanRegister(a) {
		if !a.LoggedIn() {
			return Registration{}, apperr.New(apperr.Unauthenticated, "session.required")
		}
		return Registration{}, apperr.New(apperr.Forbidden, "event.register_members_only")
	}
	in.normalize()
	var out Registration
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.readable(ctx, tx, a, eventID)
		if err != nil {
			return err
		}
		if e.State != Published || e.Past(now) {
			return apperr.New(apperr.Conflict, "event.closed")
		}
		if err := in.validate(); err != nil {
			return err
		}
		var org string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(organization, ''), NULLIF(display_name, ''), username) FROM users WHERE id = ?`,
			a.UserID).Scan(&org); err != nil {
			return fmt.Errorf("registrant: %w", err)
		}
		keys := pii.From(tx)
		phone, err := keys.Seal(regPhone, in.Contact.Phone)
		if err != nil {
			return err
		}
		email, err := keys.Seal(regEmail, in.Contact.Email)
		if err != nil {
			return err
		}
		old, err := getReg(ctx, tx, "r.event_id = ? AND r.user_id = ?", eventID, a.UserID)
		switch {
		case err == nil && (old.State == RegCancelled || old.State == RegDeclined):
			if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET organisation = ?, role = ?, contact_name = ?, contact_phone = ?,
				contact_email = ?, note = ?, state = 'pending', queued_at = NULL, updated_at = ? WHERE id = ?`, org, string(a.Role),
				in.Contact.Name, phone, email, in.Note, sqldb.At(now), old.ID); err != nil {
				return fmt.Errorf("register again: %w", err)
			}
		case err == nil:
			return apperr.New(apperr.Conflict, "event.already_registered")
		case apperr.Is(err, apperr.NotFound):
			_, err := tx.InsertID(ctx, `INSERT INTO event_registrations (event_id, user_id, organisation, role, contact_name, contact_phone,
				contact_email, note, state, check_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
				eventID, a.UserID, org, string(a.Role), in.Contact.Name, phone, email, in.Note, newToken(), sqldb.At(now), sqldb.At(now))
			if apperr.Is(err, apperr.Conflict) {
				return apperr.Wrap(apperr.Conflict, err, "event.already_registered")
			}
			if err != nil {
				return fmt.Errorf("insert registration: %w", err)
			}
		default:
			return err
		}
		if out, err = getReg(ctx, tx, "r.event_id = ? AND r.user_id = ?", eventID, a.UserID); err != nil {
			return err
		}
		if e.CreatedBy != 0 {
			if err := notice.Send(ctx, tx, notice.Message{To: e.CreatedBy, Kind: "event.register", Key: "event.notice.registered",
				Args: []notice.Arg{notice.Text(out.Organisation), notice.Text(e.Title)}, Link: Link(e.ID) + "/registrations", At: now}); err != nil {
				return err
			}
		}
		return regAudit(ctx, tx, a, "event.register", e, old, out)
	})
	return out, err
}

// MyRegistration returns the actor's own registration for an event, with
// its check-in path; NotFound when there is none.
func (s *Service) MyRegistration(ctx context.Context, a account.Actor, eventID int64) (Registration, error) {
	if !a.LoggedIn() {
		return Registration{}, apperr.New(apperr.NotFound, "event.registration_not_found")
	}
	if _, err := s.readable(ctx, s.db, a, eventID); err != nil {
		return Registration{}, err
	}
	return getReg(ctx, s.db, "r.event_id = ? AND r.user_id = ?", eventID, a.UserID)
}

// RegistrationFilter selects an event's registrations.
type RegistrationFilter struct {
	State   RegState
	Page    int
	PerPage int
}

// Registrations lists an event's registrations for its organiser (NotFound
// for anyone else): waiting-list order for the waiting list, oldest first
// otherwise.
func (s *Service) Registrations(ctx context.Context, a account.Actor, eventID int64, f RegistrationFilter) ([]Registration, int, error) {
	if _, err := s.managed(ctx, s.db, a, eventID); err != nil {
		return nil, 0, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 200 {
		f.PerPage = 50
	}
	cond, args := "r.event_id = ?", []any{eventID}
	if f.State != "" {
		cond, args = cond+" AND r.state = ?", append(args, string(f.State))
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM event_registrations r WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count registrations: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+regColumns+" FROM event_registrations r WHERE "+cond+
		" ORDER BY CASE r.state WHEN 'pending' THEN 0 WHEN 'approved' THEN 1 WHEN 'waitlisted' THEN 2 ELSE 3 END, r.queued_at, r.id LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find registrations: %w", err)
	}
	defer rows.Close()
	out := []Registration{}
	for rows.Next() {
		r, err := scanReg(rows, pii.From(s.db))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// Decision is what the organiser decides on a registration.
type Decision string

// The decisions on a registration.
const (
	Approve Decision = "approve"
	Decline Decision = "decline"
)

// DecideRegistration approves or declines a registration of the event.
// Approving gives a place while the capacity lasts and a place on the
// waiting list after; declining an approved registration frees its place,
// which the first on the waiting list takes. The registrant is told. The
// organiser only (NotFound for anyone else).
func (s *Service) DecideRegistration(ctx context.Context, a account.Actor, eventID, regID int64, d Decision, reason string) (Registration, error) {
	reason = strings.TrimSpace(reason)
	if d != Approve && d != Decline {
		return Registration{}, apperr.Fields(apperr.Field("decision", "error.required"))
	}
	if errs := text(nil, "reason", reason, false, maxNote); len(errs) > 0 {
		return Registration{}, apperr.Fields(errs...)
	}
	var out Registration
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.managed(ctx, tx, a, eventID)
		if err != nil {
			return err
		}
		before, err := getReg(ctx, tx, "r.id = ? AND r.event_id = ?", regID, eventID)
		if err != nil {
			return err
		}
		if e.State == Cancelled {
			return apperr.New(apperr.Conflict, "event.cancelled")
		}
		var action, key string
		switch {
		case d == Approve && (before.State == RegPending || before.State == RegDeclined):
			action = "event.approve"
			if e.Approved < e.Capacity {
				_, err = tx.ExecContext(ctx, `UPDATE event_registrations SET state = 'approved', queued_at = NULL, updated_at = ? WHERE id = ?`,
					sqldb.At(now), regID)
				key = "event.notice.approved"
			} else {
				_, err = tx.ExecContext(ctx, `UPDATE event_registrations SET state = 'waitlisted', queued_at = ?, updated_at = ? WHERE id = ?`,
					sqldb.At(now), sqldb.At(now), regID)
				key = "event.notice.waitlisted"
			}
		case d == Decline && before.State != RegDeclined && before.State != RegCancelled:
			action, key = "event.decline", "event.notice.declined"
			_, err = tx.ExecContext(ctx, `UPDATE event_registrations SET state = 'declined', queued_at = NULL, updated_at = ? WHERE id = ?`,
				sqldb.At(now), regID)
			if err == nil {
				err = s.dropMeetings(ctx, tx, a, e, before.UserID, now)
			}
		default:
			return apperr.New(apperr.Conflict, "event.registration_state")
		}
		if err != nil {
			return fmt.Errorf("decide registration: %w", err)
		}
		if out, err = getReg(ctx, tx, "r.id = ?", regID); err != nil {
			return err
		}
		m := notice.Message{To: out.UserID, Kind: action, Key: key, Args: []notice.Arg{notice.Text(e.Title)}, Link: Link(e.ID), At: now}
		if reason != "" {
			m.Body = notice.Code("event.notice.reason", notice.Text(reason))
		}
		if err := notice.Send(ctx, tx, m); err != nil {
			return err
		}
		if err := regAudit(ctx, tx, a, action, e, before, out); err != nil {
			return err
		}
		if before.State == RegApproved {
			return promote(ctx, tx, a, e, now)
		}
		return nil
	})
	return out, err
}

// WithdrawRegistration cancels the actor's own registration; a place it
// held goes to the first on the waiting list, and its meetings are
// cancelled.
func (s *Service) WithdrawRegistration(ctx context.Context, a account.Actor, eventID int64) (Registration, error) {
	var out Registration
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.readable(ctx, tx, a, eventID)
		if err != nil {
			return err
		}
		if !a.LoggedIn() {
			return apperr.New(apperr.NotFound, "event.registration_not_found")
		}
		before, err := getReg(ctx, tx, "r.event_id = ? AND r.user_id = ?", eventID, a.UserID)
		if err != nil {
			return err
		}
		if before.State == RegCancelled || before.State == RegDeclined {
			return apperr.New(apperr.Conflict, "event.registration_state")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET state = 'cancelled', queued_at = NULL, updated_at = ? WHERE id = ?`,
			sqldb.At(now), before.ID); err != nil {
			return fmt.Errorf("withdraw registration: %w", err)
		}
		if err := s.dropMeetings(ctx, tx, a, e, a.UserID, now); err != nil {
			return err
		}
		if out, err = getReg(ctx, tx, "r.id = ?", before.ID); err != nil {
			return err
		}
		if err := regAudit(ctx, tx, a, "event.withdraw", e, before, out); err != nil {
			return err
		}
		if before.State == RegApproved {
			return promote(ctx, tx, a, e, now)
		}
		return nil
	})
	return out, err
}

// promote fills free places from the waiting list, first come first, and
// tells each promoted registrant. It runs inside every write that may free
// a place or add one.
func promote(ctx context.Context, tx *sqldb.Tx, a account.Actor, e Event, now time.Time) error {
	if e.State == Cancelled {
		return nil
	}
	for {
		var approved int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM event_registrations WHERE event_id = ? AND state = 'approved'`,
			e.ID).Scan(&approved); err != nil {
			return fmt.Errorf("count approved: %w", err)
		}
		if approved >= e.Capacity {
			return nil
		}
		next, err := getReg(ctx, tx, `r.event_id = ? AND r.state = 'waitlisted' ORDER BY r.queued_at, r.id LIMIT 1`, e.ID)
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET state = 'approved', queued_at = NULL, updated_at = ? WHERE id = ?`,
			sqldb.At(now), next.ID); err != nil {
			return fmt.Errorf("promote: %w", err)
		}
		after := next
		after.State = RegApproved
		if err := notice.Send(ctx, tx, notice.Message{To: next.UserID, Kind: "event.promote", Key: "event.notice.promoted",
			Args: []notice.Arg{notice.Text(e.Title)}, Link: Link(e.ID), At: now}); err != nil {
			return err
		}
		if err := regAudit(ctx, tx, a, "event.promote", e, next, after); err != nil {
			return err
		}
	}
}

// CheckInByToken looks up the registration a check-in URL names, for the
// organiser about to mark it; anyone else, and a wrong token, get NotFound.
func (s *Service) CheckInByToken(ctx context.Context, a account.Actor, eventID int64, token string) (Registration, error) {
	if _, err := s.managed(ctx, s.db, a, eventID); err != nil {
		return Registration{}, err
	}
	return getReg(ctx, s.db, "r.event_id = ? AND r.check_token = ?", eventID, token)
}

// CheckIn marks the registration a check-in URL names as attended. The
// organiser only (NotFound for anyone else or a wrong token); only an
// approved registration may check in (Conflict); checking in twice keeps
// the first time.
func (s *Service) CheckIn(ctx context.Context, a account.Actor, eventID int64, token string) (Registration, error) {
	var out Registration
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := s.now()
		e, err := s.managed(ctx, tx, a, eventID)
		if err != nil {
			return err
		}
		before, err := getReg(ctx, tx, "r.event_id = ? AND r.check_token = ?", eventID, token)
		if err != nil {
			return err
		}
		if before.State != RegApproved {
			return apperr.New(apperr.Conflict, "event.checkin_not_approved")
		}
		if before.CheckedInAt != nil {
			out = before
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET checked_in_at = ?, updated_at = ? WHERE id = ?`,
			sqldb.At(now), sqldb.At(now), before.ID); err != nil {
			return fmt.Errorf("check in: %w", err)
		}
		if out, err = getReg(ctx, tx, "r.id = ?", before.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "event.checkin", ObjectType: "event_registration",
			ObjectID: idText(out.ID), ObjectName: e.Title + " · " + out.Organisation, RegionCode: e.RegionCode,
			After: map[string]any{"checked_in_at": now}})
	})
	return out, err
}
