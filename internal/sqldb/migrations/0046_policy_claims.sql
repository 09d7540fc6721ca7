-- 惠企政策 claims (issue #11): a firm, or staff for it, marks a policy as
-- applied for (已申报) or received (已兑现). Policies themselves are data
-- (data/policies/*.json), so policy_id is the policy file's id. One row per
-- firm and policy; a later mark replaces it, and every mark is audited.
CREATE TABLE policy_claims (
    id              @ID@,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    policy_id       TEXT NOT NULL,
    status          TEXT NOT NULL,
    amount          DOUBLE PRECISION,
    note            TEXT NOT NULL,
    updated_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_by_name TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (enterprise_id, policy_id)
);
CREATE INDEX policy_claims_policy ON policy_claims (policy_id);
