package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// ReaderRole is the only role that may read the audit log (三员分立: the
// auditor reads, the administrators act).
const ReaderRole = "auditor"

// Actor is who did something. ID is 0 for the system and for anonymous
// callers (a failed login, say).
type Actor struct {
	ID     int64
	Name   string
	Role   string
	Region string
}

// System is the actor of command-line and start-up writes.
var System = Actor{Name: "system", Role: "system"}

// Event is what happened to which object.
type Event struct {
	Action     string // dotted verb, e.g. "user.create", "session.login_failed"
	ObjectType string
	ObjectID   string
	// ObjectName names the object as it was called at the time (a listing's
	// title, a user name), so the log reads on its own even after the
	// object changed or went away.
	ObjectName string
	RegionCode string // the object's region, for filtering
	// Before and After are summaries of the changed fields; either may be nil.
	Before any
	After  any
}

// Entry is one row of the log.
type Entry struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	ActorID     int64     `json:"actor_id,omitempty"`
	ActorName   string    `json:"actor_name"`
	ActorRole   string    `json:"actor_role"`
	ActorRegion string    `json:"actor_region,omitempty"`
	Action      string    `json:"action"`
	ObjectType  string    `json:"object_type,omitempty"`
	ObjectID    string    `json:"object_id,omitempty"`
	ObjectName  string    `json:"object_name,omitempty"`
	RegionCode  string    `json:"region_code,omitempty"`
	Summary     string    `json:"summary,omitempty"`
	ClientAddr  string    `json:"client_addr,omitempty"`
	RequestID   string    `json:"request_id,omitempty"`
}

type requestKey struct{}

type requestInfo struct{ clientAddr, requestID string }

// WithRequest returns a context that carries the client address and request
// id into every audit row written under it.
func WithRequest(ctx context.Context, clientAddr, requestID string) context.Context {
	return context.WithValue(ctx, requestKey{}, requestInfo{clientAddr, requestID})
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	info, _ := ctx.Value(requestKey{}).(requestInfo)
	return info.requestID
}

// ClientAddr returns the client address carried by ctx, or "".
func ClientAddr(ctx context.Context) string {
	info, _ := ctx.Value(requestKey{}).(requestInfo)
	return info.clientAddr
}

// Now is the clock; tests replace it.
var Now = time.Now

// Record writes one audit row inside tx, so that it commits or rolls back
// with the write it describes. The row is sealed into the chain (chain.go)
// just before tx commits (a transaction with many rows seals them in
// batches as it goes); Record fails when the action is not registered
// (RegisterActions) or no chain key is attached to the database (Open).
func Record(ctx context.Context, tx *sqldb.Tx, who Actor, ev Event) error {
	if !Registered(ev.Action) {
		return fmt.Errorf("audit: action %q is not registered (audit.RegisterActions)", ev.Action)
	}
	c, err := chainOf(tx.DB())
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	summary, err := summarize(ev.Before, ev.After)
	if err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	info, _ := ctx.Value(requestKey{}).(requestInfo)
	return c.add(ctx, tx, row{
		at: sqldb.FormatTime(Now()), actorID: who.ID, actorName: who.Name, actorRole: who.Role, actorRegion: who.Region,
		action: ev.Action, objectType: ev.ObjectType, objectID: ev.ObjectID, objectName: truncate(ev.ObjectName, 200),
		regionCode: ev.RegionCode, summary: summary, clientAddr: info.clientAddr, requestID: info.requestID,
	})
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func summarize(before, after any) (string, error) {
	if before == nil && after == nil {
		return "", nil
	}
	b, err := json.Marshal(map[string]any{"before": before, "after": after})
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Filter selects audit rows. Zero fields do not filter.
type Filter struct {
	Actor      string // user name, exact
	Action     string // a registered action matches exactly; anything else is a prefix, e.g. "user."
	ObjectType string
	ObjectID   string
	From, To   time.Time // [From, To)
	Page       int       // 1-based
	PerPage    int       // default 50, at most 200
}

// Normalize clamps paging to sane values.
func (f *Filter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
}

// Service reads the log.
type Service struct {
	db *sqldb.DB
}

// NewService returns a Service on db.
func NewService(db *sqldb.DB) *Service { return &Service{db: db} }

// CanRead reports whether reader may read the audit log (FindEntries): the
// auditor only.
func (s *Service) CanRead(reader Actor) bool { return reader.Role == ReaderRole }

// FindEntries returns the rows matching f, newest first, and the total count.
// Only the auditor may read: others get apperr.Forbidden.
func (s *Service) FindEntries(ctx context.Context, reader Actor, f Filter) ([]Entry, int, error) {
	if !s.CanRead(reader) {
		return nil, 0, apperr.New(apperr.Forbidden, "audit.only_auditor")
	}
	f.Normalize()
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor_name = ?"), append(args, f.Actor)
	}
	switch {
	case Registered(f.Action):
		where, args = append(where, "action = ?"), append(args, f.Action)
	case f.Action != "":
		where, args = append(where, `action LIKE ? ESCAPE '\'`), append(args, escapeLike(f.Action)+"%")
	}
	if f.ObjectType != "" {
		where, args = append(where, "object_type = ?"), append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, sqldb.FormatTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, sqldb.FormatTime(f.To))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit rows: %w", err)
	}
	q := `SELECT id, at, COALESCE(actor_id, 0), actor_name, actor_role, actor_region, action, object_type, object_id,
		object_name, region_code, summary, client_addr, request_id FROM audit_log` + cond + " ORDER BY id DESC LIMIT ? OFFSET ?"
	rows, err := s.db.QueryContext(ctx, q, append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit rows: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at sqldb.Time
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.ActorRole, &e.ActorRegion, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.ObjectName, &e.RegionCode, &e.Summary, &e.ClientAddr, &e.RequestID); err != nil {
			return nil, 0, err
		}
		e.At = at.Time
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// RecordExport records that reader exported rows of the log selected by
// filter (field → value). Only the auditor may export.
func (s *Service) RecordExport(ctx context.Context, reader Actor, rows int, filter map[string]string) error {
	if reader.Role != ReaderRole {
		return apperr.New(apperr.Forbidden, "audit.only_auditor")
	}
	after := map[string]any{"rows": rows}
	for k, v := range filter {
		if v != "" {
			after[k] = v
		}
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		return Record(ctx, tx, reader, Event{Action: "audit.export", ObjectType: "audit_log", After: after})
	})
}

// escapeLike makes s match literally in a LIKE … ESCAPE '\' pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
