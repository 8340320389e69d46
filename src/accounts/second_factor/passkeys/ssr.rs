//! Passkeys' ceremonies (server only): webauthn-rs checks every answer (origin, challenge,
//! signature, user verification, counter); the state between a ceremony's two requests waits
//! in the database, spent once.

use super::super::ssr::{
    back_to_page, commit_change, current_step, factor_that_is, finish_sign_in_step,
    lock_factor_that_is_on, this_session, Proof,
};
use super::super::store::{self as factors, Event};
use super::store;
use super::PasskeyEntry;
use crate::accounts::passwords::{current_password_problem, prove_current_password};
use crate::accounts::session::require_user;
use crate::domain::PasskeyName;
use crate::error::{AppError, FieldErrors};
use crate::i18n::t;
use crate::server::config::Config;
use crate::server::db::WriteTx;
use crate::server::request::{state, AppState, OrInternal};
use crate::ui::moment;
use std::sync::Arc;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

/// The portal as a WebAuthn relying party (made once, at start-up): its `PUBLIC_URL`'s host is
/// the RP id, so passkeys need a domain name there, which browsers accept only on https (or
/// `localhost`); at an IP address, or a plain-http domain, there are none.
pub fn relying_party(config: &Config) -> Option<Webauthn> {
    let origin = Url::parse(&config.public_url).ok()?;
    let id = origin.domain()?.to_string();
    if origin.scheme() != "https" && id != "localhost" {
        return None;
    }
    WebauthnBuilder::new(&id, &origin)
        .ok()?
        .rp_name(t().frame.platform)
        .build()
        .ok()
}

fn relying_party_or_refuse(st: &AppState) -> Result<Arc<Webauthn>, AppError> {
    st.relying_party
        .clone()
        .ok_or_else(|| AppError::conflict(t().second_factor.passkeys.unavailable))
}

/// The account's WebAuthn user handle: stable, and not its id (derived under the server's
/// secret).
fn user_handle(st: &AppState, user_id: &str) -> Uuid {
    let mac = st.secret.mac_hex(&["passkey user", user_id]);
    Uuid::parse_str(&mac[..32]).unwrap_or_else(|_| Uuid::nil())
}

