//! Sign in (seed Step 4): email or username and password; "Forgot your password?" and
//! "Sign up" links. The same answer, in about the same time, for an unknown user and a wrong
//! password; repeated failures wait longer each time.

use crate::error::AppError;
use crate::ui::form::{last_error, ErrorSummary, Field, SubmitButton};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "accounts/sign_in")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_in(
    login: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    match ssr::sign_in(&login, &password, next.as_deref().unwrap_or("/console")).await {
        Ok(()) => Ok(()),
        Err(e) => Err(e.keep("login", login.trim())),
    }
}

/// A running wait, as a form says it: `sentence` names it `{when}` (the account page's
/// password check counts against the same backoff and words its wait this way too).
#[cfg(feature = "ssr")]
pub(super) fn waiting(sentence: &str, wait_secs: u64) -> AppError {
    use crate::i18n::fill;
    let t = &crate::i18n::t().accounts.sign_in_page;
    let when = if wait_secs > 90 {
        fill(t.wait_minutes, &[("minutes", &wait_secs.div_ceil(60))])
    } else {
        fill(t.wait_seconds, &[("seconds", &wait_secs)])
    };
    AppError::too_many(fill(sentence, &[("when", &when)]), wait_secs)
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::{second_factor, session, store};
    use crate::domain::Password;
    use crate::server::crypto::verify_password;
    use crate::server::request::{client_key, safe_next, state, OrInternal};
    use crate::server::throttle::{self, Reservation};

    pub async fn sign_in(login: &str, password: &str, next: &str) -> Result<(), AppError> {
        let t = &crate::i18n::t().accounts.sign_in_page;
        let login = login.trim();
        if login.is_empty() {
            return Err(AppError::field("login", t.login_missing));
        }
        let password = Password::for_sign_in(password)
            .map_err(|e| AppError::field("password", e.message()))?;
        let st = state()?;
        // The account is found first (a cheap indexed read) so that its budget is the same
        // whichever of its names is typed.
        let user = store::find_by_login(&st.db, login)
            .await
            .or_internal("finding a user")?;
        let account_key = throttle::account(user.as_ref().map(|u| u.id.as_str()), login);
        let client_key = throttle::client(&client_key());
        // Each attempt is counted before the password is checked: a burst gets at most the
        // free tries through to argon2, the rest wait.
        if let Reservation::RateLimited { wait_secs } = throttle::reserve(&st.db, &client_key)
            .await
            .or_internal("reserving a sign-in attempt")?
        {
            crate::server::metrics::throttled("sign_in_client");
            // A reset clears an account's wait, not a network's: its sentence does not promise it.
            return Err(waiting(t.client_waits, wait_secs));
        }
        if let Reservation::RateLimited { wait_secs } = throttle::reserve(&st.db, &account_key)
            .await
            .or_internal("reserving a sign-in attempt")?
        {
            // Nothing was checked: the client's attempt is given back.
            throttle::give_back(&st.db, &client_key)
                .await
                .or_internal("giving back an attempt")?;
            crate::server::metrics::throttled("sign_in_account");
            return Err(waiting(t.account_waits, wait_secs));
        }

        let ok = verify_password(
            password.expose().to_string(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await;
        let Some(user) = user.filter(|_| ok) else {
            crate::server::metrics::sign_in_failed();
            return Err(AppError::invalid(t.wrong));
        };
        tracing::Span::current().record("user", user.id.as_str());
        // Reviewers start on the review dashboard unless they were on their way elsewhere.
        let to = if user.is_reviewer != 0 && next == "/console" {
            "/review".to_string()
        } else {
            safe_next(next)
        };
        match session::start(&user.id, &user.password_hash).await? {
            session::Start::Started => {}
            session::Start::PasswordChanged => {
                // The password was changed between the check and now: the one given is no more.
                crate::server::metrics::sign_in_failed();
                return Err(AppError::invalid(t.wrong));
            }
            // With a second factor the password is only the first step: a code comes next
            // (its tries have a budget of their own; this right password is given back).
            session::Start::SecondFactorOn => {
                throttle::give_back(&st.db, &account_key)
                    .await
                    .or_internal("giving back an attempt")?;
                throttle::give_back(&st.db, &client_key)
                    .await
                    .or_internal("giving back an attempt")?;
                return second_factor::start_code_step(&user.id, &user.password_hash, &to).await;
            }
        }
        throttle::clear(&st.db, &account_key)
            .await
            .or_internal("clearing throttle")?;
        throttle::give_back(&st.db, &client_key)
            .await
            .or_internal("clearing throttle")?;
        // The account's language comes with it to this browser (a cookie left by someone
        // else's account, or by this one long ago, is no choice of this person's now).
        crate::server::request::set_cookie(&crate::i18n::switch::cookie_header(
            user.language,
            st.config.https(),
        ));
        // A reviewer without a second factor sets one up before anything else.
        let to = if user.is_reviewer != 0 {
            second_factor::SECOND_FACTOR_PATH.to_string()
        } else {
            to
        };
        leptos_axum::redirect(&to);
        Ok(())
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let t = crate::i18n::t();
    let labels = vec![
        ("login", t.accounts.sign_in_page.login_label),
        ("password", t.accounts.password),
    ];
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let error = last_error(action.value());
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let kept_login = Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.kept_value("login"))
            .unwrap_or_default()
    });
    let next = move || {
        query
            .with(|q| q.get("next"))
            .unwrap_or_else(|| "/console".into())
    };
    let notice = move || {
        query.with(|q| {
            if q.get("reset").is_some() {
                Some(t.accounts.sign_in_page.password_was_reset)
            } else if q.get("next").is_some() {
                Some(t.accounts.sign_in_page.to_continue)
            } else {
                None
            }
        })
    };
    view! {
        <Title text=t.accounts.sign_in/>
        <section class="auth-card" aria-labelledby="signin-title">
            <h1 id="signin-title">{t.accounts.sign_in}</h1>
            <p class="auth-card__lead">{t.accounts.sign_in_page.lead}</p>
            {move || notice().map(|n| view! { <p class="alert alert--info" role="status">{n}</p> })}
            <ErrorSummary error labels/>
            <ActionForm action=action>
                <input type="hidden" name="next" value=next/>
                <Field label=t.accounts.sign_in_page.login_label name="login" autocomplete="username"
                    initial=kept_login server_error=field("login")/>
                <Field label=t.accounts.password name="password" input_type="password"
                    autocomplete="current-password" server_error=field("password")/>
                <p class="auth-card__aside"><a href="/forgot-password">{t.accounts.sign_in_page.forgot_password}</a></p>
                <SubmitButton label=t.accounts.sign_in busy_label=t.accounts.sign_in_page.busy pending=action.pending()/>
            </ActionForm>
            <p class="auth-card__switch">{t.accounts.sign_in_page.new_here} <a href="/signup">{t.accounts.sign_up}</a></p>
        </section>
    }
}
