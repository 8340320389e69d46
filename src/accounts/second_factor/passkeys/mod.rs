//! Passkeys (WebAuthn) as a second factor: an account with two-step verification on may add
//! passkeys (its password first) and then, at the sign-in's second step, answer with one
//! instead of typing a code. The browser's side (`browser`) needs JavaScript; everything a
//! passkey can do, a code still does without it.

mod pages;
pub use pages::{PasskeySignIn, PasskeyState, Passkeys};

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub use ssr::{entries, relying_party, spend};

use crate::error::AppError;
use crate::ui::moment::Moment;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Passkeys an account may have.
pub const MOST_PASSKEYS: usize = 10;

/// One of the account's passkeys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyEntry {
    pub id: String,
    pub name: String,
    pub added: Moment,
    pub last_used: Option<Moment>,
}

/// "Add a passkey", first request: the password and the name; the answer is the challenge
/// for the browser (`navigator.credentials.create`'s options, as JSON).
#[server(endpoint = "second_factor/passkey_options")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn passkey_options(
    passkey_password: String,
    passkey_name: String,
) -> Result<String, AppError> {
    ssr::options(&passkey_password, &passkey_name).await
}

/// "Add a passkey", second request: the authenticator's answer (JSON), checked and kept.
#[server(endpoint = "second_factor/passkey_add")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn add_passkey(credential: String) -> Result<(), AppError> {
    ssr::add(&credential).await
}

/// "Remove" a passkey: the account's password.
#[server(endpoint = "second_factor/passkey_remove")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn remove_passkey(passkey_id: String, remove_password: String) -> Result<(), AppError> {
    ssr::remove(&passkey_id, &remove_password).await
}

/// The sign-in step's passkey challenge (`navigator.credentials.get`'s options, as JSON), or
/// `None` when the account has no passkey (or the portal none: see `relying_party`).
#[server(endpoint = "accounts/sign_in_step/passkey_options")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_in_passkey_options() -> Result<Option<String>, AppError> {
    ssr::sign_in_options().await
}

/// The sign-in's second step with a passkey: its answer to the step's challenge.
#[server(endpoint = "accounts/sign_in_step/passkey")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_in_passkey(credential: String) -> Result<(), AppError> {
    ssr::sign_in(&credential).await
}