/// How a credential's id is kept (`passkeys.credential_id`): base64url.
fn credential_key(id: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

fn decode<T: serde::de::DeserializeOwned>(stored: &str, what: &str) -> Result<T, AppError> {
    serde_json::from_str(stored).or_internal(what)
}

fn encode<T: serde::Serialize>(value: &T, what: &str) -> Result<String, AppError> {
    serde_json::to_string(value).or_internal(what)
}

/// The account's passkeys as the page lists them.
pub async fn entries(st: &AppState, user_id: &str) -> Result<Vec<PasskeyEntry>, AppError> {
    Ok(store::list(&st.db, user_id)
        .await
        .or_internal("listing passkeys")?
        .into_iter()
        .map(|p| PasskeyEntry {
            id: p.id,
            name: p.name,
            added: moment::at(p.created_at),
            last_used: p.last_used_at.map(moment::at),
        })
        .collect())
}

async fn stored_passkeys(st: &AppState, user_id: &str) -> Result<Vec<Passkey>, AppError> {
    store::credentials(&st.db, user_id)
        .await
        .or_internal("reading passkeys")?
        .iter()
        .map(|c| decode(c, "reading a stored passkey"))
        .collect()
}

pub async fn options(current_password: &str, name: &str) -> Result<String, AppError> {
    let user = require_user().await?;
    let mut errors = FieldErrors::default();
    if let Some(problem) = current_password_problem(current_password) {
        errors.add("passkey_password", problem);
    }
    let name = PasskeyName::parse(name);
    if let Err(e) = &name {
        errors.add("passkey_name", e.message());
    }
    errors.into_result()?;
    let name = name.map_err(|e| AppError::field("passkey_name", e.message()))?;
    let st = state()?;
    let tp = &t().second_factor.passkeys;
    let rp = relying_party_or_refuse(&st)?;
    factor_that_is(&st, &user.user_id, true, t().second_factor.not_on).await?;
    let existing = stored_passkeys(&st, &user.user_id).await?;
    if existing.len() as i64 >= store::MOST {
        return Err(AppError::conflict(tp.too_many));
    }
    // The password first: a session alone must not put its holder's authenticator on the
    // account (counted in the account's sign-in budget).
    let proved = prove_current_password(
        &st,
        &user,
        current_password,
        "passkey_password",
        "add_passkey",
    )
    .await?;
    let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (challenge, registration) = rp
        .start_passkey_registration(
            user_handle(&st, &user.user_id),
            &user.email,
            &user.username,
            Some(exclude),
        )
        .or_internal("starting a passkey registration")?;
    store::begin_registration(
        &st.db,
        &this_session(&st)?,
        &user.user_id,
        name.as_str(),
        &encode(&registration, "keeping a passkey registration")?,
    )
    .await
    .or_internal("keeping a passkey registration")?;
    proved.clear(&st.db).await?;
    encode(&challenge, "sending a passkey challenge")
}

pub async fn add(credential: &str) -> Result<(), AppError> {
    let user = require_user().await?;
    let st = state()?;
    let tf = &t().second_factor;
    let tp = &tf.passkeys;
    let rp = relying_party_or_refuse(&st)?;
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(credential).map_err(|_| AppError::invalid(tp.add_refused))?;
    // The challenge is spent whatever comes of it.
    let Some((name, registration)) =
        store::take_registration(&st.db, &this_session(&st)?, &user.user_id)
            .await
            .or_internal("reading a passkey registration")?
    else {
        return Err(AppError::conflict(tp.ask_again));
    };
    let registration: PasskeyRegistration =
        decode(&registration, "reading a passkey registration")?;
    let passkey = rp
        .finish_passkey_registration(&answer, &registration)
        .map_err(|e| {
            tracing::info!(error = %e, "a passkey was not accepted");
            AppError::invalid(tp.add_refused)
        })?;
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    // The factor's row first: adds of one account queue here, so the count below holds.
    lock_factor_that_is_on(&mut tx, &user.user_id).await?;
    if !store::add(
        &mut tx,
        &user.user_id,
        &credential_key(passkey.cred_id()),
        &name,
        &encode(&passkey, "keeping a passkey")?,
    )
    .await
    .or_internal("adding a passkey")?
    {
        return Err(AppError::conflict(tp.not_added));
    }
    commit_change(&st, tx, &user, Event::PasskeyAdded, tp.mail_added).await?;
    tracing::info!("passkey added");
    Ok(())
}

pub async fn remove(id: &str, password: &str) -> Result<(), AppError> {
    let user = require_user().await?;
    if let Some(problem) = current_password_problem(password) {
        return Err(AppError::field("remove_password", problem));
    }
    let st = state()?;
    let tf = &t().second_factor;
    factor_that_is(&st, &user.user_id, true, tf.not_on).await?;
    let proved =
        prove_current_password(&st, &user, password, "remove_password", "remove_passkey").await?;
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    lock_factor_that_is_on(&mut tx, &user.user_id).await?;
    if !store::remove(&mut tx, &user.user_id, id)
        .await
        .or_internal("removing a passkey")?
    {
        drop(tx);
        // The password was right: the try does not count.
        proved.clear(&st.db).await?;
        return Err(AppError::conflict(tf.passkeys.gone));
    }
    commit_change(
        &st,
        tx,
        &user,
        Event::PasskeyRemoved,
        tf.passkeys.mail_removed,
    )
    .await?;
    proved.clear(&st.db).await?;
    back_to_page("?passkey=removed");
    Ok(())
}

pub async fn sign_in_options() -> Result<Option<String>, AppError> {
    let st = state()?;
    let Some(rp) = st.relying_party.clone() else {
        return Ok(None);
    };
    let (token, step) = current_step(&st).await?;
    let passkeys = stored_passkeys(&st, &step.user_id).await?;
    if passkeys.is_empty() {
        return Ok(None);
    }
    let (challenge, authentication) = rp
        .start_passkey_authentication(&passkeys)
        .or_internal("starting a passkey sign-in")?;
    if !store::challenge_step(
        &st.db,
        &factors::step_hash(&token),
        &encode(&authentication, "keeping a passkey challenge")?,
    )
    .await
    .or_internal("keeping a passkey challenge")?
    {
        return Err(AppError::conflict(t().second_factor.step_expired));
    }
    Ok(Some(encode(&challenge, "sending a passkey challenge")?))
}

pub async fn sign_in(credential: &str) -> Result<(), AppError> {
    let answer: PublicKeyCredential = serde_json::from_str(credential)
        .map_err(|_| AppError::invalid(t().second_factor.passkeys.not_accepted))?;
    finish_sign_in_step(Proof::Passkey(Box::new(answer))).await
}

/// Checks a passkey's answer to the step's challenge and keeps the passkey's new counter, in
/// `tx`: `false` for an answer that is not right (or to no challenge).
pub async fn spend(
    st: &AppState,
    tx: &mut WriteTx,
    token: &str,
    step: &factors::Step,
    answer: &PublicKeyCredential,
) -> Result<bool, AppError> {
    let (Some(rp), Some(state)) = (&st.relying_party, &step.passkey_state) else {
        return Ok(false);
    };
    let authentication: PasskeyAuthentication = decode(state, "reading a passkey challenge")?;
    let result = match rp.finish_passkey_authentication(answer, &authentication) {
        Ok(result) => result,
        Err(e) => {
            tracing::info!(error = %e, "a passkey's answer was not accepted");
            return Ok(false);
        }
    };
    let id = credential_key(result.cred_id());
    let Some(stored) = store::credential(tx, &step.user_id, &id)
        .await
        .or_internal("reading a passkey")?
    else {
        return Ok(false);
    };
    let mut passkey: Passkey = decode(&stored, "reading a stored passkey")?;
    passkey.update_credential(&result);
    // The challenge once, and only the one this answer was checked against.
    if !store::spend_challenge(tx, &factors::step_hash(token), state)
        .await
        .or_internal("spending a passkey challenge")?
    {
        return Ok(false);
    }
    store::used(
        tx,
        &step.user_id,
        &id,
        &encode(&passkey, "keeping a passkey")?,
        result.counter(),
    )
    .await
    .or_internal("keeping a passkey's use")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(public_url: &str) -> Option<Webauthn> {
        let config = Config::from_lookup(|k| match k {
            "PUBLIC_URL" => Some(public_url.to_string()),
            "SMTP_URL" => Some("smtp://127.0.0.1:2525".to_string()),
            _ => None,
        })
        .unwrap();
        relying_party(&config)
    }

    #[test]
    fn passkeys_need_an_https_domain_or_localhost() {
        assert!(at("https://portal.example.com").is_some());
        assert!(at("http://localhost:3000").is_some());
        // Browsers offer no WebAuthn there: the page says so instead of failing in the browser.
        assert!(at("http://portal.example.com").is_none());
        assert!(at("http://127.0.0.1:3000").is_none());
        assert!(at("https://10.0.0.5").is_none());
    }
}
