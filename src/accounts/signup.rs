//! Sign up (seed Step 1): Email, Send code, Verification code, Username, Password, agree to the
//! Terms of Service, Sign up. Then the user is signed in and chooses a role, or goes on to
//! `?next=` (an invitation link sends people here with `?email=…&next=/invitations/…`). "Send
//! code" and "Sign up" are two server functions: the form posts to `SignUp`, its "Send code"
//! button to `SendSignUpCode`.

use super::code_sender::{asks_for_code, dispatch_from, CodeSender};
use super::CodeSent;
use crate::domain::{Email, Password, Username, VerificationCode};
use crate::error::AppError;
use crate::ui::form::{Agreement, ErrorSummary, Field, SubmitButton, TwoActions};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `next`: where the form goes after signing up (an invitation's page), kept across the
/// redirect a plain form post gets.
#[server(endpoint = "accounts/send_sign_up_code")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn send_sign_up_code(email: String, next: Option<String>) -> Result<CodeSent, AppError> {
    let sent = super::verification::send_code(&ssr::CODES, &email).await?;
    if let Some(next) = next.filter(|n| !n.is_empty()) {
        ssr::back_to_form_keeping(&sent, &next);
    }
    Ok(sent)
}

/// `terms` is the checkbox, which browsers leave out when it is not ticked. `next`: where to
/// go once signed up (an invitation's page); choosing a role when absent.
#[server(endpoint = "accounts/sign_up")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_up(
    email: String,
    code: String,
    username: String,
    password: String,
    terms: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    let next = next.filter(|n| !n.is_empty());
    match ssr::create_account(
        &email,
        &code,
        &username,
        &password,
        terms.is_some(),
        next.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(()),
        Err(e) => Err(e.keep("email", &email).keep("username", &username)),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::store::{self, Creation};
    use crate::accounts::verification::{self, CodeFlow};
    use crate::accounts::{passwords, session};
    use crate::error::FieldErrors;
    use crate::server::codes::Purpose;
    use crate::server::mail::{templates, Mail};
    use crate::server::request::{
        client_ip, is_plain_form_post, safe_next, state, user_agent, OrInternal,
    };
    use crate::site::terms_version;

    pub const CODES: CodeFlow = CodeFlow {
        purpose: Purpose::SignUp,
        page: "/signup",
        mail: code_mail,
    };

    /// The same answer either way; the owner of an existing account is told by mail instead.
    /// Both mails are in the language of the page that asked for them: the person reading it
    /// is waiting for the mail.
    fn code_mail(email: &Email, code: &str, has_account: bool, public_url: &str) -> Option<Mail> {
        let lang = crate::i18n::lang();
        Some(if has_account {
            templates::signup_existing(lang, email.as_str(), public_url)
        } else {
            templates::signup_code(lang, email.as_str(), code)
        })
    }

    fn taken() -> AppError {
        AppError::field(
            "username",
            crate::i18n::t().accounts.sign_up_page.username_taken,
        )
    }

    /// A plain form post of "Send code" is sent back to the form (`?sent=1&email=…`, see
    /// `verification::send_code`); this keeps `next` in that address.
    pub fn back_to_form_keeping(sent: &CodeSent, next: &str) {
        if is_plain_form_post() {
            let email: String =
                url::form_urlencoded::byte_serialize(sent.email.as_bytes()).collect();
            leptos_axum::redirect(&format!(
                "{}?sent=1&email={email}&next={}",
                CODES.page,
                crate::ui::guard::next_value(&safe_next(next))
            ));
        }
    }

    pub async fn create_account(
        email_raw: &str,
        code: &str,
        username_raw: &str,
        password: &str,
        agreed: bool,
        next: Option<&str>,
    ) -> Result<(), AppError> {
        let t = crate::i18n::t();
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email_raw));
        let code = errors.check("code", VerificationCode::parse(code));
        let username = errors.check("username", Username::parse(username_raw));
        let password = errors.check(
            "password",
            Password::parse(password, &[username_raw, email_raw]),
        );
        if !agreed {
            errors.add("terms", t.accounts.sign_up_page.agree_to_terms);
        }
        let (Some(email), Some(code), Some(username), Some(password)) =
            (email, code, username, password)
        else {
            // A field that did not parse left its error behind.
            return Err(errors
                .into_result()
                .err()
                .unwrap_or_else(AppError::internal));
        };
        errors.into_result()?;
        let st = state()?;

        // The code first: until it is verified nothing is said about the username or the
        // address, and nothing expensive (zxcvbn, argon2) runs.
        let verified = verification::check(&CODES, &email, &code).await?;
        if store::username_taken(&st.db.pool, &username.key())
            .await
            .or_internal("checking a username")?
        {
            return Err(taken());
        }
        // Hash before taking the writers' turn: it is the slow part.
        let hash = passwords::check_and_hash(&password, &[username.as_str(), email.as_str()])
            .await
            .map_err(|e| e.on_field("password"))?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        verification::spend(&mut tx, &verified).await?;
        let user_id = match store::create(&mut tx, &email, &username, &hash, crate::i18n::lang())
            .await
            .or_internal("creating a user")?
        {
            Creation::Created { user_id } => user_id,
            // Reaching here needs the code mailed to this address: no enumeration. Returning
            // drops the transaction, so the code is not spent.
            Creation::EmailTaken => {
                return Err(AppError::field(
                    "email",
                    t.accounts.sign_up_page.email_has_account,
                ))
            }
            Creation::UsernameTaken => return Err(taken()),
        };
        tracing::Span::current().record("user", user_id.as_str());
        store::record_acceptance(
            &mut tx,
            &user_id,
            "terms",
            terms_version(crate::i18n::lang()),
            crate::i18n::lang(),
            &client_ip(),
            &user_agent(),
        )
        .await
        .or_internal("recording terms")?;
        let started = session::start_in(&mut tx, &user_id, false).await?;
        tx.commit().await.or_internal("commit")?;
        tracing::info!(user = %user_id, "account created");
        started.set_cookie()?;
        // On to an invitation (or wherever the form was asked to lead), else Step 2.
        leptos_axum::redirect(
            &next
                .map(safe_next)
                .unwrap_or_else(|| "/onboarding/role".into()),
        );
        Ok(())
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let t = crate::i18n::t();
    let labels = vec![
        ("email", t.accounts.email),
        ("code", t.accounts.verification_code),
        ("username", t.accounts.username),
        ("password", t.accounts.password),
        ("terms", t.accounts.sign_up_page.terms_of_service),
    ];
    let actions = TwoActions::<SendSignUpCode, SignUp>::new();
    let (send, sign_up, error) = (actions.first, actions.second, actions.error);
    let query = use_query_map();
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
    // Where to go once signed up (an invitation's page sends people here with it).
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let signin_href = move || match next() {
        n if n.is_empty() => "/signin".to_string(),
        n => format!("/signin?next={}", crate::ui::guard::next_value(&n)),
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
        .map(|e| e.message())
    });
    // With JavaScript each button's post goes through its action, so pending states, the
    // countdown and the errors show in place.
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if asks_for_code(&ev) {
            dispatch_from(send, &ev);
        } else {
            dispatch_from(sign_up, &ev);
        }
    };

    view! {
        <Title text=t.accounts.sign_up/>
        <section class="auth-card" aria-labelledby="signup-title">
            <h1 id="signup-title">{t.accounts.sign_up_page.heading}</h1>
            <p class="auth-card__lead">{t.accounts.sign_up_page.lead}</p>
            <ErrorSummary error labels/>
            <form method="post" action=SignUp::PATH on:submit=on_submit>
                // Pressing Enter in any field means "Sign up", not "Send code".
                <button type="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">{t.accounts.sign_up}</button>
                <input type="hidden" name="next" value=next/>
                <Field
                    label=t.accounts.email name="email" input_type="email" autocomplete="email"
                    initial=kept("email") server_error=field("email") mirror=email_typed
                    check=Callback::new(|v: String| Email::parse(&v).err().map(|e| e.message()))
                />
                <CodeSender
                    value=Signal::derive(move || send.value().get())
                    sending=send.pending()
                    action=SendSignUpCode::PATH
                />
                <Field
                    label=t.accounts.verification_code name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength=7 help=t.accounts.code_help
                    server_error=field("code")
                    check=Callback::new(|v: String| VerificationCode::parse(&v).err().map(|e| e.message()))
                />
                <Field
                    label=t.accounts.username name="username" autocomplete="username" help=t.invalid.username_rule
                    initial=kept("username") server_error=field("username") mirror=username_typed
                    check=Callback::new(|v: String| Username::parse(&v).err().map(|e| e.message()))
                />
                <Field
                    label=t.accounts.password name="password" input_type="password" autocomplete="new-password"
                    help=t.invalid.password_rule server_error=field("password") check=check_password
                />
                <Agreement name="terms" href="/terms" document=t.accounts.sign_up_page.terms_of_service error=field("terms")/>
                <SubmitButton label=t.accounts.sign_up busy_label=t.accounts.sign_up_page.busy pending=sign_up.pending()/>
            </form>
            <p class="auth-card__switch">{t.accounts.sign_up_page.have_account} <a href=signin_href>{t.accounts.sign_in}</a></p>
        </section>
    }
}
