//! Every request logged once, when its response is ready (method, route, path, status, latency,
//! request id), and counted in the request metrics. The id is a proxy's `x-request-id` when it
//! is a plain token, a new one otherwise; the response carries it back, and everything logged
//! while the request is handled (the server functions' spans included) sits in a `request` span
//! that names it.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// The id a proxy gave the request, if it is a plain token; otherwise a new one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(String::from)
        .unwrap_or_else(crate::server::crypto::new_id)
}

/// The path as the log may keep it: a secret at the end of an address (`app::SECRET_PATHS`)
/// is written as `…`.
fn loggable(path: &str) -> String {
    match crate::app::SECRET_PATHS
        .iter()
        .find(|prefix| path.starts_with(**prefix) && path.len() > prefix.len())
    {
        Some(prefix) => format!("{prefix}…"),
        None => path.to_string(),
    }
}

pub async fn log_requests(req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let method = req.method().clone();
    let path = loggable(req.uri().path());
    // The route's template (`/review/{id}`) when the router matched one; the fallback (files,
    // the 404 page) has none.
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let route = template.as_deref().unwrap_or(&path).to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let started = std::time::Instant::now();
    let mut res = next.run(req).instrument(span).await;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    tracing::info!(
        request_id = %id,
        method = %method,
        route = %route,
        path = %path,
        status,
        latency_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        "request"
    );
    crate::server::metrics::request(&method, template.as_deref(), status, elapsed);
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn id_of(given: Option<&str>) -> String {
        let app = axum::Router::new()
            .route("/terms", axum::routing::get(|| async { "terms" }))
            .layer(axum::middleware::from_fn(log_requests));
        let mut req = Request::get("/terms");
        if let Some(id) = given {
            req = req.header(REQUEST_ID, id);
        }
        let res = app
            .oneshot(req.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        res.headers()[REQUEST_ID].to_str().unwrap().to_string()
    }

    #[test]
    fn a_secret_at_the_end_of_an_address_is_never_logged() {
        assert_eq!(
            loggable("/invitations/qhJXL0osv32tk3_Y4rOLN6c9SzpF"),
            "/invitations/…"
        );
        assert_eq!(loggable("/invitations/"), "/invitations/");
        assert_eq!(
            loggable("/workspaces/abc/members"),
            "/workspaces/abc/members"
        );
    }

    #[tokio::test]
    async fn a_proxys_plain_id_is_kept_and_anything_else_replaced() {
        assert_eq!(id_of(Some("lb-1234_abcd")).await, "lb-1234_abcd");
        let long = "a".repeat(65);
        for junk in ["bad id", "x\"y", long.as_str(), ""] {
            let id = id_of(Some(junk)).await;
            assert_eq!(id.len(), 32, "{junk:?} gave {id}");
        }
        let (a, b) = (id_of(None).await, id_of(None).await);
        assert_ne!(a, b);
    }
}
