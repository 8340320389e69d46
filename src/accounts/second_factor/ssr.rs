//! The second factor's server functions and handlers.

use super::store::{self, Event, Factor};
use super::totp;
use super::{SecondFactorState, SecurityEvent, Setup, SECOND_FACTOR_PATH, SIGN_IN_CODE_PATH};
use crate::accounts::passwords::prove_current_password;
use crate::accounts::session::{require_user, require_user_enrolling, start_in};
use crate::accounts::signin::waiting;
use crate::domain::SecondFactorCode;
use crate::error::AppError;
use crate::i18n::{fill, t};
use crate::server::db::now_ms;
use crate::server::mail::{enqueue, templates};
use crate::server::request::{
    client_key, cookie, is_plain_form_post, set_cookie, state, AppState, OrInternal,
};
use crate::server::sessions::{self, SessionUser};
use crate::server::throttle::{self, Reservation};
use crate::ui::moment;

/// The cookie that carries a sign-in step's token: five minutes, sent only to the step's
/// server functions (so `__Secure-`, as `__Host-` would need the whole site as its path).
fn step_cookie_name(st: &AppState) -> &'static str {
    if st.config.https() {
        "__Secure-isv_signin_step"
    } else {
        "isv_signin_step"
    }
}

/// Where the step's cookie is sent: the step's server functions (`accounts/sign_in_step/…`:
/// the code, and a passkey's challenge and answer), nowhere else.
const STEP_COOKIE_PATH: &str = "/api/accounts/sign_in_step";

fn step_cookie(st: &AppState, token: &str, max_age: i64) -> String {
    format!(
        "{}={token}; Path={STEP_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        step_cookie_name(st),
        if st.config.https() { "; Secure" } else { "" }
    )
}

/// The hash of this request's session token (the session shown codes belong to).
pub(super) fn this_session(st: &AppState) -> Result<String, AppError> {
    cookie(sessions::cookie_name(&st.config))
        .map(|token| sessions::token_hash(&token))
        .ok_or_else(AppError::unauthenticated)
}

fn secret_of(st: &AppState, user_id: &str, f: &Factor) -> Option<Vec<u8>> {
    let secret = st.secret.open(totp::SEAL_SECRET, user_id, &f.sealed_secret);
    if secret.is_none() {
        // The server's secret changed since (an operator's reset is the way out).
        tracing::error!("a second factor's secret cannot be opened with this SECRET_KEY");
    }
    secret
}

