//! `isv-portal create-reviewer`: the operator makes a reviewer account, or promotes an
//! existing one. A new account is made as sign-up makes it (`accounts::store::create`, the
//! same password rules and hashing); passwords are never taken as arguments.

use super::passwords::{self, Unusable};
use super::store::{self, Creation};
use crate::domain::{Email, Password, Username};
use crate::server::db::Db;

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
        store::make_reviewer(&mut tx, &user.id)
            .await
            .map_err(internal)?;
        // Running portals read the new right at once on PostgreSQL (on SQLite, this command
        // is another process: they read it when their cached session ages out, in seconds).
        crate::server::sessions::changed(&mut tx, &user.id)
            .await
            .map_err(internal)?;
        tx.commit().await.map_err(internal)?;
        return Ok(Created::Promoted);
    }
    drop(tx);
    let username = Username::parse(username).map_err(|m| format!("--username: {m}"))?;
    let names = [username.as_str(), email.as_str()];
    let password = Password::parse(password.unwrap_or_default(), &names)
        .map_err(|m| format!("password: {m}"))?;
    let hash = passwords::check_and_hash(&password, &names)
        .await
        .map_err(|e| match e {
            Unusable::Weak(m) => format!("password: {m}"),
            Unusable::NotHashed(e) => format!("cannot hash the password: {e}"),
        })?;
    let mut tx = db.begin_write().await.map_err(internal)?;
    let user_id = match store::create(&mut tx, &email, &username, &hash, crate::i18n::Lang::En)
        .await
        .map_err(internal)?
    {
        Creation::Created { user_id } => user_id,
        Creation::UsernameTaken => return Err("--username: this username is taken".into()),
        // Made meanwhile (a sign-up between the two transactions).
        Creation::EmailTaken => {
            return Err(format!(
                "--email: an account for {email} was just made; run the command again to make it a reviewer"
            ))
        }
    };
    store::make_reviewer(&mut tx, &user_id)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(Created::New)
}

fn internal(e: sqlx::Error) -> String {
    format!("database error: {e}")
}
