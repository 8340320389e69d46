//! Second factors (two-step verification): an authenticator app's codes (RFC 6238) with ten
//! single-use recovery codes. Everyone may turn it on from `/account/second-factor`; a
//! reviewer must, and can do nothing else until it is on (`SessionUser::must_enrol`). Signing
//! in with one is two steps: the password (`signin`), then the code on `/signin/code` (or a
//! passkey, `passkeys`, once one is added).

mod pages;
pub mod passkeys;
pub use pages::{SecondFactorPage, SignInCodePage};

#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
mod ssr;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod totp;

#[cfg(feature = "ssr")]
pub use ssr::{recovery_codes_file, start_code_step};

use crate::error::AppError;
use crate::ui::moment::Moment;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page where a second factor is set up, its recovery codes kept, and turned off.
pub const SECOND_FACTOR_PATH: &str = "/account/second-factor";
/// The new recovery codes as a text file, while they can still be shown.
pub const RECOVERY_CODES_PATH: &str = "/account/second-factor/recovery-codes.txt";
/// The sign-in's second step.
pub const SIGN_IN_CODE_PATH: &str = "/signin/code";

/// An authenticator being set up: what the app needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// The secret as typed into an app (base32, in groups of four).
    pub key: String,
    /// The `otpauth://` address (the QR code's content; a link for an app on this device).
    pub address: String,
    /// The QR code, an `<svg>` drawn on the server.
    pub qr_svg: String,
}

/// One entry of the account's security history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityEvent {
    pub what: String,
    pub at: Moment,
}

/// Where the signed-in account stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorState {
    /// Since when it is on; `None` while off.
    pub on_since: Option<Moment>,
    /// An authenticator being set up (off until its code is confirmed).
    pub setup: Option<Setup>,
    /// Recovery codes just made, shown until saved (at most 15 minutes).
    pub new_codes: Vec<String>,
    /// Unused recovery codes.
    pub codes_left: i64,
    /// A reviewer who must turn it on before anything else.
    pub must_enrol: bool,
    /// Holds the reviewer's right (turning it off sends back to setting it up).
    pub reviewer: bool,
    /// The account's passkeys (while it is on).
    pub passkeys: Vec<passkeys::PasskeyEntry>,
    /// Whether passkeys can work here (`PUBLIC_URL` is at a domain name).
    pub passkeys_here: bool,
    pub history: Vec<SecurityEvent>,
}

#[server(endpoint = "second_factor/status")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn second_factor_status() -> Result<SecondFactorState, AppError> {
    ssr::status().await
}

/// "Set up an authenticator app": a new secret to scan (again, if a setup was under way).
#[server(endpoint = "second_factor/begin")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn begin_second_factor() -> Result<(), AppError> {
    ssr::begin().await
}

/// "Turn on": the account's password, and the app's current code (which proves the app holds
/// the secret).
#[server(endpoint = "second_factor/confirm")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn confirm_second_factor(current_password: String, code: String) -> Result<(), AppError> {
    ssr::confirm(&current_password, &code).await
}

/// "I have saved my recovery codes": they are not shown again.
#[server(endpoint = "second_factor/saved")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn saved_recovery_codes() -> Result<(), AppError> {
    ssr::saved().await
}

/// "Generate new recovery codes": the current password and a current code (named `password`
/// and `renew_code`: the page's other form has `current_password` and `code`); the old set
/// stops working.
#[server(endpoint = "second_factor/renew_codes")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn renew_recovery_codes(password: String, renew_code: String) -> Result<(), AppError> {
    ssr::renew(&password, &renew_code).await
}

/// "Turn off two-step verification": the current password and a current code.
#[server(endpoint = "second_factor/disable")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn disable_second_factor(current_password: String, code: String) -> Result<(), AppError> {
    ssr::disable(&current_password, &code).await
}

/// The sign-in's second step: a code from the app, or a recovery code.
#[server(endpoint = "accounts/sign_in_step/code")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_in_code(code: String) -> Result<(), AppError> {
    ssr::sign_in_code(&code).await
}
