//! Who is signed in, starting a session (sign-in and sign-up alike), and signing out.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub email: String,
    pub is_reviewer: bool,
    /// A reviewer who must set up a second factor before anything else.
    pub must_enrol: bool,
    /// The language the server answers this browser in now: a page in another language (the
    /// sign-in just brought the account's) is loaded again in it.
    pub lang: crate::i18n::Lang,
}

/// The session behind this request's cookie, if it is still alive.
#[cfg(feature = "ssr")]
pub async fn signed_in_user() -> Result<Option<crate::server::sessions::SessionUser>, AppError> {
    use crate::server::request::{cookie, state, OrInternal};
    use crate::server::sessions;
    // Already looked up for this request by the signed-in-pages middleware?
    if let Some(user) = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<sessions::SessionUser>().cloned())
    {
        return Ok(Some(user));
    }
    let st = state()?;
    match cookie(sessions::cookie_name(&st.config)) {
        None => Ok(None),
        Some(token) => sessions::lookup(&st.db, &token)
            .await
            .or_internal("looking up a session"),
    }
}

/// The signed-in user, or the "please sign in" error (401 for fetch clients). The user's id
/// goes into the current span's `user` field, which instrumented server functions declare.
///
/// A reviewer whose session has not passed a second factor is refused (403) everything but
/// setting one up (`require_user_enrolling`).
#[cfg(feature = "ssr")]
pub async fn require_user() -> Result<crate::server::sessions::SessionUser, AppError> {
    let user = require_user_enrolling().await?;
    if user.must_enrol {
        return Err(AppError {
            message: crate::i18n::t().second_factor.must_enrol.into(),
            ..AppError::forbidden()
        });
    }
    Ok(user)
}

/// `require_user` for what a reviewer may do before a second factor is set up: set it up.
#[cfg(feature = "ssr")]
pub async fn require_user_enrolling() -> Result<crate::server::sessions::SessionUser, AppError> {
    match signed_in_user().await? {
        Some(u) => {
            tracing::Span::current().record("user", u.user_id.as_str());
            Ok(u)
        }
        None => Err(AppError::unauthenticated()),
    }
}

/// A session begun inside a transaction; its cookie is set once that transaction commits.
#[cfg(feature = "ssr")]
#[must_use = "the session's cookie is set by `set_cookie`, after the commit"]
pub struct Started {
    token: String,
}

#[cfg(feature = "ssr")]
impl Started {
    pub fn set_cookie(self) -> Result<(), AppError> {
        use crate::server::request::{set_cookie, state};
        let st = state()?;
        set_cookie(&crate::server::sessions::cookie_header(
            &st.config,
            &self.token,
        ));
        Ok(())
    }
}

/// Begins a session for `user_id` in `tx`, ending the one this browser had: a new token at
/// every sign-in, so a token planted before it is worth nothing after.
#[cfg(feature = "ssr")]
pub async fn start_in(
    tx: &mut crate::server::db::WriteTx,
    user_id: &str,
    second_factor: bool,
) -> Result<Started, AppError> {
    use crate::server::request::{client_ip, cookie, state, user_agent, OrInternal};
    use crate::server::sessions;
    let st = state()?;
    if let Some(old) = cookie(sessions::cookie_name(&st.config)) {
        sessions::end_token_in(tx, &old)
            .await
            .or_internal("ending old session")?;
    }
    let token = sessions::create(tx, user_id, second_factor, &client_ip(), &user_agent())
        .await
        .or_internal("creating a session")?;
    Ok(Started { token })
}

/// What `start` came to.
#[cfg(feature = "ssr")]
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    Started,
    /// The password was changed since it was checked: nothing was written.
    PasswordChanged,
    /// The account has a second factor (turned on since it was read): the code comes first.
    SecondFactorOn,
}

/// Signs `user_id` in on this browser with the password alone (`start_in` in a transaction of
/// its own, and the cookie) if `proved_hash`, the password hash the sign-in was checked
/// against, is still the account's: a password changed meanwhile (whose change ends every
/// session) must not let a sign-in made with the old one through. Nor may an account with a
/// second factor get a session without its code: that is read in the same transaction (under a
/// share lock on PostgreSQL), so a factor turned on meanwhile, which ends the account's other
/// sessions, cannot miss this one.
#[cfg(feature = "ssr")]
pub async fn start(user_id: &str, proved_hash: &str) -> Result<Start, AppError> {
    use crate::server::request::{state, OrInternal};
    let st = state()?;
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    if !super::store::password_is(&mut tx, user_id, proved_hash)
        .await
        .or_internal("checking the password is current")?
    {
        return Ok(Start::PasswordChanged);
    }
    if super::second_factor::store::is_on_in(&mut tx, user_id)
        .await
        .or_internal("reading a second factor")?
    {
        return Ok(Start::SecondFactorOn);
    }
    let started = start_in(&mut tx, user_id, false).await?;
    tx.commit().await.or_internal("commit")?;
    started.set_cookie()?;
    Ok(Start::Started)
}

#[server(name = CurrentUser, endpoint = "session/current")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    Ok(signed_in_user().await?.map(|u| SignedInUser {
        username: u.username,
        email: u.email,
        is_reviewer: u.is_reviewer,
        must_enrol: u.must_enrol,
        lang: crate::i18n::lang(),
    }))
}

#[server(endpoint = "session/sign_out")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::request::{cookie, set_cookie, state, OrInternal};
    use crate::server::sessions;
    let st = state()?;
    if let Some(token) = cookie(sessions::cookie_name(&st.config)) {
        sessions::end(&st.db, &token)
            .await
            .or_internal("ending a session")?;
    }
    set_cookie(&sessions::clear_cookie_header(&st.config));
    leptos_axum::redirect("/");
    Ok(())
}
