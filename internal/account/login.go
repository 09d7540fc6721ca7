package account

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// Failed logins are rows of login_failures, so that every node on one
// PostgreSQL counts the same attempts: five from one address lock the
// account for that address only (an attacker elsewhere cannot lock out
// the owner), a higher count from anywhere locks it for everyone and tells
// the security administrators, and two ceilings (per address, per account
// per hour) answer 429 before any password is hashed. The hashing itself
// is bounded per node by hashSlots: that bound is about this process's
// memory and cores, so it is rightly per node.

// failureKey is how the failures of a typed user name are counted: lower
// case and bounded, the same for names with and without an account, so
// that the answers do not tell which names exist.
func failureKey(username string) string {
	return truncate(strings.ToLower(strings.TrimSpace(username)), 64)
}

// SecondFactorNeeded is the error Login returns when the password was right
// and the account has a second factor: the login finishes with
// LoginSecondFactor and Challenge before ExpiresAt. A caller that does not
// know this type sees an internal error and logs nobody in.
type SecondFactorNeeded struct {
	Challenge string
	ExpiresAt time.Time
}

func (e *SecondFactorNeeded) Error() string {
	return "account: a second factor is needed to finish the login"
}

// MFARequired reports whether u must log in with a second factor: its
// role is one of Config.MFARoles and it is not exempt.
func (s *Service) MFARequired(u User) bool {
	return s.mfaRoles[u.Role] && !s.mfaExempt[strings.ToLower(u.Username)]
}

// MFAExempt reports whether some accounts are exempt from a second factor
// (serve --demo), so the login page can say so.
func (s *Service) MFAExempt() bool { return len(s.mfaExempt) > 0 }

func (s *Service) actorOf(u User, enrolled bool) Actor {
	a := Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Region: u.RegionCode,
		MustChangePassword: u.MustChangePassword, MustEnrolMFA: s.MFARequired(u) && !enrolled}
	changed := u.PasswordChangedAt
	if changed.IsZero() {
		changed = u.CreatedAt
	}
	s.passwordState(&a, changed, s.cfg.Now())
	return a
}

// acquireHash takes one of the password-hashing slots without waiting; the
// caller must call the returned release. A full set of slots is
// apperr.TooMany: waiting would let a flood queue up without bound.
func (s *Service) acquireHash() (release func(), err error) {
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, nil
	default:
		return nil, apperr.New(apperr.TooMany, "session.busy").Retry(time.Second)
	}
}

// nthFailure returns the time of the n-th most recent failure matching
// cond after since; ok is false when there are fewer than n.
func (s *Service) nthFailure(ctx context.Context, cond string, args []any, since time.Time, n int) (time.Time, bool, error) {
	var at sqldb.Time
	err := s.db.QueryRowContext(ctx, "SELECT at FROM login_failures WHERE "+cond+" AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
		append(args, sqldb.FormatTime(since), n-1)...).Scan(&at)
	if sqldb.IsNoRows(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("count failed logins: %w", err)
	}
	return at.Time, true, nil
}

// throttle refuses an attempt on key from addr before any password is
// checked: apperr.Locked when this address has failed LockAfter times on
// this account, apperr.TooMany when the address or the account has had too
// many failures. Each error carries the wait.
func (s *Service) throttle(ctx context.Context, key, addr string, now time.Time) error {
	window := s.cfg.LockDuration
	checks := []struct {
		cond   string
		args   []any
		n      int
		window time.Duration
		err    func(wait time.Duration) *apperr.Error
	}{
		{"username = ? AND client_addr = ?", []any{key, addr}, s.cfg.LockAfter, window, func(wait time.Duration) *apperr.Error {
			return apperr.New(apperr.Locked, "account.locked", minutesLeft(now.Add(wait), now))
		}},
		{"client_addr = ?", []any{addr}, s.cfg.AddrLimit, window, func(wait time.Duration) *apperr.Error {
			return apperr.New(apperr.TooMany, "session.too_many_from_addr", minutesLeft(now.Add(wait), now))
		}},
		{"username = ?", []any{key}, s.cfg.HourlyLimit, time.Hour, func(wait time.Duration) *apperr.Error {
			return apperr.New(apperr.TooMany, "session.too_many_for_account", minutesLeft(now.Add(wait), now))
		}},
	}
	for _, c := range checks {
		at, hit, err := s.nthFailure(ctx, c.cond, c.args, now.Add(-c.window), c.n)
		if err != nil {
			return err
		}
		if hit {
			wait := at.Add(c.window).Sub(now)
			return c.err(wait).Retry(wait)
		}
	}
	return nil
}

