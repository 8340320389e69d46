//! Settings read once from the environment; a bad value stops start-up naming the variable.
//! (`LOG_FORMAT` is read first of all, by `LogFormat::from_env`, to start the log; `RUST_LOG`
//! sets its levels.)

pub use super::client::Cidr;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    /// `None`: mail is kept in the dev mailbox at `/dev/mailbox`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Scheme, host and port, without a trailing slash: the base of links and the CSRF origin.
    pub public_url: String,
    pub site_addr: SocketAddr,
    /// How long the outbox waits before the first retry; doubles on each later one.
    pub outbox_retry_base: Duration,
    /// How often an open event stream checks that its session (and role) still holds.
    pub stream_recheck: Duration,
    /// How often the event pump reads the table when no wake-up came (a lost `NOTIFY`).
    pub feed_poll: Duration,
    /// Keys the HMAC of stored verification codes. `None`: the embedded default keeps a
    /// generated one beside the SQLite file (see `crypto::Secret::resolve`).
    pub secret_key: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, CIDRs).
    pub trusted_proxies: Vec<Cidr>,
    /// The dev mailbox was asked for explicitly (`DEV_MAILBOX=1`) with a public address.
    pub dev_mailbox_forced: bool,
    /// Where `/metrics` is served (`METRICS_ADDR`), apart from the portal; `None`: nowhere.
    pub metrics_addr: Option<SocketAddr>,
    pub log_format: LogFormat,
    /// How long an application may wait under review before the dashboard highlights it and
    /// the metrics count it as late (`REVIEW_SLA_HOURS`, 48 by default).
    pub review_sla_hours: i64,
}

