//! The language switcher's endpoint and the request's language (server only).
//!
//! `POST /language` (a plain form, so it works without JavaScript) keeps the choice in the
//! `isv_lang` cookie and, for a signed-in person, on the account (their mail follows it), then
//! sends them back to the page they were on. Every other request is rendered in the cookie's
//! language, or else the best match of the browser's `Accept-Language`.

use super::{Lang, COOKIE};
use crate::server::request::{cookies_in, safe_next, AppState};
use crate::server::sessions;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT_LANGUAGE, LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};

/// The language a request is answered in.
pub fn of_request(headers: &HeaderMap) -> Lang {
    chosen(headers)
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::negotiate)
        })
        .unwrap_or_default()
}

/// The language kept in the cookie, if any (the first value it parses to, whatever else a
/// browser sends under the same name).
fn chosen(headers: &HeaderMap) -> Option<Lang> {
    cookies_in(headers, COOKIE).find_map(Lang::parse)
}

/// Runs `f` where [`super::t`] answers in `lang`: for code outside a page render or a server
/// function (a middleware's refusal), which has no request context of its own.
pub fn speaking<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let owner = leptos::prelude::Owner::new();
    owner.with(|| {
        leptos::prelude::provide_context(lang);
        f()
    })
}

/// Awaits `fut` where [`super::t`] answers in `lang` (an axum handler's work, such as the data
/// export, which runs outside Leptos' request context).
pub async fn speaking_async<F: std::future::Future>(lang: Lang, fut: F) -> F::Output {
    let owner = leptos::prelude::Owner::new();
    let fut = owner.with(|| {
        leptos::prelude::provide_context(lang);
        leptos::prelude::ScopedFuture::new(fut)
    });
    fut.await
}

/// `path` fit for a `Location` header: bytes outside printable ASCII (a search typed in
/// Chinese) percent-encoded.
fn location(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `Set-Cookie` that keeps a language for a year (readable by the server only; the
/// browser learns the language from `<html lang>`).
pub fn cookie_header(lang: Lang, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
        lang.tag()
    )
}

#[derive(serde::Deserialize)]
pub struct Choice {
    lang: String,
    #[serde(default)]
    next: String,
}

pub async fn switch(
    State(app): State<AppState>,
    headers: HeaderMap,
    axum::Form(choice): axum::Form<Choice>,
) -> Response {
    let Some(lang) = Lang::parse(&choice.lang) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match sessions::from_headers(&app.db, &app.config, &headers).await {
        // Already the account's: nothing to write (nor to tell other instances).
        Ok(Some((_, user))) if user.lang == lang => {}
        Ok(Some((_, user))) => {
            if let Err(e) = crate::accounts::store::set_language(&app.db, &user.user_id, lang).await
            {
                // The page still switches; the account keeps its old language for mail.
                tracing::error!(error = %e, "keeping an account's language");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "looking up a session to keep its language"),
    }
    let next = safe_next(if choice.next.is_empty() {
        "/"
    } else {
        &choice.next
    });
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    let v = HeaderValue::from_str(&location(&next)).unwrap_or(HeaderValue::from_static("/"));
    h.insert(LOCATION, v);
    if let Ok(v) = HeaderValue::from_str(&cookie_header(lang, app.config.https())) {
        h.insert(SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_location_is_ascii_whatever_was_typed() {
        assert_eq!(
            super::location("/review?q=星河 x"),
            "/review?q=%E6%98%9F%E6%B2%B3%20x"
        );
        assert_eq!(super::location("/a?b=c&d=%20"), "/a?b=c&d=%20");
    }
}
