//! Forgot password (seed Step 5): Email, Send code, Verification code, New password, Confirm
//! password, Continue. Every session of the account ends and a notice is mailed.

use super::code_sender::CodeSender;
use super::CodeStep;
use crate::domain::{Email, Password, VerificationCode, PASSWORD_RULE};
use crate::error::AppError;
use crate::ui::form::{last_error, Field, FormAlert, SubmitButton};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "accounts/reset_password")]
pub async fn reset_password(
    intent: String,
    email: String,
    code: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
) -> Result<CodeStep, AppError> {
    use crate::server::request::reject;
    let result = match intent.as_str() {
        "send_code" => ssr::send_code(&email).await,
        "continue" => {
            ssr::complete(
                &email,
                &code.unwrap_or_default(),
                &new_password.unwrap_or_default(),
                &confirm_password.unwrap_or_default(),
            )
            .await
        }
        _ => Err(AppError::invalid("Choose Send code or Continue.")),
    };
    match result {
        Ok(step) => Ok(step),
        Err(e) => reject(e.keep("email", &email)),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::store;
    use crate::error::FieldErrors;
    use crate::server::codes::{self, Purpose, RESEND_AFTER_MS};
    use crate::server::crypto::hash_password;
    use crate::server::mail::{enqueue, templates};
    use crate::server::request::{client_key, is_plain_form_post, state, OrInternal};
    use crate::server::{sessions, throttle};

    /// Same answer whether or not the address has an account; only an account gets mail.
    pub async fn send_code(email: &str) -> Result<CodeStep, AppError> {
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let code = codes::issue(
            &mut tx,
            &st.secret,
            email.as_str(),
            Purpose::ResetPassword,
            &client_key(),
        )
        .await
        .or_internal("issuing a reset code")??;
        if store::find_by_email(&mut tx, email.as_str())
            .await
            .or_internal("looking up an email")?
            .is_some()
        {
            enqueue(&mut tx, templates::reset_code(email.as_str(), &code))
                .await
                .or_internal("queueing mail")?;
        }
        tx.commit().await.or_internal("commit")?;
        st.mail_ready.notify_one();
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "/forgot-password?sent=1&email={}",
                url::form_urlencoded::byte_serialize(email.as_str().as_bytes()).collect::<String>()
            ));
        }
        Ok(CodeStep::CodeSent {
            email: email.to_string(),
            resend_in: (RESEND_AFTER_MS / 1000) as u64,
        })
    }

    pub async fn complete(
        email_raw: &str,
        code: &str,
        new_password: &str,
        confirm: &str,
    ) -> Result<CodeStep, AppError> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email_raw));
        let code = errors.check("code", VerificationCode::parse(code));
        let password = errors.check("new_password", Password::parse(new_password, &[email_raw]));
        if confirm.is_empty() {
            errors.add("confirm_password", "Enter the new password again.");
        } else if confirm != new_password {
            errors.add("confirm_password", "The passwords do not match.");
        }
        errors.into_result()?;
        let (email, code, password) = (email.unwrap(), code.unwrap(), password.unwrap());

        let st = state()?;

        // The code first: before it is verified, nothing (not even the password rules, which
        // name the account's username) may tell whether the address has an account, and
        // nothing expensive runs.
        let verified = codes::check_field(
            &st.db,
            &st.secret,
            email.as_str(),
            Purpose::ResetPassword,
            code.as_str(),
        )
        .await?;
        let Some(user) = store::find_by_login(&st.db, email.as_str())
            .await
            .or_internal("looking up an email")?
        else {
            // Codes for unknown addresses are never mailed: only a guess gets here.
            return Err(AppError::field("code", "That code is not right."));
        };
        let names = [user.username.as_str(), user.email.as_str()];
        if let Err(m) = Password::parse(password.expose(), &names) {
            return Err(AppError::field("new_password", m));
        }
        if let Some(m) = store::password_weakness_off_thread(password.expose(), &names).await {
            return Err(AppError::field("new_password", m));
        }
        let hash = hash_password(password.expose().to_string())
            .await
            .or_internal("hashing a password")?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        if !codes::spend(&mut tx, &verified)
            .await
            .or_internal("spending a code")?
        {
            // A parallel request with the same code changed the password first.
            return Err(AppError::field("code", codes::NO_LONGER_VALID));
        }
        store::set_password(&mut tx, &user.id, &hash)
            .await
            .or_internal("setting a password")?;
        sessions::end_all_for_user(&mut tx, &user.id)
            .await
            .or_internal("ending sessions")?;
        enqueue(
            &mut tx,
            templates::password_changed(&user.email, &user.username, &st.config.public_url),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        st.mail_ready.notify_one();
        tracing::info!(user = %user.id, "password reset");
        // The sign-in wait promises that a reset ends it.
        throttle::clear(&st.db, &throttle::account(Some(&user.id), ""))
            .await
            .or_internal("clearing sign-in backoff")?;
        crate::server::request::set_cookie(&sessions::clear_cookie_header(&st.config));
        leptos_axum::redirect("/signin?reset=1");
        Ok(CodeStep::Done)
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let query = use_query_map();
    let error = last_error(action.value());
    let pending = action.pending();
    let intent_is = move |which: &'static str| {
        Signal::derive(move || {
            pending.get()
                && action
                    .input()
                    .with(|i| i.as_ref().map(|i| i.intent == which).unwrap_or(false))
        })
    };
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
    view! {
        <Title text="Reset your password"/>
        <section class="auth-card" aria-labelledby="reset-title">
            <h1 id="reset-title">"Reset your password"</h1>
            <p class="auth-card__lead">"We will email you a code to confirm it is you."</p>
            <FormAlert error/>
            <ActionForm action=action>
                <button type="submit" name="intent" value="continue" class="visually-hidden" tabindex="-1" aria-hidden="true">"Continue"</button>
                <Field label="Email" name="email" input_type="email" autocomplete="email"
                    initial=kept_email server_error=field("email") mirror=email_typed
                    check=Callback::new(|v: String| Email::parse(&v).err())/>
                <CodeSender value=Signal::derive(move || action.value().get()) sending=intent_is("send_code")/>
                <Field label="Verification code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength=7 help="The 6-digit code we emailed you." server_error=field("code")
                    check=Callback::new(|v: String| VerificationCode::parse(&v).err())/>
                <Field label="New password" name="new_password" input_type="password" autocomplete="new-password"
                    help=PASSWORD_RULE server_error=field("new_password") mirror=new_typed
                    check=Callback::new(move |v: String| Password::parse(&v, &[&email_typed.get_untracked()]).err())/>
                <Field label="Confirm password" name="confirm_password" input_type="password" autocomplete="new-password"
                    server_error=field("confirm_password")
                    check=Callback::new(move |v: String| (v != new_typed.get_untracked()).then(|| "The passwords do not match.".to_string()))/>
                <SubmitButton label="Continue" busy_label="Saving…" intent="continue" pending=intent_is("continue")/>
            </ActionForm>
            <p class="auth-card__switch">"Remembered it? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
