-- 揭榜挂帅 challenges (issue #15): the 榜单 with its terms and review scheme
-- fixed before publication, its stage history, applications with their
-- attachments, the review panel with conflict flags and scorecards, and the
-- objections of its 公示. The dialects differ only in the id and the
-- attachment bytes (BLOB here, BYTEA on PostgreSQL).
CREATE TABLE challenges (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,                 -- gov 政府榜, enterprise 企业榜
    title           TEXT NOT NULL,
    problem         TEXT NOT NULL,
    indicators      TEXT NOT NULL,                 -- JSON list of measurable indicators
    field           TEXT NOT NULL,                 -- CSL discipline the panel is matched on
    budget          DOUBLE PRECISION NOT NULL,     -- 万元, budget or bounty
    period_months   INTEGER NOT NULL,
    eligibility     TEXT NOT NULL,
    ip_terms        TEXT NOT NULL,
    payment_terms   TEXT NOT NULL,
    criteria        TEXT NOT NULL,                 -- JSON list of {name, weight}
    blind           BOOLEAN NOT NULL DEFAULT FALSE,
    defense         BOOLEAN NOT NULL DEFAULT FALSE, -- 答辩 stage after the review
    notice_days     INTEGER NOT NULL,
    apply_until     TEXT,
    region_code     TEXT NOT NULL,
    publisher_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    publisher_name  TEXT NOT NULL,                 -- the 发榜方 as shown
    stage           TEXT NOT NULL,
    return_note     TEXT NOT NULL DEFAULT '',
    notice_from     TEXT,
    notice_until    TEXT,
    selected_id     BIGINT,
    project_id      BIGINT REFERENCES projects (id) ON DELETE SET NULL,
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX challenges_region_stage ON challenges (region_code, stage);
CREATE INDEX challenges_publisher ON challenges (publisher_id);

CREATE TABLE challenge_steps (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id BIGINT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    stage_from   TEXT NOT NULL,
    stage_to     TEXT NOT NULL,
    note         TEXT NOT NULL,
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_name   TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX challenge_steps_challenge ON challenge_steps (challenge_id, id);

CREATE TABLE challenge_applications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id    BIGINT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    applicant_id    BIGINT NOT NULL REFERENCES users (id),
    org_name        TEXT NOT NULL,                 -- the 揭榜方
    team            TEXT NOT NULL,                 -- JSON list of {name, role, affiliation}
    proposal        TEXT NOT NULL,
    budget          DOUBLE PRECISION NOT NULL,
    milestones      TEXT NOT NULL,                 -- JSON list of {name, due}
    accepted_terms  BOOLEAN NOT NULL,
    state           TEXT NOT NULL,                 -- submitted passed failed selected
    check_note      TEXT NOT NULL DEFAULT '',
    signed_at       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (challenge_id, applicant_id)
);
CREATE INDEX challenge_applications_applicant ON challenge_applications (applicant_id);

CREATE TABLE challenge_attachments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES challenge_applications (id) ON DELETE CASCADE,
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    data           BLOB NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX challenge_attachments_application ON challenge_attachments (application_id);

CREATE TABLE challenge_reviewers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id  BIGINT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    expert_id     BIGINT NOT NULL REFERENCES experts (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    affiliation   TEXT NOT NULL,
    flags         TEXT NOT NULL,                   -- JSON: application id → conflict codes found
    declared      BOOLEAN NOT NULL DEFAULT FALSE,
    conflict      BOOLEAN NOT NULL DEFAULT FALSE,  -- the reviewer declared a conflict
    declaration   TEXT NOT NULL DEFAULT '',
    declared_at   TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (challenge_id, expert_id),
    UNIQUE (challenge_id, user_id)
);
CREATE INDEX challenge_reviewers_user ON challenge_reviewers (user_id);

CREATE TABLE challenge_scores (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    reviewer_id    BIGINT NOT NULL REFERENCES challenge_reviewers (id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES challenge_applications (id) ON DELETE CASCADE,
    scores         TEXT NOT NULL,                  -- JSON list, one 0–100 score per criterion
    total          DOUBLE PRECISION NOT NULL,      -- weighted
    comment        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (reviewer_id, application_id)
);
CREATE INDEX challenge_scores_application ON challenge_scores (application_id);

CREATE TABLE challenge_objections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    challenge_id BIGINT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    contact      TEXT NOT NULL,                    -- sealed
    reason       TEXT NOT NULL,
    client       TEXT NOT NULL,                    -- hashed sender address, kept for the throttle only
    answer       TEXT NOT NULL DEFAULT '',
    upheld       BOOLEAN NOT NULL DEFAULT FALSE,
    answered_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    answered_at  TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX challenge_objections_challenge ON challenge_objections (challenge_id);
CREATE INDEX challenge_objections_client ON challenge_objections (client, created_at);
