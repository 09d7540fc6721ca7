-- Interest across regions (docs/FEDERATION.md §8): an interest received
-- from another instance opens a deal whose interested party is not a user
-- here but a federated counterpart (its organization and origin), so
-- deals.member_id becomes optional. SQLite cannot drop NOT NULL with ALTER
-- TABLE; this is SQLite's own documented procedure for removing a NOT NULL
-- constraint without rebuilding the table (the file format is unchanged,
-- and columns other migrations added stay as they are). The CREATE TABLE
-- below changes the schema cookie, so every connection reads it again.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'member_id     BIGINT NOT NULL REFERENCES users (id)', 'member_id     BIGINT REFERENCES users (id)')
    WHERE type = 'table' AND name = 'deals';
PRAGMA writable_schema = OFF;

-- The federated counterpart of a deal (market): who at which instance is
-- interested. Never a person's contact.
CREATE TABLE deal_remote_members (
    deal_id      BIGINT PRIMARY KEY REFERENCES deals (id) ON DELETE CASCADE,
    origin       TEXT NOT NULL,                 -- the interested member's instance (base URL)
    origin_name  TEXT NOT NULL DEFAULT '',      -- its name, as its instance document gives it
    organization TEXT NOT NULL DEFAULT ''       -- the member's organization
);

-- federation_messages: the deal an interest opened here (in), the deal's
-- state as the origin last reported it (out), and the last deal step sent
-- back to the member's instance (in).
ALTER TABLE federation_messages ADD COLUMN deal_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE federation_messages ADD COLUMN deal_state TEXT NOT NULL DEFAULT '';
ALTER TABLE federation_messages ADD COLUMN forwarded BIGINT NOT NULL DEFAULT 0;
CREATE INDEX federation_messages_deal ON federation_messages (deal_id);
