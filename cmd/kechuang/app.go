package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"kechuang/data"
	"kechuang/internal/account"
	"kechuang/internal/audit"
	"kechuang/internal/region"
	"kechuang/internal/sqldb"
)

// app is the wired set of services one command uses.
type app struct {
	db       *sqldb.DB
	regions  *region.Service
	accounts *account.Service
	audit    *audit.Service
	log      *slog.Logger
}

// openApp opens and migrates the database and loads the region tables. An
// unreachable database is a usage error: the flag or the server needs fixing.
func openApp(ctx context.Context, f appFlags, stderr io.Writer) (*app, error) {
	policy, err := account.PolicyNamed(f.passwordPolicy)
	if err != nil {
		return nil, usageError("--password-policy: %v", err)
	}
	db, err := sqldb.Open(ctx, f.db, f.data, sqldb.Options{})
	if err != nil {
		return nil, usageError("%v (check --db / KECHUANG_DB%s)", oneLine(err), dataHint(f.dbFlags))
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	log := newLogger(stderr)
	key, err := loadAuditKey(f, true, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	auditSvc, err := audit.Open(ctx, db, key)
	if err != nil {
		db.Close()
		return nil, usageError("%v", err)
	}
	regions := region.NewService(db)
	if _, err := regions.EnsureLoaded(ctx, data.FS); err != nil {
		db.Close()
		return nil, err
	}
	return &app{db: db, regions: regions, accounts: account.NewService(db, regions, account.Config{Policy: policy}),
		audit: auditSvc, log: log}, nil
}

func dataHint(f dbFlags) string {
	if f.db == "" {
		return " and --data " + f.data
	}
	return ""
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

func (a *app) Close() { a.db.Close() }

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
