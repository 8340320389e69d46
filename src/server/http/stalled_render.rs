//! A page render that stalls is rendered again: the safety net kept while a rare Leptos render
//! stall on the first pages of a fresh portal is not understood (see tests/pages.rs).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::Method;

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
