//! Account rows: the queries behind sign-up, sign-in and password reset.

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
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE username_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
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

/// Passwords that are common or easy to guess from the account's own names (server only:
/// the word lists are large).
pub fn password_weakness(password: &str, names: &[&str]) -> Option<String> {
    let entropy = zxcvbn::zxcvbn(password, names);
    if entropy.score() < zxcvbn::Score::Two {
        Some(
            "This password is too common or easy to guess. Try a longer phrase of unrelated words."
                .into(),
        )
    } else {
        None
    }
}

/// `password_weakness` on the blocking pool: zxcvbn's matching grows with the length (up to 128
/// characters here) and must not hold up an async worker.
pub async fn password_weakness_off_thread(password: &str, names: &[&str]) -> Option<String> {
    let password = password.to_string();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        password_weakness(&password, &names)
    })
    .await
    .unwrap_or_else(|_| Some("This password could not be checked. Try another.".into()))
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
