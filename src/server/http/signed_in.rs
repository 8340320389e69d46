//! Who is signed in, for the pages: a page request gets its signed-in user looked up once and
//! put into its extensions (the header and the page's server functions read it from there),
//! and a signed-out visit to a signed-in page (`SignedInPages::paths`, the routes' own list in
//! `app::SIGNED_IN_PATHS`) is sent to sign in, with the way back in `next`, before anything
//! renders. A reviewer whose session has not passed a second factor is sent to set one up.

use crate::server::request::AppState;
use crate::server::sessions;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, LOCATION};
use http::{Method, StatusCode};

#[derive(Clone)]
pub struct SignedInPages {
    pub app: AppState,
    /// Paths that need a signed-in user, each with everything under it.
    pub paths: &'static [&'static str],
}

/// Whether `path` is one of `paths` or under one (`/review/x`, not `/reviewers`).
fn is_guarded(paths: &[&str], path: &str) -> bool {
    paths.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

pub async fn signed_in_pages(
    State(pages): State<SignedInPages>,
    mut req: Request,
    next: Next,
) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let guarded = is_guarded(pages.paths, req.uri().path());
    // A page is what a browser asks for as HTML; files, images and streams are not looked up.
    let page = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !guarded && !page {
        return next.run(req).await;
    }
    let st = &pages.app;
    let user = match sessions::from_headers(&st.db, &st.config, req.headers()).await {
        Ok(user) => user.map(|(_, u)| u),
        Err(e) if guarded => {
            tracing::error!(error = %e, "looking up a session");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        // A public page still renders (signed out) while the database is away.
        Err(e) => {
            tracing::warn!(error = %e, "looking up a session for a public page");
            None
        }
    };
    if let Some(user) = user {
        // A reviewer without a second factor can do nothing else until one is set up.
        let enrol = crate::accounts::SECOND_FACTOR_PATH;
        if guarded && user.must_enrol && req.uri().path() != enrol {
            return (StatusCode::FOUND, [(LOCATION, enrol)]).into_response();
        }
        req.extensions_mut().insert(user);
        let mut res = next.run(req).await;
        // The page names the account (header, data): no shared cache may keep it.
        res.headers_mut()
            .entry(http::header::CACHE_CONTROL)
            .or_insert(http::HeaderValue::from_static("private, no-store"));
        return res;
    }
    if !guarded {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.to_string());
    let location = format!("/signin?next={}", crate::ui::guard::next_value(&here));
    (StatusCode::FOUND, [(LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::is_guarded;

    #[test]
    fn a_signed_in_path_guards_what_is_under_it_and_nothing_else() {
        let paths = ["/console", "/review"];
        for path in ["/console", "/review", "/review/abc", "/console/"] {
            assert!(is_guarded(&paths, path), "{path}");
        }
        for path in [
            "/",
            "/reviewers",
            "/consoles",
            "/signin",
            "/api/review/queue",
        ] {
            assert!(!is_guarded(&paths, path), "{path}");
        }
    }
}
