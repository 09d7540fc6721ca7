-- 外部编号: the owner's own id for a listing, set by bulk import, so that
-- importing the same file again updates the listing instead of adding a
-- second one. Empty for listings entered through the form.
ALTER TABLE listings ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX listings_owner_external ON listings (owner_id, external_id) WHERE external_id <> '';
