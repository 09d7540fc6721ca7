package audit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"kechuang/internal/apperr"
	"kechuang/internal/sqldb"
)

// The chain (等保 8.1.4.3 c: audit records protected from unexpected
// deletion, change or overwrite). Each row's MAC is
//
//	HMAC-SHA-256(key, canonical(position, content) ‖ previous MAC)
//
// with a key that lives outside the database. Changing a row breaks its
// MAC; removing one leaves a gap in the positions and breaks the next MAC;
// inserting one needs a MAC only the key can make. The head (audit_chain)
// holds the last position and MAC with a MAC of its own, so that a removed
// tail shows too. The database triggers refuse UPDATE, DELETE and TRUNCATE
// in the first place; the chain is what notices when someone with more
// power than the application removed the triggers.
//
// Rows are appended just before their transaction commits (Tx.BeforeCommit):
// the transaction locks the head row then (SELECT … FOR UPDATE on
// PostgreSQL; SQLite transactions hold the write lock from BEGIN), so the
// head is the last lock a transaction takes and concurrent writers append
// one after another, on one node or many.

// MinKeyLen is the shortest chain key accepted, in bytes.
const MinKeyLen = 32

// GenerateKey returns a new random chain key, hex-encoded as ParseKey reads
// it.
func GenerateKey() string {
	b := make([]byte, MinKeyLen)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ParseKey reads a chain key written as hex (64 or more hex digits, as
// GenerateKey writes it); surrounding white space is ignored.
func ParseKey(text string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("audit key: not hex (want %d or more hex digits, as `openssl rand -hex 32` writes)", 2*MinKeyLen)
	}
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("audit key: %d bytes, want at least %d", len(key), MinKeyLen)
	}
	return key, nil
}

// chain is the key attached to a database (sqldb.DB.SetValue).
type chain struct{ key []byte }

type chainKey struct{}

// ErrNoKey is returned by Record and Verify on a database that Open has not
// given a chain key.
var ErrNoKey = errors.New("no audit chain key configured for this database (audit.Open)")

func chainOf(db *sqldb.DB) (*chain, error) {
	c, _ := db.Value(chainKey{}).(*chain)
	if c == nil {
		return nil, ErrNoKey
	}
	return c, nil
}

// keyID names a key without revealing it: the chain remembers the id of the
// key it was started with, so that a node configured with another key
// refuses to start instead of writing rows nobody can verify.
func keyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kechuang-audit-key-id"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// Open attaches the chain key to db, so that Record can seal rows on it,
// and returns a Service. The first Open of a database records which key its
// chain uses; a later Open with another key is an error naming both key
// ids, and nothing is attached.
func Open(ctx context.Context, db *sqldb.DB, key []byte) (*Service, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("audit key: %d bytes, want at least %d", len(key), MinKeyLen)
	}
	id := keyID(key)
	var stored string
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT key_id FROM audit_chain WHERE id = 1").Scan(&stored); err != nil {
			return fmt.Errorf("read audit chain head: %w", err)
		}
		if stored == "" {
			stored = id
			_, err := tx.ExecContext(ctx, "UPDATE audit_chain SET key_id = ? WHERE id = 1", id)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if stored != id {
		return nil, fmt.Errorf("audit key %s is not the key this database's audit chain was started with (%s): configure that key (--audit-key-file or KECHUANG_AUDIT_KEY)", id, stored)
	}
	db.SetValue(chainKey{}, &chain{key: append([]byte(nil), key...)})
	return NewService(db), nil
}

// row is one audit row as stored: every field as text, exactly as the MAC
// covers it.
type row struct {
	id                                int64
	seq                               int64
	at                                string
	actorID                           int64
	actorName, actorRole, actorRegion string
	action, objectType, objectID      string
	objectName, regionCode, summary   string
	clientAddr, requestID             string
	mac                               string
}

// macOf returns the row's MAC given the previous row's MAC: a field-by-field
// length-prefixed encoding, so no two rows encode alike.
func (c *chain) macOf(r row, prev string) string {
	m := hmac.New(sha256.New, c.key)
	writeFields(m, "kechuang-audit-v1", strconv.FormatInt(r.seq, 10), r.at, strconv.FormatInt(r.actorID, 10),
		r.actorName, r.actorRole, r.actorRegion, r.action, r.objectType, r.objectID, r.objectName, r.regionCode,
		r.summary, r.clientAddr, r.requestID, prev)
	return hex.EncodeToString(m.Sum(nil))
}

// headMAC seals the head's position and last MAC.
func (c *chain) headMAC(seq int64, mac string) string {
	m := hmac.New(sha256.New, c.key)
	writeFields(m, "kechuang-audit-head-v1", strconv.FormatInt(seq, 10), mac)
	return hex.EncodeToString(m.Sum(nil))
}

// genesis is the MAC the first chained row builds on. It covers every row
// written before the chain began (those without a position), in id order,
// so that they are protected too.
type genesis struct {
	m hash.Hash
	n int64
}

func (c *chain) newGenesis() *genesis {
	g := &genesis{m: hmac.New(sha256.New, c.key)}
	writeFields(g.m, "kechuang-audit-genesis-v1")
	return g
}

func (g *genesis) add(r row) {
	r.seq, r.id = 0, 0
	writeFields(g.m, strconv.FormatInt(r.actorID, 10), r.at, r.actorName, r.actorRole, r.actorRegion, r.action,
		r.objectType, r.objectID, r.objectName, r.regionCode, r.summary, r.clientAddr, r.requestID)
	g.n++
}

