//! Second factors' rows (server only). Every "once" is a conditional write whose row count is
//! checked: a code's step moves forward only past the last one accepted, a recovery code is
//! marked used only while unused, a sign-in step is deleted only while alive, a setup is
//! confirmed only while it is the one that was checked.

use crate::server::crypto::{new_id, random_token, sha256_hex};
use crate::server::db::{now_ms, Backend, Db, WriteTx};

/// How long a sign-in step (password proved, code awaited) lasts.
pub const STEP_MS: i64 = 5 * 60 * 1000;
/// How long new recovery codes can be shown again (and downloaded) before they are only hashes.
pub const REVEAL_MS: i64 = 15 * 60 * 1000;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Factor {
    pub sealed_secret: String,
    pub created_at: i64,
    pub confirmed_at: Option<i64>,
    pub sealed_recovery: Option<String>,
    pub recovery_until: Option<i64>,
    /// The session (its token's hash) the shown codes were made in: only it sees them.
    pub recovery_for: Option<String>,
    /// The session that began a setup: only it sees the secret and confirms it.
    pub setup_for: Option<String>,
}

pub async fn factor(db: &Db, user_id: &str) -> Result<Option<Factor>, sqlx::Error> {
    sqlx::query_as(
        "SELECT sealed_secret, created_at, confirmed_at, sealed_recovery, recovery_until, \
         recovery_for, setup_for FROM second_factors WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await
}

/// Whether the account has a second factor turned on.
pub async fn is_on(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    Ok(factor(db, user_id)
        .await?
        .is_some_and(|f| f.confirmed_at.is_some()))
}

/// Whether the account has a second factor on, read inside `tx`: on PostgreSQL under a share
/// lock, so that turning it on (which updates the row) cannot commit between this check and
/// what `tx` does next (SQLite's single writer already orders the two).
pub async fn is_on_in(tx: &mut WriteTx, user_id: &str) -> Result<bool, sqlx::Error> {
    read_locked(tx, user_id, "FOR SHARE").await
}

/// `is_on_in` for a transaction that goes on to change the factor or its codes: the row is
/// locked for update first, so two such transactions queue instead of deadlocking (one
/// holding a recovery code's row, the other the factor's).
pub async fn lock_factor(tx: &mut WriteTx, user_id: &str) -> Result<bool, sqlx::Error> {
    read_locked(tx, user_id, "FOR UPDATE").await
}

async fn read_locked(tx: &mut WriteTx, user_id: &str, lock: &str) -> Result<bool, sqlx::Error> {
    let sql = if tx.backend() == Backend::Postgres {
        format!("SELECT confirmed_at FROM second_factors WHERE user_id = $1 {lock}")
    } else {
        "SELECT confirmed_at FROM second_factors WHERE user_id = $1".to_string()
    };
    let confirmed: Option<Option<i64>> = sqlx::query_scalar(&sql)
        .bind(user_id)
        .fetch_optional(&mut ***tx)
        .await?;
    Ok(matches!(confirmed, Some(Some(_))))
}

/// Starts (or starts again) setting up an authenticator in the session `for_session` (its
/// token's hash); `false` if one is already on.
pub async fn begin(
    db: &Db,
    user_id: &str,
    sealed_secret: &str,
    for_session: &str,
) -> Result<bool, sqlx::Error> {
    let done = db
        .write_one(
            sqlx::query(
                "INSERT INTO second_factors (user_id, sealed_secret, created_at, setup_for) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, \
                 created_at = excluded.created_at, last_step = 0, sealed_recovery = NULL, \
                 recovery_until = NULL, recovery_for = NULL, setup_for = excluded.setup_for \
                 WHERE second_factors.confirmed_at IS NULL",
            )
            .bind(user_id)
            .bind(sealed_secret)
            .bind(now_ms())
            .bind(for_session),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns on the setup whose secret was checked (`sealed_secret`), begun in the session
/// `for_session`, spending the code's `step`. `false` if it is no longer that setup (turned on
/// meanwhile, or set up again, or begun elsewhere).
pub async fn confirm(
    tx: &mut WriteTx,
    user_id: &str,
    sealed_secret: &str,
    for_session: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE second_factors SET confirmed_at = $1, last_step = $2, setup_for = NULL \
         WHERE user_id = $3 AND sealed_secret = $4 AND setup_for = $5 AND confirmed_at IS NULL",
    )
    .bind(now_ms())
    .bind(step)
    .bind(user_id)
    .bind(sealed_secret)
    .bind(for_session)
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Spends the code of `step`: accepted once, and no code of an earlier step after it.
pub async fn spend_step(tx: &mut WriteTx, user_id: &str, step: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE second_factors SET last_step = $1 \
         WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the account's recovery codes with these hashes (the old set is void), and keeps
/// the codes themselves (sealed) to be shown to the session `for_session` (a token's hash)
/// until saved. The factor's row is written first: its lock orders parallel replacements, so
/// each one's delete sees the codes the one before inserted. `false` if no factor is on.
pub async fn replace_recovery_codes(
    tx: &mut WriteTx,
    user_id: &str,
    hashes: &[String],
    sealed_recovery: &str,
    for_session: &str,
) -> Result<bool, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE second_factors SET sealed_recovery = $1, recovery_until = $2, recovery_for = $3 \
         WHERE user_id = $4 AND confirmed_at IS NOT NULL",
    )
    .bind(sealed_recovery)
    .bind(now_ms() + REVEAL_MS)
    .bind(for_session)
    .bind(user_id)
    .execute(&mut ***tx)
    .await?;
    if held.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut ***tx)
            .await?;
    }
    Ok(true)
}

