package account

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// Config tunes a Service. Zero fields take the defaults.
type Config struct {
	Now         func() time.Time
	Hash        HashParams
	IdleTimeout time.Duration // default 30 minutes
	MaxLifetime time.Duration // default 12 hours
	// LockAfter failures of one account from one client address within
	// FailureWindow lock that account for that address only (default 5).
	LockAfter int
	// LockDuration is how long an account-wide lock lasts, and the window
	// in which failures are counted (default 15 minutes).
	LockDuration time.Duration
	// AccountLockAfter failures of one account from any addresses within
	// LockDuration lock it for everyone and notify the security
	// administrators through OnAccountLocked (default 20).
	AccountLockAfter int
	// AddrLimit failures from one client address, whatever the account,
	// within LockDuration throttle that address (429; default 30).
	AddrLimit int
	// HourlyLimit is the most failed attempts one account may receive in
	// an hour; later attempts are refused before any password is checked
	// (default 100).
	HourlyLimit int
	// HashConcurrency is how many logins may check a password (argon2id,
	// Hash.Memory each) at once; more get apperr.TooMany at once, so that
	// a flood cannot push memory. Default: the number of cores.
	HashConcurrency int
	// OnAccountLocked runs in the transaction that locks an account for
	// everyone, once per security administrator to tell (to); app wires it
	// to a notice. nil tells nobody.
	OnAccountLocked func(ctx context.Context, tx *sqldb.Tx, locked User, to int64) error
	// MFARoles must log in with a second factor; nil means DefaultMFARoles,
	// an empty non-nil slice means no role must.
	MFARoles []Role
	// MFAExempt are user names that need no second factor even when their
	// role does (the demo accounts of serve --demo).
	MFAExempt []string
	// SecretKey seals second-factor secrets at rest. Without one, enrolling
	// a second factor is an internal error.
	SecretKey secret.Key
	// MaxSessions caps the concurrent sessions of a role; a new login ends
	// the oldest beyond the cap. nil means DefaultMaxSessions; a role not
	// in the map has no cap.
	MaxSessions map[Role]int
	// ChallengeTTL is how long a password accepted for an account with a
	// second factor waits for the code (default 5 minutes).
	ChallengeTTL time.Duration
	// Policy is what passwords must satisfy; the zero value means
	// PolicyDengbao.
	Policy PasswordPolicy
}

// DefaultMFARoles must use a second factor unless configured otherwise: the
// three administrators and the bureau and county staff.
var DefaultMFARoles = []Role{RoleAdmin, RoleSecurity, RoleAuditor, RoleStaff, RoleCounty}

// DefaultMaxSessions lets each of the three administrators hold one session.
var DefaultMaxSessions = map[Role]int{RoleAdmin: 1, RoleSecurity: 1, RoleAuditor: 1}

// Service manages accounts and sessions.
type Service struct {
	db      *sqldb.DB
	regions *region.Service
	cfg     Config
	// dummyHash is verified against when a user name is unknown, so that the
	// response time does not tell whether the account exists.
	dummyHash string
	// hashSlots bounds concurrent password checks (Config.HashConcurrency).
	hashSlots chan struct{}
	mfaRoles  map[Role]bool
	mfaExempt map[string]bool
}

// NewService returns a Service.
func NewService(db *sqldb.DB, regions *region.Service, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = DefaultHashParams
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = 12 * time.Hour
	}
	if cfg.LockAfter == 0 {
		cfg.LockAfter = 5
	}
	if cfg.LockDuration == 0 {
		cfg.LockDuration = 15 * time.Minute
	}
	if cfg.Policy == (PasswordPolicy{}) {
		cfg.Policy = PolicyDengbao
	}
	if cfg.AccountLockAfter == 0 {
		cfg.AccountLockAfter = 20
	}
	if cfg.AddrLimit == 0 {
		cfg.AddrLimit = 30
	}
	if cfg.HourlyLimit == 0 {
		cfg.HourlyLimit = 100
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = runtime.NumCPU()
	}
	if cfg.MFARoles == nil {
		cfg.MFARoles = DefaultMFARoles
	}
	if cfg.MaxSessions == nil {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = 5 * time.Minute
	}
	dummy, _ := HashPassword(GeneratePassword(), cfg.Hash)
	s := &Service{db: db, regions: regions, cfg: cfg, dummyHash: dummy,
		hashSlots: make(chan struct{}, cfg.HashConcurrency), mfaRoles: map[Role]bool{}, mfaExempt: map[string]bool{}}
	for _, r := range cfg.MFARoles {
		s.mfaRoles[r] = true
	}
	for _, u := range cfg.MFAExempt {
		s.mfaExempt[strings.ToLower(u)] = true
	}
	return s
}