/// How the log is written (`LOG_FORMAT`): lines of text, or one JSON object per line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl LogFormat {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::parse(std::env::var("LOG_FORMAT").ok().as_deref())
    }

    fn parse(value: Option<&str>) -> Result<Self, ConfigError> {
        match value.map(str::trim) {
            None | Some("") | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(_) => Err(bad("LOG_FORMAT", "must be text or json")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        var,
        message: message.into(),
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/isv-portal.db?mode=rwc";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can pass their own without touching the process.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(bad(
                "DATABASE_URL",
                "must start with sqlite: or postgres:// (other databases are not supported)",
            ));
        }

        let smtp_url = get("SMTP_URL");
        if let Some(u) = &smtp_url {
            let parsed =
                url::Url::parse(u).map_err(|e| bad("SMTP_URL", format!("is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") || parsed.host_str().is_none() {
                return Err(bad(
                    "SMTP_URL",
                    "must look like smtp://host:port or smtps://user:pass@host:port",
                ));
            }
        }

        let mail_from =
            get("MAIL_FROM").unwrap_or_else(|| "Mini Program Platform <no-reply@localhost>".into());
        mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| bad("MAIL_FROM", format!("is not a mailbox ({e})")))?;

        let public_url = get("PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        let parsed = url::Url::parse(&public_url)
            .map_err(|e| bad("PUBLIC_URL", format!("is not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(bad("PUBLIC_URL", "must be an http:// or https:// URL"));
        }
        if parsed.path() != "/" || parsed.query().is_some() {
            return Err(bad(
                "PUBLIC_URL",
                "must be an origin only, like https://portal.example.com",
            ));
        }
        let public_url = parsed.origin().ascii_serialization();

        let site_addr: SocketAddr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| bad("LEPTOS_SITE_ADDR", format!("is not host:port ({e})")))?;

        let outbox_retry_base = match get("OUTBOX_RETRY_BASE_MS") {
            None => Duration::from_secs(5),
            Some(v) => Duration::from_millis(v.parse().map_err(|_| {
                bad(
                    "OUTBOX_RETRY_BASE_MS",
                    "must be a whole number of milliseconds",
                )
            })?),
        };

        let stream_recheck = match get("STREAM_RECHECK_MS") {
            None => Duration::from_secs(30),
            Some(v) => Duration::from_millis(
                v.parse().ok().filter(|ms: &u64| *ms > 0).ok_or_else(|| {
                    bad(
                        "STREAM_RECHECK_MS",
                        "must be a positive whole number of milliseconds",
                    )
                })?,
            ),
        };

        let feed_poll = Duration::from_millis(match get("FEED_POLL_MS") {
            None => 1000,
            Some(v) => v.parse().ok().filter(|ms: &u64| *ms > 0).ok_or_else(|| {
                bad(
                    "FEED_POLL_MS",
                    "must be a positive whole number of milliseconds",
                )
            })?,
        });

        let review_sla_hours = match get("REVIEW_SLA_HOURS") {
            None => 48,
            Some(v) => v
                .parse()
                .ok()
                .filter(|h: &i64| (1..=24 * 365).contains(h))
                .ok_or_else(|| {
                    bad(
                        "REVIEW_SLA_HOURS",
                        "must be a whole number of hours from 1 to 8760",
                    )
                })?,
        };

        let secret_key = get("SECRET_KEY");
        if secret_key.as_ref().is_some_and(|k| k.len() < 32) {
            return Err(bad(
                "SECRET_KEY",
                "must be at least 32 characters (e.g. `openssl rand -hex 32`)",
            ));
        }

        let trusted_proxies = match get("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Cidr::parse(s).ok_or_else(|| {
                        bad(
                            "TRUSTED_PROXIES",
                            format!(
                                "`{s}` is not an address or CIDR (like 10.0.0.0/8 or fd00::/8)"
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };

        // The dev mailbox shows every mail to whoever opens it: only on a loopback address,
        // unless asked for by name.
        let dev_mailbox_forced = get("DEV_MAILBOX").is_some_and(|v| v == "1");
        let loopback = parsed.scheme() == "http"
            && match parsed.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
        // Listening beyond this machine (e.g. 0.0.0.0 in a container) exposes it as much.
        let loopback = loopback && site_addr.ip().is_loopback();
        if smtp_url.is_none() && !loopback && !dev_mailbox_forced {
            return Err(bad(
                "SMTP_URL",
                "must be set unless PUBLIC_URL is a loopback http address and LEPTOS_SITE_ADDR \
                 listens on loopback only: without it mail would go to the dev mailbox, readable \
                 by anyone who reaches the portal (DEV_MAILBOX=1 forces that)",
            ));
        }

        let metrics_addr = match get("METRICS_ADDR") {
            None => None,
            Some(v) => Some(
                v.parse::<SocketAddr>()
                    .map_err(|e| bad("METRICS_ADDR", format!("is not host:port ({e})")))?,
            ),
        };
        if metrics_addr.is_some_and(|a| a == site_addr && a.port() != 0) {
            return Err(bad(
                "METRICS_ADDR",
                "must differ from LEPTOS_SITE_ADDR: metrics are never served on the portal's port",
            ));
        }
        let log_format = LogFormat::parse(get("LOG_FORMAT").as_deref())?;

        Ok(Self {
            database_url,
            smtp_url,
            mail_from,
            public_url,
            site_addr,
            outbox_retry_base,
            stream_recheck,
            feed_poll,
            secret_key,
            trusted_proxies,
            dev_mailbox_forced: dev_mailbox_forced && !loopback,
            metrics_addr,
            log_format,
            review_sla_hours,
        })
    }

    /// Under https the session cookie is `Secure` and `__Host-` prefixed.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn dev_mailbox(&self) -> bool {
        self.smtp_url.is_none()
    }

    /// One line for the start-up log, without secrets (SMTP credentials are masked).
    pub fn summary(&self) -> String {
        let smtp = match &self.smtp_url {
            None => "dev mailbox at /dev/mailbox".to_string(),
            Some(u) => match url::Url::parse(u) {
                Ok(mut p) => {
                    if p.password().is_some() {
                        let _ = p.set_password(Some("***"));
                    }
                    p.to_string()
                }
                Err(_) => "(unparsable)".into(),
            },
        };
        let db = match url::Url::parse(&self.database_url) {
            Ok(mut p) if p.password().is_some() => {
                let _ = p.set_password(Some("***"));
                p.to_string()
            }
            _ => self.database_url.clone(),
        };
        let metrics = match self.metrics_addr {
            Some(a) => a.to_string(),
            None => "off".into(),
        };
        format!(
            "DATABASE_URL={db} SMTP_URL={smtp} MAIL_FROM={} PUBLIC_URL={} LEPTOS_SITE_ADDR={} \
             METRICS_ADDR={metrics}",
            self.mail_from, self.public_url, self.site_addr
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Config;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, super::ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_give_an_embedded_portal() {
        let c = with(&[]).unwrap();
        assert!(c.database_url.starts_with("sqlite:"));
        assert!(c.dev_mailbox());
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(!c.https());
    }

    #[test]
    fn malformed_settings_name_their_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("SMTP_URL", "http://mail"),
            ("PUBLIC_URL", "portal.example.com"),
            ("PUBLIC_URL", "https://portal.example.com/app"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("MAIL_FROM", "not a mailbox"),
            ("SECRET_KEY", "short"),
            ("TRUSTED_PROXIES", "10.0.0.0/33"),
            ("TRUSTED_PROXIES", "proxy.example.com"),
            ("FEED_POLL_MS", "0"),
            ("METRICS_ADDR", "9100"),
            ("METRICS_ADDR", "127.0.0.1:3000"),
            ("LOG_FORMAT", "xml"),
        ] {
            let err = with(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
        }
    }

    #[test]
    fn the_dev_mailbox_needs_a_loopback_address_or_an_explicit_wish() {
        let err = with(&[("PUBLIC_URL", "https://portal.example.com")]).unwrap_err();
        assert_eq!(err.var, "SMTP_URL");
        assert!(err.message.contains("DEV_MAILBOX"), "{}", err.message);
        for local in [
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:3000",
        ] {
            let c = with(&[("PUBLIC_URL", local)]).unwrap();
            assert!(c.dev_mailbox() && !c.dev_mailbox_forced, "{local}");
        }
        let exposed = with(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]).unwrap_err();
        assert_eq!(exposed.var, "SMTP_URL");
        let forced = with(&[
            ("PUBLIC_URL", "https://portal.example.com"),
            ("DEV_MAILBOX", "1"),
        ])
        .unwrap();
        assert!(forced.dev_mailbox() && forced.dev_mailbox_forced);
        let real = with(&[
            ("PUBLIC_URL", "https://portal.example.com"),
            ("SMTP_URL", "smtp://mail.example.com:25"),
        ])
        .unwrap();
        assert!(!real.dev_mailbox());
    }

    #[test]
    fn metrics_are_off_unless_given_an_address_of_their_own() {
        let c = with(&[]).unwrap();
        assert_eq!(c.metrics_addr, None);
        assert!(c.summary().contains("METRICS_ADDR=off"), "{}", c.summary());
        let c = with(&[("METRICS_ADDR", "127.0.0.1:9100"), ("LOG_FORMAT", "json")]).unwrap();
        assert_eq!(c.metrics_addr, Some("127.0.0.1:9100".parse().unwrap()));
        assert_eq!(c.log_format, super::LogFormat::Json);
        assert_eq!(with(&[]).unwrap().log_format, super::LogFormat::Text);
    }

    #[test]
    fn secrets_are_masked_in_the_summary() {
        let c = with(&[("SMTP_URL", "smtps://user:s3cret@mail.example.com:465")]).unwrap();
        assert!(!c.summary().contains("s3cret"));
        assert!(!c.https() && !c.dev_mailbox());
    }
}
