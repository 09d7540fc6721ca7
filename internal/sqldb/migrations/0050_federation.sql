-- 跨区域共享 (docs/FEDERATION.md): the peers this instance exchanges public
-- listings with, the signature nonces it has seen (replay refusal), and the
-- listings received from peers, stored read-only with their origin.
CREATE TABLE federation_peers (
    id              @ID@,
    url             TEXT NOT NULL UNIQUE,          -- the peer's base URL, no trailing slash
    name            TEXT NOT NULL DEFAULT '',
    region_code     TEXT NOT NULL DEFAULT '',
    protocol        TEXT NOT NULL DEFAULT '',
    key_current     TEXT NOT NULL DEFAULT '',      -- base64 Ed25519 public keys from its instance document
    key_next        TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,                 -- pending approved active failing
    internal        BOOLEAN NOT NULL DEFAULT FALSE,-- private and loopback addresses allowed
    feed_cursor     BIGINT NOT NULL DEFAULT 0,     -- the last feed sequence number applied
    last_sync_at    TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE federation_nonces (
    key_id  TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX federation_nonces_seen ON federation_nonces (seen_at);

CREATE TABLE federation_listings (
    id           @ID@,
    peer_id      BIGINT NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    origin       TEXT NOT NULL,                   -- the origin instance's base URL
    origin_id    BIGINT NOT NULL,                 -- the listing's id there
    seq          BIGINT NOT NULL,                 -- the origin's feed sequence number of this version
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,                   -- published withdrawn expired
    title        TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    expected     TEXT NOT NULL DEFAULT '',
    keywords     TEXT NOT NULL DEFAULT '',
    domain       TEXT NOT NULL DEFAULT '',
    industry     TEXT NOT NULL DEFAULT '',
    trl          INTEGER NOT NULL DEFAULT 0,
    modes        TEXT NOT NULL DEFAULT '',
    band         TEXT NOT NULL DEFAULT '',
    price        DOUBLE PRECISION,
    deadline     TEXT NOT NULL DEFAULT '',
    amount       DOUBLE PRECISION,
    round        TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',
    owner_name   TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    twin_title   TEXT NOT NULL DEFAULT '',        -- a near-duplicate found here (local or from another origin)
    twin_url     TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    expires_at   TEXT,
    updated_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    UNIQUE (origin, origin_id)
);
CREATE INDEX federation_listings_peer ON federation_listings (peer_id);
CREATE INDEX federation_listings_state ON federation_listings (state, kind);

-- The public feed reads the latest change of each listing.
CREATE INDEX listing_changes_listing ON listing_changes (listing_id, seq);
