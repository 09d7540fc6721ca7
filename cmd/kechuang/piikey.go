package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"

	"kechuang/internal/pii"
)

// piiKeyName is the personal-data key file made in the data directory
// when --pii-key-file is not given.
const piiKeyName = "pii.key"

// loadPIIKeys reads the personal-data keyring (package pii). A file named
// by --pii-key-file (or KECHUANG_PII_KEY_FILE) must exist: an operator who
// names a key file means that key, and a new one would not open what is
// stored. Without the flag the key is DATA/pii.key, written (mode 0600) at
// first start and said so in the log; app.New then refuses to start when
// the database holds data sealed with another key, so a lost or mixed-up
// key file stops the server instead of sealing new rows under a new key.
func loadPIIKeys(f appFlags, log *slog.Logger) (*pii.Keyring, error) {
	if f.piiKeyFile != "" {
		k, err := pii.LoadFile(f.piiKeyFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageError("--pii-key-file %s does not exist; create it with\n"+
				"  (umask 077; head -c 32 /dev/urandom | base64 > %s)\nand keep a copy apart from the database's backups", f.piiKeyFile, f.piiKeyFile)
		}
		if err != nil {
			return nil, usageError("--pii-key-file: %v", err)
		}
		return k, nil
	}
	path := filepath.Join(f.data, piiKeyName)
	k, created, err := pii.LoadOrCreate(path)
	if err != nil {
		return nil, usageError("personal-data key %s: %v", path, err)
	}
	if created {
		log.Warn("generated a new personal-data key; keep a copy apart from the database and its backups, "+
			"and give every node the same key (--pii-key-file or KECHUANG_PII_KEY_FILE)", "path", path, "key_id", k.ID())
	}
	return k, nil
}