// IdleTimeout returns the session idle timeout.
func (s *Service) IdleTimeout() time.Duration { return s.cfg.IdleTimeout }

// Policy returns the password policy in force, for the forms that explain it.
func (s *Service) Policy() PasswordPolicy { return s.cfg.Policy }

const userColumns = `id, username, display_name, organization, role, region_code, must_change_password, disabled,
	failed_logins, locked_until, last_login_at, created_at, updated_at, COALESCE(password_changed_at, created_at)`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var locked, last, created, updated, changed sqldb.Time
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Organization, &u.Role, &u.RegionCode,
		&u.MustChangePassword, &u.Disabled, &u.FailedLogins, &locked, &last, &created, &updated, &changed)
	u.LockedUntil, u.LastLoginAt, u.CreatedAt, u.UpdatedAt = locked.Time, last.Time, created.Time, updated.Time
	u.PasswordChangedAt = changed.Time
	return u, err
}

func (u User) auditView() map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "organization": u.Organization,
		"role": u.Role, "region_code": u.RegionCode, "disabled": u.Disabled}
}

func (s *Service) checkRegionExists(ctx context.Context, code string) error {
	if code == "" {
		return nil
	}
	if _, err := s.regions.Get(ctx, code); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Fields(apperr.Field("region_code", "region.not_found", code))
		}
		return err
	}
	return nil
}

// CreateUser creates an account. Only user managers (and the system) may;
// a duplicate user name is apperr.Conflict.
func (s *Service) CreateUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	if !actor.Role.ManagesUsers() {
		return User{}, apperr.New(apperr.Forbidden, "account.only_managers")
	}
	if err := n.Validate(s.cfg.Policy); err != nil {
		return User{}, err
	}
	if err := s.checkRegionExists(ctx, n.RegionCode); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password, s.cfg.Hash)
	if err != nil {
		return User{}, err
	}
	now := sqldb.At(s.cfg.Now())
	var u User
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO users (username, display_name, organization, role, region_code, password_hash,
			must_change_password, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.Username, n.DisplayName, n.Organization, n.Role, n.RegionCode, hash, n.MustChangePassword, now, now, now)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Fields(apperr.Field("username", "account.username_taken", n.Username))
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		if err := s.remember(ctx, tx, id, hash, now); err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.create", ObjectType: "user",
			ObjectName: n.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: n.RegionCode, After: u.auditView()})
	})
	return u, err
}

// GetUser returns an account. User managers may read any; staff and county
// staff the non-administrator accounts inside their region; everybody their
// own. Any other account is apperr.NotFound, so ids reveal nothing.
func (s *Service) GetUser(ctx context.Context, actor Actor, id int64) (User, error) {
	if !actor.LoggedIn() && actor.Role != roleSystem {
		return User{}, apperr.New(apperr.NotFound, "account.user_not_found")
	}
	u, err := s.getUser(ctx, s.db, id)
	if err != nil {
		return User{}, err
	}
	if actor.Role.ManagesUsers() || actor.UserID == id || (actor.seesRegionalUsers() && u.visibleToRegionalStaff(actor)) {
		return u, nil
	}
	return User{}, apperr.New(apperr.NotFound, "account.user_not_found")
}

// seesRegionalUsers reports whether the actor may look up the accounts of
// its region (the firms and institutes a bureau or county serves).
func (a Actor) seesRegionalUsers() bool { return a.Role == RoleStaff || a.Role == RoleCounty }

func (u User) visibleToRegionalStaff(a Actor) bool {
	switch u.Role {
	case RoleAdmin, RoleSecurity, RoleAuditor:
		return false
	}
	return u.RegionCode != "" && a.InScope(u.RegionCode)
}