// recordRefused counts an attempt refused before its password is checked
// (throttled, or the account locked) as a failed login, a security event
// aggregated per minute; its write failing must not change the answer.
func (s *Service) recordRefused(ctx context.Context, who audit.Actor) {
	_ = audit.RecordSecurityEvent(ctx, s.db, audit.EventLoginFailed, who, "login")
}

// Login checks a user name and password and opens a session. Failures are
// apperr.Unauthenticated with one message for unknown user, wrong password
// and disabled account alike. Too many failures for this account from
// clientAddr are apperr.Locked (for that address only), too many from
// clientAddr or on the account in the last hour apperr.TooMany, an account
// locked for everyone apperr.Locked, and a server busy hashing other
// passwords apperr.TooMany; each carries RetryAfter. When the password is
// right and the account has a second factor, the error is a
// *SecondFactorNeeded and no session is opened yet.
func (s *Service) Login(ctx context.Context, username, password, clientAddr, userAgent string) (Session, Actor, error) {
	username = strings.TrimSpace(username)
	key := failureKey(username)
	now := s.cfg.Now()
	if err := s.throttle(ctx, key, clientAddr, now); err != nil {
		s.recordRefused(ctx, audit.Actor{Name: key, Role: "anonymous"})
		return Session{}, Actor{}, err
	}
	var hash string
	u, err := scanUserWithHash(s.db.QueryRowContext(ctx, "SELECT "+userColumns+", password_hash FROM users WHERE username = ?", username), &hash)
	known := err == nil
	if err != nil && !sqldb.IsNoRows(err) {
		return Session{}, Actor{}, fmt.Errorf("login: %w", err)
	}
	if known && u.Locked(now) {
		s.recordRefused(ctx, s.actorOf(u, false).Audit())
		return Session{}, Actor{}, apperr.New(apperr.Locked, "account.locked", minutesLeft(u.LockedUntil, now)).Retry(u.LockedUntil.Sub(now))
	}
	release, err := s.acquireHash()
	if err != nil {
		return Session{}, Actor{}, err
	}
	var ok bool
	if known {
		ok, err = VerifyPassword(hash, password)
	} else {
		_, _ = VerifyPassword(s.dummyHash, password)
	}
	release()
	if err != nil {
		return Session{}, Actor{}, fmt.Errorf("login %s: %w", username, err)
	}
	if !ok || u.Disabled {
		return Session{}, Actor{}, s.recordFailure(ctx, key, clientAddr, u, audit.EventLoginFailed, "session.bad_credentials", now)
	}
	enrolled, err := s.mfaEnrolled(ctx, s.db, u.ID)
	if err != nil {
		return Session{}, Actor{}, err
	}
	if enrolled {
		token := randomToken(32)
		err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO login_challenges (token_hash, user_id, client_addr, created_at) VALUES (?, ?, ?, ?)",
				hashToken(token), u.ID, clientAddr, sqldb.At(now))
			return err
		})
		if err != nil {
			return Session{}, Actor{}, fmt.Errorf("open login challenge: %w", err)
		}
		return Session{}, Actor{}, &SecondFactorNeeded{Challenge: token, ExpiresAt: now.Add(s.cfg.ChallengeTTL)}
	}
	return s.openSession(ctx, u, false, clientAddr, userAgent, now)
}

