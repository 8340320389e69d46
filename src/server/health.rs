//! Whether the portal is up (`/healthz`: the process answers) and ready (`/readyz`: the
//! database answers, every migration is applied, the mail worker runs), and one log line per
//! request with the request id that the response carries back.

use super::db::MIGRATOR;
use super::request::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(st): State<AppState>) -> Response {
    // A probe must answer quickly, also when the pool is waiting for a database that is gone.
    let database = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&st.db.pool),
    )
    .await;
    let (database_ok, migrations_ok) = match database {
        Ok(Ok((applied,))) => (true, applied >= MIGRATOR.iter().count() as i64),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            (false, false)
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer within 2 s");
            (false, false)
        }
    };
    let mail_ok = !st.mail_worker.is_finished();
    let ready = database_ok && migrations_ok && mail_ok;
    let body = serde_json::json!({
        "ready": ready,
        "database": database_ok,
        "migrations": migrations_ok,
        "mail_worker": mail_ok,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

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
        .unwrap_or_else(super::crypto::new_id)
}

/// Logs every request once, when its response is ready: method, path, status, latency and the
/// request id, which the response carries back in `x-request-id`.
pub async fn log_requests(req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let mut res = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        request_id = %id,
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        latency_ms = format!("{ms:.1}"),
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}
