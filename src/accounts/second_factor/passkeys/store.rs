//! Passkeys' rows (server only). Each ceremony's state is spent once: a registration's by
//! deleting it (`DELETE … RETURNING`), a sign-in's with its step (`store::finish_step`).

use crate::server::crypto::new_id;
use crate::server::db::{now_ms, Db, WriteTx};

/// How long a ceremony (the browser asking its authenticator) may take.
pub const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// Passkeys an account may have.
pub const MOST: i64 = super::MOST_PASSKEYS as i64;

/// One of an account's passkeys, as listed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
}

/// The account's credentials (webauthn-rs's `Passkey`, as stored JSON).
pub async fn credentials(db: &Db, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT credential FROM passkeys WHERE user_id = $1 ORDER BY created_at")
        .bind(user_id)
        .fetch_all(&db.pool)
        .await
}

/// A registration under way for the session `session_hash` (one per session: a new one
/// replaces it).
pub async fn begin_registration(
    db: &Db,
    session_hash: &str,
    user_id: &str,
    name: &str,
    state: &str,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    // Those nobody finished (a session that ended, a prompt closed) go on the way.
    sqlx::query("DELETE FROM passkey_registrations WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO passkey_registrations (session_hash, user_id, name, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_hash) DO UPDATE SET \
         user_id = excluded.user_id, name = excluded.name, state = excluded.state, \
         expires_at = excluded.expires_at",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(name)
    .bind(state)
    .bind(now + CEREMONY_MS)
    .execute(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the session's registration (its name and state) if it is alive: once.
pub async fn take_registration(
    db: &Db,
    session_hash: &str,
    user_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let taken: Option<(String, String, i64)> = sqlx::query_as(
        "DELETE FROM passkey_registrations WHERE session_hash = $1 AND user_id = $2 \
         RETURNING name, state, expires_at",
    )
    .bind(session_hash)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    tx.commit().await?;
    Ok(taken
        .filter(|(_, _, until)| *until > now_ms())
        .map(|(name, state, _)| (name, state)))
}

/// Adds a verified passkey in `tx` (whose factor row is locked): `false` when the account has
/// `MOST` already or the credential is registered (to any account).
pub async fn add(
    tx: &mut WriteTx,
    user_id: &str,
    credential_id: &str,
    name: &str,
    credential: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at) \
         SELECT $1, $2, $3, $4, $5, $6 \
         WHERE (SELECT COUNT(*) FROM passkeys WHERE user_id = $2) < $7 \
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(credential_id)
    .bind(name)
    .bind(credential)
    .bind(now_ms())
    .bind(MOST)
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The stored credential with this id of this account.
pub async fn credential(
    tx: &mut WriteTx,
    user_id: &str,
    credential_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT credential FROM passkeys WHERE user_id = $1 AND credential_id = $2")
        .bind(user_id)
        .bind(credential_id)
        .fetch_optional(&mut ***tx)
        .await
}

/// A passkey was used with signature counter `count`: kept with the credential, if it moves the
/// last one forward (or both are 0: an authenticator that keeps no counter). `false` if it does
/// not (a cloned key, or a parallel use that came first) or the passkey was removed meanwhile.
pub async fn used(
    tx: &mut WriteTx,
    user_id: &str,
    credential_id: &str,
    credential: &str,
    count: u32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE passkeys SET credential = $1, last_used_at = $2, sign_count = $5 \
         WHERE user_id = $3 AND credential_id = $4 \
         AND (sign_count < $5 OR ($5 = 0 AND sign_count = 0))",
    )
    .bind(credential)
    .bind(now_ms())
    .bind(user_id)
    .bind(credential_id)
    .bind(i64::from(count))
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Spends the sign-in step's passkey challenge in `tx`: `true` once, while it is still the
/// one `state` was read as (a newer challenge replaced it: the answer is to an old one).
pub async fn spend_challenge(
    tx: &mut WriteTx,
    token_hash: &str,
    state: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE sign_in_steps SET passkey_state = NULL \
         WHERE token_hash = $1 AND passkey_state = $2",
    )
    .bind(token_hash)
    .bind(state)
    .execute(&mut ***tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes one of the account's passkeys: `true` once.
pub async fn remove(tx: &mut WriteTx, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the sign-in step a passkey challenge (replacing one given before): `false` if the
/// step is gone.
pub async fn challenge_step(db: &Db, token_hash: &str, state: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .write_one(
            sqlx::query(
                "UPDATE sign_in_steps SET passkey_state = $1 \
                 WHERE token_hash = $2 AND expires_at > $3",
            )
            .bind(state)
            .bind(token_hash)
            .bind(now_ms()),
        )
        .await?;
    Ok(done.rows_affected() == 1)
}
