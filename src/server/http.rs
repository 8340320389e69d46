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
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = super::client::client_addr(addr.ip(), forwarded, &config.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
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
    if config.https() {
        h.insert(
            http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
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

/// Request bodies are bounded: 64 KiB for forms, a little over 256 KB for the business form
/// with its logo. An oversized body is read and thrown away chunk by chunk (never held whole)
/// up to a cap, then answered the way a server function answers an error: a redirect that
/// carries it for a plain form post, 413 otherwise. Answering before reading makes browsers
/// report a reset connection instead of the page.
pub async fn body_limit(req: Request, next: Next) -> Response {
    use crate::error::AppError;
    use crate::onboarding::SAVE_BUSINESS_PATH;
    use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
    use http_body_util::BodyExt;

    const FORM_LIMIT: usize = super::startup::BODY_LIMIT;
    const UPLOAD_LIMIT: usize = 256 * 1024 + 32 * 1024;
    const DRAIN_CAP: usize = 32 * 1024 * 1024;

    let path = req.uri().path().to_string();
    let upload = path == SAVE_BUSINESS_PATH;
    if upload && req.method() == Method::POST {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            return (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send this form as multipart/form-data.",
            )
                .into_response();
        }
    }
    let limit = if upload { UPLOAD_LIMIT } else { FORM_LIMIT };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        let html = req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        let referer = req
            .headers()
            .get(REFERER)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let mut body = req.into_body();
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                seen += data.len();
            }
            if seen > DRAIN_CAP {
                break;
            }
        }
        let err = if upload {
            AppError::field(
                "logo",
                "The logo is larger than 256 KB. Choose a smaller image.",
            )
        } else {
            AppError::invalid("This request is too large.")
        };
        if let (true, Some(referer)) = (html, referer) {
            use leptos::server_fn::error::ServerFnUrlError;
            if let Ok(url) = ServerFnUrlError::new(&path, err.clone()).to_url(&referer) {
                return (StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response();
            }
        }
        let body = serde_json::to_string(&err).unwrap_or_default();
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    // A body without a declared length is cut off at the limit while it is read.
    let (parts, body) = req.into_parts();
    let limited = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}

/// The pages of signed-in users (console, onboarding, workspaces, review) redirect a signed-out visit
/// to sign in before anything renders, with the way back in `next`.
pub async fn signed_in_pages(
    State(state): State<super::request::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    use super::sessions;
    use http::header::LOCATION;

    let path = req.uri().path();
    let guarded = ["/console", "/onboarding", "/workspaces", "/review"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if !guarded || !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let user = match sessions::from_headers(&state.db, &state.config, req.headers()).await {
        Ok(user) => user.map(|(_, u)| u),
        Err(e) => {
            tracing::error!(error = %e, "looking up a session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if let Some(user) = user {
        // The page's server functions read it from here instead of looking it up again.
        req.extensions_mut().insert(user);
        return next.run(req).await;
    }
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.to_string());
    let location = format!("/signin?next={}", crate::ui::guard::next_value(&here));
    (StatusCode::FOUND, [(LOCATION, location)]).into_response()
}

/// A form posted without JavaScript gets its error back in the redirect's query (`__err`,
/// Leptos' convention), and the page shows it. So that a link cannot make the portal show text
/// of someone else's choosing, the portal signs every such redirect (`__sig`, an HMAC of the
/// path and the error), and a page request whose error does not carry a valid signature is
/// sent on to the same page without it.
pub async fn signed_errors(
    State(state): State<super::request::AppState>,
    req: Request,
    next: Next,
) -> Response {
    use http::header::LOCATION;

    if req.method() == Method::GET {
        if let Some(query) = req.uri().query() {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let all = |k: &'static str| {
                pairs
                    .iter()
                    .filter(move |(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
            };
            if let Some(err) = all(ERR).next() {
                // Leptos shows the last `__err` of several: only a query with exactly one of
                // each, signed, is believed.
                let single = [ERR, PATH, SIG].iter().all(|k| all(k).count() <= 1);
                let path = all(PATH).next().unwrap_or_default();
                let genuine = single
                    && all(SIG)
                        .next()
                        .is_some_and(|sig| signature_holds(&state.secret, path, err, sig));
                if !genuine {
                    let kept: String = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(
                            pairs
                                .iter()
                                .filter(|(n, _)| ![ERR, PATH, SIG].contains(&n.as_str())),
                        )
                        .finish();
                    // Always a path on this site: `//host` would leave it.
                    let path = format!("/{}", req.uri().path().trim_start_matches(['/', '\\']));
                    let to = if kept.is_empty() {
                        path
                    } else {
                        format!("{path}?{kept}")
                    };
                    return (StatusCode::FOUND, [(LOCATION, to)]).into_response();
                }
            }
        }
        return next.run(req).await;
    }

    let mut res = next.run(req).await;
    let signed = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|loc| sign_location(loc, &state.secret));
    if let Some(v) = signed.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

const ERR: &str = "__err";
/// A signed error is shown for this long after its redirect, then no more.
const SIGNED_ERROR_MS: i64 = 10 * 60 * 1000;

/// `{issued ms}.{HMAC of the path, the error and that time}`.
fn sign(secret: &super::crypto::Secret, path: &str, err: &str, at: i64) -> String {
    let at = at.to_string();
    format!("{at}.{}", secret.mac_hex(&["form-error", path, err, &at]))
}

fn signature_holds(secret: &super::crypto::Secret, path: &str, err: &str, sig: &str) -> bool {
    let Some((at, _)) = sig.split_once('.') else {
        return false;
    };
    let Ok(issued) = at.parse::<i64>() else {
        return false;
    };
    let age = super::db::now_ms() - issued;
    (0..SIGNED_ERROR_MS).contains(&age)
        && super::crypto::constant_time_eq(sig, &sign(secret, path, err, issued))
}
const PATH: &str = "__path";
const SIG: &str = "__sig";

/// The redirect with its `__err` signed, or `None` when it carries no error.
fn sign_location(location: &str, secret: &super::crypto::Secret) -> Option<String> {
    let mut url = url::Url::parse(location).ok()?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    // The newest error is the last pair (the form's page may still carry an older one).
    let last = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let err = last(ERR)?;
    let path = last(PATH).unwrap_or_default();
    let sig = sign(secret, &path, &err, super::db::now_ms());
    url.query_pairs_mut()
        .clear()
        .extend_pairs(
            pairs
                .iter()
                .filter(|(n, _)| ![ERR, PATH, SIG].contains(&n.as_str())),
        )
        .append_pair(PATH, &path)
        .append_pair(ERR, &err)
        .append_pair(SIG, &sig);
    Some(url.to_string())
}

/// How long a page render may take before it is abandoned and rendered again.
pub const RENDER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// Leptos' server rendering has a rare race in which a render waits forever (the family of
/// leptos-rs/leptos#4851; seen here a few times in hundreds of renders under load, on pages
/// rendered with `SsrMode::Async`, whose response completes only when the page is done).
/// Page requests are GETs without a body, so a render that has not finished in
/// `RENDER_PATIENCE` is dropped and run once more, with a warning in the log.
pub async fn retry_stalled_render(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let page = req.method() == Method::GET
        && !["/api/", "/pkg/", "/logos/"]
            .iter()
            .any(|p| path.starts_with(p));
    if !page {
        return next.run(req).await;
    }
    let (parts, _empty) = req.into_parts();
    let again = Request::from_parts(parts.clone(), axum::body::Body::empty());
    let first = Request::from_parts(parts, axum::body::Body::empty());
    match tokio::time::timeout(RENDER_PATIENCE, next.clone().run(first)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(path = %again.uri().path(), "page render stalled; rendering it again");
            next.run(again).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                security,
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
            https[http::header::STRICT_TRANSPORT_SECURITY],
            "max-age=31536000; includeSubDomains"
        );
        let plain = headers_under("http://127.0.0.1:3000").await;
        assert!(plain.get(http::header::STRICT_TRANSPORT_SECURITY).is_none());
        assert_eq!(plain[X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    #[test]
    fn a_form_error_redirect_is_signed_and_its_signature_binds_the_text() {
        let secret = crate::server::crypto::Secret::new(b"0123456789abcdef0123456789abcdef");
        let loc = "http://127.0.0.1:3000/signin?next=%2Fconsole&__path=%2Fapi%2Fx&__err=%7B%22m%22%3A1%7D";
        let signed = sign_location(loc, &secret).unwrap();
        let url = url::Url::parse(&signed).unwrap();
        let sig = url
            .query_pairs()
            .find(|(k, _)| k == SIG)
            .unwrap()
            .1
            .to_string();
        assert!(signature_holds(&secret, "/api/x", "{\"m\":1}", &sig));
        assert!(!signature_holds(&secret, "/api/x", "{\"m\":2}", &sig));
        // An old signature no longer holds.
        let old = sign(
            &secret,
            "/api/x",
            "{\"m\":1}",
            crate::server::db::now_ms() - SIGNED_ERROR_MS - 1,
        );
        assert!(!signature_holds(&secret, "/api/x", "{\"m\":1}", &old));
        assert!(url
            .query_pairs()
            .any(|(k, v)| k == "next" && v == "/console"));
        // A page that still carried an older error: only the newest is kept, and signed.
        let twice = format!("{loc}&__path=%2Fapi%2Fy&__err=new");
        let url = url::Url::parse(&sign_location(&twice, &secret).unwrap()).unwrap();
        let errs: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k == ERR)
            .map(|(_, v)| v.to_string())
            .collect();
        assert_eq!(errs, ["new"]);
        let sig = url
            .query_pairs()
            .find(|(k, _)| k == SIG)
            .unwrap()
            .1
            .to_string();
        assert!(signature_holds(&secret, "/api/y", "new", &sig));
        assert!(sign_location("http://127.0.0.1:3000/console", &secret).is_none());
    }
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    fn app(calls: Arc<AtomicUsize>) -> axum::Router {
        let handler = move || {
            let calls = calls.clone();
            async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                "rendered"
            }
        };
        axum::Router::new()
            .route("/console", axum::routing::get(handler.clone()))
            .route("/api/x", axum::routing::get(handler))
            .layer(axum::middleware::from_fn(retry_stalled_render))
    }

    #[tokio::test]
    async fn a_stalled_page_render_is_rendered_again_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let res = app(calls.clone())
            .oneshot(
                Request::get("/console")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"rendered");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn server_function_calls_are_never_repeated() {
        let calls = Arc::new(AtomicUsize::new(0));
        let res = tokio::time::timeout(
            RENDER_PATIENCE * 2,
            app(calls.clone()).oneshot(
                Request::get("/api/x")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            ),
        )
        .await;
        assert!(res.is_err(), "no retry: it still waits");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
