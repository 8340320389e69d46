//! E-mailed verification codes: six digits, stored only as an HMAC under the server's secret,
//! ten minutes, single use, bound to an address and a purpose, five wrong tries, and limits on
//! how often they are sent.

use super::crypto::{constant_time_eq, new_id, six_digit_code, Secret};
use super::db::{now_ms, Db, WriteTx};
use crate::error::AppError;

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
/// in the same transaction. Issuing is serialised per address and purpose, and per client, so
/// parallel requests cannot all pass the limits before any of them has written its code.
pub async fn issue(
    tx: &mut WriteTx,
    secret: &Secret,
    email: &str,
    purpose: Purpose,
    client: &str,
) -> Result<Result<String, AppError>, sqlx::Error> {
    // Always in this order (address, then client), so two requests cannot wait on each other.
    tx.lock(&format!("code:{}:{email}", purpose.as_str()))
        .await?;
    tx.lock(&format!("code-client:{client}")).await?;
    let now = now_ms();
    let latest: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT created_at, state, failures, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&mut ***tx)
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

    // Each purpose has its own budget: sign-up requests for someone's address cannot use up
    // the codes that address needs to reset its password.
    let (sent, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM verification_codes \
         WHERE email = $1 AND purpose = $2 AND created_at > $3",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now - HOUR_MS)
    .fetch_one(&mut ***tx)
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
    let (from_client, oldest_client): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM verification_codes WHERE ip = $1 AND created_at > $2",
    )
    .bind(client)
    .bind(now - HOUR_MS)
    .fetch_one(&mut ***tx)
    .await?;
    if from_client >= PER_IP_PER_HOUR {
        let wait = secs_until(oldest_client.unwrap_or(now) + HOUR_MS - now);
        return Ok(Err(AppError::too_many(
            format!(
                "Too many codes were requested from your network. Try again in {} minutes.",
                wait.div_ceil(60)
            ),
            wait,
        )));
    }

    // Resending does not give fresh tries: a live code's failures carry over.
    // A code whose tries are used up (by right tries whose request was then refused, e.g. a
    // weak password) counts as void: its successor starts afresh, or the user is locked out.
    let inherited = match latest {
        Some((_, state, failures, expires))
            if state == "live" && expires > now && failures < MAX_FAILURES =>
        {
            failures
        }
        _ => 0,
    };
    sqlx::query(
        "UPDATE verification_codes SET state = 'void' WHERE email = $1 AND purpose = $2 AND state = 'live'",
    )
    .bind(email)
    .bind(purpose.as_str())
    .execute(&mut ***tx)
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
    .bind(secret.mac_hex(&[&id, &code]))
    .bind(inherited)
    .bind(now)
    .bind(now + TTL_MS)
    .bind(client)
    .execute(&mut ***tx)
    .await?;
    Ok(Ok(code))
}

/// A code that was right when checked; `spend` makes it used, once.
#[derive(Debug)]
pub struct Verified {
    id: String,
}

pub const NO_LONGER_VALID: &str = "This code is no longer valid. Request a new code.";

/// Checks a code without spending it, so a request that fails later (a weak password, a taken
/// username) does not cost the user their code, only one of its five tries. Each try is
/// counted by one statement, however many arrive at once.
pub async fn check(
    db: &Db,
    secret: &Secret,
    email: &str,
    purpose: Purpose,
    code: &str,
) -> Result<Result<Verified, String>, sqlx::Error> {
    let now = now_ms();
    let live: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT id, code_hash, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 AND state = 'live' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, hash, expires)) = live else {
        return Ok(Err(NO_LONGER_VALID.into()));
    };
    if now >= expires {
        return Ok(Err("This code has expired. Request a new code.".into()));
    }
    let right = constant_time_eq(&hash, &secret.mac_hex(&[&id, code]));
    // Every try takes one of the code's five, right or wrong: however many requests arrive at
    // once with it, at most five get past it to the expensive checks, and a right code whose
    // password is then refused has used a try. The fifth wrong try voids the code.
    let counted: Option<(i64,)> = {
        let _turn = db.writer_turn().await;
        sqlx::query_as(
            "UPDATE verification_codes SET failures = failures + 1, \
             state = CASE WHEN failures + 1 >= $2 AND $3 = 0 THEN 'void' ELSE state END \
             WHERE id = $1 AND state = 'live' AND failures < $2 RETURNING failures",
        )
        .bind(&id)
        .bind(MAX_FAILURES)
        .bind(right as i64)
        .fetch_optional(&db.pool)
        .await?
    };
    Ok(match (right, counted) {
        (true, Some(_)) => Ok(Verified { id }),
        // Spent meanwhile, replaced, or its tries used up: said as for a wrong code, so an
        // exhausted code does not tell a right guess from a wrong one.
        (true, None) => Err(NO_LONGER_VALID.into()),
        // Voided meanwhile (by parallel tries or a newer code).
        (false, None) => Err(NO_LONGER_VALID.into()),
        (false, Some((failures,))) if failures >= MAX_FAILURES => Err(TOO_MANY.into()),
        (false, Some((failures,))) => {
            let left = MAX_FAILURES - failures;
            Err(format!(
                "That code is not right. {left} {} left.",
                if left == 1 { "try" } else { "tries" }
            ))
        }
    })
}

const TOO_MANY: &str = "Too many wrong codes. This code no longer works: request a new code.";

/// `check` as the forms answer it: a refused code is an error on the "code" field.
pub async fn check_field(
    db: &Db,
    secret: &Secret,
    email: &str,
    purpose: Purpose,
    code: &str,
) -> Result<Verified, AppError> {
    match check(db, secret, email, purpose, code)
        .await
        .map_err(|e| super::request::internal("checking a code", e))?
    {
        Ok(verified) => Ok(verified),
        Err(message) => Err(AppError::field("code", message)),
    }
}

/// Spends a checked code inside the transaction that acts on it: exactly one of any number of
/// parallel requests with the right code gets `true`.
pub async fn spend(tx: &mut WriteTx, code: &Verified) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query(
        "UPDATE verification_codes SET state = 'used' WHERE id = $1 AND state = 'live'",
    )
    .bind(&code.id)
    .execute(&mut ***tx)
    .await?;
    Ok(spent.rows_affected() == 1)
}
