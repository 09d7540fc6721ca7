package notice

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"kechuang/internal/account"
	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/i18n"
	"kechuang/internal/sqldb"
)

// Notice is one notice as its reader sees it: Title and Body rendered in
// the reader's language.
type Notice struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Link      string    `json:"link"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// Unread reports whether the notice has not been read.
func (n Notice) Unread() bool { return n.ReadAt.IsZero() }

// Filter pages through an inbox.
type Filter struct {
	Page    int // 1-based
	PerPage int // default 20, at most 100
}

// Normalize clamps paging to sane values.
func (f *Filter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage <= 0 {
		f.PerPage = 20
	}
	if f.PerPage > 100 {
		f.PerPage = 100
	}
}

// Inbox is one page of a user's notices, newest first, with the count of
// all their unread notices.
type Inbox struct {
	Items   []Notice `json:"items"`
	Total   int      `json:"total"`
	Unread  int      `json:"unread"`
	Page    int      `json:"page"`
	PerPage int      `json:"per_page"`
}

// Service reads and marks the acting user's notices. Sending is Send,
// inside the sender's transaction.
type Service struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewService returns a Service on db; now may be nil for time.Now.
func NewService(db *sqldb.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

// Inbox returns a page of the actor's notices, newest first, rendered in
// lang, with the unread count. The public is Unauthenticated.
func (s *Service) Inbox(ctx context.Context, a account.Actor, lang string, f Filter) (Inbox, error) {
	if !a.LoggedIn() {
		return Inbox{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	f.Normalize()
	out := Inbox{Items: []Notice{}, Page: f.Page, PerPage: f.PerPage}
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM notices WHERE user_id = ?`, a.UserID).Scan(&out.Total, &out.Unread)
	if err != nil {
		return Inbox{}, fmt.Errorf("count notices: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, title, body, message_key, message_args, message_body, link, read_at, created_at
		FROM notices WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, a.UserID, f.PerPage, (f.Page-1)*f.PerPage)
	if err != nil {
		return Inbox{}, fmt.Errorf("find notices: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n Notice
		var key, args, body string
		var readAt, created sqldb.Time
		if err := rows.Scan(&n.ID, &n.Kind, &n.Title, &n.Body, &key, &args, &body, &n.Link, &readAt, &created); err != nil {
			return Inbox{}, fmt.Errorf("find notices: %w", err)
		}
		n.ReadAt, n.CreatedAt = readAt.Time, created.Time
		if key != "" {
			if n.Title, n.Body, err = render(lang, key, args, body); err != nil {
				return Inbox{}, fmt.Errorf("notice %d: %w", n.ID, err)
			}
		}
		out.Items = append(out.Items, n)
	}
	return out, rows.Err()
}

// render turns a stored key, arguments and body into text in lang. A key
// no longer in the catalogs (a notice older than a renamed message) reads
// as "notice.unavailable" rather than as the raw key.
func render(lang, key, argsJSON, bodyJSON string) (title, body string, err error) {
	var args []Arg
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		return "", "", fmt.Errorf("decode arguments: %w", err)
	}
	title, ok := Code(key, args...).render(lang)
	if !ok {
		return i18n.T(lang, "notice.unavailable"), "", nil
	}
	if bodyJSON == "" {
		return title, "", nil
	}
	var b Arg
	if err := json.Unmarshal([]byte(bodyJSON), &b); err != nil {
		return "", "", fmt.Errorf("decode body: %w", err)
	}
	if body, ok = b.render(lang); !ok {
		body = i18n.T(lang, "notice.unavailable")
	}
	return title, body, nil
}

// UnreadCount returns how many of the actor's notices are unread; 0 for
// the public.
func (s *Service) UnreadCount(ctx context.Context, a account.Actor) (int, error) {
	if !a.LoggedIn() {
		return 0, nil
	}
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at IS NULL", a.UserID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread notices: %w", err)
	}
	return n, nil
}

// MarkRead marks one of the actor's notices read and returns its link, so
// that the page can go on to what the notice is about. Another user's
// notice, or none, is NotFound; marking a read notice again changes
// nothing.
func (s *Service) MarkRead(ctx context.Context, a account.Actor, id int64) (link string, err error) {
	if !a.LoggedIn() {
		return "", apperr.New(apperr.Unauthenticated, "session.required")
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		var owner int64
		err := tx.QueryRowContext(ctx, "SELECT user_id, link FROM notices WHERE id = ?", id).Scan(&owner, &link)
		if sqldb.IsNoRows(err) || (err == nil && owner != a.UserID) {
			return apperr.New(apperr.NotFound, "notice.not_found")
		}
		if err != nil {
			return fmt.Errorf("get notice %d: %w", id, err)
		}
		return s.markRead(ctx, tx, a, " AND id = ?", strconv.FormatInt(id, 10), id)
	})
	if err != nil {
		return "", err
	}
	return link, nil
}

// MarkAllRead marks every unread notice of the actor read.
func (s *Service) MarkAllRead(ctx context.Context, a account.Actor) error {
	if !a.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error { return s.markRead(ctx, tx, a, "", "all") })
}

// markRead marks the actor's unread notices matching cond read and, if
// any were, records one audit row for them.
func (s *Service) markRead(ctx context.Context, tx *sqldb.Tx, a account.Actor, cond, objectID string, args ...any) error {
	res, err := tx.ExecContext(ctx, "UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at IS NULL"+cond,
		append([]any{sqldb.At(s.now()), a.UserID}, args...)...)
	if err != nil {
		return fmt.Errorf("mark notices read: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return err
	}
	return audit.Record(ctx, tx, a.Audit(), audit.Event{Action: "notice.read", ObjectType: "notice", ObjectID: objectID,
		After: map[string]any{"count": n}})
}
