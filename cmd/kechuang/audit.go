package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"kechuang/internal/audit"
	"kechuang/internal/sqldb"
)

// runAudit implements `kechuang audit verify`: it walks the audit chain,
// records the outcome for the auditor's page, and fails (exit 1) naming the
// first row that was changed, removed or inserted.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError("audit: want `kechuang audit verify [--data DIR] [--db DSN] [--audit-key-file FILE]`")
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	var f appFlags
	f.dbFlags.register(fs)
	f.registerAuditKey(fs)
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, f.db, f.data, sqldb.Options{})
	if err != nil {
		return usageError("%v (check --db / KECHUANG_DB%s)", oneLine(err), dataHint(f.dbFlags))
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	key, err := loadAuditKey(f, false, newLogger(stderr))
	if err != nil {
		return err
	}
	svc, err := audit.Open(ctx, db, key)
	if err != nil {
		return usageError("%v", err)
	}
	v, err := svc.Verify(ctx, audit.System)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if !v.OK {
		return errors.New(v.Error())
	}
	fmt.Fprintf(stdout, "audit log verified: %s (%d written before the chain began)\n", v.Detail, v.Legacy)
	return nil
}
