//! `isv-portal reset-second-factor --email`: for an account that lost both its authenticator
//! and its recovery codes. The operator's action ends every session of the account, is kept in
//! its security history and mailed to it; the next sign-in is with the password alone (and a
//! reviewer sets up a new second factor then).

use super::store::{self, Event};
use crate::domain::Email;
use crate::server::db::Db;

pub async fn reset_second_factor(db: &Db, email: &str, public_url: &str) -> Result<(), String> {
    let email = Email::parse(email).map_err(|m| format!("--email: {m}"))?;
    let mut tx = db.begin_write().await.map_err(internal)?;
    let Some(user) = crate::accounts::store::find_by_email(&mut tx, email.as_str())
        .await
        .map_err(internal)?
    else {
        return Err(format!("--email: no account has the address {email}"));
    };
    if !store::remove(&mut tx, &user.id).await.map_err(internal)? {
        return Err(format!("{email} has no second factor; nothing was changed"));
    }
    crate::server::sessions::end_all_for_user(&mut tx, &user.id)
        .await
        .map_err(internal)?;
    store::record(&mut tx, &user.id, Event::ResetByOperator)
        .await
        .map_err(internal)?;
    crate::server::mail::enqueue(
        &mut tx,
        crate::server::mail::templates::second_factor_changed(
            user.language,
            &user.email,
            &user.username,
            public_url,
            user.language.texts().second_factor.mail_reset,
        ),
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

fn internal(e: sqlx::Error) -> String {
    format!("database error: {e}")
}
