package pii

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"kechuang/internal/secret"
	"kechuang/internal/sqldb"
)

// prefix starts every sealed value; the 1 is the format version.
const prefix = "pii:1:"

// ErrNoKey is returned when a value must be sealed, or a sealed value
// opened, on a database with no keyring attached.
var ErrNoKey = errors.New("pii: no personal-data key attached to the database")

// Column names where a value lives; it is the additional data of the
// value's encryption, so a value copied to another column does not open.
type Column struct {
	Table, Name string
	// ID is the table's key column, used by SealAll ("id" when empty).
	ID string
}

func (c Column) String() string { return c.Table + "." + c.Name }

// Keyring is the current key, which seals, and earlier keys, which still
// open values sealed before a rotation.
type Keyring struct {
	current string
	keys    map[string]secret.Key
}

// KeyID returns the identifier of a key as it appears in sealed values:
// eight hex digits of a hash of the key, which reveal nothing of it.
func KeyID(k secret.Key) string {
	h := sha256.Sum256(append([]byte("kechuang pii key id\x00"), k[:]...))
	return hex.EncodeToString(h[:4])
}

// NewKeyring returns a keyring sealing with current and opening with
// current and previous. A zero key is an error.
func NewKeyring(current secret.Key, previous ...secret.Key) (*Keyring, error) {
	k := &Keyring{keys: map[string]secret.Key{}}
	for i, key := range append([]secret.Key{current}, previous...) {
		if key.IsZero() {
			return nil, secret.ErrNoKey
		}
		id := KeyID(key)
		if i == 0 {
			k.current = id
		}
		k.keys[id] = key
	}
	return k, nil
}

// ParseKeyring reads a key file: one key a line (base64 or hex, as
// secret.ParseKey reads), the current key first, earlier keys after it;
// blank lines and lines starting with # are ignored.
func ParseKeyring(text string) (*Keyring, error) {
	var keys []secret.Key
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := secret.ParseKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key in the file (one base64 key of 32 bytes a line, the current key first)")
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// LoadFile reads the key file at path (ParseKeyring).
func LoadFile(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKeyring(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreate reads the key file at path, or, when there is none, writes
// one with a new random key (mode 0600, its directory made 0700) and
// reports created so the caller can say so.
func LoadOrCreate(path string) (k *Keyring, created bool, err error) {
	k, err = LoadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	key := secret.NewKey()
	// O_EXCL: of two processes starting at once, the loser reads the
	// winner's key rather than writing another.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		k, err = LoadFile(path)
		return k, false, err
	}
	if err != nil {
		return nil, false, err
	}
	text := "# kechuang personal-data key (AES-256): the current key first, earlier keys after it\n" + key.String() + "\n"
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	k, err = NewKeyring(key)
	return k, true, err
}

// ID returns the identifier of the current key.
func (k *Keyring) ID() string { return k.current }

// Has reports whether the keyring holds the key with identifier id.
func (k *Keyring) Has(id string) bool {
	_, ok := k.keys[id]
	return ok
}

// IsSealed reports whether a stored value is sealed (rather than legacy
// plain text).
func IsSealed(stored string) bool { return strings.HasPrefix(stored, prefix) }

// SealedKeyID returns the identifier of the key a sealed value was sealed
// with, or "" for plain text.
func SealedKeyID(stored string) string {
	if !IsSealed(stored) {
		return ""
	}
	id, _, _ := strings.Cut(stored[len(prefix):], ":")
	return id
}

// Seal returns plain sealed for column c under the current key; the empty
// string stays empty (an absent phone number is not a secret). A nil
// keyring is ErrNoKey.
func (k *Keyring) Seal(c Column, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	if k == nil {
		return "", ErrNoKey
	}
	s, err := k.keys[k.current].Seal([]byte(plain), c.String())
	if err != nil {
		return "", err
	}
	return prefix + k.current + ":" + s, nil
}

// Open returns the plain text of a value stored in column c. Legacy plain
// text is returned as it is. A value sealed with a key the keyring does not
// hold, or changed, or moved from another column, is an error that says
// which.
func (k *Keyring) Open(c Column, stored string) (string, error) {
	if !IsSealed(stored) {
		return stored, nil
	}
	if k == nil {
		return "", fmt.Errorf("%s: %w", c, ErrNoKey)
	}
	id, data, ok := strings.Cut(stored[len(prefix):], ":")
	key, have := k.keys[id]
	if !ok || !have {
		return "", fmt.Errorf("%s: the value is sealed with personal-data key %s, which is not in the key file (current key %s)", c, id, k.current)
	}
	b, err := key.Open(data, c.String())
	if err != nil {
		return "", fmt.Errorf("%s: %w", c, err)
	}
	return string(b), nil
}

// OpenAll opens each *dst in place (see Open), pairs of column and pointer.
func (k *Keyring) OpenAll(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		c, dst := pairs[i].(Column), pairs[i+1].(*string)
		v, err := k.Open(c, *dst)
		if err != nil {
			return err
		}
		*dst = v
	}
	return nil
}

type keyringKey struct{}

// Attach makes k the keyring of db: Seal and Open on db, or on any
// transaction of it, use k.
func Attach(db *sqldb.DB, k *Keyring) { db.SetValue(keyringKey{}, k) }

// From returns the keyring attached to the database q is, or runs on; nil
// when none is (Seal then fails, and Open fails on sealed values).
func From(q sqldb.Querier) *Keyring {
	var db *sqldb.DB
	switch v := q.(type) {
	case *sqldb.DB:
		db = v
	case *sqldb.Tx:
		db = v.DB()
	default:
		return nil
	}
	k, _ := db.Value(keyringKey{}).(*Keyring)
	return k
}

// Check reports an error when the database holds values in columns that
// this keyring cannot open: the key file is not the one the data was sealed
// with. Servers call it at start, before anything is written.
func Check(ctx context.Context, q sqldb.Querier, k *Keyring, cols ...Column) error {
	for _, c := range cols {
		rows, err := q.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT substr(%s, 1, %d) FROM %s WHERE %s LIKE ?",
			c.Name, len(prefix)+8, c.Table, c.Name), prefix+"%")
		if err != nil {
			return fmt.Errorf("check %s: %w", c, err)
		}
		var missing string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return err
			}
			if id := strings.TrimPrefix(p, prefix); !k.Has(id) && missing == "" {
				missing = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if missing != "" {
			return fmt.Errorf("%s holds personal data sealed with key %s, which the key file does not hold (its current key is %s): "+
				"give the key file the data was sealed with", c, missing, k.current)
		}
	}
	return nil
}

