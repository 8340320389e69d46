//! The portal's metrics: every name in one place, and one function per thing counted, called
//! where it happens. They are served in Prometheus' text format at `/metrics` on a listener of
//! their own (`METRICS_ADDR`), never on the portal's port; without it no recorder is installed
//! and every call here does nothing.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `http_requests_total`, `http_request_duration_seconds` | counter, histogram | `method`, `route` (the route's template, `fallback` for files and the 404 page), `status` |
//! | `event_streams_open` | gauge | |
//! | `outbox_pending`, `outbox_failed` | gauges, read from the outbox at each scrape | |
//! | `mail_sent_total`, `mail_retries_total`, `mail_failed_total` | counters | |
//! | `sign_in_failures_total` | counter | |
//! | `throttled_requests_total` | counter | `scope` |
//! | `password_hash_queue_wait_seconds` | histogram | |

use crate::server::db::Db;
use axum::response::{IntoResponse, Response};
use http::header::CONTENT_TYPE;
use http::Method;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The route label of requests that no route matched (static files, the 404 page): one value,
/// however many paths are tried.
pub const FALLBACK_ROUTE: &str = "fallback";

/// Histogram buckets, in seconds: from a cached file to a slow page or a queue of hashes.
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The recorder is process-wide: installed once, by the first portal that serves `/metrics`
/// (several portals in one test process share it).
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = match PrometheusBuilder::new().set_buckets(&BUCKETS) {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: histogram buckets refused; using summaries");
                    PrometheusBuilder::new()
                }
            };
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "metrics: another recorder is installed");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!("http_requests_total", "Requests answered.");
    describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a request (to the response's head for a stream)."
    );
    describe_gauge!(
        "event_streams_open",
        "Live-update streams open in this process."
    );
    describe_gauge!("outbox_pending", "Mails waiting in the outbox to be sent.");
    describe_gauge!("outbox_failed", "Mails in the outbox that failed for good.");
    describe_counter!(
        "mail_sent_total",
        "Mails delivered (or kept in the dev mailbox)."
    );
    describe_counter!(
        "mail_retries_total",
        "Mail deliveries that failed and will be retried."
    );
    describe_counter!(
        "mail_failed_total",
        "Mails given up on after every attempt failed."
    );
    describe_counter!(
        "sign_in_failures_total",
        "Sign-ins refused for a wrong login or password."
    );
    describe_counter!(
        "throttled_requests_total",
        "Requests refused by a limit (HTTP 429), by limit."
    );
    describe_histogram!(
        "password_hash_queue_wait_seconds",
        metrics::Unit::Seconds,
        "Time a password hash waited for a hashing permit."
    );
}

/// `GET /metrics`, for the metrics listener only.
pub fn router(db: Db) -> axum::Router {
    let handle = install();
    axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || scrape(handle.clone(), db.clone())),
    )
}

/// The outbox is counted now (it lives in the database, shared by every instance), then
/// everything recorded is rendered.
async fn scrape(handle: PrometheusHandle, db: Db) -> Response {
    let counted = tokio::time::timeout(
        Duration::from_secs(2),
        crate::server::mail::worker::outbox_counts(&db),
    )
    .await;
    match counted {
        Ok(Ok(counts)) => {
            gauge!("outbox_pending").set(counts.pending as f64);
            gauge!("outbox_failed").set(counts.failed as f64);
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: counting the outbox"),
        Err(_) => tracing::warn!("metrics: the outbox was not counted within 2 s"),
    }
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
        .into_response()
}

/// Folds samples into the histograms now and then, so that memory does not grow when nobody
/// scrapes; ends with `stop`.
pub fn spawn_upkeep(stop: CancellationToken) {
    let handle = install();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => handle.run_upkeep(),
                _ = stop.cancelled() => return,
            }
        }
    });
}

/// One request answered; `route` is the matched route's template (`None`: the fallback).
pub fn request(method: &Method, route: Option<&str>, status: u16, elapsed: Duration) {
    // Called for every request: nothing is built when nothing records.
    if HANDLE.get().is_none() {
        return;
    }
    // Any method may be sent; only the known ones become labels.
    let method = match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    };
    let labels = [
        ("method", method.to_string()),
        ("route", route.unwrap_or(FALLBACK_ROUTE).to_string()),
        ("status", status.to_string()),
    ];
    counter!("http_requests_total", &labels).increment(1);
    histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

pub fn event_stream_opened() {
    gauge!("event_streams_open").increment(1.0);
}

pub fn event_stream_closed() {
    gauge!("event_streams_open").decrement(1.0);
}

pub fn mail_sent() {
    counter!("mail_sent_total").increment(1);
}

pub fn mail_retry() {
    counter!("mail_retries_total").increment(1);
}

pub fn mail_failed() {
    counter!("mail_failed_total").increment(1);
}

/// A sign-in refused for a wrong login or password (not a throttled one: see `throttled`).
pub fn sign_in_failed() {
    counter!("sign_in_failures_total").increment(1);
}

/// A request refused by a limit; `scope` names the limit (`sign_in_account`, `sign_in_client`,
/// `verification_code`, `event_streams`), a handful of fixed values.
pub fn throttled(scope: &'static str) {
    counter!("throttled_requests_total", "scope" => scope).increment(1);
}

/// How long a password hash waited for its permit.
pub fn hash_queue_wait(waited: Duration) {
    histogram!("password_hash_queue_wait_seconds").record(waited.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of a counter or gauge line `name{labels} value` in a rendering.
    fn value(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    #[test]
    fn what_is_recorded_is_rendered_for_prometheus() {
        let handle = install();
        let before = handle.render();
        throttled("event_streams");
        sign_in_failed();
        request(
            &Method::GET,
            Some("/review/{id}"),
            200,
            Duration::from_millis(3),
        );
        request(&Method::GET, None, 404, Duration::from_millis(1));
        hash_queue_wait(Duration::from_millis(20));
        let after = handle.render();
        for (series, delta) in [
            ("throttled_requests_total{scope=\"event_streams\"}", 1.0),
            ("sign_in_failures_total", 1.0),
            (
                "http_requests_total{method=\"GET\",route=\"/review/{id}\",status=\"200\"}",
                1.0,
            ),
            (
                "http_requests_total{method=\"GET\",route=\"fallback\",status=\"404\"}",
                1.0,
            ),
            ("password_hash_queue_wait_seconds_count", 1.0),
        ] {
            // Other tests in this process may record too (hashing does): at least ours.
            assert!(
                value(&after, series) - value(&before, series) >= delta,
                "{series} in\n{after}"
            );
        }
        assert!(
            after.contains("# TYPE http_request_duration_seconds histogram"),
            "{after}"
        );
        assert!(
            after.contains("http_request_duration_seconds_bucket{"),
            "{after}"
        );
    }
}
