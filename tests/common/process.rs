//! The portal as a real process (the `isv-portal` binary), for tests that kill, restart or
//! stop it with a signal.

use super::{browser, TEST_SECRET_KEY};
use reqwest::Client;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Process {
    pub child: Child,
    pub address: String,
    pub port: u16,
    pub client: Client,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    /// Starts the binary on `database_url` (the dev mailbox keeps mail unless `smtp_port`),
    /// and waits until it answers.
    pub async fn start(database_url: &str, smtp_port: Option<u16>, port: Option<u16>) -> Process {
        Self::start_with(database_url, smtp_port, port, &[]).await
    }

    /// `start` with extra environment variables.
    pub async fn start_with(
        database_url: &str,
        smtp_port: Option<u16>,
        port: Option<u16>,
        env: &[(&str, &str)],
    ) -> Process {
        let port = port.unwrap_or_else(free_port);
        let address = format!("http://127.0.0.1:{port}");
        // `TEST_LOG=1` shows the process's whole log (levels from `RUST_LOG`); else warnings.
        let test_log = std::env::var_os("TEST_LOG").is_some();
        let log_levels = match std::env::var("RUST_LOG") {
            Ok(levels) if test_log => levels,
            _ if test_log => "info,sqlx=warn,leptos=warn".to_string(),
            _ => "warn".to_string(),
        };
        let mut command = Command::new(env!("CARGO_BIN_EXE_isv-portal"));
        command
            .env("DATABASE_URL", database_url)
            .env("PUBLIC_URL", &address)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("OUTBOX_RETRY_BASE_MS", "100")
            .env("SECRET_KEY", TEST_SECRET_KEY)
            .env("RUST_LOG", log_levels)
            .env_remove("SMTP_URL")
            .env_remove("METRICS_ADDR")
            .env_remove("LOG_FORMAT")
            // The log is written to standard output.
            .stdout(if test_log {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::inherit());
        if let Some(p) = smtp_port {
            command.env("SMTP_URL", format!("smtp://127.0.0.1:{p}"));
        }
        command.envs(env.iter().copied());
        let child = command.spawn().expect("the portal binary starts");
        let process = Process {
            child,
            client: browser(&address),
            address,
            port,
        };
        process.wait_until_up(Duration::from_secs(20)).await;
        process
    }

    pub async fn wait_until_up(&self, within: Duration) {
        let started = Instant::now();
        let probe = Client::new();
        while started.elapsed() < within {
            if let Ok(r) = probe.get(format!("{}/terms", self.address)).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the portal did not answer within {within:?}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Resident memory now and at its peak (VmRSS, VmHWM), in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; `None` if it is still running after `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub async fn call(
        &self,
        client: &Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        call(&self.address, client, endpoint, form).await.unwrap()
    }
}

/// A server function call on the portal at `base`; `Err` when the connection fails (a
/// killed process).
pub async fn call(
    base: &str,
    client: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<reqwest::Response, String> {
    client
        .post(format!("{base}/api/{endpoint}"))
        .form(form)
        .send()
        .await
        .map_err(|e| e.to_string())
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
