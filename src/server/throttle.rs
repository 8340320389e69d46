//! Backoff for failed sign-ins, per account and per client, kept in the database so that every
//! instance sees it. A few free tries, then waits that double up to a cap: far below 100 tries
//! an hour, and never a permanent lock-out of the real owner.

use super::db::{now_ms, Db};
use crate::error::AppError;

const BASE_MS: i64 = 30 * 1000;
const CAP_MS: i64 = 15 * 60 * 1000;
/// Failures older than this are forgotten.
const WINDOW_MS: i64 = 60 * 60 * 1000;

pub struct Key {
    pub key: String,
    /// Failures allowed before waits begin.
    pub free: i64,
}

pub fn account(login: &str) -> Key {
    Key {
        key: format!("account:{}", login.trim().to_lowercase()),
        free: 5,
    }
}

pub fn client(ip: &str) -> Key {
    Key {
        key: format!("client:{ip}"),
        free: 20,
    }
}

/// Refuses when any key is waiting out a backoff.
pub async fn check(db: &Db, keys: &[&Key]) -> Result<Result<(), AppError>, sqlx::Error> {
    let now = now_ms();
    let mut longest = 0i64;
    for k in keys {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT blocked_until FROM login_throttle WHERE throttle_key = $1")
                .bind(&k.key)
                .fetch_optional(&db.pool)
                .await?;
        if let Some((until,)) = row {
            longest = longest.max(until - now);
        }
    }
    if longest > 0 {
        let secs = ((longest + 999) / 1000) as u64;
        let when = if secs > 90 {
            format!("{} minutes", secs.div_ceil(60))
        } else {
            format!("{secs} seconds")
        };
        return Ok(Err(AppError::too_many(
            format!(
                "Too many failed sign-in attempts. Try again in {when}, or reset your password."
            ),
            secs,
        )));
    }
    Ok(Ok(()))
}

pub async fn record_failure(db: &Db, key: &Key) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, updated_at FROM login_throttle WHERE throttle_key = $1")
            .bind(&key.key)
            .fetch_optional(&mut **tx)
            .await?;
    let failures = match row {
        Some((f, updated)) if now - updated < WINDOW_MS => f + 1,
        _ => 1,
    };
    let blocked_until = if failures > key.free {
        let doublings = (failures - key.free - 1).min(10) as u32;
        now + (BASE_MS << doublings).min(CAP_MS)
    } else {
        0
    };
    sqlx::query(
        "INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = $2, blocked_until = $3, updated_at = $4",
    )
    .bind(&key.key)
    .bind(failures)
    .bind(blocked_until)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    tx.commit().await
}

pub async fn clear(db: &Db, key: &Key) -> Result<(), sqlx::Error> {
    db.write_one(sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(&key.key))
        .await?;
    Ok(())
}
