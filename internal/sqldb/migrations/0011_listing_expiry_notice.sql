-- Whether the owner has been told that a published listing is about to
-- expire; approval and renewal clear it, so each validity period gets one
-- notice.
ALTER TABLE listings ADD COLUMN expiry_notified BOOLEAN NOT NULL DEFAULT FALSE;