fn group_by_four(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn event_words(kind: &str) -> String {
    let t = &t().second_factor;
    match Event::from_key(kind) {
        Some(Event::PasskeyAdded) => t.passkeys.event_added,
        Some(Event::PasskeyRemoved) => t.passkeys.event_removed,
        Some(Event::Enabled) => t.event_enabled,
        Some(Event::Disabled) => t.event_disabled,
        Some(Event::RecoveryCodeUsed) => t.event_recovery_code_used,
        Some(Event::RecoveryCodesRenewed) => t.event_recovery_codes_renewed,
        Some(Event::ResetByOperator) => t.event_reset,
        None => kind,
    }
    .to_string()
}

/// Shown recovery codes of a factor, while they may be shown, to the session they were made in.
fn shown_codes(st: &AppState, user_id: &str, f: &Factor, session: &str) -> Vec<String> {
    match (&f.sealed_recovery, f.recovery_until) {
        (Some(sealed), Some(until))
            if until > now_ms() && f.recovery_for.as_deref() == Some(session) =>
        {
            st.secret
                .open(totp::SEAL_RECOVERY, user_id, sealed)
                .and_then(|plain| String::from_utf8(plain).ok())
                .map(|s| {
                    s.split(' ')
                        .map(crate::domain::recovery_code_display)
                        .collect()
                })
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

pub async fn status() -> Result<SecondFactorState, AppError> {
    let user = require_user_enrolling().await?;
    let st = state()?;
    let factor = store::factor(&st.db, &user.user_id)
        .await
        .or_internal("reading a second factor")?;
    let mut status = SecondFactorState {
        on_since: None,
        setup: None,
        new_codes: Vec::new(),
        codes_left: 0,
        must_enrol: user.must_enrol,
        reviewer: user.must_enrol || user.is_reviewer,
        passkeys: Vec::new(),
        passkeys_here: st.relying_party.is_some(),
        history: store::history(&st.db, &user.user_id, 50)
            .await
            .or_internal("reading the security history")?
            .into_iter()
            .map(|(kind, at)| SecurityEvent {
                what: event_words(&kind),
                at: moment::at(at),
            })
            .collect(),
    };
    match factor {
        None => {}
        // A setup is shown to the session that began it (another sees "off" and may begin anew).
        Some(f) if f.confirmed_at.is_none() => {
            if f.setup_for.as_deref() != Some(this_session(&st)?.as_str()) {
                return Ok(status);
            }
            status.setup = secret_of(&st, &user.user_id, &f).map(|secret| {
                let key = totp::base32(&secret);
                let address = totp::otpauth_url(&key, t().frame.platform, &user.email);
                Setup {
                    key: group_by_four(&key),
                    qr_svg: totp::qr_svg(&address),
                    address,
                }
            });
        }
        Some(f) => {
            status.on_since = f.confirmed_at.map(moment::at);
            status.new_codes = shown_codes(&st, &user.user_id, &f, &this_session(&st)?);
            status.codes_left = store::recovery_codes_left(&st.db, &user.user_id)
                .await
                .or_internal("counting recovery codes")?;
            status.passkeys = super::passkeys::entries(&st, &user.user_id).await?;
        }
    }
    Ok(status)
}

/// A form posted without JavaScript goes back to the page (with `query`, what it should say).
pub(super) fn back_to_page(query: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("{SECOND_FACTOR_PATH}{query}"));
    }
}

pub async fn begin() -> Result<(), AppError> {
    let user = require_user_enrolling().await?;
    let st = state()?;
    let sealed = st
        .secret
        .seal(totp::SEAL_SECRET, &user.user_id, &totp::new_secret());
    if !store::begin(&st.db, &user.user_id, &sealed, &this_session(&st)?)
        .await
        .or_internal("starting a second factor")?
    {
        return Err(AppError::conflict(t().second_factor.already_on));
    }
    back_to_page("");
    Ok(())
}

/// A new set of recovery codes in `tx`: their hashes replace the old set, and the codes wait
/// (sealed) to be shown.
async fn new_recovery_codes(
    st: &AppState,
    tx: &mut crate::server::db::WriteTx,
    user_id: &str,
    for_session: &str,
) -> Result<(), AppError> {
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| totp::recovery_hash(&st.secret, user_id, c))
        .collect();
    let sealed = st
        .secret
        .seal(totp::SEAL_RECOVERY, user_id, codes.join(" ").as_bytes());
    if !store::replace_recovery_codes(tx, user_id, &hashes, &sealed, for_session)
        .await
        .or_internal("keeping recovery codes")?
    {
        return Err(AppError::conflict(t().second_factor.not_on));
    }
    Ok(())
}

/// A form's password and code fields, parsed together so both errors show at once: the code.
fn password_and_code(
    password: &str,
    password_field: &str,
    code: Result<SecondFactorCode, crate::domain::Invalid>,
    code_field: &str,
) -> Result<SecondFactorCode, AppError> {
    let mut errors = crate::error::FieldErrors::default();
    if let Some(problem) = crate::accounts::passwords::current_password_problem(password) {
        errors.add(password_field, problem);
    }
    if let Err(e) = &code {
        errors.add(code_field, e.message());
    }
    errors.into_result()?;
    code.map_err(|e| AppError::field(code_field, e.message()))
}

/// The account's factor, if it is on (`on`) or being set up (`!on`); else `refusal` (409).
pub(super) async fn factor_that_is(
    st: &AppState,
    user_id: &str,
    on: bool,
    refusal: &str,
) -> Result<Factor, AppError> {
    store::factor(&st.db, user_id)
        .await
        .or_internal("reading a second factor")?
        .filter(|f| f.confirmed_at.is_some() == on)
        .ok_or_else(|| AppError::conflict(refusal))
}

pub async fn confirm(current_password: &str, code: &str) -> Result<(), AppError> {
    let user = require_user_enrolling().await?;
    let code = password_and_code(
        current_password,
        "current_password",
        SecondFactorCode::parse_app(code),
        "code",
    )?;
    let st = state()?;
    let tf = &t().second_factor;
    let session = this_session(&st)?;
    let factor = factor_that_is(&st, &user.user_id, false, tf.nothing_to_confirm).await?;
    let Some(secret) = secret_of(&st, &user.user_id, &factor) else {
        return Err(AppError::conflict(tf.nothing_to_confirm));
    };
    // The password first (a session alone must not put its holder's phone on the account),
    // counted in the account's sign-in budget; a wrong code stays counted too.
    let proved = prove_current_password(
        &st,
        &user,
        current_password,
        "current_password",
        "confirm_second_factor",
    )
    .await?;
    let Some(step) = totp::matching_step(&secret, code.as_str(), now_ms()) else {
        return Err(AppError::field("code", tf.wrong_code));
    };
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    if !store::confirm(
        &mut tx,
        &user.user_id,
        &factor.sealed_secret,
        &session,
        step,
    )
    .await
    .or_internal("turning a second factor on")?
    {
        return Err(AppError::conflict(tf.nothing_to_confirm));
    }
    new_recovery_codes(&st, &mut tx, &user.user_id, &session).await?;
    if !store::passed_here(&mut tx, &user.user_id, &session)
        .await
        .or_internal("marking the session")?
    {
        return Err(AppError::unauthenticated());
    }
    commit_change(&st, tx, &user, Event::Enabled, tf.mail_enabled).await?;
    proved.clear(&st.db).await?;
    tracing::info!("second factor turned on");
    back_to_page("");
    Ok(())
}

/// Locks the factor's row for a change (see `store::lock_factor`); turned off meanwhile: 409,
/// nothing to do.
pub(super) async fn lock_factor_that_is_on(
    tx: &mut crate::server::db::WriteTx,
    user_id: &str,
) -> Result<(), AppError> {
    if store::lock_factor(tx, user_id)
        .await
        .or_internal("locking a second factor")?
    {
        Ok(())
    } else {
        Err(AppError::conflict(t().second_factor.not_on))
    }
}

/// Ends a change to the account's second factor: `event` in its security history, the notice
/// (`what`) queued for its address, `tx` committed and the mail worker woken.
pub(super) async fn commit_change(
    st: &AppState,
    mut tx: crate::server::db::WriteTx,
    user: &SessionUser,
    event: Event,
    what: &str,
) -> Result<(), AppError> {
    store::record(&mut tx, &user.user_id, event)
        .await
        .or_internal("recording history")?;
    enqueue(&mut tx, mail(st, user, what))
        .await
        .or_internal("queueing mail")?;
    tx.commit().await.or_internal("commit")?;
    st.mail_ready.notify_one();
    Ok(())
}

/// The notice to the signed-in account that its second factor changed (`what`).
fn mail(st: &AppState, user: &SessionUser, what: &str) -> crate::server::mail::Mail {
    templates::second_factor_changed(
        user.lang,
        &user.email,
        &user.username,
        &st.config.public_url,
        what,
    )
}

pub async fn saved() -> Result<(), AppError> {
    let user = require_user_enrolling().await?;
    let st = state()?;
    store::forget_shown_codes(&st.db, &user.user_id, &this_session(&st)?)
        .await
        .or_internal("forgetting shown codes")?;
    back_to_page("");
    Ok(())
}

pub async fn renew(password: &str, code: &str) -> Result<(), AppError> {
    let user = require_user().await?;
    let code = password_and_code(
        password,
        "password",
        SecondFactorCode::parse(code),
        "renew_code",
    )?;
    let st = state()?;
    let tf = &t().second_factor;
    let session = this_session(&st)?;
    let factor = factor_that_is(&st, &user.user_id, true, tf.not_on).await?;
    let proved =
        prove_current_password(&st, &user, password, "password", "renew_recovery_codes").await?;
    let secret = secret_of(&st, &user.user_id, &factor);
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    lock_factor_that_is_on(&mut tx, &user.user_id).await?;
    if !spend(&st, &mut tx, &user.user_id, secret.as_deref(), &code).await? {
        // The password try stays counted: a wrong code is a failed try.
        return Err(AppError::field("renew_code", tf.wrong_code));
    }
    new_recovery_codes(&st, &mut tx, &user.user_id, &session).await?;
    commit_change(&st, tx, &user, Event::RecoveryCodesRenewed, tf.mail_renewed).await?;
    proved.clear(&st.db).await?;
    back_to_page("");
    Ok(())
}

/// Spends `code` of `user_id` in `tx`: an app code once per step, a recovery code once.
/// `Ok(false)` for a wrong or spent code.
async fn spend(
    st: &AppState,
    tx: &mut crate::server::db::WriteTx,
    user_id: &str,
    secret: Option<&[u8]>,
    code: &SecondFactorCode,
) -> Result<bool, AppError> {
    match code {
        // A secret that cannot be opened accepts no code at all (never "the code of nothing").
        SecondFactorCode::App(digits) => {
            match secret.and_then(|s| totp::matching_step(s, digits, now_ms())) {
                Some(step) => store::spend_step(tx, user_id, step)
                    .await
                    .or_internal("spending a code"),
                None => Ok(false),
            }
        }
        SecondFactorCode::Recovery(typed) => {
            let hash = totp::recovery_hash(&st.secret, user_id, typed);
            let spent = store::spend_recovery_code(tx, user_id, &hash)
                .await
                .or_internal("spending a recovery code")?;
            if spent {
                store::record(tx, user_id, Event::RecoveryCodeUsed)
                    .await
                    .or_internal("recording history")?;
            }
            Ok(spent)
        }
    }
}

pub async fn disable(current_password: &str, code: &str) -> Result<(), AppError> {
    let user = require_user().await?;
    let code = password_and_code(
        current_password,
        "current_password",
        SecondFactorCode::parse(code),
        "code",
    )?;
    let st = state()?;
    let tf = &t().second_factor;
    let factor = factor_that_is(&st, &user.user_id, true, tf.not_on).await?;
    let proved = prove_current_password(
        &st,
        &user,
        current_password,
        "current_password",
        "disable_second_factor",
    )
    .await?;
    let secret = secret_of(&st, &user.user_id, &factor);
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    lock_factor_that_is_on(&mut tx, &user.user_id).await?;
    if !spend(&st, &mut tx, &user.user_id, secret.as_deref(), &code).await? {
        // The password try stays counted: a wrong code is a failed try.
        return Err(AppError::field("code", tf.wrong_code));
    }
    store::remove(&mut tx, &user.user_id)
        .await
        .or_internal("removing a second factor")?;
    commit_change(&st, tx, &user, Event::Disabled, tf.mail_disabled).await?;
    proved.clear(&st.db).await?;
    tracing::info!("second factor turned off");
    back_to_page("");
    Ok(())
}

/// After a proved password, for an account with a second factor: the sign-in waits for a code
/// (a step of five minutes in a cookie of its own) instead of starting a session.
pub async fn start_code_step(
    user_id: &str,
    password_hash: &str,
    next: &str,
) -> Result<(), AppError> {
    let st = state()?;
    let token = store::start_step(&st.db, user_id, password_hash, next)
        .await
        .or_internal("starting a sign-in step")?;
    set_cookie(&step_cookie(&st, &token, store::STEP_MS / 1000));
    leptos_axum::redirect(SIGN_IN_CODE_PATH);
    Ok(())
}

/// What finishes a sign-in step: a code typed, or a passkey's answer to the step's challenge.
pub(super) enum Proof {
    Code(SecondFactorCode),
    Passkey(Box<webauthn_rs::prelude::PublicKeyCredential>),
}

impl Proof {
    /// The refusal of a wrong one.
    fn refusal(&self) -> AppError {
        let tf = &t().second_factor;
        match self {
            Proof::Code(_) => AppError::field("code", tf.wrong_code),
            Proof::Passkey(_) => AppError::invalid(tf.passkeys.not_accepted),
        }
    }
}

pub async fn sign_in_code(code: &str) -> Result<(), AppError> {
    let code = SecondFactorCode::parse(code).map_err(|e| AppError::field("code", e.message()))?;
    finish_sign_in_step(Proof::Code(code)).await
}

/// The sign-in step's token from its cookie, and the step if it is alive (its cookie is cleared
/// when it is not).
pub(super) async fn current_step(st: &AppState) -> Result<(String, store::Step), AppError> {
    let expired = || AppError::conflict(t().second_factor.step_expired);
    let Some(token) = cookie(step_cookie_name(st)) else {
        return Err(expired());
    };
    let Some(step) = store::step(&st.db, &token)
        .await
        .or_internal("reading a sign-in step")?
    else {
        set_cookie(&step_cookie(st, "", 0));
        return Err(expired());
    };
    tracing::Span::current().record("user", step.user_id.as_str());
    Ok((token, step))
}

/// Ends a sign-in step with `proof`: a session marked as having passed the second factor, once
/// (the step is spent with the proof), with every try counted.
pub(super) async fn finish_sign_in_step(proof: Proof) -> Result<(), AppError> {
    let st = state()?;
    let tf = &t().second_factor;
    let expired = || AppError::conflict(tf.step_expired);
    let (token, step) = current_step(&st).await?;
    // Counted by network, then in the account's budget for codes (which others' wrong
    // passwords do not touch); a wrong code also counts in its sign-in budget.
    let client = throttle::client(&client_key());
    let codes = throttle::second_factor(&step.user_id);
    let account = throttle::account(Some(&step.user_id), "");
    if let Reservation::RateLimited { wait_secs } = throttle::reserve(&st.db, &client)
        .await
        .or_internal("reserving a code try")?
    {
        crate::server::metrics::throttled("sign_in_client");
        return Err(waiting(t().accounts.sign_in_page.client_waits, wait_secs));
    }
    if let Reservation::RateLimited { wait_secs } = throttle::reserve(&st.db, &codes)
        .await
        .or_internal("reserving a code try")?
    {
        throttle::give_back(&st.db, &client)
            .await
            .or_internal("giving back an attempt")?;
        crate::server::metrics::throttled("second_factor");
        return Err(waiting(tf.waits, wait_secs));
    }
    let factor = store::factor(&st.db, &step.user_id)
        .await
        .or_internal("reading a second factor")?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_some()) else {
        // Turned off (or reset) since the password: sign in again.
        return Err(expired());
    };
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    if !crate::accounts::store::password_is(&mut tx, &step.user_id, &step.password_hash)
        .await
        .or_internal("checking the password is current")?
    {
        return Err(expired());
    }
    let spent = match &proof {
        Proof::Code(code) => {
            let secret = secret_of(&st, &step.user_id, &factor);
            spend(&st, &mut tx, &step.user_id, secret.as_deref(), code).await?
        }
        Proof::Passkey(answer) => {
            super::passkeys::spend(&st, &mut tx, &token, &step, answer).await?
        }
    };
    if !spent {
        drop(tx);
        crate::server::metrics::sign_in_failed();
        // Counted where sign-in waits too (nothing more while a wait is running there).
        throttle::reserve(&st.db, &account)
            .await
            .or_internal("counting a wrong code")?;
        return Err(proof.refusal());
    }
    // The step is spent with the code: of parallel tries one becomes a session.
    if !store::finish_step(&mut tx, &token)
        .await
        .or_internal("finishing a sign-in step")?
    {
        return Err(expired());
    }
    let started = start_in(&mut tx, &step.user_id, true).await?;
    tx.commit().await.or_internal("commit")?;
    started.set_cookie()?;
    set_cookie(&step_cookie(&st, "", 0));
    for done in [&codes, &account] {
        throttle::clear(&st.db, done)
            .await
            .or_internal("clearing throttle")?;
    }
    throttle::give_back(&st.db, &client)
        .await
        .or_internal("clearing throttle")?;
    set_cookie(&crate::i18n::switch::cookie_header(
        step.language,
        st.config.https(),
    ));
    let to = if matches!(proof, Proof::Code(SecondFactorCode::Recovery(_))) {
        // Says how many are left, and where to make new ones.
        format!("{SECOND_FACTOR_PATH}?recovery=used")
    } else {
        step.next_path
    };
    leptos_axum::redirect(&to);
    Ok(())
}

