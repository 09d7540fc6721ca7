// Package sqldb opens the database — embedded SQLite (modernc.org/sqlite, WAL)
// or PostgreSQL (pgx) — and hides the few differences between the two:
// placeholders (write "?", rebound to "$n" for PostgreSQL), the identity
// column in migrations, and driver errors (mapped to apperr kinds once, here).
//
// Migrations are embedded, numbered and append-only (see migrate.go). Times
// are stored as fixed-width UTC text on both databases (see Time), so that
// ordering, comparison and grouping behave the same.
//
// sqldb imports only apperr and the drivers.
package sqldb
