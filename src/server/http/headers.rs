//! The security headers of every response, and the CSP nonce: made here per request, put into
//! its extensions (startup hands it to the render, so the hydration scripts carry it) and named
//! in the `Content-Security-Policy` header.

use crate::server::config::Config;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, VARY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::HeaderValue;
use leptos::nonce::Nonce;
use std::sync::Arc;

pub async fn security_headers(
    State(config): State<Arc<Config>>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;

    let h = res.headers_mut();
    // A page is written for its reader (their session, their language): no shared cache keeps
    // it, and none hands one language's copy to a reader of another.
    let page = h
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if page {
        h.append(VARY, HeaderValue::from_static("Cookie, Accept-Language"));
        if !h.contains_key(CACHE_CONTROL) {
            h.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        }
    }
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(
        REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if config.https() {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // `cargo leptos watch` reloads the page over its own websocket.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        " ws://127.0.0.1:3001"
    } else {
        ""
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn headers_under(public_url: &str) -> http::HeaderMap {
        let env = [
            ("PUBLIC_URL", public_url),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ];
        let config = Config::from_lookup(|k| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
        let app = axum::Router::new()
            .route("/", axum::routing::get(|| async { "page" }))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(config),
                security_headers,
            ));
        let res = app
            .oneshot(Request::get("/").body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        res.headers().clone()
    }

    #[tokio::test]
    async fn https_portals_send_strict_transport_security_and_http_ones_do_not() {
        let https = headers_under("https://portal.example.com").await;
        assert_eq!(
            https[STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        let plain = headers_under("http://127.0.0.1:3000").await;
        assert!(plain.get(STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(plain[X_CONTENT_TYPE_OPTIONS], "nosniff");
        let csp = plain[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("'nonce-") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
    }
}