func (g *genesis) sum() string {
	writeFields(g.m, strconv.FormatInt(g.n, 10))
	return hex.EncodeToString(g.m.Sum(nil))
}

func writeFields(w hash.Hash, fields ...string) {
	var n [binary.MaxVarintLen64]byte
	for _, f := range fields {
		w.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		w.Write([]byte(f))
	}
}

// flushEvery bounds the rows a transaction holds in memory: a transaction
// that records more (an import of 100,000 rows) appends them in batches,
// taking the chain lock at its first batch instead of at its commit.
const flushEvery = 512

// pendingRows are the rows a transaction recorded, appended at its commit
// or, in batches, when there are many.
type pendingRows struct{ rows []row }

type pendingKey struct{}

// add queues r in tx, registering the append at commit on first use.
func (c *chain) add(ctx context.Context, tx *sqldb.Tx, r row) error {
	p, ok := tx.Local(pendingKey{}).(*pendingRows)
	if !ok {
		p = &pendingRows{}
		tx.SetLocal(pendingKey{}, p)
		tx.BeforeCommit(func(ctx context.Context) error {
			err := c.appendRows(ctx, tx, p.rows)
			p.rows = nil
			return err
		})
	}
	p.rows = append(p.rows, r)
	if len(p.rows) < flushEvery {
		return nil
	}
	err := c.appendRows(ctx, tx, p.rows)
	p.rows = p.rows[:0]
	return err
}

// LockChain takes in tx the lock that appends to the chain take — the head
// row, FOR UPDATE, on PostgreSQL; a SQLite transaction holds the write lock
// from BEGIN, so there it does nothing — and holds it until tx ends. A
// writer whose own rows must be numbered in commit order takes it in
// Tx.BeforeCommit, just before it numbers them: transactions then number
// and commit one after another, on one node or many, and since it is the
// same lock appends take last, no lock-order deadlock arises with them.
func LockChain(ctx context.Context, tx *sqldb.Tx) error {
	if tx.Dialect() != sqldb.Postgres {
		return nil
	}
	var one int
	if err := tx.QueryRowContext(ctx, "SELECT 1 FROM audit_chain WHERE id = 1 FOR UPDATE").Scan(&one); err != nil {
		return fmt.Errorf("lock audit chain: %w", err)
	}
	return nil
}

// rowColumns are the columns of a row, in the order scanRow reads them.
const rowColumns = `id, COALESCE(chain_seq, 0), at, COALESCE(actor_id, 0), actor_name, actor_role, actor_region, action,
	object_type, object_id, object_name, region_code, summary, client_addr, request_id, mac`

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var r row
	err := sc.Scan(&r.id, &r.seq, &r.at, &r.actorID, &r.actorName, &r.actorRole, &r.actorRegion, &r.action,
		&r.objectType, &r.objectID, &r.objectName, &r.regionCode, &r.summary, &r.clientAddr, &r.requestID, &r.mac)
	return r, err
}

// appendRows seals rows into the chain and inserts them, inside tx.
func (c *chain) appendRows(ctx context.Context, tx *sqldb.Tx, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	lock := ""
	if tx.Dialect() == sqldb.Postgres {
		lock = " FOR UPDATE"
	}
	var seq int64
	var prev string
	if err := tx.QueryRowContext(ctx, "SELECT seq, mac FROM audit_chain WHERE id = 1"+lock).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("lock audit chain: %w", err)
	}
	if seq == 0 {
		g, err := c.legacyGenesis(ctx, tx, 0)
		if err != nil {
			return err
		}
		prev = g
	}
	for _, r := range rows {
		seq++
		r.seq = seq
		r.mac = c.macOf(r, prev)
		var actorID any
		if r.actorID != 0 {
			actorID = r.actorID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log
			(at, actor_id, actor_name, actor_role, actor_region, action, object_type, object_id, object_name, region_code,
			summary, client_addr, request_id, chain_seq, mac)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.at, actorID, r.actorName, r.actorRole, r.actorRegion, r.action, r.objectType, r.objectID, r.objectName,
			r.regionCode, r.summary, r.clientAddr, r.requestID, r.seq, r.mac); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				// Writes stop rather than fork the chain: someone put a row
				// where the next one belongs.
				return fmt.Errorf("audit %s: chain position %d is already taken: the audit log was tampered with (run `kechuang audit verify`): %w",
					r.action, r.seq, err)
			}
			return fmt.Errorf("audit %s: %w", r.action, err)
		}
		prev = r.mac
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_chain SET seq = ?, mac = ?, head_mac = ? WHERE id = 1",
		seq, prev, c.headMAC(seq, prev)); err != nil {
		return fmt.Errorf("advance audit chain: %w", err)
	}
	return nil
}

// legacyGenesis computes the genesis MAC over the rows without a position
// whose id is below beforeID (0: all of them), in id order.
func (c *chain) legacyGenesis(ctx context.Context, q sqldb.Querier, beforeID int64) (string, error) {
	g, _, err := c.legacy(ctx, q, beforeID)
	return g, err
}

func (c *chain) legacy(ctx context.Context, q sqldb.Querier, beforeID int64) (string, int64, error) {
	cond := ""
	args := []any{}
	if beforeID > 0 {
		cond, args = " AND id < ?", append(args, beforeID)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+rowColumns+" FROM audit_log WHERE chain_seq IS NULL"+cond+" ORDER BY id", args...)
	if err != nil {
		return "", 0, fmt.Errorf("read audit rows before the chain: %w", err)
	}
	defer rows.Close()
	g := c.newGenesis()
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return "", 0, err
		}
		g.add(r)
	}
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	n := g.n
	return g.sum(), n, nil
}
