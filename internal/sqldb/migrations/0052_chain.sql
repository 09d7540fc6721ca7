-- 产业链图谱 (internal/chain). The chains themselves are data files
-- (data/chains); staff edits of a link are an overlay on the file's
-- version, one row per edited link.
CREATE TABLE chain_link_edits (
    chain_id     TEXT NOT NULL,
    link_id      TEXT NOT NULL,
    base_version TEXT NOT NULL,                 -- the file version the edit was made on
    revision     INTEGER NOT NULL DEFAULT 1,    -- counts the edits of this link
    description  TEXT NOT NULL DEFAULT '',
    keywords     TEXT NOT NULL DEFAULT '[]',    -- JSON array
    classes      TEXT NOT NULL DEFAULT '[]',    -- JSON array of GB/T 4754 codes
    domains      TEXT NOT NULL DEFAULT '[]',    -- JSON array
    updated_by   BIGINT NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (chain_id, link_id)
);

-- A thing placed on a link: suggested (with confidence and reasons) or
-- confirmed by staff. One placement per subject and chain. The facts are a
-- snapshot of the subject taken when the placement was last refreshed.
CREATE TABLE chain_placements (
    id            @ID@,
    chain_id      TEXT NOT NULL,
    link_id       TEXT NOT NULL,
    subject_type  TEXT NOT NULL,                -- enterprise achievement demand financing institution expert fund project
    subject_id    BIGINT NOT NULL,
    subject_name  TEXT NOT NULL,
    region_code   TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,                -- suggested confirmed
    confidence    DOUBLE PRECISION NOT NULL DEFAULT 0,
    reasons       TEXT NOT NULL DEFAULT '[]',   -- JSON: [{key, args}]
    tier          TEXT NOT NULL DEFAULT '',     -- enterprise: its standing tier
    above_scale   BOOLEAN NOT NULL DEFAULT FALSE,
    high_tech     BOOLEAN NOT NULL DEFAULT FALSE,
    revenue       DOUBLE PRECISION NOT NULL DEFAULT 0, -- 元, latest year
    rd_expense    DOUBLE PRECISION NOT NULL DEFAULT 0, -- 元, latest year
    patents       INTEGER NOT NULL DEFAULT 0,
    subject_at    TEXT NOT NULL,                -- when the subject last changed
    decided_by    BIGINT NOT NULL DEFAULT 0,
    decided_at    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (chain_id, subject_type, subject_id)
);
CREATE INDEX chain_placements_link ON chain_placements (chain_id, link_id);
CREATE INDEX chain_placements_subject ON chain_placements (subject_type, subject_id);

-- 链主: lead firms per chain.
CREATE TABLE chain_leaders (
    chain_id      TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    region_code   TEXT NOT NULL,
    marked_by     BIGINT NOT NULL DEFAULT 0,
    marked_at     TEXT NOT NULL,
    PRIMARY KEY (chain_id, enterprise_id)
);

-- 招商 leads created from a link: a project of the project library.
CREATE TABLE chain_leads (
    id             @ID@,
    chain_id       TEXT NOT NULL,
    link_id        TEXT NOT NULL,
    project_id     BIGINT NOT NULL,
    candidate_type TEXT NOT NULL DEFAULT '',
    candidate_id   BIGINT NOT NULL DEFAULT 0,
    candidate_name TEXT NOT NULL DEFAULT '',
    region_code    TEXT NOT NULL,
    created_by     BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX chain_leads_link ON chain_leads (chain_id, link_id);
