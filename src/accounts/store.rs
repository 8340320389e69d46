//! Account rows: the queries behind sign-up, `create-reviewer`, sign-in and password reset.
//! Outcomes are told in these terms; the server functions word them.

use crate::domain::{Email, Username};
use crate::server::crypto::new_id;
use crate::server::db::{now_ms, Db};
use sqlx::{Any, Transaction};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub username: String,
    pub password_hash: String,
    pub is_reviewer: i64,
}

const USER_COLUMNS: &str = "id, email, username, password_hash, is_reviewer";

/// By e-mail address (already normalised) or by username (any case).
pub async fn find_by_login(db: &Db, login: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let login = login.trim().to_lowercase();
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1 OR username_key = $1"
    ))
    .bind(login)
    .fetch_optional(&db.pool)
    .await
}

pub async fn find_by_email(
    tx: &mut Transaction<'static, Any>,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn username_taken<'c>(
    conn: impl sqlx::Executor<'c, Database = Any>,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(id.is_some())
}

/// What making an account came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Creation {
    Created {
        user_id: String,
    },
    /// The address has an account already (nothing was written).
    EmailTaken,
    /// The unique index refused the row: the username is taken (or, from a parallel request,
    /// the address). On PostgreSQL the transaction can do nothing more: drop it.
    UsernameTaken,
}

/// Makes an account, the one way sign-up and `create-reviewer` both do: the address is looked
/// up in the caller's transaction, and the unique indexes decide between parallel requests.
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    email: &Email,
    username: &Username,
    password_hash: &str,
) -> Result<Creation, sqlx::Error> {
    if find_by_email(tx, email.as_str()).await?.is_some() {
        return Ok(Creation::EmailTaken);
    }
    match insert(
        tx,
        email.as_str(),
        username.as_str(),
        &username.key(),
        password_hash,
    )
    .await
    {
        Ok(user_id) => Ok(Creation::Created { user_id }),
        Err(e) if crate::server::db::is_unique_violation(&e) => Ok(Creation::UsernameTaken),
        Err(e) => Err(e),
    }
}

/// May open the review dashboard from the next request on.
pub async fn make_reviewer(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET is_reviewer = 1 WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    username: &str,
    username_key: &str,
    password_hash: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, username, username_key, password_hash, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(&id)
    .bind(email)
    .bind(username)
    .bind(username_key)
    .bind(password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn record_acceptance(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    document: &str,
    version: &str,
    ip: &str,
    user_agent: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO acceptances (id, user_id, document, version, accepted_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(document)
    .bind(version)
    .bind(now_ms())
    .bind(ip)
    .bind(user_agent)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `hash` is still the account's password, holding the account's row until the
/// transaction ends (an update that changes nothing still locks it on PostgreSQL, and waits for
/// a change in progress; SQLite has one writer): a password change cannot slip in between.
pub async fn password_is(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE users SET password_hash = password_hash WHERE id = $1 AND password_hash = $2",
    )
    .bind(user_id)
    .bind(hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(held == 1)
}

/// Sets a new password only while `current_hash` is still the account's; `false` when another
/// change came first.
pub async fn replace_password(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    current_hash: &str,
    new_hash: &str,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 \
         WHERE id = $3 AND password_hash = $4",
    )
    .bind(new_hash)
    .bind(now_ms())
    .bind(user_id)
    .bind(current_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub async fn set_password(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
