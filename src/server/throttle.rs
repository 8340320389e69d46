//! Backoff for sign-in attempts, per account and per client, kept in the database so that every
//! instance sees it. A few free tries, then waits that double up to a cap: far below 100 tries
//! an hour, and never a permanent lock-out of the real owner.
//!
//! An attempt is reserved before the password is checked, by one statement that counts it and
//! refuses it while a wait is running. So a burst of parallel attempts gets at most the free
//! tries through to the (expensive) password check; the rest are answered at once. Outcomes
//! are told in these terms; sign-in words them.

use super::db::{now_ms, Db};

const BASE_MS: i64 = 30 * 1000;
const CAP_MS: i64 = 15 * 60 * 1000;
/// Attempts older than this are forgotten.
const WINDOW_MS: i64 = 60 * 60 * 1000;

pub struct Key {
    pub key: String,
    /// Attempts allowed before waits begin.
    pub free: i64,
}

/// One budget per account, whether it is named by e-mail or by username; a login that names no
/// account is counted under its normalised text, so guessing at unknown names is limited too.
pub fn account(user_id: Option<&str>, login: &str) -> Key {
    Key {
        key: match user_id {
            Some(id) => format!("account:{id}"),
            None => format!("login:{}", login.trim().to_lowercase()),
        },
        free: 5,
    }
}

/// Tries at an account's second-factor code: a budget of their own, which only someone past
/// the password reaches (others' wrong passwords cannot hold up the code step) and which a
/// password reset does not refill (a mailbox alone buys no guesses at the code).
pub fn second_factor(user_id: &str) -> Key {
    Key {
        key: format!("code:{user_id}"),
        free: 5,
    }
}

pub fn client(client_key: &str) -> Key {
    Key {
        key: format!("client:{client_key}"),
        free: 20,
    }
}

/// What reserving an attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// It may go ahead, and is now counted.
    Granted,
    /// A wait is running (nothing was counted); it ends in `wait_secs` (at least 1).
    RateLimited { wait_secs: u64 },
}

/// The wait that starts once the `attempts`-th attempt is reserved (0 while tries are free).
fn wait_after(attempts: i64, free: i64) -> i64 {
    if attempts < free {
        0
    } else {
        let doublings = (attempts - free).min(10) as u32;
        (BASE_MS << doublings).min(CAP_MS)
    }
}

/// When the wait ends, in SQL, over an expression for the attempt count (SQLite has no `power`).
/// No wait is 0, not "now": requests queue for the writer with the times they read before, so a
/// later writer may carry an earlier time and must not find itself waiting behind a free try.
fn blocked_until_sql(attempts: &str) -> String {
    let mut cases = String::new();
    let mut wait = BASE_MS;
    let mut d = 0;
    while wait < CAP_MS {
        cases.push_str(&format!(" WHEN {d} THEN {wait}"));
        wait *= 2;
        d += 1;
    }
    format!(
        "(CASE WHEN {attempts} < $5 THEN 0 ELSE $2 + (CASE {attempts} - $5{cases} ELSE {CAP_MS} END) END)"
    )
}

/// Reserves one attempt under `key`: granted (and now counted), or refused while a wait is
/// running (nothing is counted then).
pub async fn reserve(db: &Db, key: &Key) -> Result<Reservation, sqlx::Error> {
    reserve_at(db, key, now_ms()).await
}

/// `reserve` as if the time were `now` (a request's clock reading, taken before it queued).
pub async fn reserve_at(db: &Db, key: &Key, now: i64) -> Result<Reservation, sqlx::Error> {
    // Within the window the count goes on; after it the key starts again at one.
    let attempts =
        "(CASE WHEN login_throttle.updated_at < $3 THEN 1 ELSE login_throttle.failures + 1 END)";
    let sql = format!(
        "INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at) \
         VALUES ($1, 1, $4, $2) \
         ON CONFLICT (throttle_key) DO UPDATE SET failures = {attempts}, \
         blocked_until = {until}, updated_at = $2 \
         WHERE login_throttle.blocked_until <= $2 \
         RETURNING failures",
        until = blocked_until_sql(attempts),
    );
    let counted: Option<i64> = {
        let _turn = db.writer_turn().await;
        sqlx::query_scalar(&sql)
            .bind(&key.key)
            .bind(now)
            .bind(now - WINDOW_MS)
            .bind(match wait_after(1, key.free) {
                0 => 0,
                wait => now + wait,
            })
            .bind(key.free)
            .fetch_optional(&db.pool)
            .await?
    };
    if counted.is_some() {
        return Ok(Reservation::Granted);
    }
    let until: i64 =
        sqlx::query_scalar("SELECT blocked_until FROM login_throttle WHERE throttle_key = $1")
            .bind(&key.key)
            .fetch_optional(&db.pool)
            .await?
            .unwrap_or(now);
    Ok(Reservation::RateLimited {
        wait_secs: ((until - now).max(1000) as u64).div_ceil(1000),
    })
}

/// Forgets a key's attempts (a successful sign-in, a completed password reset).
pub async fn clear(db: &Db, key: &Key) -> Result<(), sqlx::Error> {
    db.write_one(sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(&key.key))
        .await?;
    Ok(())
}

/// Gives back an attempt that succeeded (or was never checked), so a client's honest sign-ins
/// do not use its budget; a wait that those attempts started while in flight ends with them.
pub async fn give_back(db: &Db, key: &Key) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1, \
             blocked_until = CASE WHEN failures - 1 < $2 THEN 0 ELSE blocked_until END \
             WHERE throttle_key = $1 AND failures > 0",
        )
        .bind(&key.key)
        .bind(key.free),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_at_the_last_free_attempt_and_double_to_the_cap() {
        assert_eq!(wait_after(4, 5), 0);
        assert_eq!(wait_after(5, 5), 30_000);
        assert_eq!(wait_after(6, 5), 60_000);
        assert_eq!(wait_after(9, 5), 480_000);
        assert_eq!(wait_after(10, 5), CAP_MS);
        assert_eq!(wait_after(500, 5), CAP_MS);
        // The SQL names the same ladder.
        let sql = blocked_until_sql("x");
        for w in [30_000, 60_000, 120_000, 240_000, 480_000] {
            assert!(sql.contains(&format!("THEN {w}")), "{sql}");
        }
    }
}
