-- 供需匹配: what owners answered to proposed matches, the top matches
-- proposed when a listing was published, and who asked not to be told.

-- One answer per proposed pair: the owner of listing_id (the subject)
-- accepted the candidate (a deal was opened) or declined it with a reason.
-- candidate_kind is 'listing' (a listing of the other kind) or 'enterprise'
-- (a registered enterprise, for achievements). Declined and accepted pairs
-- are never proposed again; decline reasons adjust the feature weights for
-- the owner and, more weakly, for the subject's domain.
CREATE TABLE match_feedback (
    id             @ID@,
    listing_id     BIGINT NOT NULL REFERENCES listings (id),
    candidate_kind TEXT NOT NULL,
    candidate_id   BIGINT NOT NULL,
    owner_id       BIGINT NOT NULL REFERENCES users (id),  -- the subject's owner when answered
    actor_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    domain         TEXT NOT NULL,                          -- the subject's top-level domain
    region_code    TEXT NOT NULL,                          -- the subject's county: staff scope
    decision       TEXT NOT NULL,                          -- accepted declined
    reason         TEXT NOT NULL DEFAULT '',               -- field maturity budget unclear region solved other
    note           TEXT NOT NULL DEFAULT '',
    deal_id        BIGINT REFERENCES deals (id) ON DELETE SET NULL,
    score          DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX match_feedback_pair ON match_feedback (listing_id, candidate_kind, candidate_id);
CREATE INDEX match_feedback_owner ON match_feedback (owner_id, decision, reason);
CREATE INDEX match_feedback_domain ON match_feedback (domain, decision, reason);
CREATE INDEX match_feedback_region ON match_feedback (region_code, created_at);

-- The best matches of a newly published listing, kept for the staff's
-- "best new matches" list and so that each pair is announced once, even
-- when several nodes index the same change.
CREATE TABLE match_proposals (
    listing_id   BIGINT NOT NULL REFERENCES listings (id),  -- the newly published listing
    candidate_id BIGINT NOT NULL REFERENCES listings (id),
    rank         INTEGER NOT NULL,
    score        DOUBLE PRECISION NOT NULL,
    shared_terms TEXT NOT NULL DEFAULT '',                  -- comma-separated
    region_code  TEXT NOT NULL,                             -- the new listing's county
    notified     BIGINT REFERENCES users (id) ON DELETE SET NULL, -- the candidate's owner, if told
    created_at   TEXT NOT NULL,
    PRIMARY KEY (listing_id, candidate_id)
);
CREATE INDEX match_proposals_region ON match_proposals (region_code, created_at);

-- Users who asked for no match notices (退订匹配提醒).
CREATE TABLE match_optout (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- Whether a published listing's best matches have been proposed (and their
-- owners told). Listings published before matching existed count as done,
-- so an upgrade does not announce old listings.
ALTER TABLE listings ADD COLUMN matches_proposed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE listings SET matches_proposed = TRUE WHERE state = 'published';
