-- Foundation: administrative regions, accounts, sessions, audit log, settings.
-- @ID@ expands to the identity primary key of each dialect (see migrate.go).

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,          -- 6-digit GB/T 2260 code, e.g. 320505
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL,          -- 1 province, 2 city, 3 county
    parent_code TEXT NOT NULL DEFAULT ''
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE users (
    id                   @ID@,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL DEFAULT '',
    organization         TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    region_code          TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    last_login_at        TEXT,
    password_changed_at  TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_role_region ON users (role, region_code);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,         -- sha256 of the cookie value; the value itself is never stored
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    client_addr  TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
    id           @ID@,
    at           TEXT NOT NULL,
    actor_id     BIGINT,                   -- NULL for the system and anonymous callers
    actor_name   TEXT NOT NULL DEFAULT '',
    actor_role   TEXT NOT NULL DEFAULT '',
    actor_region TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL DEFAULT '',
    object_id    TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    client_addr  TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
