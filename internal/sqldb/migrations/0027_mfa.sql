-- Second factor (TOTP, RFC 6238) and recovery codes (issue #18 §3).
-- secret is sealed with the instance key (package secret), never plain.
-- confirmed_at is NULL while the user has not yet typed a first code.
CREATE TABLE user_mfa (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    last_step    BIGINT NOT NULL DEFAULT 0,   -- the last time step accepted: a code is good once
    created_at   TEXT NOT NULL,
    confirmed_at TEXT
);

-- Ten single-use recovery codes per user. lookup is the code's first four
-- characters (to find the row); hash is argon2id of the remaining twelve.
CREATE TABLE mfa_recovery_codes (
    id       @ID@,
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lookup   TEXT NOT NULL,
    hash     TEXT NOT NULL,
    used_at  TEXT
);
CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes (user_id, lookup);
