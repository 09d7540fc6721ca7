package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"time"

	"kechuang/internal/apperr"
	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// RecoveryCodeCount is how many single-use recovery codes an enrolment
// gives.
const RecoveryCodeCount = 10

// recoveryAlphabet has 32 characters without look-alikes (no 0/o, 1/l/i).
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// MFAState is a user's second factor as their account page shows it.
type MFAState struct {
	// Enrolled is set once the user confirmed a first code.
	Enrolled bool `json:"enrolled"`
	// Pending is set between starting an enrolment and confirming it.
	Pending bool `json:"pending"`
	// Required is set when the user's role must use a second factor.
	Required bool `json:"required"`
	// RecoveryLeft is how many unused recovery codes remain.
	RecoveryLeft int `json:"recovery_codes_left"`
}

// Enrolment is a second factor being set up: the secret in base32 (for
// typing) and the otpauth:// URI the QR code carries.
type Enrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
}

func mfaAD(userID int64) string { return "user_mfa:" + strconv.FormatInt(userID, 10) }

func (s *Service) mfaEnrolled(ctx context.Context, q sqldb.Querier, userID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM user_mfa WHERE user_id = ? AND confirmed_at IS NOT NULL", userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read second factor: %w", err)
	}
	return n > 0, nil
}

// MFAStatus returns the actor's own second-factor state.
func (s *Service) MFAStatus(ctx context.Context, actor Actor) (MFAState, error) {
	if !actor.LoggedIn() {
		return MFAState{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	u, err := s.getUser(ctx, s.db, actor.UserID)
	if err != nil {
		return MFAState{}, err
	}
	st := MFAState{Required: s.MFARequired(u)}
	var confirmed sqldb.Time
	err = s.db.QueryRowContext(ctx, "SELECT confirmed_at FROM user_mfa WHERE user_id = ?", actor.UserID).Scan(&confirmed)
	switch {
	case sqldb.IsNoRows(err):
		return st, nil
	case err != nil:
		return MFAState{}, fmt.Errorf("read second factor: %w", err)
	}
	st.Enrolled, st.Pending = !confirmed.IsZero(), confirmed.IsZero()
	if st.Enrolled {
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL",
			actor.UserID).Scan(&st.RecoveryLeft); err != nil {
			return MFAState{}, err
		}
	}
	return st, nil
}

// BeginMFA starts (or restarts) the actor's enrolment: a new random secret,
// sealed with the instance key, that counts only once ConfirmMFA gets a
// code made from it. An actor already enrolled is apperr.Conflict: the
// security administrator resets a second factor.
func (s *Service) BeginMFA(ctx context.Context, actor Actor) (Enrolment, error) {
	if !actor.LoggedIn() {
		return Enrolment{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	key := make([]byte, totpSecretLen)
	_, _ = rand.Read(key)
	sealed, err := s.cfg.SecretKey.Seal(key, mfaAD(actor.UserID))
	if err != nil {
		return Enrolment{}, fmt.Errorf("seal second-factor secret: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		enrolled, err := s.mfaEnrolled(ctx, tx, actor.UserID)
		if err != nil {
			return err
		}
		if enrolled {
			return apperr.New(apperr.Conflict, "mfa.already_enrolled")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM user_mfa WHERE user_id = ?", actor.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO user_mfa (user_id, secret, created_at) VALUES (?, ?, ?)",
			actor.UserID, sealed, sqldb.At(s.cfg.Now())); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.mfa_begin", ObjectType: "user",
			ObjectID: strconv.FormatInt(actor.UserID, 10), RegionCode: actor.Region})
	})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: base32NoPad.EncodeToString(key), URI: totpURI(actor.Username, key)}, nil
}

// PendingMFA returns the actor's enrolment begun and not yet confirmed
// (for the QR code); without one it is apperr.NotFound.
func (s *Service) PendingMFA(ctx context.Context, actor Actor) (Enrolment, error) {
	if !actor.LoggedIn() {
		return Enrolment{}, apperr.New(apperr.Unauthenticated, "session.required")
	}
	var sealed string
	err := s.db.QueryRowContext(ctx, "SELECT secret FROM user_mfa WHERE user_id = ? AND confirmed_at IS NULL", actor.UserID).Scan(&sealed)
	if sqldb.IsNoRows(err) {
		return Enrolment{}, apperr.New(apperr.NotFound, "mfa.no_enrolment")
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("read enrolment: %w", err)
	}
	key, err := s.cfg.SecretKey.Open(sealed, mfaAD(actor.UserID))
	if err != nil {
		return Enrolment{}, fmt.Errorf("open second-factor secret of user %d: %w", actor.UserID, err)
	}
	return Enrolment{Secret: base32NoPad.EncodeToString(key), URI: totpURI(actor.Username, key)}, nil
}

// ConfirmMFA completes the actor's enrolment with a code from the
// authenticator and returns the ten recovery codes, shown this once and
// stored only hashed. A wrong code is an apperr.Invalid on "code"; without
// a pending enrolment it is apperr.NotFound.
func (s *Service) ConfirmMFA(ctx context.Context, actor Actor, code string) ([]string, error) {
	if !actor.LoggedIn() {
		return nil, apperr.New(apperr.Unauthenticated, "session.required")
	}
	enr, err := s.PendingMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	key, err := base32NoPad.DecodeString(enr.Secret)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	step := matchTOTP(key, normalizeCode(code), now, 0)
	if step == 0 {
		return nil, apperr.Fields(apperr.Field("code", "mfa.code_wrong"))
	}
	codes, rows, err := s.newRecoveryCodes()
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE user_mfa SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL",
			sqldb.At(now), step, actor.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "mfa.no_enrolment")
		}
		if err := insertRecoveryCodes(ctx, tx, actor.UserID, rows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.mfa_enrol", ObjectType: "user",
			ObjectID: strconv.FormatInt(actor.UserID, 10), RegionCode: actor.Region})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

