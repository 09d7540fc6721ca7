-- The change sequence the search index follows: one row per write to a
-- listing, in the transaction of the write. The index records the last
-- sequence number it applied, so after a restart it replays only what it
-- missed.
CREATE TABLE listing_changes (
    seq        @ID@,
    listing_id BIGINT NOT NULL,
    at         TEXT NOT NULL
);
-- Every listing that already exists is one change, so an index built from
-- the sequence alone sees all of them.
INSERT INTO listing_changes (listing_id, at) SELECT id, updated_at FROM listings ORDER BY id;
