//! E-mailed codes as the account forms use them: one way to send a code (sign-up and password
//! reset alike), to check one and to spend one, and the one place where what the code store
//! answers becomes what the user reads.

use super::{store, CodeSent};
use crate::domain::{Email, VerificationCode, CODE_RESEND_SECONDS};
use crate::error::AppError;
use crate::i18n::fill;
use crate::server::codes::{self, Checked, CodeLimit, Issued, Purpose, Verified};
use crate::server::db::WriteTx;
use crate::server::mail::{enqueue, Mail};
use crate::server::request::{client_key, is_plain_form_post, state, OrInternal};

/// What differs between the forms that send codes.
pub struct CodeFlow {
    pub purpose: Purpose,
    /// The form's page: a plain form post (no JavaScript) is sent back there with
    /// `?sent=1&email=…`, which the page reads as "a code was sent".
    pub page: &'static str,
    /// The mail to queue, given the address, the new code and whether the address has an
    /// account; `None` mails nothing. The answer is the same either way (no enumeration).
    pub mail: fn(&Email, &str, bool, &str) -> Option<Mail>,
}

/// Issues a code for `email` and queues its mail, or says how long to wait.
/// The form comes back with the address filled in when it is refused.
pub async fn send_code(flow: &CodeFlow, email: &str) -> Result<CodeSent, AppError> {
    issue_and_mail(flow, email)
        .await
        .map_err(|e| e.keep("email", email))
}

async fn issue_and_mail(flow: &CodeFlow, email: &str) -> Result<CodeSent, AppError> {
    let email = Email::parse(email).map_err(|e| AppError::field("email", e.message()))?;
    let st = state()?;
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    let code = match codes::issue(
        &mut tx,
        &st.secret,
        email.as_str(),
        flow.purpose,
        &client_key(),
    )
    .await
    .or_internal("issuing a code")?
    {
        Issued::Code(code) => code,
        // Returning drops the transaction: nothing was issued.
        Issued::RateLimited { limit, wait_secs } => {
            crate::server::metrics::throttled("verification_code");
            return Err(too_many_codes(limit, wait_secs));
        }
    };
    let has_account = store::find_by_email(&mut tx, email.as_str())
        .await
        .or_internal("looking up an email")?
        .is_some();
    if let Some(mail) = (flow.mail)(&email, &code, has_account, &st.config.public_url) {
        enqueue(&mut tx, mail).await.or_internal("queueing mail")?;
    }
    tx.commit().await.or_internal("commit")?;
    st.mail_ready.notify_one();
    if is_plain_form_post() {
        leptos_axum::redirect(&format!(
            "{}?sent=1&email={}",
            flow.page,
            url::form_urlencoded::byte_serialize(email.as_str().as_bytes()).collect::<String>()
        ));
    }
    Ok(CodeSent {
        email: email.to_string(),
        resend_in: CODE_RESEND_SECONDS,
    })
}

fn too_many_codes(limit: CodeLimit, wait_secs: u64) -> AppError {
    let t = &crate::i18n::t().accounts.codes;
    let minutes = wait_secs.div_ceil(60);
    let message = match limit {
        CodeLimit::Resend => fill(t.wait_before_resend, &[("seconds", &wait_secs)]),
        CodeLimit::Address => fill(t.too_many_for_address, &[("minutes", &minutes)]),
        CodeLimit::Client => fill(t.too_many_from_network, &[("minutes", &minutes)]),
    };
    AppError::too_many(message, wait_secs)
}

/// Checks a code (one of its tries) without spending it; a refusal is an error on the "code"
/// field.
pub async fn check(
    flow: &CodeFlow,
    email: &Email,
    code: &VerificationCode,
) -> Result<Verified, AppError> {
    let t = &crate::i18n::t().accounts.codes;
    let st = state()?;
    let message = match codes::check(
        &st.db,
        &st.secret,
        email.as_str(),
        flow.purpose,
        code.as_str(),
    )
    .await
    .or_internal("checking a code")?
    {
        Checked::Verified(verified) => return Ok(verified),
        Checked::Wrong { tries_left } => fill(
            if tries_left == 1 {
                t.wrong_one
            } else {
                t.wrong_other
            },
            &[("tries", &tries_left)],
        ),
        Checked::TooManyWrong => t.too_many_wrong.to_string(),
        Checked::Expired => t.expired.to_string(),
        Checked::NoLongerValid => t.no_longer_valid.to_string(),
    };
    Err(AppError::field("code", message))
}

/// Spends a checked code in the transaction that acts on it. Of parallel requests with the
/// same code one gets `Ok`; the others must drop their transaction.
pub async fn spend(tx: &mut WriteTx, verified: &Verified) -> Result<(), AppError> {
    if codes::spend(tx, verified)
        .await
        .or_internal("spending a code")?
    {
        Ok(())
    } else {
        // A parallel request with the same code got there first.
        Err(AppError::field(
            "code",
            crate::i18n::t().accounts.codes.no_longer_valid,
        ))
    }
}

/// A right-looking code for an address that never got one (codes are mailed only where they
/// can be used): answered like a wrong guess.
pub fn not_right() -> AppError {
    AppError::field("code", crate::i18n::t().accounts.codes.not_right)
}
