package account

import (
	"context"
	"errors"
	"fmt"

	"kechuang/internal/sqldb"
)

// secretKeyCheck is the settings row holding a value sealed with the
// installation's secret key.
const secretKeyCheck = "secret_key_check"

// ErrSecretKey marks a secret key other than the one the database's
// sealed values were sealed with.
var ErrSecretKey = errors.New("the secret key is not the one this database's second factors were sealed with: " +
	"give every node the installation's key (--secret-key-file or KECHUANG_SECRET_KEY)")

// CheckSecretKey refuses (ErrSecretKey) a Config.SecretKey that is not the
// installation's; it does nothing without a key. The first start stores a
// value sealed with the key in the settings table; every later start, on
// any node, must open it. Without the check a second node started without
// the shared key makes a key of its own and, behind a load balancer, fails
// every second-factor login it happens to serve. A database that has
// second factors but no check yet (made before the check existed) is
// checked against one of them before the check is stored. Call it once at
// start, before serving.
func (s *Service) CheckSecretKey(ctx context.Context) error {
	key := s.cfg.SecretKey
	if key.IsZero() {
		return nil
	}
	const ad = "settings:" + secretKeyCheck
	var sealed string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", secretKeyCheck).Scan(&sealed)
	if sqldb.IsNoRows(err) {
		var user int64
		var mfa string
		err := s.db.QueryRowContext(ctx, "SELECT user_id, secret FROM user_mfa ORDER BY user_id LIMIT 1").Scan(&user, &mfa)
		switch {
		case err == nil:
			if _, err := key.Open(mfa, mfaAD(user)); err != nil {
				return ErrSecretKey
			}
		case !sqldb.IsNoRows(err):
			return fmt.Errorf("check secret key: %w", err)
		}
		v, err := key.Seal([]byte(secretKeyCheck), ad)
		if err != nil {
			return fmt.Errorf("check secret key: %w", err)
		}
		// Two nodes starting at once: the first check stored wins, and
		// the other node is compared with it below.
		if _, err := s.db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
			secretKeyCheck, v); err != nil {
			return fmt.Errorf("store secret key check: %w", err)
		}
		err = s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", secretKeyCheck).Scan(&sealed)
		if err != nil {
			return fmt.Errorf("check secret key: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("check secret key: %w", err)
	}
	if _, err := key.Open(sealed, ad); err != nil {
		return ErrSecretKey
	}
	return nil
}