// SealAll seals, under the current key, every value in cols that is plain
// text or sealed with an earlier key: the step that encrypts the rows
// written before sealing existed, and that finishes a key rotation. It
// works in batches of 500 rows, each in its own transaction, and returns
// how many values it sealed.
func SealAll(ctx context.Context, db *sqldb.DB, cols ...Column) (int, error) {
	k := From(db)
	if k == nil {
		return 0, ErrNoKey
	}
	done := 0
	for _, c := range cols {
		id := c.ID
		if id == "" {
			id = "id"
		}
		for {
			n := 0
			err := db.InTx(ctx, func(tx *sqldb.Tx) error {
				rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s <> '' AND %s NOT LIKE ? ORDER BY %s LIMIT 500",
					id, c.Name, c.Table, c.Name, c.Name, id), prefix+k.current+":%")
				if err != nil {
					return err
				}
				type row struct {
					id    int64
					value string
				}
				var batch []row
				for rows.Next() {
					var r row
					if err := rows.Scan(&r.id, &r.value); err != nil {
						rows.Close()
						return err
					}
					batch = append(batch, r)
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				for _, r := range batch {
					plain, err := k.Open(c, r.value)
					if err != nil {
						return fmt.Errorf("row %d: %w", r.id, err)
					}
					sealed, err := k.Seal(c, plain)
					if err != nil {
						return err
					}
					// "AND value = old": a row a user changed meanwhile keeps
					// the user's value (sealed by its writer), not ours.
					if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ? AND %s = ?", c.Table, c.Name, id, c.Name),
						sealed, r.id, r.value); err != nil {
						return err
					}
				}
				n = len(batch)
				return nil
			})
			if err != nil {
				return done, fmt.Errorf("seal %s: %w", c, err)
			}
			done += n
			if n < 500 {
				break
			}
		}
	}
	return done, nil
}

// Value returns plain as a query argument that is sealed for column c when
// the statement runs (a driver.Valuer), for stores that build argument
// lists without a place to return an error: a failure to seal fails the
// statement.
func (k *Keyring) Value(c Column, plain string) driver.Valuer { return sealedValue{k, c, plain} }

type sealedValue struct {
	k     *Keyring
	c     Column
	plain string
}

func (v sealedValue) Value() (driver.Value, error) { return v.k.Seal(v.c, v.plain) }

// checkRow is the settings row holding a value sealed with the
// installation's key, and checkColumn its additional data.
const checkRow = "pii_key_check"

var checkColumn = Column{Table: "settings", Name: checkRow}

// CheckInstallation refuses a keyring that is not the installation's,
// even before any personal data is stored: the first start stores a value
// sealed with the current key in the settings table; every later start, on
// any node, must open it (an earlier key in the keyring will do, and the
// value is then sealed again with the current key, as SealAll does for the
// data). Without it, a second node started without the shared key file
// would make a key of its own and seal what it writes with it. The error
// names the key id the installation needs. Call it at start, with the
// keyring attached to db.
func CheckInstallation(ctx context.Context, db *sqldb.DB) error {
	k := From(db)
	if k == nil {
		return ErrNoKey
	}
	v, err := k.Seal(checkColumn, checkRow)
	if err != nil {
		return err
	}
	// Two nodes starting at once: the first value stored wins, and the
	// other node is compared with it.
	if _, err := db.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", checkRow, v); err != nil {
		return fmt.Errorf("store personal-data key check: %w", err)
	}
	var stored string
	if err := db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", checkRow).Scan(&stored); err != nil {
		return fmt.Errorf("read personal-data key check: %w", err)
	}
	if _, err := k.Open(checkColumn, stored); err != nil {
		return fmt.Errorf("this installation's personal data is sealed with key %s, which the key file does not hold (its current key is %s): "+
			"give every node the installation's key file (--pii-key-file or KECHUANG_PII_KEY_FILE)", SealedKeyID(stored), k.current)
	}
	if SealedKeyID(stored) != k.current {
		if _, err := db.ExecContext(ctx, "UPDATE settings SET value = ? WHERE key = ? AND value = ?", v, checkRow, stored); err != nil {
			return fmt.Errorf("update personal-data key check: %w", err)
		}
	}
	return nil
}
