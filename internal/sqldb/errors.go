package sqldb

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"kechuang/internal/apperr"
)

// MapError turns a driver's constraint violations into apperr kinds, the
// same for both dialects: a unique violation is Conflict, a foreign-key or
// check violation is Invalid. Other errors pass through unchanged.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return apperr.Wrap(apperr.Conflict, err, "error.duplicate")
		case "23503", "23514", "23502":
			return apperr.Wrap(apperr.Invalid, err, "error.constraint")
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.Wrap(apperr.Conflict, err, "error.duplicate")
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return apperr.Wrap(apperr.Invalid, err, "error.constraint")
		}
		// A trigger's RAISE(ABORT) reports a plain constraint code.
		if liteErr.Code()&0xff == sqlite3.SQLITE_CONSTRAINT && strings.Contains(err.Error(), "append-only") {
			return apperr.Wrap(apperr.Forbidden, err, "error.append_only")
		}
		return err
	}
	return err
}
