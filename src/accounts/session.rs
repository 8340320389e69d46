//! Who is signed in, and signing out.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub email: String,
    pub is_reviewer: bool,
}

/// The signed-in user for the page being shown, provided by the app frame.
pub type UserResource = Resource<Result<Option<SignedInUser>, AppError>>;

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

/// The signed-in user, or the "please sign in" error (401 for fetch clients).
#[cfg(feature = "ssr")]
pub async fn require_user() -> Result<crate::server::sessions::SessionUser, AppError> {
    match signed_in_user().await? {
        Some(u) => Ok(u),
        None => crate::server::request::reject(AppError::unauthenticated()),
    }
}

#[server(name = CurrentUser, endpoint = "session/current")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    Ok(signed_in_user().await?.map(|u| SignedInUser {
        username: u.username,
        email: u.email,
        is_reviewer: u.is_reviewer,
    }))
}

#[server(endpoint = "session/sign_out")]
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
