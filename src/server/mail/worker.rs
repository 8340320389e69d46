//! Delivers the outbox: claims due rows (safe with several instances), sends them, and retries
//! with doubling waits; after `MAX_ATTEMPTS` a mail is marked failed and logged. Sent, retried
//! and failed mails are counted in the metrics, and the outbox is counted at each scrape.

use crate::server::config::Config;
use crate::server::db::{now_ms, Db};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub const MAX_ATTEMPTS: i64 = 8;
/// A claim's lease: well beyond the SMTP timeout (20 s), so a mail is only claimed again when
/// the instance that claimed it is gone.
const CLAIM_MS: i64 = 2 * 60 * 1000;
const MAX_WAIT_MS: i64 = 30 * 60 * 1000;
const BATCH: i64 = 20;

enum Sender {
    DevMailbox,
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Mailbox),
}

pub fn spawn(db: Db, config: Arc<Config>, ready: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let sender = match &config.smtp_url {
            None => Sender::DevMailbox,
            Some(url) => match AsyncSmtpTransport::<Tokio1Executor>::from_url(url) {
                Ok(b) => Sender::Smtp(
                    b.timeout(Some(Duration::from_secs(20))).build(),
                    config
                        .mail_from
                        .parse()
                        .expect("MAIL_FROM checked at start-up"),
                ),
                Err(e) => {
                    tracing::error!(error = %e, "SMTP_URL cannot be used; mail stays in the outbox");
                    return;
                }
            },
        };
        loop {
            match deliver_due(&db, &sender, &config).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox delivery round failed"),
            }
            tokio::select! {
                _ = ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    })
}

/// A mail due for delivery.
#[derive(sqlx::FromRow)]
struct Due {
    id: String,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    attempts: i64,
}

/// One round: returns how many mails were handled.
async fn deliver_due(db: &Db, sender: &Sender, config: &Config) -> Result<usize, sqlx::Error> {
    let now = now_ms();
    let due: Vec<Due> = sqlx::query_as(
        "SELECT id, recipient, subject, text_body, html_body, attempts FROM outbox \
         WHERE status = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1 \
         ORDER BY created_at LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    let mut handled = 0;
    for Due {
        id,
        recipient: to,
        subject,
        text_body: text,
        html_body: html,
        attempts,
    } in due
    {
        // Claim the row right before sending it, with a lease that starts now (not when the
        // batch was read): a slow SMTP server earlier in the batch cannot let the lease run
        // out before this mail is sent. Another instance that claimed it first wins.
        let claim_at = now_ms();
        let claimed = db
            .write_one(
                sqlx::query(
                    "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND status = 'pending' AND claimed_until < $3",
                )
                .bind(claim_at + CLAIM_MS)
                .bind(&id)
                .bind(claim_at),
            )
            .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        handled += 1;
        let result = match sender {
            Sender::DevMailbox => {
                tracing::info!(to = %to, subject = %subject, "mail kept in the dev mailbox (/dev/mailbox)");
                Ok("kept")
            }
            Sender::Smtp(transport, from) => {
                send(transport, from, &id, &to, &subject, &text, &html)
                    .await
                    .map(|_| "sent")
            }
        };
        match result {
            Ok(status) => {
                crate::server::metrics::mail_sent();
                // A delivered mail's body (a code, an invitation or reset link) is not kept:
                // its recipient and subject stay for the record. The dev mailbox ("kept") is
                // where its mail is read, so it keeps the body. A mail that failed for good
                // loses its body too (below): nothing sends it again.
                db.write_one(
                    sqlx::query(
                        "UPDATE outbox SET status = $1, sent_at = $2, attempts = $3, \
                         text_body = CASE WHEN $1 = 'sent' THEN '' ELSE text_body END, \
                         html_body = CASE WHEN $1 = 'sent' THEN '' ELSE html_body END \
                         WHERE id = $4",
                    )
                    .bind(status)
                    .bind(now_ms())
                    .bind(attempts + 1)
                    .bind(&id),
                )
                .await?;
            }
            Err(err) => {
                let attempts = attempts + 1;
                let failed = attempts >= MAX_ATTEMPTS;
                let base = config.outbox_retry_base.as_millis() as i64;
                let wait = (base << (attempts - 1).min(20)).min(MAX_WAIT_MS);
                if failed {
                    crate::server::metrics::mail_failed();
                    tracing::error!(mail = %id, to = %to, attempts, error = %err, "mail failed for good");
                } else {
                    crate::server::metrics::mail_retry();
                    tracing::warn!(mail = %id, attempts, retry_in_ms = wait, error = %err, "mail delivery failed; will retry");
                }
                db.write_one(
                    sqlx::query(
                        "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, claimed_until = 0, last_error = $4, \
                         text_body = CASE WHEN $1 = 'failed' THEN '' ELSE text_body END, \
                         html_body = CASE WHEN $1 = 'failed' THEN '' ELSE html_body END \
                         WHERE id = $5",
                    )
                    .bind(if failed { "failed" } else { "pending" })
                    .bind(attempts)
                    .bind(now_ms() + wait)
                    .bind(err.chars().take(500).collect::<String>())
                    .bind(&id),
                )
                .await?;
            }
        }
    }
    Ok(handled)
}

/// How many mails wait in the outbox, and how many failed for good (for the metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxCounts {
    pub pending: i64,
    pub failed: i64,
}

pub async fn outbox_counts(db: &Db) -> Result<OutboxCounts, sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS pending, \
         (SELECT COUNT(*) FROM outbox WHERE status = 'failed') AS failed",
    )
    .fetch_one(&db.pool)
    .await
}

fn message_id(outbox_id: &str, from: &Mailbox) -> String {
    format!("<{outbox_id}@{}>", from.email.domain())
}

#[allow(clippy::too_many_arguments)]
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    outbox_id: &str,
    to: &str,
    subject: &str,
    text: &str,
    html: &str,
) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let message = Message::builder()
        // One Message-ID per outbox row: if a mail is ever sent twice (an instance died between
        // the server's acceptance and the status update), mail clients show it once.
        .message_id(Some(message_id(outbox_id, from)))
        .from(from.clone())
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text.to_string()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.to_string()),
                ),
        )
        .map_err(|e| format!("cannot build message: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
