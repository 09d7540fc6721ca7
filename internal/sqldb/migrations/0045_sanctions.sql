-- Spot checks, revocations and the blacklist (抽查、撤销、黑名单, issue #11).
--
-- A spot check draws share_bp (basis points: 500 = 5 %) of a population of
-- certified firms with a recorded seed; population holds the candidates and
-- their weights as JSON ([{"id":1,"weight":1}, ...], ascending id) so that
-- the draw can be repeated and verified. state: open until every drawn firm
-- has a finished check, then closed.
CREATE TABLE spot_checks (
    id              @ID@,
    title           TEXT NOT NULL,
    rule_set        TEXT NOT NULL,
    region_code     TEXT NOT NULL,
    share_bp        INTEGER NOT NULL,
    seed            BIGINT NOT NULL,
    flag_weight     INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL,
    population      TEXT NOT NULL,
    population_size INTEGER NOT NULL,
    state           TEXT NOT NULL,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_name TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    closed_at       TEXT
);

-- One drawn firm of a spot check. findings: JSON [{"condition","result","note"}];
-- outcome: '' while open, 'pass' or 'fail' once finished.
CREATE TABLE spot_check_firms (
    id              @ID@,
    spot_check_id   BIGINT NOT NULL REFERENCES spot_checks (id) ON DELETE CASCADE,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    region_code     TEXT NOT NULL,
    position        INTEGER NOT NULL,
    weight          INTEGER NOT NULL,
    open_flags      INTEGER NOT NULL DEFAULT 0,
    findings        TEXT NOT NULL DEFAULT '[]',
    outcome         TEXT NOT NULL DEFAULT '',
    checked_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    checked_by_name TEXT NOT NULL DEFAULT '',
    checked_at      TEXT,
    UNIQUE (spot_check_id, enterprise_id)
);
CREATE INDEX spot_check_firms_region ON spot_check_firms (region_code);

-- A revoked certificate (撤销). bar_until is the last day the firm may not
-- apply to rule_set again; bar_year, when not 0, bars the rounds of that year.
CREATE TABLE revocations (
    id               @ID@,
    enterprise_id    BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    rule_set         TEXT NOT NULL,
    certificate_type TEXT NOT NULL,
    issued           TEXT NOT NULL,
    revoked_on       TEXT NOT NULL,
    reason           TEXT NOT NULL,
    spot_check_id    BIGINT REFERENCES spot_checks (id) ON DELETE SET NULL,
    bar_year         INTEGER NOT NULL DEFAULT 0,
    bar_until        TEXT NOT NULL,
    created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX revocations_enterprise ON revocations (enterprise_id, rule_set);

-- The blacklist (严重失信、弄虚作假): the firm may apply to no round from
-- starts_on to ends_on (inclusive) unless removed earlier (removed_at).
CREATE TABLE blacklist (
    id              @ID@,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    reason          TEXT NOT NULL,
    document        TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    listed_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    listed_by_name  TEXT NOT NULL,
    listed_at       TEXT NOT NULL,
    removed_at      TEXT,
    removed_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    removed_by_name TEXT NOT NULL DEFAULT '',
    removal_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX blacklist_enterprise ON blacklist (enterprise_id);
