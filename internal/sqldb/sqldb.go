package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL dialect of a database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database with its dialect.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// path is the SQLite file, empty for PostgreSQL.
	path string

	mu     sync.RWMutex // guards values
	values map[any]any  // see SetValue
}

// SetValue attaches v to the database handle under key (a private type of
// the caller's package, as with context values). Foundation packages keep
// per-database state there that must be reachable from inside any
// transaction: audit keeps its chain key.
func (db *DB) SetValue(key, v any) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.values == nil {
		db.values = map[any]any{}
	}
	db.values[key] = v
}

// Value returns what SetValue attached under key, or nil.
func (db *DB) Value(key any) any {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.values[key]
}

// Options tune Open. The zero value is fine.
type Options struct {
	// MaxOpenConns caps the pool; 0 means the default for the dialect.
	MaxOpenConns int
	// Synchronous overrides SQLite's synchronous setting ("" means FULL).
	// It exists for the benchmark that measures what FULL costs; NORMAL
	// can lose acknowledged commits on power loss.
	Synchronous string
}

// Open opens the database named by dsn. A dsn starting with "postgres://" or
// "postgresql://" opens PostgreSQL; an empty dsn opens dataDir/kechuang.db;
// anything else is a SQLite file path (an optional "sqlite:" prefix is
// dropped). Open pings the database, so an unreachable server is an error
// here rather than at the first request.
func Open(ctx context.Context, dsn, dataDir string, opt Options) (*DB, error) {
	var db *DB
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		max := opt.MaxOpenConns
		if max == 0 {
			max = 20
		}
		pool.SetMaxOpenConns(max)
		pool.SetMaxIdleConns(max)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{sql: pool, dialect: Postgres}
	default:
		path := SQLitePath(dsn, dataDir)
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		// busy_timeout lets concurrent writers wait instead of failing with
		// SQLITE_BUSY; _txlock=immediate takes the write lock at BEGIN so that
		// two read-then-write transactions cannot deadlock on the upgrade.
		// synchronous=FULL syncs the write-ahead log at every commit: with
		// NORMAL, a commit the server acknowledged can vanish on power loss
		// (it survives a process crash either way). docs/BENCHMARKS.md has
		// the cost.
		sync := opt.Synchronous
		if sync == "" {
			sync = "FULL"
		}
		conn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")&_txlock=immediate"
		pool, err := sql.Open("sqlite", conn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		max := opt.MaxOpenConns
		if max == 0 {
			max = 8
		}
		pool.SetMaxOpenConns(max)
		pool.SetMaxIdleConns(max)
		db = &DB{sql: pool, dialect: SQLite, path: path}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.sql.PingContext(pingCtx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	return db, nil
}

// SQLitePath returns the SQLite file that Open(dsn, dataDir) opens, or ""
// when dsn names PostgreSQL.
func SQLitePath(dsn, dataDir string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return ""
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		path = filepath.Join(dataDir, "kechuang.db")
	}
	return path
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Path returns the SQLite file path, or "" for PostgreSQL.
func (db *DB) Path() string { return db.path }

// SQL returns the underlying pool, for pool statistics and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// Querier is what both DB and Tx offer, so that read helpers take either.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// ExecContext runs a statement written with "?" placeholders.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.sql.ExecContext(ctx, rebind(db.dialect, query), args...)
	return res, MapError(err)
}

// QueryContext runs a query written with "?" placeholders.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := db.sql.QueryContext(ctx, rebind(db.dialect, query), args...)
	return rows, MapError(err)
}

// QueryRowContext runs a query written with "?" placeholders.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, rebind(db.dialect, query), args...)
}

// Tx is a transaction; its methods take "?" placeholders like DB's.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	dialect Dialect
	// local holds per-transaction values (see Local); beforeCommit the
	// functions run, in order, before the transaction commits.
	local        map[any]any
	beforeCommit []func(ctx context.Context) error
	// stmts caches prepared statements for the life of the transaction on
	// SQLite, where parsing a statement costs more than running it and an
	// import runs the same few statements 100,000 times. (pgx caches
	// prepared statements per connection by itself.) database/sql closes
	// them when the transaction ends.
	stmts map[string]*sql.Stmt
}

