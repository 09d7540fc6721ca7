-- 科技大市场: listings (科技成果 achievements and 技术需求 demands share one
-- table), their review workflow and the in-app notices sent to owners.

CREATE TABLE listings (
    id            @ID@,
    kind          TEXT NOT NULL,                -- achievement | demand
    state         TEXT NOT NULL,                -- draft submitted published returned withdrawn closed
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',     -- plain text; achievement summary or demand problem
    expected      TEXT NOT NULL DEFAULT '',     -- demand: expected result and indicators
    keywords      TEXT NOT NULL DEFAULT '',     -- comma-separated
    domain        TEXT NOT NULL DEFAULT '',     -- 高新技术领域 "电子信息" or "电子信息/软件"
    industry      TEXT NOT NULL DEFAULT '',     -- GB/T 4754-2017 section or division, e.g. C or C39
    trl           INTEGER NOT NULL DEFAULT 0,   -- 1–9, 0 unknown (demands)
    ip            TEXT NOT NULL DEFAULT '[]',   -- JSON: [{type, number, status}]
    team          TEXT NOT NULL DEFAULT '',
    modes         TEXT NOT NULL DEFAULT '',     -- comma-separated mode codes
    price         DOUBLE PRECISION,             -- asking price in 万元, NULL when 面议
    band          TEXT NOT NULL DEFAULT '',     -- price or budget band code
    deadline      TEXT NOT NULL DEFAULT '',     -- demand: YYYY-MM-DD
    region_code   TEXT NOT NULL,                -- a county
    owner_id      BIGINT NOT NULL REFERENCES users (id),
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    review_note   TEXT NOT NULL DEFAULT '',     -- the reviewer's reason when returned
    reviewer_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    twin_id       BIGINT REFERENCES listings (id) ON DELETE SET NULL,
    twin_score    DOUBLE PRECISION NOT NULL DEFAULT 0,
    views         INTEGER NOT NULL DEFAULT 0,
    submitted_at  TEXT,
    published_at  TEXT,
    expires_at    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX listings_public ON listings (kind, state, expires_at);
CREATE INDEX listings_owner ON listings (owner_id, state);
CREATE INDEX listings_region_state ON listings (region_code, state);

CREATE TABLE notices (
    id         @ID@,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                  -- e.g. listing.approved
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    read_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX notices_user ON notices (user_id, read_at);