// LoginSecondFactor finishes a login that Login answered with
// *SecondFactorNeeded: code is the six digits of the authenticator or one
// of the account's recovery codes. A wrong code counts as a failed login
// (and is refused as Login refuses, per address and account); five wrong
// codes or ChallengeTTL end the challenge, which is then
// apperr.Unauthenticated ("session.mfa_expired"): the password must be
// entered again.
func (s *Service) LoginSecondFactor(ctx context.Context, challenge, code, clientAddr, userAgent string) (Session, Actor, error) {
	now := s.cfg.Now()
	th := hashToken(challenge)
	var attempts int
	var created sqldb.Time
	var userID int64
	err := s.db.QueryRowContext(ctx, "SELECT user_id, attempts, created_at FROM login_challenges WHERE token_hash = ?", th).
		Scan(&userID, &attempts, &created)
	if sqldb.IsNoRows(err) || (err == nil && now.Sub(created.Time) > s.cfg.ChallengeTTL) {
		_, _ = s.db.ExecContext(ctx, "DELETE FROM login_challenges WHERE token_hash = ?", th)
		return Session{}, Actor{}, apperr.New(apperr.Unauthenticated, "session.mfa_expired")
	}
	if err != nil {
		return Session{}, Actor{}, fmt.Errorf("read login challenge: %w", err)
	}
	u, err := s.getUser(ctx, s.db, userID)
	if err != nil {
		return Session{}, Actor{}, err
	}
	key := failureKey(u.Username)
	if err := s.throttle(ctx, key, clientAddr, now); err != nil {
		s.recordRefused(ctx, audit.Actor{Name: key, Role: "anonymous"})
		return Session{}, Actor{}, err
	}
	if u.Locked(now) || u.Disabled {
		_, _ = s.db.ExecContext(ctx, "DELETE FROM login_challenges WHERE token_hash = ?", th)
		if u.Disabled {
			return Session{}, Actor{}, apperr.New(apperr.Unauthenticated, "session.bad_credentials")
		}
		return Session{}, Actor{}, apperr.New(apperr.Locked, "account.locked", minutesLeft(u.LockedUntil, now)).Retry(u.LockedUntil.Sub(now))
	}
	ok, err := s.checkSecondFactor(ctx, u, code, now)
	if err != nil {
		return Session{}, Actor{}, err
	}
	if !ok {
		if attempts+1 >= s.cfg.LockAfter {
			_, err = s.db.ExecContext(ctx, "DELETE FROM login_challenges WHERE token_hash = ?", th)
		} else {
			_, err = s.db.ExecContext(ctx, "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?", th)
		}
		if err != nil {
			return Session{}, Actor{}, fmt.Errorf("count second-factor attempt: %w", err)
		}
		return Session{}, Actor{}, s.recordFailure(ctx, key, clientAddr, u, audit.EventSecondFactorFailed, "session.bad_code", now)
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM login_challenges WHERE token_hash = ?", th)
	if err != nil {
		return Session{}, Actor{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Another request finished this challenge meanwhile.
		return Session{}, Actor{}, apperr.New(apperr.Unauthenticated, "session.mfa_expired")
	}
	return s.openSession(ctx, u, true, clientAddr, userAgent, now)
}

// recordFailure counts a failed attempt on key from addr and returns the
// error the caller answers with: msgKey (Unauthenticated), or Locked when
// this failure locks the account for addr or, past AccountLockAfter
// failures from anywhere, for everyone — in which case the security
// administrators are told. u is the zero User for an unknown name.
func (s *Service) recordFailure(ctx context.Context, key, addr string, u User, event, msgKey string, now time.Time) error {
	locked := false
	var out error = apperr.New(apperr.Unauthenticated, msgKey)
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO login_failures (username, client_addr, at) VALUES (?, ?, ?)", key, addr, sqldb.At(now)); err != nil {
			return err
		}
		since := sqldb.FormatTime(now.Add(-s.cfg.LockDuration))
		var here int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND client_addr = ? AND at > ?",
			key, addr, since).Scan(&here); err != nil {
			return err
		}
		if here >= s.cfg.LockAfter {
			locked = true
			out = apperr.New(apperr.Locked, "account.locked", minutesLeft(now.Add(s.cfg.LockDuration), now)).Retry(s.cfg.LockDuration)
		}
		// Each failure is a security event, counted per actor, address and
		// minute so that a flood cannot fill the disk; the lock a failure
		// causes changes the account and is audited.
		who := audit.Actor{Name: key, Role: "anonymous"}
		if u.ID != 0 {
			who = s.actorOf(u, false).Audit()
		}
		if err := audit.RecordSecurityEvent(ctx, tx, event, who, "login"); err != nil {
			return err
		}
		if u.ID == 0 {
			if !locked {
				return nil
			}
			return audit.Record(ctx, tx, who, audit.Event{Action: "session.locked", ObjectType: "user", ObjectName: key})
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", u.ID); err != nil {
			return err
		}
		var all int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?", key, since).Scan(&all); err != nil {
			return err
		}
		if locked {
			if err := audit.Record(ctx, tx, who, audit.Event{Action: "session.locked", ObjectType: "user",
				ObjectID: strconv.FormatInt(u.ID, 10), ObjectName: u.Username, RegionCode: u.RegionCode}); err != nil {
				return err
			}
		}
		if all < s.cfg.AccountLockAfter {
			return nil
		}
		until := now.Add(s.cfg.LockDuration)
		// Only the request that sets the lock reports it: on PostgreSQL a
		// concurrent one waits for this row and then matches nothing.
		res, err := tx.ExecContext(ctx, "UPDATE users SET locked_until = ? WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?)",
			sqldb.At(until), u.ID, sqldb.At(now))
		if err != nil {
			return err
		}
		out = apperr.New(apperr.Locked, "account.locked", minutesLeft(until, now)).Retry(s.cfg.LockDuration)
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := audit.Record(ctx, tx, audit.System, audit.Event{Action: "user.lock", ObjectType: "user",
			ObjectID: strconv.FormatInt(u.ID, 10), RegionCode: u.RegionCode,
			After: map[string]any{"failures": all, "minutes": int(s.cfg.LockDuration / time.Minute)}}); err != nil {
			return err
		}
		return s.notifyLocked(ctx, tx, u)
	})
	if err != nil {
		return fmt.Errorf("record failed login: %w", err)
	}
	return out
}

