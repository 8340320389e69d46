//! E-mailed verification codes: six digits, stored only as an HMAC under the server's secret,
//! valid for `CODE_VALID_MINUTES`, single use, bound to an address and a purpose, five wrong
//! tries, and limits on how often they are sent. Outcomes are told in these terms; the account
//! forms word them.

use super::crypto::{constant_time_eq, new_id, six_digit_code, Secret};
use super::db::{now_ms, Db, WriteTx};
use crate::domain::{CODE_RESEND_SECONDS, CODE_VALID_MINUTES};

pub const TTL_MS: i64 = CODE_VALID_MINUTES as i64 * 60 * 1000;
pub const RESEND_AFTER_MS: i64 = CODE_RESEND_SECONDS as i64 * 1000;
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

/// Which limit refused a new code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeLimit {
    /// One code per `RESEND_AFTER_MS` for an address and purpose.
    Resend,
    /// `PER_ADDRESS_PER_HOUR` for an address and purpose.
    Address,
    /// `PER_IP_PER_HOUR` from one client.
    Client,
}

/// What asking for a code came to. (No `Debug`: it holds the code.)
pub enum Issued {
    /// The new code, for the caller to mail in the same transaction.
    Code(String),
    /// Nothing was issued; another may be asked for after `wait_secs`.
    RateLimited { limit: CodeLimit, wait_secs: u64 },
}

fn secs_until(ms: i64) -> u64 {
    ((ms.max(0) + 999) / 1000) as u64
}

#[derive(sqlx::FromRow)]
struct LatestCode {
    created_at: i64,
    state: String,
    failures: i64,
    expires_at: i64,
}

/// Codes within the last hour: how many, and when the oldest of them was made.
#[derive(sqlx::FromRow)]
struct LastHour {
    sent: i64,
    oldest: Option<i64>,
}

