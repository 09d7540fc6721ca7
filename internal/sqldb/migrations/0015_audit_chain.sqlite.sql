-- A tamper-evident audit log (#18 §6, 等保 8.1.4.3 c). Each row carries its
-- position in the chain and an HMAC-SHA-256 over its content and the
-- previous row's MAC, with a key kept outside the database (audit/chain.go).
-- Rows written before this migration have no position; the chain's first
-- MAC covers them all.
ALTER TABLE audit_log ADD COLUMN object_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The chain head: the last position and MAC, and a MAC over both so that a
-- removed tail shows. Writers update it in the transaction that appends
-- rows, which serialises the chain.
CREATE TABLE audit_chain (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    seq      BIGINT NOT NULL DEFAULT 0,
    mac      TEXT NOT NULL DEFAULT '',
    head_mac TEXT NOT NULL DEFAULT '',
    key_id   TEXT NOT NULL DEFAULT ''     -- identifies the key the chain was started with
);
INSERT INTO audit_chain (id) VALUES (1);
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN
    SELECT RAISE(ABORT, 'audit_chain is permanent');
END;

-- Verifications of the chain, for the auditor's page; append-only.
CREATE TABLE audit_verifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    ok          BOOLEAN NOT NULL,
    row_count   BIGINT NOT NULL,          -- rows checked, those before the chain included
    seq         BIGINT NOT NULL,          -- the last position verified
    mac         TEXT NOT NULL DEFAULT '', -- its MAC: a later verification checks it is still there
    problem     TEXT NOT NULL DEFAULT '', -- changed, removed, inserted, head, key
    row_id      BIGINT,                   -- the first bad row
    detail      TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_verifications_no_update BEFORE UPDATE ON audit_verifications
BEGIN
    SELECT RAISE(ABORT, 'audit_verifications is append-only');
END;
CREATE TRIGGER audit_verifications_no_delete BEFORE DELETE ON audit_verifications
BEGIN
    SELECT RAISE(ABORT, 'audit_verifications is append-only');
END;

-- Denied requests (403 answers, CSRF failures, failed logins), one row per
-- kind, actor, client address and minute with a count, so that a flood
-- cannot fill the disk. Only the count and last_at may change.
CREATE TABLE security_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    minute      TEXT NOT NULL,            -- UTC, "2026-11-23T16:30Z"
    kind        TEXT NOT NULL,            -- forbidden, csrf, login_failed, second_factor_failed
    actor_id    BIGINT,                   -- NULL for anonymous callers
    actor_name  TEXT NOT NULL DEFAULT '', -- the user, or the name a failed login tried
    actor_role  TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '', -- the last request, e.g. "POST /api/v1/users"
    count       BIGINT NOT NULL DEFAULT 1,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    UNIQUE (minute, kind, actor_name, client_addr)
);
CREATE INDEX security_events_at ON security_events (last_at);
CREATE TRIGGER security_events_no_delete BEFORE DELETE ON security_events
BEGIN
    SELECT RAISE(ABORT, 'security_events is append-only');
END;
CREATE TRIGGER security_events_count_only BEFORE UPDATE ON security_events
WHEN NEW.id <> OLD.id OR NEW.minute <> OLD.minute OR NEW.kind <> OLD.kind OR NEW.actor_name <> OLD.actor_name
  OR NEW.client_addr <> OLD.client_addr OR NEW.first_at <> OLD.first_at OR NEW.count < OLD.count
  OR COALESCE(NEW.actor_id, 0) <> COALESCE(OLD.actor_id, 0)
BEGIN
    SELECT RAISE(ABORT, 'security_events: only count and last_at may change');
END;

-- A job keeps the address and request of the request that queued it, and
-- the audit rows its run writes carry them.
ALTER TABLE jobs ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