func (s *Service) getUser(ctx context.Context, q sqldb.Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if sqldb.IsNoRows(err) {
		return User{}, apperr.New(apperr.NotFound, "account.user_not_found")
	}
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// FindUsers lists accounts by user name, with the total. User managers see
// all; staff and county staff the non-administrator accounts of their
// region; other roles are apperr.Forbidden.
func (s *Service) FindUsers(ctx context.Context, actor Actor, f UserFilter) ([]User, int, error) {
	if !actor.Role.ManagesUsers() && !actor.seesRegionalUsers() {
		return nil, 0, apperr.New(apperr.Forbidden, "account.only_managers")
	}
	f.Normalize()
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		where = append(where, `(LOWER(username) LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\' OR LOWER(organization) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if f.Role != "" {
		where, args = append(where, "role = ?"), append(args, f.Role)
	}
	if f.Region != "" {
		where, args = append(where, "region_code LIKE ?"), append(args, region.Prefix(f.Region)+"%")
	}
	if actor.seesRegionalUsers() {
		where = append(where, "region_code LIKE ?", "role NOT IN ('admin', 'security', 'auditor')")
		args = append(args, region.Prefix(actor.Region)+"%")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+userColumns+" FROM users"+cond+" ORDER BY username LIMIT ? OFFSET ?",
		append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// UpdateUser changes an account's profile, role or region. Managers cannot
// change their own role (so the last administrator cannot demote itself).
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id int64, up UserUpdate) (User, error) {
	if !actor.Role.ManagesUsers() {
		return User{}, apperr.New(apperr.Forbidden, "account.only_managers")
	}
	var out User
	err := s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		before := u.auditView()
		if up.DisplayName != nil {
			u.DisplayName = strings.TrimSpace(*up.DisplayName)
		}
		if up.Organization != nil {
			u.Organization = strings.TrimSpace(*up.Organization)
		}
		if up.Role != nil {
			if *up.Role != u.Role && id == actor.UserID {
				return apperr.Fields(apperr.Field("role", "account.cannot_change_own_role"))
			}
			u.Role = *up.Role
		}
		if up.RegionCode != nil {
			u.RegionCode = strings.TrimSpace(*up.RegionCode)
		}
		if fields := checkProfile(u.DisplayName, u.Organization, u.Role, u.RegionCode); len(fields) > 0 {
			return apperr.Fields(fields...)
		}
		if err := s.checkRegionExists(ctx, u.RegionCode); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, organization = ?, role = ?, region_code = ?,
			updated_at = ? WHERE id = ?`, u.DisplayName, u.Organization, u.Role, u.RegionCode, sqldb.At(s.cfg.Now()), id); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		// A changed role or region must not keep the powers of the old one.
		if u.Role != before["role"] || u.RegionCode != before["region_code"] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		out = u
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.update", ObjectType: "user",
			ObjectName: u.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode, Before: before, After: u.auditView()})
	})
	return out, err
}

// SetDisabled disables or enables an account; disabling ends its sessions.
// Managers cannot disable themselves.
func (s *Service) SetDisabled(ctx context.Context, actor Actor, id int64, disabled bool) error {
	if !actor.Role.ManagesUsers() {
		return apperr.New(apperr.Forbidden, "account.only_managers")
	}
	if disabled && id == actor.UserID {
		return apperr.New(apperr.Invalid, "account.cannot_disable_self")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?", disabled, sqldb.At(s.cfg.Now()), id); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: action, ObjectType: "user",
			ObjectName: u.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode,
			Before: map[string]bool{"disabled": u.Disabled}, After: map[string]bool{"disabled": disabled}})
	})
}

// Unlock clears a lockout before it expires.
func (s *Service) Unlock(ctx context.Context, actor Actor, id int64) error {
	if !actor.Role.ManagesUsers() {
		return apperr.New(apperr.Forbidden, "account.only_managers")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?", sqldb.At(s.cfg.Now()), id); err != nil {
			return err
		}
		// The per-address locks go too: unlocking means every address may
		// try again.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE username = ?", failureKey(u.Username)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.unlock", ObjectType: "user",
			ObjectName: u.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode})
	})
}

