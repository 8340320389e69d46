//! E-mailed verification codes: six digits, stored hashed, ten minutes, single use, bound to an
//! address and a purpose, five wrong tries, and limits on how often they are sent.

use super::crypto::{constant_time_eq, new_id, sha256_hex, six_digit_code};
use super::db::now_ms;
use crate::error::AppError;
use sqlx::{Any, Transaction};

pub const TTL_MS: i64 = 10 * 60 * 1000;
pub const RESEND_AFTER_MS: i64 = 60 * 1000;
pub const PER_ADDRESS_PER_HOUR: i64 = 5;
pub const PER_IP_PER_HOUR: i64 = 30;
pub const MAX_FAILURES: i64 = 5;
const HOUR_MS: i64 = 60 * 60 * 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "signup",
            Purpose::ResetPassword => "reset",
        }
    }
}

fn secs_until(ms: i64) -> u64 {
    ((ms.max(0) + 999) / 1000) as u64
}

/// Issues a new code (voiding the previous one) or says how long to wait. The caller mails it
/// in the same transaction.
pub async fn issue(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    purpose: Purpose,
    ip: &str,
) -> Result<Result<String, AppError>, sqlx::Error> {
    let now = now_ms();
    let latest: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT created_at, state, failures, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((created, _, _, _)) = latest {
        if now - created < RESEND_AFTER_MS {
            let wait = secs_until(created + RESEND_AFTER_MS - now);
            return Ok(Err(AppError::too_many(
                format!("Please wait {wait} seconds before requesting another code."),
                wait,
            )));
        }
    }

    let (sent, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM verification_codes WHERE email = $1 AND created_at > $2",
    )
    .bind(email)
    .bind(now - HOUR_MS)
    .fetch_one(&mut **tx)
    .await?;
    if sent >= PER_ADDRESS_PER_HOUR {
        let wait = secs_until(oldest.unwrap_or(now) + HOUR_MS - now);
        return Ok(Err(AppError::too_many(
            format!(
                "Too many codes were requested for this address. Try again in {} minutes.",
                wait.div_ceil(60)
            ),
            wait,
        )));
    }
    let (from_ip, oldest_ip): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM verification_codes WHERE ip = $1 AND created_at > $2",
    )
    .bind(ip)
    .bind(now - HOUR_MS)
    .fetch_one(&mut **tx)
    .await?;
    if from_ip >= PER_IP_PER_HOUR {
        let wait = secs_until(oldest_ip.unwrap_or(now) + HOUR_MS - now);
        return Ok(Err(AppError::too_many(
            format!(
                "Too many codes were requested from your network. Try again in {} minutes.",
                wait.div_ceil(60)
            ),
            wait,
        )));
    }

    // Resending does not give fresh tries: a live code's failures carry over.
    let inherited = match latest {
        Some((_, state, failures, expires)) if state == "live" && expires > now => failures,
        _ => 0,
    };
    sqlx::query(
        "UPDATE verification_codes SET state = 'void' WHERE email = $1 AND purpose = $2 AND state = 'live'",
    )
    .bind(email)
    .bind(purpose.as_str())
    .execute(&mut **tx)
    .await?;

    let id = new_id();
    let code = six_digit_code();
    sqlx::query(
        "INSERT INTO verification_codes (id, email, purpose, code_hash, state, failures, created_at, expires_at, ip) \
         VALUES ($1, $2, $3, $4, 'live', $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(email)
    .bind(purpose.as_str())
    .bind(sha256_hex(&[&id, &code]))
    .bind(inherited)
    .bind(now)
    .bind(now + TTL_MS)
    .bind(ip)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(code))
}

/// Checks a code inside `tx`. A right one is marked used, so it is spent only if the caller's
/// change commits. On `Err` the wrong try has been counted in `tx`: the caller must commit
/// `tx` before answering, so a failing request cannot roll the count back.
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    purpose: Purpose,
    code: &str,
) -> Result<Result<(), String>, sqlx::Error> {
    let now = now_ms();
    let live: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, code_hash, failures, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 AND state = 'live' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, hash, failures, expires)) = live else {
        return Ok(Err(
            "This code is no longer valid. Request a new code.".into()
        ));
    };
    if now >= expires {
        return Ok(Err("This code has expired. Request a new code.".into()));
    }
    if constant_time_eq(&hash, &sha256_hex(&[&id, code])) {
        sqlx::query(
            "UPDATE verification_codes SET state = 'used' WHERE id = $1 AND state = 'live'",
        )
        .bind(&id)
        .execute(&mut **tx)
        .await?;
        return Ok(Ok(()));
    }
    let failures = failures + 1;
    let state = if failures >= MAX_FAILURES {
        "void"
    } else {
        "live"
    };
    sqlx::query("UPDATE verification_codes SET failures = $1, state = $2 WHERE id = $3")
        .bind(failures)
        .bind(state)
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    if failures >= MAX_FAILURES {
        Ok(Err(
            "Too many wrong codes. This code no longer works: request a new code.".into(),
        ))
    } else {
        let left = MAX_FAILURES - failures;
        Ok(Err(format!(
            "That code is not right. {left} {} left.",
            if left == 1 { "try" } else { "tries" }
        )))
    }
}
