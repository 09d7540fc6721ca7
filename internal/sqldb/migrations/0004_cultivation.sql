-- 创新主体培育: the enterprise registry, yearly indicators, stored
-- assessments, the cultivation pool and county targets.

CREATE TABLE enterprises (
    id            @ID@,
    credit_code   TEXT NOT NULL UNIQUE,        -- 统一社会信用代码, GB 32100-2015
    name          TEXT NOT NULL,
    region_code   TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    industry      TEXT NOT NULL DEFAULT '',    -- GB/T 4754-2017 code, e.g. C39
    domain        TEXT NOT NULL DEFAULT '',    -- 国家重点支持的高新技术领域
    founded       TEXT NOT NULL DEFAULT '',    -- YYYY-MM-DD
    listed        BOOLEAN NOT NULL DEFAULT FALSE,
    board         TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',    -- comma-separated: 链主, 种子企业 …
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    account_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    certificates  TEXT NOT NULL DEFAULT '[]',  -- JSON: [{type, issued, expires}]
    extra         TEXT NOT NULL DEFAULT '{}',  -- JSON: honors, figures, choices, attestations for the rule sets
    tier          TEXT NOT NULL DEFAULT '',    -- confirmed tier (培育库)
    proposed_tier TEXT NOT NULL DEFAULT '',    -- from the last assessment
    proposed_next TEXT NOT NULL DEFAULT '',
    assessed_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX enterprises_region ON enterprises (region_code);
CREATE INDEX enterprises_tier ON enterprises (tier);

CREATE TABLE enterprise_years (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    year          INTEGER NOT NULL,
    data          TEXT NOT NULL,               -- JSON: figures, ip, standards_led, awards, rd_institutions, restricted
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);

CREATE TABLE assessments (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    rule_set      TEXT NOT NULL,
    version       TEXT NOT NULL,
    as_of         TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    score_min     REAL,
    score_max     REAL,
    gap_count     INTEGER NOT NULL DEFAULT 0,
    result        TEXT NOT NULL,               -- the full AssessmentResult as JSON
    computed_at   TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, rule_set)
);
CREATE INDEX assessments_rule_verdict ON assessments (rule_set, verdict);

CREATE TABLE pool_entries (
    id            @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    tier          TEXT NOT NULL,
    previous_tier TEXT NOT NULL DEFAULT '',
    basis         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    confirmed_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at  TEXT NOT NULL
);
CREATE INDEX pool_entries_enterprise ON pool_entries (enterprise_id, confirmed_at);

CREATE TABLE county_targets (
    id          @ID@,
    region_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    indicator   TEXT NOT NULL,
    target      REAL NOT NULL,
    updated_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (region_code, year, indicator)
);
