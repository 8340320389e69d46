//! Form errors carried in a redirect's query: signed when the portal makes the redirect,
//! dropped when a link brings them unsigned.

use crate::server::crypto::Secret;
use crate::server::request::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode};

/// A form posted without JavaScript gets its error back in the redirect's query (`__err`,
/// Leptos' convention), and the page shows it. So that a link cannot make the portal show text
/// of someone else's choosing, the portal signs every such redirect (`__sig`, an HMAC of the
/// path and the error), and a page request whose error does not carry a valid signature is
/// sent on to the same page without it.
pub async fn signed_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
fn sign(secret: &Secret, path: &str, err: &str, at: i64) -> String {
    let at = at.to_string();
    format!("{at}.{}", secret.mac_hex(&["form-error", path, err, &at]))
}

fn signature_holds(secret: &Secret, path: &str, err: &str, sig: &str) -> bool {
    let Some((at, _)) = sig.split_once('.') else {
        return false;
    };
    let Ok(issued) = at.parse::<i64>() else {
        return false;
    };
    let age = crate::server::db::now_ms() - issued;
    (0..SIGNED_ERROR_MS).contains(&age)
        && crate::server::crypto::constant_time_eq(sig, &sign(secret, path, err, issued))
}
const PATH: &str = "__path";
const SIG: &str = "__sig";

/// The redirect with its `__err` signed, or `None` when it carries no error.
fn sign_location(location: &str, secret: &Secret) -> Option<String> {
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
    let sig = sign(secret, &path, &err, crate::server::db::now_ms());
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
