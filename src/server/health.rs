//! Whether the portal is up (`/healthz`: the process answers) and ready (`/readyz`: the
//! database answers, every migration is applied, the mail worker runs).

use super::db::MIGRATOR;
use super::request::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(st): State<AppState>) -> Response {
    // A probe must answer quickly, also when the pool is waiting for a database that is gone.
    let database = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&st.db.pool),
    )
    .await;
    let (database_ok, migrations_ok) = match database {
        Ok(Ok(applied)) => (true, applied >= MIGRATOR.iter().count() as i64),
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