// ResetPassword gives an account a generated password, which it returns
// once, ends its sessions and forces a change at the next login.
func (s *Service) ResetPassword(ctx context.Context, actor Actor, id int64) (string, error) {
	if !actor.Role.ManagesUsers() {
		return "", apperr.New(apperr.Forbidden, "account.only_managers")
	}
	password := GeneratePassword()
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return "", err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		now := sqldb.At(s.cfg.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0,
			locked_until = NULL, password_changed_at = ?, updated_at = ? WHERE id = ?`, hash, true, now, now, id); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, id, hash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.reset_password", ObjectType: "user",
			ObjectName: u.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode})
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// ChangePassword changes the actor's own password after checking the
// current one and the policy (including the history of recent passwords),
// and ends the actor's other sessions.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, keepSessionToken, current, next string) error {
	if !actor.LoggedIn() {
		return apperr.New(apperr.Unauthenticated, "session.required")
	}
	var hash string
	if err := s.db.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = ?", actor.UserID).Scan(&hash); err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	if ok, err := VerifyPassword(hash, current); err != nil || !ok {
		return apperr.Fields(apperr.Field("current_password", "account.current_password_wrong"))
	}
	if err := s.cfg.Policy.Check("new_password", next, actor.Username); err != nil {
		return err
	}
	if next == current {
		return apperr.Fields(apperr.Field("new_password", "account.password_unchanged"))
	}
	if err := s.checkHistory(ctx, actor.UserID, "new_password", next); err != nil {
		return err
	}
	newHash, err := HashPassword(next, s.cfg.Hash)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		now := sqldb.At(s.cfg.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?,
			updated_at = ? WHERE id = ?`, newHash, false, now, now, actor.UserID); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, actor.UserID, newHash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", actor.UserID, hashToken(keepSessionToken)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.change_password", ObjectType: "user",
			ObjectID: strconv.FormatInt(actor.UserID, 10), ObjectName: actor.Username, RegionCode: actor.Region})
	})
}

// keepHistory is how many hashes a user's history keeps: the longest
// history of any preset, so switching presets loses nothing.
const keepHistory = 5

// checkHistory refuses next when it matches one of the user's last
// Policy.History passwords. Each comparison is a full argon2id
// verification, so it runs outside any transaction.
func (s *Service) checkHistory(ctx context.Context, userID int64, field, next string) error {
	n := s.cfg.Policy.History
	if n <= 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?", userID, n)
	if err != nil {
		return fmt.Errorf("read password history: %w", err)
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hashes {
		if ok, _ := VerifyPassword(h, next); ok {
			return apperr.Fields(apperr.Field(field, "account.password_reused", n))
		}
	}
	return nil
}

// remember adds hash to the user's password history and forgets entries
// beyond keepHistory.
func (s *Service) remember(ctx context.Context, tx *sqldb.Tx, userID int64, hash string, at sqldb.Time) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO password_history (user_id, hash, created_at) VALUES (?, ?, ?)", userID, hash, at); err != nil {
		return fmt.Errorf("password history: %w", err)
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM (SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?) AS keep)`, userID, userID, keepHistory)
	if err != nil {
		return fmt.Errorf("trim password history: %w", err)
	}
	return nil
}

// passwordState fills the actor's expiry fields from when the password was
// last changed: past Policy.MaxAge the password has expired and must be
// changed before anything else; within ExpiryWarning of it the shell
// reminds the user.
func (s *Service) passwordState(a *Actor, changed time.Time, now time.Time) {
	if s.cfg.Policy.MaxAge <= 0 || changed.IsZero() {
		return
	}
	left := changed.Add(s.cfg.Policy.MaxAge).Sub(now)
	switch {
	case left <= 0:
		a.PasswordExpired, a.MustChangePassword = true, true
	case left <= ExpiryWarning:
		a.PasswordDaysLeft = int((left + 24*time.Hour - 1) / (24 * time.Hour))
	}
}

// Session is a logged-in browser or API client. Token is the cookie value;
// only its hash is stored, so Token is known only right after Login.
type Session struct {
	Token      string
	CSRFToken  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func scanUserWithHash(row *sql.Row, hash *string) (User, error) {
	var u User
	var locked, last, created, updated, changed sqldb.Time
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Organization, &u.Role, &u.RegionCode,
		&u.MustChangePassword, &u.Disabled, &u.FailedLogins, &locked, &last, &created, &updated, &changed, hash)
	u.LockedUntil, u.LastLoginAt, u.CreatedAt, u.UpdatedAt = locked.Time, last.Time, created.Time, updated.Time
	u.PasswordChangedAt = changed.Time
	return u, err
}

func minutesLeft(until, now time.Time) int {
	m := int((until.Sub(now) + time.Minute - 1) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// touchEvery limits how often a request writes last_seen_at.
const touchEvery = time.Minute

// Authenticate returns the actor and session for a session token. An
// unknown, idle-expired or over-age session, or a disabled user, is
// apperr.Unauthenticated; an expired session is deleted.
func (s *Service) Authenticate(ctx context.Context, token string) (Actor, Session, error) {
	if token == "" {
		return Actor{}, Session{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	th := hashToken(token)
	var sess Session
	var created, seen sqldb.Time
	var u User
	var locked, last, ucreated, updated, changed sqldb.Time
	var enrolled bool
	err := s.db.QueryRowContext(ctx, `SELECT s.csrf_token, s.created_at, s.last_seen_at,
		u.id, u.username, u.display_name, u.organization, u.role, u.region_code, u.must_change_password, u.disabled,
		u.failed_logins, u.locked_until, u.last_login_at, u.created_at, u.updated_at, COALESCE(u.password_changed_at, u.created_at),
		EXISTS (SELECT 1 FROM user_mfa m WHERE m.user_id = u.id AND m.confirmed_at IS NOT NULL)
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, th).Scan(
		&sess.CSRFToken, &created, &seen, &u.ID, &u.Username, &u.DisplayName, &u.Organization, &u.Role, &u.RegionCode,
		&u.MustChangePassword, &u.Disabled, &u.FailedLogins, &locked, &last, &ucreated, &updated, &changed, &enrolled)
	if sqldb.IsNoRows(err) {
		return Actor{}, Session{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	if err != nil {
		return Actor{}, Session{}, fmt.Errorf("authenticate: %w", err)
	}
	now := s.cfg.Now()
	sess.Token, sess.UserID, sess.CreatedAt, sess.LastSeenAt = token, u.ID, created.Time, seen.Time
	if u.Disabled || now.Sub(seen.Time) > s.cfg.IdleTimeout || now.Sub(created.Time) > s.cfg.MaxLifetime {
		if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", th); err != nil {
			return Actor{}, Session{}, fmt.Errorf("end expired session: %w", err)
		}
		return Actor{}, Session{}, apperr.New(apperr.Unauthenticated, "session.expired")
	}
	if now.Sub(seen.Time) >= touchEvery {
		if _, err := s.db.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", sqldb.At(now), th); err != nil {
			return Actor{}, Session{}, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	u.PasswordChangedAt = changed.Time
	return s.actorOf(u, enrolled), sess, nil
}

// CheckCSRF reports whether token is the session's CSRF token.
func (sess Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRFToken)) == 1
}