type recoveryRow struct{ lookup, hash string }

// newRecoveryCodes returns RecoveryCodeCount codes as the user sees them
// (xxxx-xxxx-xxxx-xxxx) and the rows to store: the first four characters
// find the row, the other twelve (60 bits) are kept only as argon2id.
func (s *Service) newRecoveryCodes() ([]string, []recoveryRow, error) {
	var codes []string
	var rows []recoveryRow
	for range RecoveryCodeCount {
		b := make([]byte, 16)
		for i := range b {
			b[i] = recoveryAlphabet[randInt(len(recoveryAlphabet))]
		}
		raw := string(b)
		hash, err := HashPassword(raw[4:], s.cfg.Hash)
		if err != nil {
			return nil, nil, err
		}
		codes = append(codes, raw[0:4]+"-"+raw[4:8]+"-"+raw[8:12]+"-"+raw[12:16])
		rows = append(rows, recoveryRow{lookup: raw[:4], hash: hash})
	}
	return codes, rows, nil
}

func insertRecoveryCodes(ctx context.Context, tx *sqldb.Tx, userID int64, rows []recoveryRow) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM mfa_recovery_codes WHERE user_id = ?", userID); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, "INSERT INTO mfa_recovery_codes (user_id, lookup, hash) VALUES (?, ?, ?)",
			userID, r.lookup, r.hash); err != nil {
			return err
		}
	}
	return nil
}

// checkSecondFactor reports whether code is the user's current TOTP code
// (not used before) or one of its unused recovery codes, using it up.
func (s *Service) checkSecondFactor(ctx context.Context, u User, code string, now time.Time) (bool, error) {
	code = normalizeCode(code)
	if len(code) == totpDigits {
		var sealed string
		var last int64
		err := s.db.QueryRowContext(ctx, "SELECT secret, last_step FROM user_mfa WHERE user_id = ? AND confirmed_at IS NOT NULL", u.ID).
			Scan(&sealed, &last)
		if sqldb.IsNoRows(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read second factor: %w", err)
		}
		key, err := s.cfg.SecretKey.Open(sealed, mfaAD(u.ID))
		if err != nil {
			return false, fmt.Errorf("open second-factor secret of user %d: %w", u.ID, err)
		}
		step := matchTOTP(key, code, now, last)
		if step == 0 {
			return false, nil
		}
		// The condition makes a code good once even when two requests
		// carry it at the same moment.
		res, err := s.db.ExecContext(ctx, "UPDATE user_mfa SET last_step = ? WHERE user_id = ? AND last_step < ?", step, u.ID, step)
		if err != nil {
			return false, err
		}
		n, _ := res.RowsAffected()
		return n == 1, nil
	}
	if len(code) != 16 {
		return false, nil
	}
	var id int64
	var hash string
	err := s.db.QueryRowContext(ctx, "SELECT id, hash FROM mfa_recovery_codes WHERE user_id = ? AND lookup = ? AND used_at IS NULL",
		u.ID, code[:4]).Scan(&id, &hash)
	if sqldb.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read recovery code: %w", err)
	}
	release, err := s.acquireHash()
	if err != nil {
		return false, err
	}
	ok, err := VerifyPassword(hash, code[4:])
	release()
	if err != nil || !ok {
		return false, err
	}
	var used bool
	err = s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE mfa_recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL", sqldb.At(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		used = true
		return audit.Record(ctx, tx, s.actorOf(u, true).Audit(), audit.Event{Action: "user.mfa_recovery_used", ObjectType: "user",
			ObjectID: strconv.FormatInt(u.ID, 10), RegionCode: u.RegionCode})
	})
	return used, err
}

// CanManageSecurity reports whether the actor may reset other users'
// second factors and end their sessions: the security administrator (三员
// 分立: not the system administrator).
func (s *Service) CanManageSecurity(a Actor) bool {
	return a.Role == RoleSecurity || a.Role == roleSystem
}

// ResetMFA removes a user's second factor and recovery codes and ends the
// user's sessions and pending logins, so that the next login enrols anew.
// Only the security administrator may, and not for itself (a stolen
// session must not be able to strip its own account's second factor);
// audited as user.reset_mfa.
func (s *Service) ResetMFA(ctx context.Context, actor Actor, id int64) error {
	if !s.CanManageSecurity(actor) {
		return apperr.New(apperr.Forbidden, "account.only_security")
	}
	if id == actor.UserID {
		return apperr.New(apperr.Invalid, "mfa.cannot_reset_self")
	}
	return s.db.InTx(ctx, func(tx *sqldb.Tx) error {
		u, err := s.getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		enrolled, err := s.mfaEnrolled(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM user_mfa WHERE user_id = ?", "DELETE FROM mfa_recovery_codes WHERE user_id = ?",
			"DELETE FROM sessions WHERE user_id = ?", "DELETE FROM login_challenges WHERE user_id = ?"} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, actor.Audit(), audit.Event{Action: "user.reset_mfa", ObjectType: "user",
			ObjectID: strconv.FormatInt(id, 10), RegionCode: u.RegionCode,
			Before: map[string]bool{"enrolled": enrolled}, After: map[string]bool{"enrolled": false}})
	})
}
