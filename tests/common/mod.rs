//! Starts the real portal for a test: a random port, a fresh database (SQLite, or PostgreSQL
//! when `both_databases!` runs the PostgreSQL pass), and a real SMTP server.

#![allow(dead_code)]

pub mod apply;
pub mod passkey;
pub mod process;
pub mod review;
pub mod second_factor;
pub mod smtp;
pub mod sse;
pub mod team;

#[allow(unused_imports)]
pub use apply::*;
use isv_portal::server::config::Config;
use isv_portal::server::db::{Backend, Db};
use isv_portal::server::startup;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, ORIGIN};
use reqwest::{redirect, Client, Response};
#[allow(unused_imports)]
pub use review::{queue_truth, QUEUE_ALL, REVIEWER_PASSWORD};
#[allow(unused_imports)]
pub use second_factor::Authenticator;
pub use smtp::SmtpSink;
use std::collections::HashMap;
#[allow(unused_imports)]
pub use team::*;

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub smtp: SmtpSink,
    pub db: Db,
    pub database_url: String,
    pub feed: isv_portal::server::feed::Feed,
    /// The base address of `/metrics` (`Options::metrics`), on a listener of its own.
    pub metrics: Option<String>,
}

#[derive(Default)]
pub struct Options {
    pub dev_mailbox: bool,
    /// How often the event pump polls the table (`FEED_POLL_MS`); the portal's default if unset.
    pub feed_poll_ms: Option<u64>,
    /// `TRUSTED_PROXIES`, unset by default.
    pub trusted_proxies: Option<String>,
    /// Serve `/metrics` (`METRICS_ADDR`) on a port of its own, given in `TestApp::metrics`.
    /// The recorder is shared by every portal in the test process: compare before and after.
    pub metrics: bool,
    /// `REVIEW_SLA_HOURS`; the portal's default (48) if unset.
    pub review_sla_hours: Option<i64>,
    /// The portal at `http://localhost:<port>` (`PUBLIC_URL`, and where the client goes)
    /// instead of `127.0.0.1`: a domain name, which passkeys need.
    pub localhost: bool,
}

/// `TEST_LOG=1` shows the log of the portals a test runs in its process (levels from
/// `RUST_LOG`); spawned processes get it too (see `process`).
pub fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("TEST_LOG").is_none() {
        return;
    }
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn,leptos=warn".into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

pub const TEST_SECRET_KEY: &str = "test-secret-key-test-secret-key-0123456789";

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos % 1_000_000_000
    )
}

pub async fn fresh_database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("isv-portal-tests");
            std::fs::create_dir_all(&dir).unwrap();
            Some(format!(
                "sqlite://{}/{}.db?mode=rwc",
                dir.display(),
                unique()
            ))
        }
        Backend::Postgres => {
            let base = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
            sqlx::any::install_default_drivers();
            let admin = match sqlx::AnyPool::connect(&format!("{base}/postgres")).await {
                Ok(p) => p,
                Err(e) => {
                    if std::env::var("REQUIRE_POSTGRES").is_ok() {
                        panic!("PostgreSQL is required (REQUIRE_POSTGRES) but unreachable: {e}");
                    }
                    eprintln!("skipping the PostgreSQL pass: {e}");
                    return None;
                }
            };
            let name = format!("isv_test_{}", unique());
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            Some(format!("{base}/{name}"))
        }
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> Option<TestApp> {
    let database_url = fresh_database(backend).await?;
    Some(spawn_app_on(database_url, SmtpSink::start().await, options).await)
}