// Logout ends the session with token, recording it for the actor.
func (s *Service) Logout(ctx context.Context, actor Actor, token string) error {
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "session.logout", ObjectType: "user",
			ObjectName: actor.Username, ObjectID: strconv.FormatInt(actor.UserID, 10), RegionCode: actor.Region})
	})
}

// PurgeExpiredSessions deletes sessions past their idle timeout or lifetime
// and returns how many it deleted. The server calls it periodically.
func (s *Service) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	now := s.cfg.Now()
	res, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
		sqldb.FormatTime(now.Add(-s.cfg.IdleTimeout)), sqldb.FormatTime(now.Add(-s.cfg.MaxLifetime)))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return res.RowsAffected()
}

// CountUsers returns the number of accounts; start-up uses it to tell an
// empty installation.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// GetUserByName returns the account with username, for the command line.
func (s *Service) GetUserByName(ctx context.Context, actor Actor, username string) (User, error) {
	if !actor.Role.ManagesUsers() && actor.Username != username {
		return User{}, apperr.New(apperr.NotFound, "account.user_not_found")
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE username = ?", username))
	if sqldb.IsNoRows(err) {
		return User{}, apperr.New(apperr.NotFound, "account.user_not_found")
	}
	return u, err
}

// SetPassword sets an account's password to one the manager chose (the
// command line and the demo loader use it), checking the policy. The user
// must change it at next login when mustChange is set.
func (s *Service) SetPassword(ctx context.Context, actor Actor, id int64, password string, mustChange bool) error {
	if !actor.Role.ManagesUsers() {
		return apperr.New(apperr.Forbidden, "account.only_managers")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.cfg.Policy.Check("password", password, u.Username); err != nil {
			return err
		}
		hash, err := HashPassword(password, s.cfg.Hash)
		if err != nil {
			return err
		}
		now := sqldb.At(s.cfg.Now())
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0,
			locked_until = NULL, password_changed_at = ?, updated_at = ? WHERE id = ?`, hash, mustChange, now, now, id); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, id, hash, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.set_password", ObjectType: "user",
			ObjectName: u.Username, ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode})
	})
}
