-- 资源库: institutions and their platforms, experts (with their consent
-- history and deletion requests), broker profiles, service organisations,
-- incubation carriers and their tenants, funds and their portfolios,
-- investor preferences.
--
-- Every top-level record has a region (staff scope), a visibility (public,
-- members, staff) and its editors: owner_id, the linked institution
-- accounts, or the account the record describes. Lists of codes are stored
-- delimited as ",a,b," so that one LIKE '%,a,%' filters them on both
-- databases; free-text lists are JSON arrays. Enterprises of the registry
-- are referenced by credit code and a copied registry id without a foreign
-- key: the registry belongs to a module above this one. Amounts are in 万元.

CREATE TABLE institutions (
    id            @ID@,
    name          TEXT NOT NULL,
    credit_code   TEXT NOT NULL DEFAULT '',     -- 统一社会信用代码, the import key when present
    type          TEXT NOT NULL,                -- university institute new-rd enterprise-rd
    level         TEXT NOT NULL DEFAULT '',     -- affiliation: central provincial municipal county private
    region_code   TEXT NOT NULL,                -- a county
    visibility    TEXT NOT NULL,                -- public members staff
    disciplines   TEXT NOT NULL DEFAULT '',     -- ,CSL discipline,…,
    domains       TEXT NOT NULL DEFAULT '',     -- ,高新技术领域 or 领域/子领域,…,
    summary       TEXT NOT NULL DEFAULT '',
    website       TEXT NOT NULL DEFAULT '',
    tto_name      TEXT NOT NULL DEFAULT '',     -- 技术转移办公室
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX institutions_credit_code ON institutions (credit_code) WHERE credit_code <> '';
CREATE INDEX institutions_region ON institutions (region_code, type);

-- The institution accounts that act for an institution; an account acts
-- for one institution at most.
CREATE TABLE institution_accounts (
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    linked_at      TEXT NOT NULL,
    PRIMARY KEY (institution_id, user_id)
);

CREATE TABLE platforms (
    id             @ID@,
    institution_id BIGINT NOT NULL REFERENCES institutions (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,               -- key-lab engineering-center enterprise-center pilot-base testing
    level          TEXT NOT NULL,               -- national provincial municipal
    domain         TEXT NOT NULL DEFAULT '',
    approved_year  INTEGER NOT NULL DEFAULT 0,
    summary        TEXT NOT NULL DEFAULT '',
    services       TEXT NOT NULL DEFAULT '[]',  -- JSON: open services (开放服务)
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX platforms_institution ON platforms (institution_id);
CREATE INDEX platforms_kind ON platforms (kind, level);

CREATE TABLE experts (
    id                    @ID@,
    name                  TEXT NOT NULL,
    institution_id        BIGINT REFERENCES institutions (id) ON DELETE SET NULL,
    affiliation           TEXT NOT NULL DEFAULT '',  -- employer when not an institution of the directory
    title                 TEXT NOT NULL DEFAULT '',  -- 职称
    disciplines           TEXT NOT NULL DEFAULT '',
    disciplines_confirmed BOOLEAN NOT NULL DEFAULT FALSE,
    research              TEXT NOT NULL DEFAULT '',  -- 研究方向, the text disciplines are suggested from
    keywords              TEXT NOT NULL DEFAULT '',
    achievements          TEXT NOT NULL DEFAULT '[]',
    patents               TEXT NOT NULL DEFAULT '[]',
    roles                 TEXT NOT NULL DEFAULT '',  -- ,reviewer,mentor,commissioner,
    region_code           TEXT NOT NULL,
    visibility            TEXT NOT NULL,
    phone                 TEXT NOT NULL DEFAULT '',
    email                 TEXT NOT NULL DEFAULT '',
    account_id            BIGINT UNIQUE REFERENCES users (id) ON DELETE SET NULL,  -- the expert's own account
    consent_fields        TEXT NOT NULL DEFAULT '',  -- current consent: public fields, '' none
    consent_version       TEXT NOT NULL DEFAULT '',
    consent_at            TEXT,
    deletion_requested_at TEXT,
    created_by            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX experts_region ON experts (region_code);
CREATE INDEX experts_institution ON experts (institution_id);

-- Every consent given or withdrawn (fields ''), newest last. Deleted with
-- the expert: nothing personal outlives a deletion.
CREATE TABLE expert_consents (
    id             @ID@,
    expert_id      BIGINT NOT NULL REFERENCES experts (id) ON DELETE CASCADE,
    fields         TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    method         TEXT NOT NULL,               -- self (in the app) or recorded (on paper, by an editor)
    given_at       TEXT NOT NULL,
    recorded_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX expert_consents_expert ON expert_consents (expert_id, id);

-- A deletion request outlives the record it asked to delete (expert_id
-- becomes NULL) but holds no personal data: it proves the request was met.
CREATE TABLE expert_deletion_requests (
    id            @ID@,
    expert_id     BIGINT REFERENCES experts (id) ON DELETE SET NULL,
    region_code   TEXT NOT NULL,
    requested_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reason        TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,               -- pending done refused
    note          TEXT NOT NULL DEFAULT '',    -- why refused
    decided_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    requested_at  TEXT NOT NULL,
    decided_at    TEXT
);
CREATE INDEX expert_deletion_requests_state ON expert_deletion_requests (state, region_code);
CREATE UNIQUE INDEX expert_deletion_requests_pending ON expert_deletion_requests (expert_id) WHERE state = 'pending';

CREATE TABLE broker_profiles (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    certificate_no TEXT NOT NULL DEFAULT '',
    grade          TEXT NOT NULL DEFAULT '',    -- junior intermediate senior
    organization   TEXT NOT NULL DEFAULT '',
    fields         TEXT NOT NULL DEFAULT '',    -- ,high-tech domains,
    summary        TEXT NOT NULL DEFAULT '',
    region_code    TEXT NOT NULL,
    visibility     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX broker_profiles_region ON broker_profiles (region_code);

CREATE TABLE service_orgs (
    id             @ID@,
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL DEFAULT '',
    type           TEXT NOT NULL,               -- tech-transfer ip testing consulting legal finance
    services       TEXT NOT NULL DEFAULT '[]',
    fields         TEXT NOT NULL DEFAULT '',
    qualifications TEXT NOT NULL DEFAULT '[]',
    summary        TEXT NOT NULL DEFAULT '',
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '',
    contact_email  TEXT NOT NULL DEFAULT '',
    region_code    TEXT NOT NULL,
    visibility     TEXT NOT NULL,
    owner_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX service_orgs_credit_code ON service_orgs (credit_code) WHERE credit_code <> '';
CREATE INDEX service_orgs_region ON service_orgs (region_code, type);

CREATE TABLE carriers (
    id            @ID@,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,                -- maker-space incubator accelerator science-park university-park
    level         TEXT NOT NULL DEFAULT '',     -- national provincial municipal, '' not rated
    operator      TEXT NOT NULL DEFAULT '',     -- 运营主体
    operator_code TEXT NOT NULL DEFAULT '',
    area          DOUBLE PRECISION NOT NULL DEFAULT 0,  -- m² for tenants (孵化场地面积)
    stations      INTEGER NOT NULL DEFAULT 0,   -- 工位
    rooms         INTEGER NOT NULL DEFAULT 0,   -- 独立办公室
    opened        TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD
    summary       TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    region_code   TEXT NOT NULL,
    visibility    TEXT NOT NULL,
    owner_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX carriers_region ON carriers (region_code, kind);

CREATE TABLE carrier_tenants (
    id              @ID@,
    carrier_id      BIGINT NOT NULL REFERENCES carriers (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    credit_code     TEXT NOT NULL DEFAULT '',   -- '' for a team not yet incorporated
    enterprise_id   BIGINT NOT NULL DEFAULT 0,  -- registry id when the code is in the registry
    entered         TEXT NOT NULL,              -- YYYY-MM-DD, first day in
    exited          TEXT NOT NULL DEFAULT '',   -- first day out, '' while in
    exit_reason     TEXT NOT NULL DEFAULT '',   -- graduated moved closed other
    next_kind       TEXT NOT NULL DEFAULT '',   -- the carrier kind it moved on to
    next_carrier_id BIGINT REFERENCES carriers (id) ON DELETE SET NULL,
    stations        INTEGER NOT NULL DEFAULT 0,
    rooms           INTEGER NOT NULL DEFAULT 0,
    area            DOUBLE PRECISION NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX carrier_tenants_carrier ON carrier_tenants (carrier_id, exited);
CREATE INDEX carrier_tenants_code ON carrier_tenants (credit_code);

CREATE TABLE funds (
    id           @ID@,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,                 -- guidance industry angel venture
    manager      TEXT NOT NULL DEFAULT '',      -- 基金管理人
    manager_code TEXT NOT NULL DEFAULT '',
    subscribed   DOUBLE PRECISION NOT NULL DEFAULT 0,  -- 认缴规模, 万元
    paid         DOUBLE PRECISION NOT NULL DEFAULT 0,  -- 实缴规模, 万元
    stages       TEXT NOT NULL DEFAULT '',
    domains      TEXT NOT NULL DEFAULT '',
    established  TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL,
    visibility   TEXT NOT NULL,
    owner_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX funds_region ON funds (region_code, type);

CREATE TABLE fund_investments (
    id            @ID@,
    fund_id       BIGINT NOT NULL REFERENCES funds (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credit_code   TEXT NOT NULL DEFAULT '',
    enterprise_id BIGINT NOT NULL DEFAULT 0,
    round         TEXT NOT NULL,
    amount        DOUBLE PRECISION NOT NULL,
    invested_on   TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX fund_investments_fund ON fund_investments (fund_id, invested_on);
CREATE INDEX fund_investments_code ON fund_investments (credit_code);

CREATE TABLE investor_preferences (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    domains     TEXT NOT NULL DEFAULT '',
    stages      TEXT NOT NULL DEFAULT '',
    ticket_min  DOUBLE PRECISION,               -- 万元, NULL open
    ticket_max  DOUBLE PRECISION,
    regions     TEXT NOT NULL DEFAULT '',       -- ,region codes, (prefix match)
    note        TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL,
    visibility  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX investor_preferences_region ON investor_preferences (region_code);
