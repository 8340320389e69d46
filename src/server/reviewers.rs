//! `isv-portal create-reviewer`: the operator makes a reviewer account, or promotes an
//! existing one. Passwords follow the same rules as sign-up and are never taken as arguments.

use super::crypto::hash_password;
use super::db::Db;
use crate::accounts::store;
use crate::domain::{Email, Password, Username};

#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    /// A new account was made.
    New,
    /// The account existed and is now a reviewer.
    Promoted,
}

/// Makes `email` a reviewer. A new account needs `username` and a password (read by the
/// caller from standard input); an existing one is promoted and keeps its password.
pub async fn create_reviewer(
    db: &Db,
    email: &str,
    username: &str,
    password: Option<&str>,
) -> Result<Created, String> {
    let email = Email::parse(email).map_err(|m| format!("--email: {m}"))?;
    let mut tx = db.begin_write().await.map_err(internal)?;
    if let Some(user) = store::find_by_email(&mut tx, email.as_str())
        .await
        .map_err(internal)?
    {
        sqlx::query("UPDATE users SET is_reviewer = 1 WHERE id = $1")
            .bind(&user.id)
            .execute(&mut **tx)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        return Ok(Created::Promoted);
    }
    drop(tx);
    let username = Username::parse(username).map_err(|m| format!("--username: {m}"))?;
    let password = password.unwrap_or_default();
    let password = Password::parse(password, &[username.as_str(), email.as_str()])
        .map_err(|m| format!("password: {m}"))?;
    if let Some(m) =
        store::password_weakness(password.expose(), &[username.as_str(), email.as_str()])
    {
        return Err(format!("password: {m}"));
    }
    let hash = hash_password(password.expose().to_string())
        .await
        .map_err(|e| format!("cannot hash the password: {e}"))?;
    let mut tx = db.begin_write().await.map_err(internal)?;
    if store::username_taken(&mut **tx, &username.key())
        .await
        .map_err(internal)?
    {
        return Err("--username: this username is taken".into());
    }
    let id = store::insert(
        &mut tx,
        email.as_str(),
        username.as_str(),
        &username.key(),
        &hash,
    )
    .await
    .map_err(internal)?;
    sqlx::query("UPDATE users SET is_reviewer = 1 WHERE id = $1")
        .bind(&id)
        .execute(&mut **tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(Created::New)
}

fn internal(e: sqlx::Error) -> String {
    format!("database error: {e}")
}