/// Issues a new code (voiding the previous one) or says which limit refused it and for how
/// long. The caller mails it in the same transaction. Issuing is serialised per address and
/// purpose, and per client, so parallel requests cannot all pass the limits before any of them
/// has written its code.
pub async fn issue(
    tx: &mut WriteTx,
    secret: &Secret,
    email: &str,
    purpose: Purpose,
    client: &str,
) -> Result<Issued, sqlx::Error> {
    // Always in this order (address, then client), so two requests cannot wait on each other.
    tx.lock(&format!("code:{}:{email}", purpose.as_str()))
        .await?;
    tx.lock(&format!("code-client:{client}")).await?;
    let now = now_ms();
    let latest: Option<LatestCode> = sqlx::query_as(
        "SELECT created_at, state, failures, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&mut ***tx)
    .await?;
    if let Some(latest) = &latest {
        if now - latest.created_at < RESEND_AFTER_MS {
            return Ok(Issued::RateLimited {
                limit: CodeLimit::Resend,
                wait_secs: secs_until(latest.created_at + RESEND_AFTER_MS - now),
            });
        }
    }

    // Each purpose has its own budget: sign-up requests for someone's address cannot use up
    // the codes that address needs to reset its password.
    let address: LastHour = sqlx::query_as(
        "SELECT COUNT(*) AS sent, MIN(created_at) AS oldest FROM verification_codes \
         WHERE email = $1 AND purpose = $2 AND created_at > $3",
    )
    .bind(email)
    .bind(purpose.as_str())
    .bind(now - HOUR_MS)
    .fetch_one(&mut ***tx)
    .await?;
    if address.sent >= PER_ADDRESS_PER_HOUR {
        return Ok(Issued::RateLimited {
            limit: CodeLimit::Address,
            wait_secs: secs_until(address.oldest.unwrap_or(now) + HOUR_MS - now),
        });
    }
    let from_client: LastHour = sqlx::query_as(
        "SELECT COUNT(*) AS sent, MIN(created_at) AS oldest FROM verification_codes \
         WHERE ip = $1 AND created_at > $2",
    )
    .bind(client)
    .bind(now - HOUR_MS)
    .fetch_one(&mut ***tx)
    .await?;
    if from_client.sent >= PER_IP_PER_HOUR {
        return Ok(Issued::RateLimited {
            limit: CodeLimit::Client,
            wait_secs: secs_until(from_client.oldest.unwrap_or(now) + HOUR_MS - now),
        });
    }

    // Resending does not give fresh tries: a live code's failures carry over.
    // A code whose tries are used up (by right tries whose request was then refused, e.g. a
    // weak password) counts as void: its successor starts afresh, or the user is locked out.
    let inherited = match latest {
        Some(l) if l.state == "live" && l.expires_at > now && l.failures < MAX_FAILURES => {
            l.failures
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
    Ok(Issued::Code(code))
}

/// A code that was right when checked; `spend` makes it used, once.
#[derive(Debug)]
pub struct Verified {
    id: String,
}

/// What checking a code came to.
#[derive(Debug)]
pub enum Checked {
    /// Right, and counted as one of its tries.
    Verified(Verified),
    /// Wrong; the code still works for `tries_left` more.
    Wrong {
        tries_left: i64,
    },
    /// Wrong, and that was its last try: the code is void now.
    TooManyWrong,
    Expired,
    /// No live code for this address and purpose any more: spent, replaced by a newer one, or
    /// voided by its tries. (Also a right code that lost its last try to a parallel request,
    /// so an exhausted code does not tell a right guess from a wrong one.)
    NoLongerValid,
}

#[derive(sqlx::FromRow)]
struct LiveCode {
    id: String,
    code_hash: String,
    expires_at: i64,
}

/// Checks a code without spending it, so a request that fails later (a weak password, a taken
/// username) does not cost the user their code, only one of its five tries. Each try is
/// counted by one statement, however many arrive at once.
pub async fn check(
    db: &Db,
    secret: &Secret,
    email: &str,
    purpose: Purpose,
    code: &str,
) -> Result<Checked, sqlx::Error> {
    let now = now_ms();
    let live: Option<LiveCode> = sqlx::query_as(
        "SELECT id, code_hash, expires_at FROM verification_codes \
         WHERE email = $1 AND purpose = $2 AND state = 'live' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .bind(purpose.as_str())
    .fetch_optional(&db.pool)
    .await?;
    let Some(live) = live else {
        return Ok(Checked::NoLongerValid);
    };
    if now >= live.expires_at {
        return Ok(Checked::Expired);
    }
    let right = constant_time_eq(&live.code_hash, &secret.mac_hex(&[&live.id, code]));
    // Every try takes one of the code's five, right or wrong: however many requests arrive at
    // once with it, at most five get past it to the expensive checks, and a right code whose
    // password is then refused has used a try. The fifth wrong try voids the code.
    let counted: Option<i64> = {
        let _turn = db.writer_turn().await;
        sqlx::query_scalar(
            "UPDATE verification_codes SET failures = failures + 1, \
             state = CASE WHEN failures + 1 >= $2 AND $3 = 0 THEN 'void' ELSE state END \
             WHERE id = $1 AND state = 'live' AND failures < $2 RETURNING failures",
        )
        .bind(&live.id)
        .bind(MAX_FAILURES)
        .bind(right as i64)
        .fetch_optional(&db.pool)
        .await?
    };
    Ok(match (right, counted) {
        (true, Some(_)) => Checked::Verified(Verified { id: live.id }),
        // Spent meanwhile, replaced, or its tries used up: said as for a wrong code.
        (true, None) => Checked::NoLongerValid,
        // Voided meanwhile (by parallel tries or a newer code).
        (false, None) => Checked::NoLongerValid,
        (false, Some(failures)) if failures >= MAX_FAILURES => Checked::TooManyWrong,
        (false, Some(failures)) => Checked::Wrong {
            tries_left: MAX_FAILURES - failures,
        },
    })
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
