-- Attachments of listings (PDF brochures, images), stored in the database so
-- that it stays the one source of truth (backups, several nodes).
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id   BIGINT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,               -- sniffed from the bytes, never taken from the client
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    uploaded_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX attachments_listing ON attachments (listing_id);
