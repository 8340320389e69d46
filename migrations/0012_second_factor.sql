-- Second factors (authenticator-app codes and recovery codes), the sign-in step between the
-- password and the code, and each account's security history. Portable SQL for SQLite and
-- PostgreSQL.

-- One authenticator per account. The secret is sealed under the server's secret (bound to
-- the account); `confirmed_at` is NULL while it is being set up. `last_step` is the RFC 6238
-- time step of the last code accepted: a code is spent by moving it forward, so it is
-- accepted once. A setup is shown to, and confirmed from, the session that began it
-- (`setup_for`, its token's hash). The recovery codes last made wait here, sealed, until the person says they
-- have saved them (at most `recovery_until`), and only to the session that made them
-- (`recovery_for`, its token's hash).
CREATE TABLE second_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    sealed_recovery TEXT,
    recovery_until BIGINT,
    recovery_for TEXT,
    setup_for TEXT
);

-- Only the keyed hash of a recovery code is kept; a used one keeps its `used_at`.
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- A password proved, waiting for its code (a token in a cookie of its own; only its hash
-- here). It becomes a session only with a code, and lasts five minutes.
CREATE TABLE sign_in_steps (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    next_path TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_steps_user ON sign_in_steps (user_id);

-- What happened to an account's security (second factor turned on or off, recovery codes
-- used or made again, an operator's reset), newest last.
CREATE TABLE account_events (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX account_events_user ON account_events (user_id, created_at);

-- Whether a session passed a second factor (a reviewer's must have).
ALTER TABLE sessions ADD COLUMN second_factor BIGINT NOT NULL DEFAULT 0;
