package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"kechuang/internal/audit"
)

// auditKeyName is the key file made in the data directory when no key is
// configured.
const auditKeyName = "audit.key"

// loadAuditKey returns the audit chain key, from (first that is set)
// --audit-key-file / KECHUANG_AUDIT_KEY_FILE, KECHUANG_AUDIT_KEY (the key
// itself, hex), or DATA/audit.key. When none exists and create is set, it
// writes a new key to DATA/audit.key (mode 0600) and says so in the log:
// the key must be kept, and backed up, apart from the database.
func loadAuditKey(f appFlags, create bool, log *slog.Logger) ([]byte, error) {
	if f.auditKeyFile != "" {
		b, err := os.ReadFile(f.auditKeyFile)
		if err != nil {
			return nil, usageError("--audit-key-file: %v", err)
		}
		key, err := audit.ParseKey(string(b))
		if err != nil {
			return nil, usageError("--audit-key-file %s: %v", f.auditKeyFile, err)
		}
		return key, nil
	}
	if v := os.Getenv("KECHUANG_AUDIT_KEY"); v != "" {
		key, err := audit.ParseKey(v)
		if err != nil {
			return nil, usageError("KECHUANG_AUDIT_KEY: %v", err)
		}
		return key, nil
	}
	path := filepath.Join(f.data, auditKeyName)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := audit.ParseKey(string(b))
		if err != nil {
			return nil, usageError("%s: %v", path, err)
		}
		return key, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read audit key: %w", err)
	case !create:
		return nil, usageError("no audit key: give --audit-key-file FILE or KECHUANG_AUDIT_KEY, or run from the data directory that holds %s", auditKeyName)
	}
	if err := os.MkdirAll(f.data, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	text := audit.GenerateKey()
	// O_EXCL: two processes starting at once must not each write a key.
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadAuditKey(f, false, log)
	}
	if err != nil {
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	if _, err := fh.WriteString(text + "\n"); err != nil {
		fh.Close()
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	if err := fh.Close(); err != nil {
		return nil, fmt.Errorf("write audit key: %w", err)
	}
	log.Warn("generated a new audit chain key; keep a copy apart from the database and its backups, "+
		"and give every node the same key (--audit-key-file or KECHUANG_AUDIT_KEY)", "path", path)
	return audit.ParseKey(text)
}
