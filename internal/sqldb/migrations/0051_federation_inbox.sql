-- The federation inbox (docs/FEDERATION.md §8): interest in a listing sent
-- to its origin instance, and the owner's answer sent back. Each instance
-- keeps the messages it sent (out) and received (in).
CREATE TABLE federation_messages (
    id           @ID@,
    peer_id      BIGINT NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    direction    TEXT NOT NULL,                 -- in out
    kind         TEXT NOT NULL,                 -- interest answer
    msg_id       TEXT NOT NULL,                 -- the sender's id of the message
    reply_to     TEXT NOT NULL DEFAULT '',      -- an answer: the interest's msg_id
    listing_id   BIGINT NOT NULL DEFAULT 0,     -- the listing's id at its origin
    remote_id    BIGINT NOT NULL DEFAULT 0,     -- out interest: federation_listings.id
    user_id      BIGINT NOT NULL DEFAULT 0,     -- out interest: the member; in interest: the listing's owner
    title        TEXT NOT NULL DEFAULT '',      -- the listing's title when the message was written
    organization TEXT NOT NULL DEFAULT '',      -- who is interested (their organization)
    note         TEXT NOT NULL DEFAULT '',
    answered     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TEXT NOT NULL,
    UNIQUE (peer_id, direction, msg_id)
);
CREATE INDEX federation_messages_user ON federation_messages (user_id, direction, kind);
