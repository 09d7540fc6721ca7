-- 技术交易: deals between a listing's owner and a member who expressed
-- interest in it (意向 → 洽谈 → 签约 → 已登记, or 终止), with the broker
-- (科技经纪人) who handles them and one history row per step. Amounts are in
-- 万元, as contracts state them.

CREATE TABLE deals (
    id            @ID@,
    listing_id    BIGINT NOT NULL REFERENCES listings (id),
    owner_id      BIGINT NOT NULL REFERENCES users (id),     -- the listing's owner when the deal began
    member_id     BIGINT NOT NULL REFERENCES users (id),     -- who expressed interest
    broker_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    region_code   TEXT NOT NULL,                             -- the listing's county: staff scope
    state         TEXT NOT NULL,                             -- intent negotiating signed registered terminated
    message       TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    amount        DOUBLE PRECISION,                          -- 万元, recorded at signing
    contract_id   BIGINT REFERENCES contracts (id) ON DELETE SET NULL,
    reason        TEXT NOT NULL DEFAULT '',                  -- why it was terminated
    signed_at     TEXT,
    closed_at     TEXT,                                      -- registered or terminated
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX deals_listing ON deals (listing_id);
CREATE INDEX deals_member ON deals (member_id, state);
CREATE INDEX deals_owner ON deals (owner_id, state);
CREATE INDEX deals_broker ON deals (broker_id, state);
CREATE INDEX deals_region_state ON deals (region_code, state);
-- One open deal per member and listing; a contract closes one deal only.
-- The service checks both first, for a clear message; these keep
-- concurrent requests honest.
CREATE UNIQUE INDEX deals_open_per_member ON deals (listing_id, member_id) WHERE state NOT IN ('registered', 'terminated');
CREATE UNIQUE INDEX deals_contract ON deals (contract_id) WHERE contract_id IS NOT NULL;

CREATE TABLE deal_events (
    id         @ID@,
    deal_id    BIGINT NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    from_state TEXT NOT NULL DEFAULT '',                     -- '' for the first step
    to_state   TEXT NOT NULL,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,                                -- create negotiate sign register terminate assign-broker
    note       TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, id);
