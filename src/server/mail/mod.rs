//! Outgoing mail: written to the outbox in the transaction that causes it, delivered by the
//! worker (SMTP, or the dev mailbox when no SMTP server is configured).

pub mod templates;
pub mod worker;

use super::crypto::new_id;
use super::db::now_ms;
use sqlx::{Any, Transaction};

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub async fn enqueue(tx: &mut Transaction<'static, Any>, mail: Mail) -> Result<(), sqlx::Error> {
    // `.invalid` can never be delivered (RFC 2606): a deleted account's replaced address gets
    // no mail (a decision on an application it submitted, say), instead of a failing delivery.
    if mail.to.to_ascii_lowercase().ends_with(".invalid") {
        return Ok(());
    }
    let now = now_ms();
    sqlx::query(
        "INSERT INTO outbox (id, recipient, subject, text_body, html_body, status, attempts, \
         next_attempt_at, claimed_until, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, $6)",
    )
    .bind(new_id())
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
