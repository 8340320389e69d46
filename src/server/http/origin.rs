//! Who is asking, and from where: the client's address (`X-Forwarded-For` believed only from
//! `TRUSTED_PROXIES`) goes into the request for the limits, and a state-changing request must
//! come from the portal's own pages (its Origin, or its Referer when a browser sent no Origin).

use crate::server::config::Config;
use crate::server::request::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ORIGIN, REFERER};
use http::{Method, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn client_and_origin(
    State(config): State<Arc<Config>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = crate::server::client::client_addr(addr.ip(), forwarded, &config.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
    }

    if !is_safe(req.method()) && !same_origin(&req, &config.public_url) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-origin request refused");
        let t = crate::i18n::switch::of_request(req.headers()).texts();
        return (StatusCode::FORBIDDEN, t.ui.cross_site).into_response();
    }
    next.run(req).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    const PORTAL: &str = "http://127.0.0.1:3000";

    fn app() -> axum::Router {
        let config =
            Config::from_lookup(|k| (k == "PUBLIC_URL").then(|| PORTAL.to_string())).unwrap();
        axum::Router::new()
            .route(
                "/api/x",
                axum::routing::post(|| async { "done" }).get(|| async { "read" }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(config),
                client_and_origin,
            ))
    }

    async fn status(req: http::request::Builder) -> StatusCode {
        app()
            .oneshot(req.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap()
            .status()
    }

    #[tokio::test]
    async fn only_the_portal_itself_may_post() {
        let post = || Request::post("/api/x");
        assert_eq!(status(post().header(ORIGIN, PORTAL)).await, StatusCode::OK);
        assert_eq!(
            status(post().header(REFERER, format!("{PORTAL}/signin"))).await,
            StatusCode::OK
        );
        for refused in [
            post().header(ORIGIN, "https://evil.example"),
            // The Origin decides when there is one, whatever the Referer says.
            post()
                .header(ORIGIN, "https://evil.example")
                .header(REFERER, format!("{PORTAL}/signin")),
            post().header(REFERER, format!("{PORTAL}.evil.example/")),
            post(),
        ] {
            assert_eq!(status(refused).await, StatusCode::FORBIDDEN);
        }
        // Reading is not refused.
        assert_eq!(
            status(Request::get("/api/x").header(ORIGIN, "https://evil.example")).await,
            StatusCode::OK
        );
    }
}