/// The new recovery codes are saved: only their hashes remain.
pub async fn forget_shown_codes(
    db: &Db,
    user_id: &str,
    for_session: &str,
) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query(
            "UPDATE second_factors SET sealed_recovery = NULL, recovery_until = NULL, \
             recovery_for = NULL WHERE user_id = $1 AND recovery_for = $2",
        )
        .bind(user_id)
        .bind(for_session),
    )
    .await?;
    Ok(())
}

/// Spends a recovery code: `true` once, for an unused code of this account.
pub async fn spend_recovery_code(
    tx: &mut WriteTx,
    user_id: &str,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(hash)
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(&db.pool)
        .await
}

/// Removes the account's second factor (on, or being set up), recovery codes and passkeys, and any
/// sign-in waiting for a code; its sessions no longer count as having passed one. Whether one
/// was on.
pub async fn remove(tx: &mut WriteTx, user_id: &str) -> Result<bool, sqlx::Error> {
    let was_on = lock_factor(tx, user_id).await?;
    for sql in [
        "DELETE FROM second_factors WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM passkeys WHERE user_id = $1",
        "DELETE FROM passkey_registrations WHERE user_id = $1",
        "DELETE FROM sign_in_steps WHERE user_id = $1",
        "UPDATE sessions SET second_factor = 0 WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut ***tx).await?;
    }
    crate::server::sessions::changed(tx, user_id).await?;
    Ok(was_on)
}

/// What happened to an account's security, as stored (`account_events.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Enabled,
    Disabled,
    RecoveryCodeUsed,
    RecoveryCodesRenewed,
    ResetByOperator,
    PasskeyAdded,
    PasskeyRemoved,
}

impl Event {
    pub fn key(self) -> &'static str {
        match self {
            Event::Enabled => "second_factor_enabled",
            Event::Disabled => "second_factor_disabled",
            Event::RecoveryCodeUsed => "recovery_code_used",
            Event::RecoveryCodesRenewed => "recovery_codes_renewed",
            Event::ResetByOperator => "second_factor_reset",
            Event::PasskeyAdded => "passkey_added",
            Event::PasskeyRemoved => "passkey_removed",
        }
    }

    pub fn from_key(key: &str) -> Option<Event> {
        [
            Event::Enabled,
            Event::Disabled,
            Event::RecoveryCodeUsed,
            Event::RecoveryCodesRenewed,
            Event::ResetByOperator,
            Event::PasskeyAdded,
            Event::PasskeyRemoved,
        ]
        .into_iter()
        .find(|e| e.key() == key)
    }
}

pub async fn record(tx: &mut WriteTx, user_id: &str, event: Event) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO account_events (id, user_id, kind, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(event.key())
    .bind(now_ms())
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

/// The account's security history, newest first (at most the last `most`).
pub async fn history(db: &Db, user_id: &str, most: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, created_at FROM account_events WHERE user_id = $1 \
         ORDER BY created_at DESC, id LIMIT $2",
    )
    .bind(user_id)
    .bind(most)
    .fetch_all(&db.pool)
    .await
}

/// A sign-in waiting for its code.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Step {
    pub user_id: String,
    pub password_hash: String,
    pub next_path: String,
    /// The account's language, which comes with the sign-in to this browser.
    #[sqlx(try_from = "String")]
    pub language: crate::i18n::Lang,
    /// The passkey challenge last given to this step (`passkeys`), as its state.
    pub passkey_state: Option<String>,
}

/// Starts a sign-in step: the token for its cookie (only its hash is kept).
pub async fn start_step(
    db: &Db,
    user_id: &str,
    password_hash: &str,
    next_path: &str,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    let now = now_ms();
    // One step at a time per account: a new password sign-in ends the ones before it (under
    // a lock per account, so two at once leave one).
    let mut tx = db.begin_write().await?;
    tx.lock(&format!("sign-in step {user_id}")).await?;
    sqlx::query("DELETE FROM sign_in_steps WHERE user_id = $1 OR expires_at <= $2")
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO sign_in_steps (token_hash, user_id, password_hash, next_path, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(step_hash(&token))
    .bind(user_id)
    .bind(password_hash)
    .bind(next_path)
    .bind(now + STEP_MS)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

pub fn step_hash(token: &str) -> String {
    sha256_hex(&["sign-in step", token])
}

/// The live step behind a token.
pub async fn step(db: &Db, token: &str) -> Result<Option<Step>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.user_id AS user_id, s.password_hash AS password_hash, \
         s.next_path AS next_path, u.language AS language, s.passkey_state AS passkey_state \
         FROM sign_in_steps s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(step_hash(token))
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await
}

/// Ends the step (it became a session): `true` once, while it was alive.
pub async fn finish_step(tx: &mut WriteTx, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sign_in_steps WHERE token_hash = $1 AND expires_at > $2")
        .bind(step_hash(token))
        .bind(now_ms())
        .execute(&mut ***tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks this session as having passed a second factor (it just turned one on) and ends
/// every other session of the account: they did not pass it. `false` if the session is gone.
pub async fn passed_here(
    tx: &mut WriteTx,
    user_id: &str,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    let marked =
        sqlx::query("UPDATE sessions SET second_factor = 1 WHERE token_hash = $1 AND user_id = $2")
            .bind(token_hash)
            .bind(user_id)
            .execute(&mut ***tx)
            .await?;
    if marked.rows_affected() != 1 {
        return Ok(false);
    }
    crate::server::sessions::end_others(tx, user_id, token_hash).await?;
    Ok(true)
}
