//! A server function's error answers with the HTTP status of its kind (`AppError::status`), in
//! this one place, so no server function has to set it. server_fn answers every error 500 with
//! a `serverfnerror` header and the JSON-encoded error as the body; that body is read here (it
//! is small and already whole) and the status set from it. Redirects (a plain form post gets its
//! error back in a 302) and every other response pass untouched and unread.

use crate::error::AppError;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// An encoded error is a few hundred bytes, with the kept form values at most a form's limit.
const MAX_ERROR_BODY: u64 = 1024 * 1024;

pub async fn error_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
        || !(status.is_client_error() || status.is_server_error())
    {
        return res;
    }
    // Only a body whose whole length is known (server_fn's error body) is read.
    let Some(len) = res
        .body()
        .size_hint()
        .exact()
        .filter(|n| *n <= MAX_ERROR_BODY)
    else {
        return res;
    };
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, len as usize).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "reading a server function's error");
            parts.status = StatusCode::INTERNAL_SERVER_ERROR;
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Some(status) = serde_json::from_slice::<AppError>(&bytes)
        .ok()
        .and_then(|err| StatusCode::from_u16(err.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use tower::ServiceExt;

    /// What server_fn answers for `err`.
    fn server_fn_error(err: &AppError) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [
                (SERVER_FN_ERROR_HEADER, "/api/x"),
                ("content-type", "application/json"),
            ],
            serde_json::to_string(err).unwrap(),
        )
            .into_response()
    }

    /// `res` as the answer of a server function at `/api/x`, through the middleware.
    async fn through(res: Response) -> Response {
        let res = std::sync::Arc::new(std::sync::Mutex::new(Some(res)));
        let handler = move || {
            let res = res.clone();
            async move {
                let taken = res.lock().unwrap().take();
                taken.unwrap()
            }
        };
        let app = axum::Router::new()
            .route("/api/x", axum::routing::post(handler))
            .layer(axum::middleware::from_fn(error_status));
        app.oneshot(Request::post("/api/x").body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_error_answers_with_the_status_of_its_kind_and_keeps_its_body() {
        for (err, status) in [
            (AppError::not_found(), 404),
            (AppError::invalid("No."), 422),
            (AppError::malformed(), 400),
            (AppError::too_many("Wait.", 30), 429),
            (AppError::unauthenticated(), 401),
            (AppError::forbidden(), 403),
            (AppError::conflict("Taken."), 409),
            (AppError::internal(), 500),
        ] {
            let res = through(server_fn_error(&err)).await;
            assert_eq!(res.status().as_u16(), status, "{err:?}");
            assert_eq!(res.headers()["content-type"], "application/json");
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            assert_eq!(serde_json::from_slice::<AppError>(&body).unwrap(), err);
        }
    }

    #[tokio::test]
    async fn redirects_successes_and_other_errors_pass_untouched() {
        // A plain form post: server_fn keeps its header on the redirect that carries the error.
        let mut redirect = server_fn_error(&AppError::not_found());
        *redirect.status_mut() = StatusCode::FOUND;
        assert_eq!(through(redirect).await.status(), StatusCode::FOUND);
        // Not a server function's error, or not one it encoded.
        let plain = (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
        assert_eq!(
            through(plain).await.status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let garbled = (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(SERVER_FN_ERROR_HEADER, "/api/x")],
            "not json",
        )
            .into_response();
        let res = through(garbled).await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], b"not json");
    }

    #[tokio::test]
    async fn a_streaming_answer_is_never_read() {
        // A body that never ends: reading it would hang the test.
        let endless = futures::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
        let stream = Response::new(Body::from_stream(endless));
        let res = tokio::time::timeout(std::time::Duration::from_secs(5), through(stream))
            .await
            .expect("answered without reading the body");
        assert_eq!(res.status(), StatusCode::OK);
        let mut failing = Response::new(Body::from_stream(futures::stream::pending::<
            Result<axum::body::Bytes, std::io::Error>,
        >()));
        *failing.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        failing.headers_mut().insert(
            SERVER_FN_ERROR_HEADER,
            http::HeaderValue::from_static("/api/x"),
        );
        let res = tokio::time::timeout(std::time::Duration::from_secs(5), through(failing))
            .await
            .expect("an error with a streaming body is not read either");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
