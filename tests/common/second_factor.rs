//! Two-step verification for tests: an authenticator app of their own (RFC 6238 computed with
//! `totp-rs` directly, not through the portal's code), setting it up on a signed-in client, and
//! signing in with a code.

use super::*;
use std::sync::Mutex;
use std::time::Duration;
use totp_rs::{Algorithm, Secret, TOTP};

/// A phone's authenticator app holding one account's secret. It never shows the same code
/// twice (the portal accepts each once): each `next_code` is of a later step, from the current
/// one on (the portal allows one step of clock skew ahead), waiting for the clock when two were
/// used in one window.
pub struct Authenticator {
    secret: Vec<u8>,
    last_step: Mutex<i64>,
}

pub fn unix_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

impl Authenticator {
    /// From the key the setup page shows (base32 in groups of four).
    pub fn from_key(key: &str) -> Self {
        let key: String = key.chars().filter(|c| !c.is_whitespace()).collect();
        let secret = Secret::Encoded(key).to_bytes().expect("a base32 key");
        Self {
            secret,
            last_step: Mutex::new(i64::MIN),
        }
    }

    /// The code of time step `step` (30-second steps since 1970).
    pub fn code_of_step(&self, step: i64) -> String {
        TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, self.secret.clone())
            .generate((step * 30) as u64)
    }

    pub fn current_step() -> i64 {
        unix_secs() / 30
    }

    /// The code the app shows now.
    pub fn now(&self) -> String {
        self.code_of_step(Self::current_step())
    }

    /// A code the portal has not seen yet (see the type). From the current step on, not the
    /// one before: a request landing just after the step ends would find that one too old.
    pub async fn next_code(&self) -> String {
        loop {
            let now = Self::current_step();
            let step = {
                let mut last = self.last_step.lock().unwrap();
                let step = (*last + 1).max(now);
                if step <= now + 1 {
                    *last = step;
                    Some(step)
                } else {
                    None
                }
            };
            match step {
                Some(step) => return self.code_of_step(step),
                None => tokio::time::sleep(Duration::from_millis(500)).await,
            }
        }
    }
}

/// Where a redirect (or a server function's redirect) sends the browser.
pub fn location(r: &Response) -> Option<String> {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

impl TestApp {
    /// A fresh browser at the sign-in's code step, after `login`'s password `password`.
    pub async fn at_code_step(&self, login: &str, password: &str) -> TestApp {
        let b = self.another_browser();
        let r = b.sign_in(login, password).await;
        assert_eq!(r.status(), 200);
        assert_eq!(location(&r).as_deref(), Some("/signin/code"));
        b
    }

    /// "Set up an authenticator app" on this signed-in client: the app that scanned the key.
    pub async fn begin_second_factor(&self) -> Authenticator {
        let r = self.call("second_factor/begin", &[]).await;
        assert_eq!(r.status(), 200, "begin: {}", r.text().await.unwrap());
        let status = self.second_factor_status().await;
        Authenticator::from_key(status["setup"]["key"].as_str().expect("a key to type"))
    }

    pub async fn second_factor_status(&self) -> serde_json::Value {
        let r = self.call("second_factor/status", &[]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Sets up and turns on two-step verification on this signed-in client (whose account's
    /// password is `password`): the app, and the ten recovery codes as shown (then marked saved).
    pub async fn turn_on_second_factor(&self, password: &str) -> (Authenticator, Vec<String>) {
        let app = self.begin_second_factor().await;
        let code = app.next_code().await;
        let r = self
            .call(
                "second_factor/confirm",
                &[("current_password", password), ("code", &code)],
            )
            .await;
        assert_eq!(r.status(), 200, "confirm: {}", r.text().await.unwrap());
        let status = self.second_factor_status().await;
        let codes: Vec<String> = status["new_codes"]
            .as_array()
            .expect("new codes")
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 10);
        assert_eq!(self.call("second_factor/saved", &[]).await.status(), 200);
        (app, codes)
    }

    /// The sign-in's second step.
    pub async fn sign_in_code(&self, code: &str) -> Response {
        self.call("accounts/sign_in_step/code", &[("code", code)])
            .await
    }
}
