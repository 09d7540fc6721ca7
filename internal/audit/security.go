package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// The kinds of security event: requests the platform refused.
const (
	EventForbidden          = "forbidden"            // an authorization refusal (403)
	EventCSRF               = "csrf"                 // a missing or wrong CSRF token
	EventLoginFailed        = "login_failed"         // a wrong user name or password
	EventSecondFactorFailed = "second_factor_failed" // a wrong one-time code
)

// EventKinds lists the kinds, for filters.
var EventKinds = []string{EventForbidden, EventCSRF, EventLoginFailed, EventSecondFactorFailed}

// SecurityEvent is one kind of refusal for one actor and client address in
// one minute, with how often it happened.
type SecurityEvent struct {
	ID         int64     `json:"id"`
	Minute     time.Time `json:"minute"`
	Kind       string    `json:"kind"`
	ActorID    int64     `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor_name"`
	ActorRole  string    `json:"actor_role,omitempty"`
	ClientAddr string    `json:"client_addr"`
	Detail     string    `json:"detail,omitempty"`
	Count      int64     `json:"count"`
	FirstAt    time.Time `json:"first_at"`
	LastAt     time.Time `json:"last_at"`
}

const minuteLayout = "2006-01-02T15:04Z"

// RecordSecurityEvent counts a refused request of kind by who, from the
// client address carried by ctx, in the current minute: the first refusal
// of a minute inserts a row and the next ones add to its count, so a flood
// grows the table by one row per actor, address and minute, not per
// request. q is the database, or the caller's transaction when the event
// belongs with its writes (a failed login's counter). detail says what was
// refused ("POST /api/v1/users"); it is cut to 200 bytes.
func RecordSecurityEvent(ctx context.Context, q sqldb.Querier, kind string, who Actor, detail string) error {
	now := Now().UTC()
	var actorID any
	if who.ID != 0 {
		actorID = who.ID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO security_events
		(minute, kind, actor_id, actor_name, actor_role, client_addr, detail, count, first_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (minute, kind, actor_name, client_addr)
		DO UPDATE SET count = security_events.count + 1, last_at = excluded.last_at, detail = excluded.detail`,
		now.Format(minuteLayout), kind, actorID, truncate(printable(who.Name), 64), who.Role, ClientAddr(ctx), truncate(printable(detail), 200),
		sqldb.At(now), sqldb.At(now))
	if err != nil {
		return fmt.Errorf("record security event %s: %w", kind, err)
	}
	return nil
}

// printable drops what a refused request may carry that a database or a
// page should not: invalid UTF-8 and control characters (a NUL byte makes
// PostgreSQL refuse the row, and the event would be lost).
func printable(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// SecurityFilter selects security events. Zero fields do not filter.
type SecurityFilter struct {
	Kind       string
	Actor      string // user name, exact
	ClientAddr string
	From, To   time.Time // [From, To) on the minute
	Page       int
	PerPage    int
}

// FindSecurityEvents returns the events matching f, newest first, and the
// total. Only the auditor may read them.
func (s *Service) FindSecurityEvents(ctx context.Context, reader Actor, f SecurityFilter) ([]SecurityEvent, int, error) {
	if reader.Role != ReaderRole {
		return nil, 0, apperr.New(apperr.Forbidden, "audit.only_auditor")
	}
	pf := Filter{Page: f.Page, PerPage: f.PerPage}
	pf.Normalize()
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Actor != "" {
		where, args = append(where, "actor_name = ?"), append(args, f.Actor)
	}
	if f.ClientAddr != "" {
		where, args = append(where, "client_addr = ?"), append(args, f.ClientAddr)
	}
	if !f.From.IsZero() {
		where, args = append(where, "minute >= ?"), append(args, f.From.UTC().Format(minuteLayout))
	}
	if !f.To.IsZero() {
		where, args = append(where, "minute < ?"), append(args, f.To.UTC().Format(minuteLayout))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM security_events"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count security events: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, minute, kind, COALESCE(actor_id, 0), actor_name, actor_role, client_addr,
		detail, count, first_at, last_at FROM security_events`+cond+" ORDER BY minute DESC, id DESC LIMIT ? OFFSET ?",
		append(args, pf.PerPage, (pf.Page-1)*pf.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find security events: %w", err)
	}
	defer rows.Close()
	var out []SecurityEvent
	for rows.Next() {
		var e SecurityEvent
		var minute string
		var first, last sqldb.Time
		if err := rows.Scan(&e.ID, &minute, &e.Kind, &e.ActorID, &e.ActorName, &e.ActorRole, &e.ClientAddr, &e.Detail,
			&e.Count, &first, &last); err != nil {
			return nil, 0, err
		}
		e.Minute, _ = time.Parse(minuteLayout, minute)
		e.FirstAt, e.LastAt = first.Time, last.Time
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// RecordDenied is RecordSecurityEvent on the Service's database, for the
// web layer's 403 answers and CSRF failures.
func (s *Service) RecordDenied(ctx context.Context, kind string, who Actor, detail string) error {
	return RecordSecurityEvent(ctx, s.db, kind, who, detail)
}
