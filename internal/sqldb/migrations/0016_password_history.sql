-- Password history (#18 §4): the hashes of a user's recent passwords, so a
-- policy with History > 0 can refuse reusing one. The current password is
-- the newest row. Rows beyond the longest history any policy keeps are
-- deleted when a password is set.
CREATE TABLE password_history (
    id         @ID@,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

-- Users created before this migration have their current password as the
-- first entry.
INSERT INTO password_history (user_id, hash, created_at)
    SELECT id, password_hash, COALESCE(password_changed_at, created_at) FROM users;
