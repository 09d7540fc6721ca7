package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
	"kechuang/internal/sqldb"
)

// openDB opens and migrates the database the flags name. An unreachable
// database is a usage error: the flag or the server needs fixing.
func openDB(ctx context.Context, f dbFlags) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, f.db, f.data, sqldb.Options{})
	if err != nil {
		return nil, usageError("%v (check --db / KECHUANG_DB%s)", oneLine(err), dataHint(f))
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return db, nil
}

// openApp opens the database and builds every service on it through
// app.New with cfg (its HomeRegion, when not empty, is stored as the home
// region); the flags give the rest of the configuration. The caller closes
// a.DB.
func openApp(ctx context.Context, f appFlags, cfg app.Config, stderr io.Writer) (*app.App, error) {
	policy, err := account.PolicyNamed(f.passwordPolicy)
	if err != nil {
		return nil, usageError("--password-policy: %v", err)
	}
	db, err := openDB(ctx, f.dbFlags)
	if err != nil {
		return nil, err
	}
	log := newLogger(stderr)
	key, err := loadAuditKey(f, true, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	if cfg.PIIKeys == nil {
		if cfg.PIIKeys, err = loadPIIKeys(f, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	cfg.DB, cfg.DataDir, cfg.Logger, cfg.Version, cfg.AuditKey, cfg.PasswordPolicy = db, f.data, log, version, key, policy
	a, err := app.New(ctx, cfg)
	if err != nil {
		db.Close()
		if e := apperr.As(err); e != nil && len(e.Fields) > 0 && e.Fields[0].Field == "home_region" {
			f := e.Fields[0]
			return nil, usageError("--home-region %q: %s (a 6-digit city or county code, e.g. 320500)", cfg.HomeRegion, i18n.T(i18n.Chinese, f.Key, f.Args...))
		}
		if errors.Is(err, app.ErrAuditKey) || errors.Is(err, account.ErrSecretKey) || errors.Is(err, app.ErrPIIKey) {
			return nil, usageError("%v", err)
		}
		return nil, err
	}
	return a, nil
}

func dataHint(f dbFlags) string {
	if f.db == "" {
		return " and --data " + f.data
	}
	return ""
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// newLogger logs text to a terminal and JSON otherwise; KECHUANG_LOG_LEVEL
// (debug, info, warn, error) sets the level.
func newLogger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(envOr("KECHUANG_LOG_LEVEL", "info")))
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, opts))
		}
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
