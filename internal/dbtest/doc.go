// Package dbtest gives tests a fresh, migrated database of each dialect.
//
// Each runs a test on a new SQLite file in t.TempDir() and on a new
// PostgreSQL schema on the server named by KECHUANG_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). An
// unreachable PostgreSQL fails the test: storage code is never tested on one
// database only. Import it from tests only.
package dbtest
