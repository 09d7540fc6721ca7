-- Notices become the foundation package notice: a notice stores the
-- catalog key of its text and the arguments (JSON) and is rendered in the
-- reader's language when read, instead of finished Chinese text.
-- message_args is a JSON array of arguments ({"text": …} shown as written,
-- {"key": …, "args": […]} rendered through the catalog); message_body is
-- one such argument, or '' for none. Rows written before this migration
-- keep their text in title and body and an empty message_key, and are
-- shown as stored: their text cannot be turned back into keys reliably.
ALTER TABLE notices ADD COLUMN message_key TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN message_args TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notices ADD COLUMN message_body TEXT NOT NULL DEFAULT '';

-- The inbox pages newest first; senders count what they sent of a kind
-- (at most three match notices a day).
CREATE INDEX notices_newest ON notices (user_id, id);
CREATE INDEX notices_user_kind ON notices (user_id, kind, created_at);