// prepared returns the cached statement for q, or nil when q should run
// unprepared.
func (tx *Tx) prepared(ctx context.Context, q string) *sql.Stmt {
	if tx.dialect != SQLite {
		return nil
	}
	if st, ok := tx.stmts[q]; ok {
		return st
	}
	st, err := tx.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil // running it unprepared reports the error
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[q] = st
	return st
}

// Dialect returns the database's dialect.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// DB returns the database the transaction runs on.
func (tx *Tx) DB() *DB { return tx.db }

// Local returns the value stored under key for this transaction, or nil.
func (tx *Tx) Local(key any) any { return tx.local[key] }

// SetLocal stores v under key for the rest of this transaction.
func (tx *Tx) SetLocal(key, v any) {
	if tx.local == nil {
		tx.local = map[any]any{}
	}
	tx.local[key] = v
}

// BeforeCommit registers fn to run inside the transaction after the
// transaction's function returned nil and before the commit; an error from
// fn rolls everything back. audit uses it to append its rows last, so that
// the lock on the audit chain is the last lock a transaction takes and is
// held only for the commit (no lock-order deadlocks with business rows).
func (tx *Tx) BeforeCommit(fn func(ctx context.Context) error) {
	tx.beforeCommit = append(tx.beforeCommit, fn)
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := rebind(tx.dialect, query)
	if st := tx.prepared(ctx, q); st != nil && len(args) > 0 {
		res, err := st.ExecContext(ctx, args...)
		return res, MapError(err)
	}
	res, err := tx.tx.ExecContext(ctx, q, args...)
	return res, MapError(err)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := rebind(tx.dialect, query)
	if st := tx.prepared(ctx, q); st != nil && len(args) > 0 {
		rows, err := st.QueryContext(ctx, args...)
		return rows, MapError(err)
	}
	rows, err := tx.tx.QueryContext(ctx, q, args...)
	return rows, MapError(err)
}

// QueryRowContext runs a query in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q := rebind(tx.dialect, query)
	if st := tx.prepared(ctx, q); st != nil && len(args) > 0 {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// InsertID inserts one row and returns its generated id. The statement must
// not have a RETURNING clause: InsertID adds "RETURNING id", which both
// dialects accept.
func (tx *Tx) InsertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, MapError(err)
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (also when fn panics).
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", MapError(err))
	}
	tx := &Tx{tx: sqlTx, db: db, dialect: db.dialect}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	for i := 0; i < len(tx.beforeCommit); i++ {
		if err = tx.beforeCommit[i](ctx); err != nil {
			return err
		}
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", MapError(err))
	}
	return nil
}

// InReadTx runs fn in a read-only transaction that sees one snapshot of
// the database throughout (REPEATABLE READ on PostgreSQL; a deferred
// transaction in WAL mode on SQLite, which takes no write lock), and rolls
// it back at the end. Long consistent reads use it, such as verifying the
// audit chain while writers go on.
func (db *DB) InReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.sql.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", MapError(err))
	}
	defer sqlTx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(&Tx{tx: sqlTx, db: db, dialect: db.dialect})
}

var rebindCache sync.Map // query string → rebound query string

// rebind turns "?" placeholders into "$1", "$2", … for PostgreSQL, leaving
// question marks inside quoted strings and identifiers alone.
func rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebindCache.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebindCache.Store(q, out)
	return out
}

// ErrNoRows is sql.ErrNoRows, re-exported so callers need not import
// database/sql just to test for absence.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means the query found no row.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// BackupTo writes a consistent snapshot of a SQLite database to path with
// VACUUM INTO, which reads one transaction's view while writers go on. It
// fails on PostgreSQL, whose tool for this is pg_dump.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return fmt.Errorf("backup: use pg_dump for PostgreSQL")
	}
	_, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
