package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"kechuang/internal/sqldb"
)

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var dbf dbFlags
	dbf.register(fs)
	out := fs.String("out", "", "file to write the snapshot to (must not exist)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usageError("backup: --out FILE is required")
	}
	db, err := sqldb.Open(ctx, dbf.db, dbf.data, sqldb.Options{})
	if err != nil {
		return usageError("%v (check --db / KECHUANG_DB%s)", oneLine(err), dataHint(dbf))
	}
	defer db.Close()
	if db.Dialect() == sqldb.Postgres {
		return fmt.Errorf("backup: the database is PostgreSQL; use pg_dump (e.g. pg_dump -Fc -f kechuang.dump \"$KECHUANG_DB\")")
	}
	if _, err := os.Stat(*out); err == nil {
		return usageError("backup: %s already exists; choose a new file", *out)
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o750); err != nil {
		return err
	}
	if err := db.BackupTo(ctx, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	// Attachments and the audit log live in the database, so the snapshot
	// holds them; the audit key deliberately does not travel with it.
	fmt.Fprintf(stdout, "wrote a consistent snapshot of %s to %s (%d bytes; attachments and the audit log included)\n", db.Path(), *out, st.Size())
	fmt.Fprintln(stdout, "keep a copy of the audit key (--audit-key-file, or DATA/audit.key) apart from it: `kechuang restore` verifies the audit log with it")
	return nil
}
