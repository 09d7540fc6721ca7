package account

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// SessionInfo is one of a user's sessions as the user sees it. ID is the
// first 16 hex digits of the token's hash: it names the session without
// being able to act as it.
type SessionInfo struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ClientAddr string    `json:"client_addr"`
	UserAgent  string    `json:"user_agent"`
	// Current marks the session the request came with.
	Current bool `json:"current"`
}

// sessionIDLen is the length of a SessionInfo.ID.
const sessionIDLen = 16

// FindSessions lists the actor's own sessions, newest first; current is
// the token of the request's session.
func (s *Service) FindSessions(ctx context.Context, actor Actor, current string) ([]SessionInfo, error) {
	if !actor.LoggedIn() {
		return nil, apperr.New(apperr.Unauthenticated, "session.required")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT token_hash, created_at, last_seen_at, client_addr, user_agent
		FROM sessions WHERE user_id = ? ORDER BY created_at DESC, token_hash`, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("find sessions: %w", err)
	}
	defer rows.Close()
	cur := hashToken(current)
	out := []SessionInfo{}
	for rows.Next() {
		var h string
		var created, seen sqldb.Time
		var si SessionInfo
		if err := rows.Scan(&h, &created, &seen, &si.ClientAddr, &si.UserAgent); err != nil {
			return nil, err
		}
		si.ID, si.CreatedAt, si.LastSeenAt, si.Current = h[:sessionIDLen], created.Time, seen.Time, h == cur
		out = append(out, si)
	}
	return out, rows.Err()
}

// EndSession ends one of the actor's own sessions by its SessionInfo.ID.
// Another user's session, or none, is apperr.NotFound. Audited as
// session.end.
func (s *Service) EndSession(ctx context.Context, actor Actor, id string) error {
	if !actor.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	if len(id) != sessionIDLen {
		return apperr.New(apperr.NotFound, "session.not_found")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND substr(token_hash, 1, 16) = ?", actor.UserID, id)
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "session.not_found")
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "session.end", ObjectType: "user",
			ObjectID: strconv.FormatInt(actor.UserID, 10), RegionCode: actor.Region, After: map[string]string{"session": id}})
	})
}

// EndUserSessions ends every session and pending login of the user id and
// returns how many sessions it ended. Only the security administrator
// may; audited as user.end_sessions.
func (s *Service) EndUserSessions(ctx context.Context, actor Actor, id int64) (int, error) {
	if !s.CanManageSecurity(actor) {
		return 0, apperr.New(apperr.Forbidden, "account.only_security")
	}
	var n int64
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_challenges WHERE user_id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.end_sessions", ObjectType: "user",
			ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode, After: map[string]int64{"ended": n}})
	})
	return int(n), err
}
