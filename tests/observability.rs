//! Watching the portal: `/metrics` on its own address only (`METRICS_ADDR`), its counters
//! moving with what happens, nothing listening for it when it is off, and one JSON object per
//! log line with `LOG_FORMAT=json`.

mod common;
use common::process::{free_port, Process};
use common::*;
use isv_portal::server::db::Backend;
use isv_portal::server::feed::STREAMS_PER_SESSION;
use std::collections::HashSet;
use std::time::Duration;

/// The sum of the samples of `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let rest = series.strip_prefix(name)?;
            let label_text = match rest {
                "" => "",
                r if r.starts_with('{') => r,
                _ => return None,
            };
            labels
                .iter()
                .all(|(k, v)| label_text.contains(&format!("{k}=\"{v}\"")))
                .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

async fn scrape(base: &str) -> String {
    let r = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    r.text().await.unwrap()
}

async fn app_with_metrics() -> TestApp {
    let options = Options {
        metrics: true,
        ..Default::default()
    };
    spawn_app_with(Backend::Sqlite, options).await.unwrap()
}

/// Several portals of this test process share the recorder: every check compares before and
/// after, and asks for at least its own requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_status() {
    let app = app_with_metrics().await;
    let metrics = app.metrics.clone().unwrap();
    let before = scrape(&metrics).await;
    for _ in 0..3 {
        let r = app.client.get(app.url("/terms")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = app
        .client
        .get(app.url("/no/such/page"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.sign_in("nobody", "not the password").await.status(),
        422
    );
    let after = scrape(&metrics).await;

    let moved = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    let terms = [("method", "GET"), ("route", "/terms"), ("status", "200")];
    assert!(moved("http_requests_total", &terms) >= 3.0, "{after}");
    assert!(
        moved("http_request_duration_seconds_count", &terms) >= 3.0,
        "{after}"
    );
    // Unmatched paths share one label, whatever they are.
    assert!(
        moved(
            "http_requests_total",
            &[("route", "fallback"), ("status", "404")]
        ) >= 1.0
    );
    assert!(
        !after.contains("/no/such/page"),
        "a path tried is never a label"
    );
    let sign_in = [("route", "/api/accounts/sign_in"), ("status", "422")];
    assert!(moved("http_requests_total", &sign_in) >= 1.0, "{after}");
    assert!(
        moved("sign_in_failures_total", &[]) >= 1.0,
        "a failed sign-in is counted: {after}"
    );
    assert!(
        moved("password_hash_queue_wait_seconds_count", &[]) >= 1.0,
        "{after}"
    );
    assert!(
        after.contains("# TYPE http_request_duration_seconds histogram"),
        "{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_open_streams_refusals_and_the_outbox() {
    let app = app_with_metrics().await;
    let metrics = app.metrics.clone().unwrap();
    let start = scrape(&metrics).await;
    app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
        .await;
    let before = scrape(&metrics).await;

    let mut streams = Vec::new();
    for _ in 0..STREAMS_PER_SESSION {
        streams.push(app.events(None).await);
    }
    assert_eq!(app.open_events(None).await.status(), 429);
    let open = scrape(&metrics).await;
    let moved = |text: &str, name: &str, labels: &[(&str, &str)]| {
        sample(text, name, labels) - sample(&before, name, labels)
    };
    assert!(
        moved(&open, "event_streams_open", &[]) >= STREAMS_PER_SESSION as f64,
        "{open}"
    );
    assert!(
        moved(
            &open,
            "throttled_requests_total",
            &[("scope", "event_streams")]
        ) >= 1.0
    );
    assert!(
        open.contains("outbox_pending"),
        "the outbox is counted at each scrape: {open}"
    );
    // The sign-up's code went out, and was counted.
    eventually(&metrics, "a sent mail is counted", |t| {
        sample(t, "mail_sent_total", &[]) - sample(&start, "mail_sent_total", &[]) >= 1.0
    })
    .await;

    // Mail the SMTP server refuses waits in the outbox, and is retried.
    app.smtp.set_down(true);
    let visitor = app.another_browser();
    assert_eq!(
        visitor.send_signup_code("bob@example.com").await.status(),
        200
    );
    // Portals of other tests set the (shared) outbox gauges from their own databases too.
    eventually(&metrics, "a mail waits in the outbox", |t| {
        sample(t, "outbox_pending", &[]) >= 1.0
    })
    .await;
    eventually(&metrics, "a failed delivery is counted", |t| {
        sample(t, "mail_retries_total", &[]) - sample(&open, "mail_retries_total", &[]) >= 1.0
    })
    .await;

    // A closed stream is no longer counted once the server sees the connection go.
    drop(streams);
    let open_before = sample(&before, "event_streams_open", &[]);
    eventually(&metrics, "closed streams are no longer counted", |t| {
        sample(t, "event_streams_open", &[]) <= open_before
    })
    .await;
}

/// Scrapes until `holds` (within 5 s).
async fn eventually(metrics: &str, what: &str, holds: impl Fn(&str) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let text = scrape(metrics).await;
        if holds(&text) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_never_served_on_the_portals_own_port() {
    let app = app_with_metrics().await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("http_requests_total"));
    // And the metrics port serves nothing else.
    let metrics = app.metrics.clone().unwrap();
    let r = reqwest::get(format!("{metrics}/terms")).await.unwrap();
    assert_eq!(r.status(), 404);
}

/// The TCP ports process `pid` listens on (its sockets' inodes, found in /proc/net/tcp*).
fn listening_ports(pid: i32) -> Vec<u16> {
    let inodes: HashSet<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|link| {
            let link = link.to_str()?;
            Some(
                link.strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_string(),
            )
        })
        .collect();
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // local address, state (0A: listening), inode
            if cols.len() > 9 && cols[3] == "0A" && inodes.contains(cols[9]) {
                if let Some(port) = cols[1]
                    .rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
                {
                    ports.push(port);
                }
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_metrics_only_when_given_an_address() {
    let database_url = fresh_database(Backend::Sqlite).await.unwrap();
    let off = Process::start(&database_url, None, None).await;
    assert_eq!(
        listening_ports(off.pid()),
        vec![off.port],
        "only the portal listens"
    );
    let r = off.client.get(off.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    drop(off);

    let metrics_port = free_port();
    let at = format!("127.0.0.1:{metrics_port}");
    let on = Process::start_with(&database_url, None, None, &[("METRICS_ADDR", at.as_str())]).await;
    let mut ports = vec![on.port, metrics_port];
    ports.sort_unstable();
    assert_eq!(listening_ports(on.pid()), ports);
    let text = scrape(&format!("http://{at}")).await;
    // `Process::start` waited for the portal by loading /terms.
    assert!(
        sample(
            &text,
            "http_requests_total",
            &[("route", "/terms"), ("status", "200")]
        ) >= 1.0,
        "{text}"
    );
    let r = on.client.get(on.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404, "not on the portal's port");
}

/// Runs the binary with `env` until it answers `/healthz`, sends `request`, stops it and
/// returns its standard output.
async fn log_of(
    env: &[(&str, &str)],
    request: impl FnOnce(String) -> reqwest::RequestBuilder,
) -> String {
    use std::process::{Command, Stdio};
    let database_url = fresh_database(Backend::Sqlite).await.unwrap();
    let port = free_port();
    let address = format!("http://127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_isv-portal"))
        .env("DATABASE_URL", &database_url)
        .env("PUBLIC_URL", &address)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SECRET_KEY", TEST_SECRET_KEY)
        .env("RUST_LOG", "info,sqlx=warn,leptos=warn")
        .env_remove("SMTP_URL")
        .env_remove("METRICS_ADDR")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the portal binary starts");
    let mut up = false;
    for _ in 0..2000 {
        if let Ok(r) = reqwest::get(format!("{address}/healthz")).await {
            up = r.status().is_success();
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sent = if up {
        Some(request(address).send().await)
    } else {
        None
    };
    let mut child = child;
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    assert!(up, "the portal did not come up");
    assert!(sent.unwrap().is_ok(), "the request was answered");
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_format_json_writes_one_object_per_line_with_each_request() {
    let client = reqwest::Client::new();
    let log = log_of(&[("LOG_FORMAT", "json")], |address| {
        client
            .get(format!("{address}/terms"))
            .header("x-request-id", "probe-1234")
    })
    .await;
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["request_id"] == "probe-1234" && l["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 1, "logged once: {log}");
    let line = requests[0];
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["route"], "/terms", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert!(line["latency_ms"].is_number(), "{line}");
}

#[test]
fn an_unknown_log_format_stops_start_up_naming_it() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_isv-portal"))
        .arg("migrate")
        .env("LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("LOG_FORMAT"), "{stderr}");
}

both_databases! {
    /// What a scrape reads from the outbox, on either database.
    async fn the_outbox_is_counted_by_status(app) {
        use isv_portal::server::mail::worker::{outbox_counts, OutboxCounts};
        assert_eq!(outbox_counts(&app.db).await.unwrap(), OutboxCounts { pending: 0, failed: 0 });
        // Rows the worker leaves alone: one due only in a year, one failed for good, one sent.
        let year = 365 * 24 * 3600 * 1000_i64;
        for (id, status, due) in [("m1", "pending", year), ("m2", "failed", 0), ("m3", "sent", 0)] {
            sqlx::query(
                "INSERT INTO outbox (id, recipient, subject, text_body, html_body, status, attempts, \
                 next_attempt_at, claimed_until, created_at) VALUES ($1, 'ann@example.com', 's', 't', 'h', $2, 0, $3, 0, 0)",
            )
            .bind(id)
            .bind(status)
            .bind(isv_portal::server::db::now_ms() + due)
            .execute(&app.db.pool)
            .await
            .unwrap();
        }
        assert_eq!(outbox_counts(&app.db).await.unwrap(), OutboxCounts { pending: 1, failed: 1 });
    }
}
