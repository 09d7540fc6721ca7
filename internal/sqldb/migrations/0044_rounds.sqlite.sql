-- 申报批次 (issue #11): the yearly application round of one rule set —
-- applications, the county check (形式审查), the city review, 公示 with
-- objections, and the registry numbers (入库登记编号) issued at closing.

CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_set      TEXT NOT NULL,                   -- tech-sme high-tech innovative-sme …
    year          INTEGER NOT NULL,
    title         TEXT NOT NULL,
    region_code   TEXT NOT NULL,                   -- the city (or province) that runs it
    opens         TEXT NOT NULL,                   -- YYYY-MM-DD, first day to apply
    closes        TEXT NOT NULL,                   -- YYYY-MM-DD, last day to apply
    levels        TEXT NOT NULL,                   -- county_city county_city_province
    notice_days   INTEGER NOT NULL DEFAULT 10,     -- 公示期, working days
    number_format TEXT NOT NULL,                   -- e.g. {year}{region}{seq:4}
    state         TEXT NOT NULL,                   -- open notice closed
    notice_from   TEXT NOT NULL DEFAULT '',
    notice_until  TEXT NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    closed_at     TEXT
);
CREATE INDEX rounds_region ON rounds (region_code, year);

CREATE TABLE round_applications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id        BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    region_code     TEXT NOT NULL,                 -- the firm's county when it applied
    state           TEXT NOT NULL,                 -- submitted recommended returned sent_back accepted rejected registered
    origin          TEXT NOT NULL,                 -- enterprise county
    rule_version    TEXT NOT NULL,                 -- the rule-set version the self-assessment used
    verdict         TEXT NOT NULL,
    assessment      TEXT NOT NULL,                 -- the frozen AssessmentResult as JSON
    snapshot        TEXT NOT NULL,                 -- the registry record as applied (JSON)
    evidence        TEXT NOT NULL DEFAULT '[]',    -- JSON: [{condition, name, ref}]
    checklist       TEXT NOT NULL DEFAULT '{}',    -- JSON: the county's 形式审查 answers
    statement       TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',      -- the last return / rejection / send-back reason
    registry_number TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX round_applications_round ON round_applications (round_id, region_code, state);
CREATE INDEX round_applications_enterprise ON round_applications (enterprise_id);

CREATE TABLE round_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES round_applications (id) ON DELETE CASCADE,
    action         TEXT NOT NULL,                  -- apply recommend return accept reject send_back register
    from_state     TEXT NOT NULL DEFAULT '',
    to_state       TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    actor_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name     TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL
);
CREATE INDEX round_events_application ON round_events (application_id, id);

CREATE TABLE round_objections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id       BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES round_applications (id) ON DELETE SET NULL,
    region_code    TEXT NOT NULL,                  -- the objected firm's county, else the round's region
    name           TEXT NOT NULL,
    contact        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    evidence       TEXT NOT NULL DEFAULT '',
    client         TEXT NOT NULL,                  -- a hash of the sender's address, for throttling only; cleared after a day
    answer         TEXT NOT NULL DEFAULT '',
    upheld         BOOLEAN NOT NULL DEFAULT FALSE,
    answered_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    answered_at    TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX round_objections_round ON round_objections (round_id, answered_at);
CREATE INDEX round_objections_client ON round_objections (client, created_at);

-- Evidence files of an application (佐证材料), stored in the database so
-- that it stays the one source of truth.
CREATE TABLE round_files (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES round_applications (id) ON DELETE CASCADE,
    condition_id   TEXT NOT NULL DEFAULT '',       -- the condition it supports, '' for the whole application
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,                  -- sniffed from the bytes, never taken from the client
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    data           BLOB NOT NULL,
    uploaded_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX round_files_application ON round_files (application_id);