/// Another instance of the portal on an existing database (several instances, one database).
pub async fn spawn_app_on(database_url: String, smtp: SmtpSink, options: Options) -> TestApp {
    init_test_log();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = if options.localhost {
        format!("http://localhost:{}", listener.local_addr().unwrap().port())
    } else {
        format!("http://{}", listener.local_addr().unwrap())
    };

    let mut env: HashMap<&str, String> = HashMap::new();
    env.insert("DATABASE_URL", database_url.clone());
    env.insert("PUBLIC_URL", address.clone());
    env.insert("OUTBOX_RETRY_BASE_MS", "100".into());
    env.insert("STREAM_RECHECK_MS", "200".into());
    if let Some(cidrs) = &options.trusted_proxies {
        env.insert("TRUSTED_PROXIES", cidrs.clone());
    }
    if let Some(ms) = options.feed_poll_ms {
        env.insert("FEED_POLL_MS", ms.to_string());
    }
    // PostgreSQL needs a key given; on SQLite the portal makes one beside the database file.
    if !database_url.starts_with("sqlite:") {
        env.insert("SECRET_KEY", TEST_SECRET_KEY.into());
    }
    if !options.dev_mailbox {
        env.insert("SMTP_URL", format!("smtp://127.0.0.1:{}", smtp.port));
    }
    if options.metrics {
        env.insert("METRICS_ADDR", "127.0.0.1:0".into());
    }
    if let Some(hours) = options.review_sla_hours {
        env.insert("REVIEW_SLA_HOURS", hours.to_string());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
    let leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("isv-portal")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let portal = startup::build(config, leptos_options)
        .await
        .expect("portal builds");
    let db = portal.state.db.clone();
    let feed = portal.state.feed.clone();
    let metrics = if options.metrics {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let at = format!("http://{}", l.local_addr().unwrap());
        assert!(startup::serve_metrics(l, &portal), "metrics are on");
        Some(at)
    } else {
        None
    };
    tokio::spawn(startup::serve_until(
        listener,
        portal.router,
        std::future::pending(),
    ));

    let client = browser(&address);
    TestApp {
        address,
        client,
        smtp,
        db,
        database_url,
        feed,
        metrics,
    }
}

/// A client like a browser tab of its own: its own cookies, the portal's Origin.
pub fn browser(address: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(ORIGIN, HeaderValue::from_str(address).unwrap());
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    Client::builder()
        .redirect(redirect::Policy::none())
        .cookie_store(true)
        // A response that stalls fails the test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(30))
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Runs each test once on SQLite and once on PostgreSQL (skipped only when PostgreSQL is
/// unreachable and `REQUIRE_POSTGRES` is unset).
#[macro_export]
macro_rules! both_databases {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $crate::both_databases! { options = $crate::common::Options::default(); $( $(#[$meta])* async fn $name($app) $body )* }
    };
    (options = $options:expr; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let $app = $crate::common::spawn_app_with(isv_portal::server::db::Backend::Sqlite, $options).await.unwrap();
                    $body
                }
            )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some($app) = $crate::common::spawn_app_with(isv_portal::server::db::Backend::Postgres, $options).await else { return };
                    $body
                }
            )*
        }
    };
}

impl TestApp {
    /// The same portal seen from another browser (signed out, its own cookies).
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            client: browser(&self.address),
            smtp: self.smtp.clone(),
            db: self.db.clone(),
            database_url: self.database_url.clone(),
            feed: self.feed.clone(),
            metrics: self.metrics.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Calls a server function the way the hydrated page does (fetch, JSON answer).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form the way a browser without JavaScript does.
    pub async fn post_form(
        &self,
        endpoint: &str,
        referer: &str,
        form: &[(&str, &str)],
    ) -> Response {
        self.client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(reqwest::header::REFERER, self.url(referer))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn send_signup_code(&self, email: &str) -> Response {
        self.call("accounts/send_sign_up_code", &[("email", email)])
            .await
    }

    pub async fn sign_up_with(
        &self,
        email: &str,
        code: &str,
        username: &str,
        password: &str,
    ) -> Response {
        self.call(
            "accounts/sign_up",
            &[
                ("email", email),
                ("code", code),
                ("username", username),
                ("password", password),
                ("terms", "yes"),
            ],
        )
        .await
    }

    /// The whole sign-up: code, then account. Leaves this client signed in.
    pub async fn sign_up(&self, email: &str, username: &str, password: &str) {
        let r = self.send_signup_code(email).await;
        assert_eq!(r.status(), 200, "send code: {}", r.text().await.unwrap());
        let n = self.smtp.to(email).len() + 1;
        let code = self.smtp.code_for(email, n).await;
        let r = self.sign_up_with(email, &code, username, password).await;
        assert_eq!(r.status(), 200, "sign up: {}", r.text().await.unwrap());
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> Response {
        self.call(
            "accounts/sign_in",
            &[("login", login), ("password", password)],
        )
        .await
    }

    pub async fn sign_out(&self) -> Response {
        self.call("session/sign_out", &[]).await
    }

    /// The signed-in username, as the page sees it.
    pub async fn whoami(&self) -> Option<String> {
        let r = self.call("session/current", &[]).await;
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.unwrap();
        v.get("username").and_then(|u| u.as_str()).map(String::from)
    }

    /// Moves every stored time of codes back, as if `ms` had passed.
    pub async fn age_codes(&self, ms: i64) {
        sqlx::query("UPDATE verification_codes SET created_at = created_at - $1, expires_at = expires_at - $1")
            .bind(ms)
            .execute(&self.db.pool)
            .await
            .unwrap();
    }
}

/// `SELECT COUNT(*) …` with one bound text.
pub async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(bind)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    n
}

/// The session token a sign-in set.
pub fn token_of(r: &Response) -> String {
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_string()
}

/// The error a server function answered with.
pub async fn error_of(r: Response) -> serde_json::Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not an error body: {text}"))
}

pub fn field_message(err: &serde_json::Value, field: &str) -> Option<String> {
    err["fields"].as_array()?.iter().find_map(|f| {
        (f["field"] == field).then(|| f["message"].as_str().unwrap_or_default().to_string())
    })
}

pub const GOOD_PASSWORD: &str = "violet kettle 42 marathon";

/// A response header's value (the test fails when it is missing).
pub fn header<'a>(r: &'a Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}
