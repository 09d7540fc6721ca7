package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"kechuang/internal/audit"
	"kechuang/internal/directory"
	"kechuang/internal/market"
	"kechuang/internal/sqldb"
)

// runRestore implements `kechuang restore --from FILE [--data DIR]`: it
// replaces the SQLite database with a snapshot made by `kechuang backup`
// (attachments and the audit log are inside the database), keeps the old
// database beside it, drops the derived search index so that the next
// start rebuilds it, and verifies the restored audit chain when the key is
// at hand. It refuses while a server holds the database.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var f appFlags
	f.dbFlags.register(fs)
	f.registerAuditKey(fs)
	from := fs.String("from", "", "snapshot written by `kechuang backup`")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" {
		return usageError("restore: --from FILE is required")
	}
	target := sqldb.SQLitePath(f.db, f.data)
	if target == "" {
		return usageError("restore: the database is PostgreSQL; use pg_restore (e.g. pg_restore --clean -d \"$KECHUANG_DB\" kechuang.dump)")
	}
	if _, err := os.Stat(*from); err != nil {
		return usageError("restore: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	release, err := lockFile(target + ".lock")
	if errors.Is(err, errLocked) {
		return usageError("restore: a kechuang server is using %s; stop it first", target)
	}
	if err != nil {
		return err
	}
	defer release()

	// Check a copy, so that neither the snapshot nor the live database is
	// touched until the copy is known good.
	tmp := target + ".restore-tmp"
	_ = os.Remove(tmp)
	if err := copyFile(*from, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(tmp)
	counts, version, err := checkSnapshot(ctx, tmp)
	if err != nil {
		return usageError("restore: %s is not a usable kechuang snapshot: %v", *from, err)
	}

	kept := ""
	if _, err := os.Stat(target); err == nil {
		kept = target + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(target+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("restore: keep the old database: %w", err)
			}
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(tmp + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(target)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The index follows the database's change sequence; the restored
	// sequence may lie behind the snapshot's, so rebuild it from scratch.
	if err := os.Remove(market.IndexFile(f.data)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: remove the search index: %w", err)
	}
	if err := os.Remove(directory.IndexFile(f.data)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: remove the directory index: %w", err)
	}

	fmt.Fprintf(stdout, "restored %s to %s (schema version %d; %d users, %d listings, %d attachments, %d audit rows)\n",
		*from, target, version, counts["users"], counts["listings"], counts["attachments"], counts["audit_log"])
	if kept != "" {
		fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
	}
	fmt.Fprintln(stdout, "the search index is rebuilt at the next start")
	return verifyRestored(ctx, f, stdout, stderr)
}

// checkSnapshot opens path as a kechuang SQLite database and returns row
// counts and its schema version; it fails on a damaged file, on a database
// that is not kechuang's, and on one newer than this binary.
func checkSnapshot(ctx context.Context, path string) (map[string]int, int, error) {
	db, err := sqldb.Open(ctx, path, "", sqldb.Options{MaxOpenConns: 1})
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		return nil, 0, err
	}
	if check != "ok" {
		return nil, 0, fmt.Errorf("integrity check: %s", check)
	}
	version, err := db.SchemaVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("no kechuang schema: %w", err)
	}
	ms, err := sqldb.Migrations()
	if err != nil {
		return nil, 0, err
	}
	if latest := ms[len(ms)-1].Version; version > latest {
		return nil, 0, fmt.Errorf("schema version %d is newer than this kechuang (%d): restore it with a newer kechuang", version, latest)
	}
	counts := map[string]int{}
	for _, table := range []string{"users", "listings", "attachments", "audit_log"} {
		var n int
		// An older snapshot may lack a table; it then counts 0.
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err == nil {
			counts[table] = n
		}
	}
	// Leave one file behind: fold the write-ahead log into the database.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return nil, 0, err
	}
	return counts, version, nil
}

// verifyRestored verifies the restored audit chain when a key is at hand;
// without one it says how to verify later.
func verifyRestored(ctx context.Context, f appFlags, stdout, stderr io.Writer) error {
	key, err := loadAuditKey(f, false, newLogger(stderr))
	if err != nil {
		fmt.Fprintln(stdout, "no audit key found here: verify the restored audit log with `kechuang audit verify --audit-key-file FILE`")
		return nil
	}
	db, err := sqldb.Open(ctx, f.db, f.data, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate the restored database: %w", err)
	}
	svc, err := audit.Open(ctx, db, key)
	if err != nil {
		return fmt.Errorf("restored database: %w", err)
	}
	v, err := svc.Verify(ctx, audit.System)
	if err != nil {
		return err
	}
	if !v.OK {
		return fmt.Errorf("restored database: %s", v.Error())
	}
	fmt.Fprintf(stdout, "audit log verified: %s\n", v.Detail)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
