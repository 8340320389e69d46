//! Bounded request bodies: one limit for forms, and for each upload endpoint the limit and the
//! refusal its feature gives (`BodyLimits`, built at start-up).
//!
//! An oversized body is read and thrown away chunk by chunk (never held whole) up to a cap, then
//! answered the way a server function answers an error: a redirect that carries it for a plain
//! form post, 413 otherwise. Answering before reading makes browsers report a reset connection
//! instead of the page. A body without a declared length is cut off at the limit as it is read.

use crate::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, REFERER};
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;

/// An endpoint that takes a file: posted as `multipart/form-data` only, up to `limit` bytes,
/// and refused with `too_large` (the feature's own words, in the request's language) beyond.
#[derive(Clone, Debug)]
pub struct Upload {
    pub path: &'static str,
    pub limit: usize,
    pub too_large: fn() -> AppError,
}

/// The limits the middleware applies: `form` bytes for every request but the uploads.
#[derive(Clone, Debug)]
pub struct BodyLimits {
    pub form: usize,
    pub uploads: Vec<Upload>,
}

/// How much of an oversized body is read (and thrown away) before answering anyway.
const DRAIN_CAP: usize = 32 * 1024 * 1024;

pub async fn body_limit(
    State(limits): State<Arc<BodyLimits>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let upload = limits.uploads.iter().find(|u| u.path == path);
    if upload.is_some() && req.method() == Method::POST {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        // Any other body would make the multipart decoder fail the connection.
        if !multipart {
            let t = crate::i18n::switch::of_request(req.headers()).texts();
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, t.ui.multipart_only).into_response();
        }
    }
    let limit = upload.map_or(limits.form, |u| u.limit);
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        let lang = crate::i18n::switch::of_request(req.headers());
        let err = crate::i18n::switch::speaking(lang, || {
            upload.map_or_else(AppError::too_large, |u| (u.too_large)())
        });
        return refuse(req, &path, err).await;
    }
    let (parts, body) = req.into_parts();
    let limited = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}

/// Drains the body (up to `DRAIN_CAP`), then answers with `err`.
async fn refuse(req: Request, path: &str, err: AppError) -> Response {
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
    if let (true, Some(referer)) = (html, referer) {
        use leptos::server_fn::error::ServerFnUrlError;
        if let Ok(url) = ServerFnUrlError::new(path, err.clone()).to_url(&referer) {
            return (StatusCode::FOUND, [(LOCATION, url.to_string())]).into_response();
        }
    }
    let body = serde_json::to_string(&err).unwrap_or_default();
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    const UPLOAD: &str = "/api/upload";

    fn app() -> axum::Router {
        let limits = BodyLimits {
            form: 100,
            uploads: vec![Upload {
                path: UPLOAD,
                limit: 1000,
                too_large: || AppError::field("logo", "The logo is too large."),
            }],
        };
        // Echoes how much of the body it could read, or that reading failed.
        let echo = |body: Body| async move {
            match axum::body::to_bytes(body, usize::MAX).await {
                Ok(b) => format!("read {}", b.len()),
                Err(_) => "cut off".to_string(),
            }
        };
        axum::Router::new()
            .route("/api/form", axum::routing::post(echo))
            .route(UPLOAD, axum::routing::post(echo))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(limits),
                body_limit,
            ))
    }

    async fn send(
        req: http::request::Builder,
        body: Vec<u8>,
    ) -> (StatusCode, http::HeaderMap, String) {
        let res = app()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    fn post(path: &str, len: usize) -> http::request::Builder {
        Request::post(path).header(CONTENT_LENGTH, len)
    }

    #[tokio::test]
    async fn each_endpoint_has_its_limit_and_an_upload_its_own_refusal() {
        let (status, _, body) = send(post("/api/form", 100), vec![b'x'; 100]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "read 100"));
        let (status, _, body) = send(post("/api/form", 101), vec![b'x'; 101]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(body.contains("This request is too large."), "{body}");

        let multipart =
            |len: usize| post(UPLOAD, len).header(CONTENT_TYPE, "multipart/form-data; boundary=x");
        let (status, _, body) = send(multipart(1000), vec![b'x'; 1000]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "read 1000"));
        let (status, _, body) = send(multipart(1001), vec![b'x'; 1001]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        let err: AppError = serde_json::from_str(&body).unwrap();
        assert_eq!(
            err.field_message("logo").as_deref(),
            Some("The logo is too large.")
        );
    }

    #[tokio::test]
    async fn an_upload_must_be_multipart() {
        let (status, _, _) = send(
            post(UPLOAD, 3).header(CONTENT_TYPE, "application/x-www-form-urlencoded"),
            b"a=b".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn a_plain_form_post_gets_the_refusal_back_in_a_redirect() {
        let (status, headers, _) = send(
            post("/api/form", 500)
                .header(ACCEPT, "text/html")
                .header(REFERER, "http://127.0.0.1:3000/signin"),
            vec![b'x'; 500],
        )
        .await;
        assert_eq!(status, StatusCode::FOUND);
        let location = headers[LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("http://127.0.0.1:3000/signin?") && location.contains("__err="),
            "{location}"
        );
    }

    #[tokio::test]
    async fn a_body_without_a_length_is_cut_off_at_the_limit() {
        let chunks = futures::stream::iter(
            (0..3).map(|_| Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'x'; 60]))),
        );
        let res = app()
            .oneshot(
                Request::post("/api/form")
                    .body(Body::from_stream(chunks))
                    .unwrap(),
            )
            .await
            .unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&bytes[..], b"cut off");
    }
}
