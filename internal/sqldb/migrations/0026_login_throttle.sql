-- Failed logins, counted per account and per client address (issue #18 §2).
-- Rows live for an hour (the longest window); the server's sweep deletes
-- older ones. username is what was typed, lower-cased, so that names
-- without an account are throttled exactly like real ones.
CREATE TABLE login_failures (
    id          @ID@,
    username    TEXT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_addr ON login_failures (client_addr, at);

-- A password accepted for an account with a second factor: the login
-- finishes when the code arrives. Only the token's SHA-256 is stored.
CREATE TABLE login_challenges (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_addr TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
