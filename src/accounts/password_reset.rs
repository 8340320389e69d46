//! Forgot password (seed Step 5): Email, Send code, Verification code, New password, Confirm
//! password, Continue. Every session of the account ends and a notice is mailed. "Send code"
//! and "Continue" are two server functions: the form posts to `ResetPassword`, its "Send code"
//! button to `SendResetCode`.

use super::code_sender::{asks_for_code, dispatch_from, CodeSender};
use super::CodeSent;
use crate::domain::{Email, Password, VerificationCode};
use crate::error::AppError;
use crate::ui::form::{ErrorSummary, Field, SubmitButton, TwoActions};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "accounts/send_reset_code")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn send_reset_code(email: String) -> Result<CodeSent, AppError> {
    super::verification::send_code(&ssr::CODES, &email).await
}

#[server(endpoint = "accounts/reset_password")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn reset_password(
    email: String,
    code: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    match ssr::change_password(&email, &code, &new_password, &confirm_password).await {
        Ok(()) => Ok(()),
        Err(e) => Err(e.keep("email", &email)),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::passwords;
    use crate::accounts::store;
    use crate::accounts::verification::{self, CodeFlow};
    use crate::error::FieldErrors;
    use crate::server::codes::Purpose;
    use crate::server::mail::{enqueue, templates, Mail};
    use crate::server::request::{set_cookie, state, OrInternal};
    use crate::server::{sessions, throttle};

    pub const CODES: CodeFlow = CodeFlow {
        purpose: Purpose::ResetPassword,
        page: "/forgot-password",
        mail: code_mail,
    };

    /// Same answer whether or not the address has an account; only an account gets mail.
    fn code_mail(email: &Email, code: &str, has_account: bool, _public_url: &str) -> Option<Mail> {
        has_account.then(|| templates::reset_code(crate::i18n::lang(), email.as_str(), code))
    }

    pub async fn change_password(
        email_raw: &str,
        code: &str,
        new_password: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let t = &crate::i18n::t().accounts.reset;
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email_raw));
        let code = errors.check("code", VerificationCode::parse(code));
        let password = errors.check("new_password", Password::parse(new_password, &[email_raw]));
        if confirm.is_empty() {
            errors.add("confirm_password", t.confirm_missing);
        } else if confirm != new_password {
            errors.add("confirm_password", t.passwords_differ);
        }
        let (Some(email), Some(code), Some(password)) = (email, code, password) else {
            // A field that did not parse left its error behind.
            return Err(errors
                .into_result()
                .err()
                .unwrap_or_else(AppError::internal));
        };
        errors.into_result()?;

        let st = state()?;

        // The code first: before it is verified, nothing (not even the password rules, which
        // name the account's username) may tell whether the address has an account, and
        // nothing expensive runs.
        let verified = verification::check(&CODES, &email, &code).await?;
        let Some(user) = store::find_by_login(&st.db, email.as_str())
            .await
            .or_internal("looking up an email")?
        else {
            // Codes for unknown addresses are never mailed: only a guess gets here.
            return Err(verification::not_right());
        };
        tracing::Span::current().record("user", user.id.as_str());
        let names = [user.username.as_str(), user.email.as_str()];
        if let Err(e) = Password::parse(password.expose(), &names) {
            return Err(AppError::field("new_password", e.message()));
        }
        let hash = passwords::check_and_hash(&password, &names)
            .await
            .map_err(|e| e.on_field("new_password"))?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        // A parallel request with the same code may have changed the password first.
        verification::spend(&mut tx, &verified).await?;
        store::set_password(&mut tx, &user.id, &hash)
            .await
            .or_internal("setting a password")?;
        sessions::end_all_for_user(&mut tx, &user.id)
            .await
            .or_internal("ending sessions")?;
        enqueue(
            &mut tx,
            templates::password_changed(
                user.language,
                &user.email,
                &user.username,
                &st.config.public_url,
            ),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        st.mail_ready.notify_one();
        tracing::info!(user = %user.id, "password reset");
        // The sign-in wait promises that a reset ends it (not the wait for second-factor
        // codes, `throttle::second_factor`: a mailbox alone buys no guesses at the code).
        throttle::clear(&st.db, &throttle::account(Some(&user.id), ""))
            .await
            .or_internal("clearing sign-in backoff")?;
        set_cookie(&sessions::clear_cookie_header(&st.config));
        leptos_axum::redirect("/signin?reset=1");
        Ok(())
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let t = crate::i18n::t();
    let labels = vec![
        ("email", t.accounts.email),
        ("code", t.accounts.verification_code),
        ("new_password", t.accounts.new_password),
        ("confirm_password", t.accounts.confirm_password),
    ];
    let actions = TwoActions::<SendResetCode, ResetPassword>::new();
    let (send, reset, error) = (actions.first, actions.second, actions.error);
    let query = use_query_map();
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let kept_email = Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.kept_value("email"))
            .or_else(|| query.with(|q| q.get("email")))
            .unwrap_or_default()
    });
    let email_typed = RwSignal::new(String::new());
    let new_typed = RwSignal::new(String::new());
    // With JavaScript each button's post goes through its action, so pending states, the
    // countdown and the errors show in place.
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if asks_for_code(&ev) {
            dispatch_from(send, &ev);
        } else {
            dispatch_from(reset, &ev);
        }
    };
    view! {
        <Title text=t.accounts.reset.title/>
        <section class="auth-card" aria-labelledby="reset-title">
            <h1 id="reset-title">{t.accounts.reset.title}</h1>
            <p class="auth-card__lead">{t.accounts.reset.lead}</p>
            <ErrorSummary error labels/>
            <form method="post" action=ResetPassword::PATH on:submit=on_submit>
                // Pressing Enter in any field means "Continue", not "Send code".
                <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">{t.accounts.reset.submit}</button>
                <Field label=t.accounts.email name="email" input_type="email" autocomplete="email"
                    initial=kept_email server_error=field("email") mirror=email_typed
                    check=Callback::new(|v: String| Email::parse(&v).err().map(|e| e.message()))/>
                <CodeSender
                    value=Signal::derive(move || send.value().get())
                    sending=send.pending()
                    action=SendResetCode::PATH
                />
                <Field label=t.accounts.verification_code name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength=7 help=t.accounts.code_help server_error=field("code")
                    check=Callback::new(|v: String| VerificationCode::parse(&v).err().map(|e| e.message()))/>
                <Field label=t.accounts.new_password name="new_password" input_type="password" autocomplete="new-password"
                    help=t.invalid.password_rule server_error=field("new_password") mirror=new_typed
                    check=Callback::new(move |v: String| Password::parse(&v, &[&email_typed.get_untracked()]).err().map(|e| e.message()))/>
                <Field label=t.accounts.confirm_password name="confirm_password" input_type="password" autocomplete="new-password"
                    server_error=field("confirm_password")
                    check=Callback::new(move |v: String| (v != new_typed.get_untracked()).then(|| t.accounts.reset.passwords_differ.to_string()))/>
                <SubmitButton label=t.accounts.reset.submit busy_label=t.accounts.reset.busy pending=reset.pending()/>
            </form>
            <p class="auth-card__switch">{t.accounts.reset.remembered} <a href="/signin">{t.accounts.sign_in}</a></p>
        </section>
    }
}
