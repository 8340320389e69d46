//! Sign up (seed Step 1): Email, Send code, Verification code, Username, Password, agree to the
//! Terms of Service, Sign up. Then the user is signed in and chooses a role.

use super::code_sender::CodeSender;
use super::CodeStep;
use crate::domain::{Email, Password, Username, VerificationCode, PASSWORD_RULE, USERNAME_RULE};
use crate::error::AppError;
use crate::ui::form::{last_error, Field, FormAlert, SubmitButton};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(endpoint = "accounts/sign_up")]
pub async fn sign_up(
    intent: String,
    email: String,
    code: Option<String>,
    username: Option<String>,
    password: Option<String>,
    terms: Option<String>,
) -> Result<CodeStep, AppError> {
    use crate::server::request::reject;
    let username = username.unwrap_or_default();
    let result = match intent.as_str() {
        "send_code" => ssr::send_code(&email).await,
        "sign_up" => {
            ssr::complete(
                &email,
                &code.unwrap_or_default(),
                &username,
                &password.unwrap_or_default(),
                terms.is_some(),
            )
            .await
        }
        _ => Err(AppError::invalid("Choose Send code or Sign up.")),
    };
    match result {
        Ok(step) => Ok(step),
        Err(e) => reject(e.keep("email", &email).keep("username", &username)),
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
    use crate::server::request::{
        client_ip, client_key, cookie, is_plain_form_post, set_cookie, state, user_agent,
        OrInternal,
    };
    use crate::server::sessions;
    use crate::site::TERMS_VERSION;

    fn taken() -> AppError {
        AppError::field("username", "This username is taken. Try another.")
    }

    pub async fn send_code(email: &str) -> Result<CodeStep, AppError> {
        let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let code = codes::issue(
            &mut tx,
            &st.secret,
            email.as_str(),
            Purpose::SignUp,
            &client_key(),
        )
        .await
        .or_internal("issuing a sign-up code")??;
        // The same answer either way; the owner of an existing account is told by mail.
        let mail = match store::find_by_email(&mut tx, email.as_str())
            .await
            .or_internal("looking up an email")?
        {
            Some(_) => templates::signup_existing(email.as_str(), &st.config.public_url),
            None => templates::signup_code(email.as_str(), &code),
        };
        enqueue(&mut tx, mail).await.or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        st.mail_ready.notify_one();
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "/signup?sent=1&email={}",
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
        username_raw: &str,
        password: &str,
        agreed: bool,
    ) -> Result<CodeStep, AppError> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email_raw));
        let code = errors.check("code", VerificationCode::parse(code));
        let username = errors.check("username", Username::parse(username_raw));
        let password = errors.check(
            "password",
            Password::parse(password, &[username_raw, email_raw]),
        );
        if !agreed {
            errors.add("terms", "Please read and agree to the Terms of Service.");
        }
        errors.into_result()?;
        let (email, code, username, password) = (
            email.unwrap(),
            code.unwrap(),
            username.unwrap(),
            password.unwrap(),
        );
        let st = state()?;

        // The code first: until it is verified nothing is said about the username or the
        // address, and nothing expensive (zxcvbn, argon2) runs.
        let verified = codes::check_field(
            &st.db,
            &st.secret,
            email.as_str(),
            Purpose::SignUp,
            code.as_str(),
        )
        .await?;
        if store::username_taken(&st.db.pool, &username.key())
            .await
            .or_internal("checking a username")?
        {
            return Err(taken());
        }
        if let Some(m) = store::password_weakness_off_thread(
            password.expose(),
            &[username.as_str(), email.as_str()],
        )
        .await
        {
            return Err(AppError::field("password", m));
        }
        // Hash before taking the writers' turn: it is the slow part.
        let hash = hash_password(password.expose().to_string())
            .await
            .or_internal("hashing a password")?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        if !codes::spend(&mut tx, &verified)
            .await
            .or_internal("spending a code")?
        {
            // A parallel request with the same code got there first.
            return Err(AppError::field("code", codes::NO_LONGER_VALID));
        }
        if store::find_by_email(&mut tx, email.as_str())
            .await
            .or_internal("looking up an email")?
            .is_some()
        {
            // Reaching here needs the code mailed to this address: no enumeration. Returning
            // drops the transaction, so the code is not spent.
            return Err(AppError::field(
                "email",
                "An account already exists for this email. Sign in, or reset your password.",
            ));
        }
        let user_id = match store::insert(
            &mut tx,
            email.as_str(),
            username.as_str(),
            &username.key(),
            &hash,
        )
        .await
        {
            Ok(id) => id,
            Err(e) if store::is_unique_violation(&e) => return Err(taken()),
            Err(e) => return Err(crate::server::request::internal("creating a user", e)),
        };
        let (ip, ua) = (client_ip(), user_agent());
        store::record_acceptance(&mut tx, &user_id, "terms", TERMS_VERSION, &ip, &ua)
            .await
            .or_internal("recording terms")?;
        if let Some(old) = cookie(sessions::cookie_name(&st.config)) {
            sessions::end_token_in(&mut tx, &old)
                .await
                .or_internal("ending old session")?;
        }
        let token = sessions::create(&mut tx, &user_id, &ip, &ua)
            .await
            .or_internal("creating a session")?;
        tx.commit().await.or_internal("commit")?;
        tracing::info!(user = %user_id, "account created");
        set_cookie(&sessions::cookie_header(&st.config, &token));
        leptos_axum::redirect("/onboarding/role");
        Ok(CodeStep::Done)
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
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
    let kept = move |name: &'static str| {
        Signal::derive(move || {
            error
                .get()
                .and_then(|e| e.kept_value(name))
                .or_else(|| query.with(|q| q.get(name)))
                .unwrap_or_default()
        })
    };
    let email_typed = RwSignal::new(String::new());
    let username_typed = RwSignal::new(String::new());
    let check_password = Callback::new(move |v: String| {
        Password::parse(
            &v,
            &[
                &username_typed.get_untracked(),
                &email_typed.get_untracked(),
            ],
        )
        .err()
    });

    view! {
        <Title text="Sign up"/>
        <section class="auth-card" aria-labelledby="signup-title">
            <h1 id="signup-title">"Create your account"</h1>
            <p class="auth-card__lead">"Apply for an account on Mini Program Platform."</p>
            <FormAlert error/>
            <ActionForm action=action>
                // Pressing Enter in any field means "Sign up", not "Send code".
                <button type="submit" name="intent" value="sign_up" class="visually-hidden" tabindex="-1" aria-hidden="true">"Sign up"</button>
                <Field
                    label="Email" name="email" input_type="email" autocomplete="email"
                    initial=kept("email") server_error=field("email") mirror=email_typed
                    check=Callback::new(|v: String| Email::parse(&v).err())
                />
                <CodeSender value=Signal::derive(move || action.value().get()) sending=intent_is("send_code")/>
                <Field
                    label="Verification code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength=7 help="The 6-digit code we emailed you."
                    server_error=field("code")
                    check=Callback::new(|v: String| VerificationCode::parse(&v).err())
                />
                <Field
                    label="Username" name="username" autocomplete="username" help=USERNAME_RULE
                    initial=kept("username") server_error=field("username") mirror=username_typed
                    check=Callback::new(|v: String| Username::parse(&v).err())
                />
                <Field
                    label="Password" name="password" input_type="password" autocomplete="new-password"
                    help=PASSWORD_RULE server_error=field("password") check=check_password
                />
                <div class="field field--checkbox" class:field--invalid=move || field("terms").get().is_some()>
                    <input type="checkbox" id="terms" name="terms" value="yes"
                        aria-describedby="terms-error"
                        aria-invalid=move || field("terms").get().is_some().then_some("true")/>
                    <label for="terms">
                        "I have read and agree to the "
                        <a href="/terms" target="_blank" rel="noopener">"Terms of Service"</a>
                    </label>
                    <p id="terms-error" class="field__error" role="alert">{move || field("terms").get()}</p>
                </div>
                <SubmitButton label="Sign up" busy_label="Signing up…" intent="sign_up" pending=intent_is("sign_up")/>
            </ActionForm>
            <p class="auth-card__switch">"Already have an account? " <a href="/signin">"Sign in"</a></p>
        </section>
    }
}
