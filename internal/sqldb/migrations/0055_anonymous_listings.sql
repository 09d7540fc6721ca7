-- 匿名发布: an owner may publish an achievement or a demand without its name,
-- organisation and contact. Interest in such a listing is held for the
-- broker the owner entrusted it to (or, without one, the staff of the
-- listing's region), who forward it to the owner; the owner reveals itself
-- per listing (revealed_at) or per deal (owner_revealed_at), once and for
-- good.
ALTER TABLE listings ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE listings ADD COLUMN anonymous_broker_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE listings ADD COLUMN revealed_at TEXT;

-- held: an interest in an anonymous listing not yet forwarded to its owner.
ALTER TABLE deals ADD COLUMN held BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE deals ADD COLUMN forwarded_at TEXT;
ALTER TABLE deals ADD COLUMN owner_revealed_at TEXT;
CREATE INDEX deals_held ON deals (held, region_code);
