//! What every request goes through: the client's address, the Origin check on state-changing
//! requests, a CSP nonce for the hydration scripts, and the security headers.

use super::config::Config;
use super::request::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{
    CONTENT_SECURITY_POLICY, ORIGIN, REFERER, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{HeaderValue, Method, StatusCode};
use leptos::nonce::Nonce;
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn security(State(config): State<Arc<Config>>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        req.extensions_mut().insert(ClientIp(addr.ip()));
    }

    if !is_safe(req.method()) && !same_origin(&req, &config.public_url) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-origin request refused");
        return (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response();
    }

    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;

    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        " ws://127.0.0.1:3001"
    } else {
        ""
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    res
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The request's Origin (or, when a browser sent none, its Referer) must be the portal itself.
fn same_origin(req: &Request, public_url: &str) -> bool {
    let headers = req.headers();
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin == public_url;
    }
    match headers.get(REFERER).and_then(|v| v.to_str().ok()) {
        Some(referer) => referer == public_url || referer.starts_with(&format!("{public_url}/")),
        None => false,
    }
}