/// `RECOVERY_CODES_PATH`: the recovery codes just made, as a text file, while they can still
/// be shown.
pub async fn recovery_codes_file(
    axum::extract::State(st): axum::extract::State<AppState>,
    headers: http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::{header, StatusCode};
    let lang = crate::i18n::switch::of_request(&headers);
    let (token, user) = match sessions::from_headers(&st.db, &st.config, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "looking up a session for recovery codes");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if user.must_enrol {
        return StatusCode::NOT_FOUND.into_response();
    }
    let session = sessions::token_hash(&token);
    let codes = match store::factor(&st.db, &user.user_id).await {
        Ok(Some(f)) => shown_codes(&st, &user.user_id, &f, &session),
        Ok(None) => Vec::new(),
        Err(e) => {
            tracing::error!(error = %e, "reading recovery codes to download");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if codes.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let texts = lang.texts();
    let mut body = fill(
        texts.second_factor.file_heading,
        &[("platform", &texts.frame.platform), ("email", &user.email)],
    );
    body.push_str("\r\n\r\n");
    for c in &codes {
        body.push_str(c);
        body.push_str("\r\n");
    }
    body.push_str("\r\n");
    body.push_str(texts.second_factor.file_note);
    body.push_str("\r\n");
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"recovery-codes.txt\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
