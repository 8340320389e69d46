//! What a server function knows about its request: the app state, client, cookies, and whether
//! it came from a form posted without JavaScript.

use super::config::Config;
use super::db::Db;
use crate::error::AppError;
use http::header::{ACCEPT, COOKIE, SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything the handlers share; given to every server function through context.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Wakes the outbox worker as soon as a transaction with mail commits.
    pub mail_ready: Arc<Notify>,
    /// Application events for open pages (`/api/events`).
    pub feed: super::feed::Feed,
    /// Keys the HMAC of stored verification codes.
    pub secret: Arc<super::crypto::Secret>,
    /// The outbox worker; finished means mail is not being delivered (`/readyz`).
    pub mail_worker: Arc<tokio::task::JoinHandle<()>>,
    /// The typical wait for a decision, kept a few minutes for every applicant's page
    /// (`applications::store::TypicalWait`).
    pub typical_wait: Arc<crate::applications::store::TypicalWait>,
    /// Turns for the reviewers' queue files (`review::export`), the heaviest read there is.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The portal as a WebAuthn relying party, for passkeys; `None` where there can be none
    /// (`accounts::second_factor::passkeys::relying_party`).
    pub relying_party: Option<Arc<webauthn_rs::prelude::Webauthn>>,
}

/// The client's address, put into request extensions at the edge (`server::http::origin`).
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::internal()
    })
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn client_ip() -> String {
    parts()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|ip| ip.0.to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// The key the client's limits are counted under (an IPv6 client by its /64).
pub fn client_key() -> String {
    parts()
        .and_then(|p| {
            p.extensions
                .get::<ClientIp>()
                .map(|ip| super::client::limit_key(ip.0))
        })
        .unwrap_or_else(|| "unknown".into())
}

pub fn user_agent() -> String {
    parts()
        .and_then(|p| {
            p.headers
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(400).collect())
        })
        .unwrap_or_default()
}

pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&parts()?.headers, name)
}

/// A cookie's value from request headers (for handlers outside server functions).
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    cookies_in(headers, name).next().map(str::to_string)
}

/// Every value a request sends under a cookie's name, in order (a browser sends one per
/// domain and path that set it).
pub fn cookies_in<'h>(
    headers: &'h http::HeaderMap,
    name: &'h str,
) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(header: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(header),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// A form posted by the browser itself (no JavaScript) asks for HTML.
pub fn is_plain_form_post() -> bool {
    parts()
        .and_then(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Logs what went wrong on our side and gives the user only a generic sentence.
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{context}");
    AppError::internal()
}

/// Shorthand for `map_err(|e| internal(context, e))`.
pub trait OrInternal<T> {
    fn or_internal(self, context: &str) -> Result<T, AppError>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &str) -> Result<T, AppError> {
        self.map_err(|e| internal(context, e))
    }
}

/// Only same-site paths are followed after sign-in, never another origin.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if !ok {
        return "/console".to_string();
    }
    // A form error travels only in a redirect the portal signed; after a sign-in with
    // JavaScript the page follows `next` without asking the server, so none may ride along.
    match next.split_once('?') {
        None => next.to_string(),
        Some((path, query)) => {
            let kept: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    url::form_urlencoded::parse(query.as_bytes())
                        .filter(|(k, _)| !matches!(k.as_ref(), "__err" | "__path" | "__sig")),
                )
                .finish();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{kept}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site_and_carries_no_form_error() {
        assert_eq!(safe_next("/console?x=1"), "/console?x=1");
        assert_eq!(safe_next("https://evil.example"), "/console");
        assert_eq!(safe_next("//evil.example"), "/console");
        assert_eq!(
            safe_next("/onboarding/role?__path=%2Fapi%2Fx&__err=Zm9v&__sig=1.ab&step=2"),
            "/onboarding/role?step=2"
        );
        assert_eq!(safe_next("/signup?__err=Zm9v"), "/signup");
    }
}
