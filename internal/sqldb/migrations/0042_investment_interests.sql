-- The investment pipeline of financing needs: an investor's interest in a
-- financing listing moves 意向 (intent) → 尽调 (diligence, once the firm
-- accepts) → 投决 (decision) → 已投 (invested), or ends 终止 (terminated,
-- with a reason). Each step is a row of investment_interest_events.
CREATE TABLE investment_interests (
    id           @ID@,
    listing_id   BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    investor_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note         TEXT NOT NULL DEFAULT '',
    stage        TEXT NOT NULL,                -- intent diligence decision invested terminated
    reason       TEXT NOT NULL DEFAULT '',     -- why it was declined or terminated
    fund_id      BIGINT,                       -- the fund whose portfolio the investment went to
    region_code  TEXT NOT NULL,                -- the listing's county, for staff scope
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX investment_interests_listing ON investment_interests (listing_id, stage);
CREATE INDEX investment_interests_investor ON investment_interests (investor_id, stage);

CREATE TABLE investment_interest_events (
    id          @ID@,
    interest_id BIGINT NOT NULL REFERENCES investment_interests (id) ON DELETE CASCADE,
    action      TEXT NOT NULL,
    from_stage  TEXT NOT NULL DEFAULT '',
    to_stage    TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at          TEXT NOT NULL
);
CREATE INDEX investment_interest_events_interest ON investment_interest_events (interest_id, id);