// notifyLocked tells every enabled security administrator that u was
// locked for everyone.
func (s *Service) notifyLocked(ctx context.Context, tx *sqldb.Tx, u User) error {
	if s.cfg.OnAccountLocked == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM users WHERE role = ? AND disabled = ? ORDER BY id", RoleSecurity, false)
	if err != nil {
		return err
	}
	var to []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		to = append(to, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range to {
		if err := s.cfg.OnAccountLocked(ctx, tx, u, id); err != nil {
			return err
		}
	}
	return nil
}

// openSession opens a session for u after a successful login, ending the
// user's oldest sessions beyond the role's MaxSessions: a new login wins
// over an old one, so that a forgotten or stolen session cannot keep its
// owner out (the ended one is audited as session.ended_by_limit).
func (s *Service) openSession(ctx context.Context, u User, withMFA bool, clientAddr, userAgent string, now time.Time) (Session, Actor, error) {
	enrolled := withMFA
	if !enrolled {
		var err error
		if enrolled, err = s.mfaEnrolled(ctx, s.db, u.ID); err != nil {
			return Session{}, Actor{}, err
		}
	}
	actor := s.actorOf(u, enrolled)
	sess := Session{Token: randomToken(32), CSRFToken: randomToken(32), UserID: u.ID, CreatedAt: now, LastSeenAt: now}
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if limit := s.cfg.MaxSessions[u.Role]; limit > 0 {
			ended, err := endOldestSessions(ctx, tx, u.ID, limit-1)
			if err != nil {
				return err
			}
			if ended > 0 {
				if err := audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "session.ended_by_limit", ObjectType: "user",
					ObjectID: strconv.FormatInt(u.ID, 10), RegionCode: u.RegionCode,
					After: map[string]int{"ended": ended, "limit": limit}}); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, client_addr, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(sess.Token), u.ID, sess.CSRFToken, sqldb.At(now), sqldb.At(now),
			clientAddr, truncate(userAgent, 256)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, last_login_at = ? WHERE id = ?", sqldb.At(now), u.ID); err != nil {
			return err
		}
		// This address proved it knows the account; failures from other
		// addresses still count towards the account-wide lock.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE username = ? AND client_addr = ?", failureKey(u.Username), clientAddr); err != nil {
			return err
		}
		ev := audit.Event{Action: "session.login", ObjectType: "user", ObjectID: strconv.FormatInt(u.ID, 10), RegionCode: u.RegionCode}
		if withMFA {
			ev.After = map[string]bool{"second_factor": true}
		}
		return audit.Record(ctx, tx, actor.Audit(), ev)
	})
	if err != nil {
		return Session{}, Actor{}, fmt.Errorf("open session: %w", err)
	}
	return sess, actor, nil
}

// endOldestSessions deletes the user's sessions except the keep newest and
// returns how many it deleted.
func endOldestSessions(ctx context.Context, tx *sqldb.Tx, userID int64, keep int) (int, error) {
	if tx.Dialect() == sqldb.Postgres {
		// Logins of one user on several nodes (or at once on one) take
		// turns here; otherwise each would count the same old sessions,
		// end them, and add its own, exceeding the limit. (A SQLite
		// transaction holds the write lock from BEGIN.)
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE id = ? FOR UPDATE", userID).Scan(&id); err != nil {
			return 0, fmt.Errorf("lock user %d: %w", userID, err)
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT token_hash FROM sessions WHERE user_id = ? ORDER BY created_at DESC, token_hash", userID)
	if err != nil {
		return 0, err
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return 0, err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(hashes) <= keep {
		return 0, nil
	}
	for _, h := range hashes[keep:] {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", h); err != nil {
			return 0, err
		}
	}
	return len(hashes) - keep, nil
}

// PurgeLoginState deletes failed-login rows older than an hour (the
// longest window counted) and second-factor challenges past their time,
// and returns how many rows it deleted. The server calls it with
// PurgeExpiredSessions.
func (s *Service) PurgeLoginState(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	horizon := max(time.Hour, s.cfg.LockDuration)
	a, err := s.db.ExecContext(ctx, "DELETE FROM login_failures WHERE at < ?", sqldb.FormatTime(now.Add(-horizon)))
	if err != nil {
		return 0, fmt.Errorf("purge failed logins: %w", err)
	}
	b, err := s.db.ExecContext(ctx, "DELETE FROM login_challenges WHERE created_at < ?", sqldb.FormatTime(now.Add(-s.cfg.ChallengeTTL)))
	if err != nil {
		return 0, fmt.Errorf("purge login challenges: %w", err)
	}
	na, _ := a.RowsAffected()
	nb, _ := b.RowsAffected()
	return na + nb, nil
}
