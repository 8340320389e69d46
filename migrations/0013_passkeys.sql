-- Passkeys (WebAuthn): another way to pass two-step verification, for an account that has
-- it on. Portable SQL for SQLite and PostgreSQL.

-- An account's passkeys. `credential` is the verified public key with its signature counter
-- (webauthn-rs's `Passkey`, as JSON); `credential_id` is the authenticator's id for it
-- (base64url), unique across accounts. `sign_count` is the last signature counter accepted:
-- a use moves it forward by a conditional update (a cloned key's older count is refused, also
-- when two uses race).
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    sign_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- A passkey being added: the challenge's state between its two requests, for the session that
-- asked (its token's hash), with the name typed, five minutes, used once.
CREATE TABLE passkey_registrations (
    session_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A sign-in step's passkey challenge (between asking the browser and its answer).
ALTER TABLE sign_in_steps ADD COLUMN passkey_state TEXT;
