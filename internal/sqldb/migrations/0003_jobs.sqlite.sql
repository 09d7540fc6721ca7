-- Durable jobs (internal/job). The payload lives in its own table so that
-- progress updates do not rewrite a large upload with every row change.
-- Dialects differ only in the payload type: BLOB here, BYTEA on PostgreSQL.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed')),
    done         INTEGER NOT NULL DEFAULT 0,
    total        INTEGER NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT '',
    result       TEXT,                     -- JSON set by the handler on success
    error        TEXT NOT NULL DEFAULT '',
    error_key    TEXT NOT NULL DEFAULT '', -- i18n key when the error was an apperr.Error
    owner_id     BIGINT,                   -- NULL for the system
    owner_name   TEXT NOT NULL DEFAULT '',
    owner_role   TEXT NOT NULL DEFAULT '',
    owner_region TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    worker       TEXT NOT NULL DEFAULT '', -- the process running it
    created_at   TEXT NOT NULL,
    started_at   TEXT,
    heartbeat_at TEXT,
    finished_at  TEXT
);
CREATE INDEX jobs_queue ON jobs (state, id);
CREATE INDEX jobs_owner ON jobs (owner_id, kind, id);
CREATE INDEX jobs_kind ON jobs (kind, id);

CREATE TABLE job_payloads (
    job_id BIGINT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    data   BLOB NOT NULL
);
