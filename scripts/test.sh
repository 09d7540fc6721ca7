#!/usr/bin/env bash
# The test command: installs what the tests need on a Debian machine where it
# is missing (Chromium for the browser tests, PostgreSQL for the storage
# tests, gcc for the race detector), then runs gofmt, go vet and every test
# with the race detector, on SQLite and PostgreSQL.
#
# Set KECHUANG_TEST_PG to use a PostgreSQL server of your own; otherwise the
# script starts (or installs and starts) the local one and creates a role and
# database for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v go >/dev/null || { echo "test: Go is required (https://go.dev/dl/)" >&2; exit 2; }
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-noto-cjk)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
if [ -z "${KECHUANG_TEST_PG:-}" ] && ! command -v pg_ctlcluster >/dev/null; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing ${need[*]}"
  apt_install "${need[@]}"
fi

if [ -z "${KECHUANG_TEST_PG:-}" ]; then
  pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
  if ! pg_up; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    echo "test: starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  # A role and database of our own, reachable over TCP with a password,
  # whatever the server's pg_hba says for the postgres user.
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
SELECT 'CREATE ROLE kechuang LOGIN SUPERUSER PASSWORD ''kechuang'''
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kechuang')\gexec
SELECT 'CREATE DATABASE kechuang_test OWNER kechuang'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'kechuang_test')\gexec
SQL
  export KECHUANG_TEST_PG="postgres://kechuang:kechuang@127.0.0.1:5432/kechuang_test?sslmode=disable"
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bench/*'))
if [ -n "$unformatted" ]; then
  echo "test: gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
# bench/ is its own module (the Bleve comparison); keep it building.
(cd bench && go vet ./...)
go test -race -count=1 -timeout 50m ./...
