//! Sign-in sessions: a random token in an HttpOnly cookie, only its hash in the database,
//! a new one at every sign-in, ending after idle time or an absolute lifetime. Live ones are
//! kept a moment in memory (`cache`); whatever ends a session or changes its user goes through
//! this module, which forgets them there and tells the other instances (`changed`).

pub mod cache;

use super::config::Config;
use super::crypto::{random_token, sha256_hex};
use super::db::{now_ms, Backend, Db, WriteTx};
use cache::{Cached, Forget};
use sqlx::{Any, Transaction};

/// The PostgreSQL channel on which instances tell each other that sessions changed: the
/// payload is `u:<user id>` (every session of that user) or `t:<token hash>` (one session).
pub const CHANNEL: &str = "isv_portal_sessions";

pub const IDLE_MS: i64 = 12 * 60 * 60 * 1000;
pub const ABSOLUTE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// `last_seen_at` is written at most this often, so reads stay reads.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

#[derive(Clone, Debug)]
pub struct SessionUser {
    pub user_id: String,
    pub username: String,
    pub email: String,
    /// May open the review dashboard: made a reviewer (`isv-portal create-reviewer`) and this
    /// session passed a second factor.
    pub is_reviewer: bool,
    /// This session was begun with a second factor (a code after the password), or turned one on.
    pub second_factor: bool,
    /// A reviewer whose session has not passed a second factor: nothing but setting one up
    /// (and signing out) until then.
    pub must_enrol: bool,
    /// The language the account reads its mail in.
    pub lang: crate::i18n::Lang,
}

pub fn cookie_name(config: &Config) -> &'static str {
    if config.https() {
        "__Host-isv_session"
    } else {
        "isv_session"
    }
}

pub fn cookie_header(config: &Config, token: &str) -> String {
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        cookie_name(config),
        ABSOLUTE_MS / 1000,
        if config.https() { "; Secure" } else { "" }
    )
}

pub fn clear_cookie_header(config: &Config) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(config),
        if config.https() { "; Secure" } else { "" }
    )
}

/// Starts a session and returns the token for the cookie (never stored as such).
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    second_factor: bool,
    ip: &str,
    user_agent: &str,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, second_factor) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .bind(ip)
    .bind(user_agent)
    .bind(second_factor as i64)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The session behind a request's cookie, as (token, user), if it is still alive.
pub async fn from_headers(
    db: &Db,
    config: &Config,
    headers: &http::HeaderMap,
) -> Result<Option<(String, SessionUser)>, sqlx::Error> {
    let Some(token) = super::request::cookie_in(headers, cookie_name(config)) else {
        return Ok(None);
    };
    Ok(lookup(db, &token).await?.map(|user| (token, user)))
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: String,
    username: String,
    email: String,
    last_seen_at: i64,
    expires_at: i64,
    is_reviewer: i64,
    second_factor: i64,
    #[sqlx(try_from = "String")]
    language: crate::i18n::Lang,
}

/// The user behind a token, if the session is still alive: from the cache when it was read a
/// moment ago (and is neither expired, idle, nor due a `last_seen_at` write), else from the
/// database.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    let hash = token_hash(token);
    let now = now_ms();
    let fresh = |c: &Cached| now < c.expires_at && now - c.last_seen_at < TOUCH_EVERY_MS;
    if let Some(c) = db.sessions.get(&hash).filter(fresh) {
        return Ok(Some(c.user));
    }
    let epoch = db.sessions.epoch();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id AS user_id, u.username AS username, u.email AS email, \
         s.last_seen_at AS last_seen_at, s.expires_at AS expires_at, u.is_reviewer AS is_reviewer, \
         s.second_factor AS second_factor, u.language AS language \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        db.sessions.drop_entry(&hash);
        return Ok(None);
    };
    if now >= row.expires_at || now - row.last_seen_at >= IDLE_MS {
        // Another instance's copy is refused by its own `fresh` check: no notice needed.
        db.write_one(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash))
            .await?;
        db.sessions.drop_entry(&hash);
        return Ok(None);
    }
    let mut last_seen_at = row.last_seen_at;
    if now - row.last_seen_at >= TOUCH_EVERY_MS {
        db.write_one(
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash),
        )
        .await?;
        last_seen_at = now;
    }
    let user = SessionUser {
        user_id: row.user_id,
        username: row.username,
        email: row.email,
        is_reviewer: row.is_reviewer != 0 && row.second_factor != 0,
        second_factor: row.second_factor != 0,
        must_enrol: row.is_reviewer != 0 && row.second_factor == 0,
        lang: row.language,
    };
    db.sessions.keep(
        epoch,
        &hash,
        Cached {
            user: user.clone(),
            last_seen_at,
            expires_at: row.expires_at,
        },
    );
    Ok(Some(user))
}

/// Inside a transaction that ends sessions of `user_id` or changes what they carry (name,
/// address, language, rights): the cache forgets them now and after the commit, and on
/// PostgreSQL every instance is told once the transaction commits.
pub async fn changed(tx: &mut WriteTx, user_id: &str) -> Result<(), sqlx::Error> {
    forget_in(tx, Forget::User(user_id.to_string())).await
}

async fn forget_in(tx: &mut WriteTx, what: Forget) -> Result<(), sqlx::Error> {
    let notice = tx.sessions().notice(&what);
    tx.forget_sessions(what);
    if tx.backend() == Backend::Postgres {
        notify(&mut ***tx, &notice).await?;
    }
    Ok(())
}

/// `changed` for a change already committed (a single statement outside a transaction). The
/// change stands: a notice that cannot be sent is logged (the other instances' copies age out
/// within `cache::TTL`), not answered as a failure.
pub async fn changed_committed(db: &Db, what: Forget) {
    db.sessions.forget(&what);
    if db.backend == Backend::Postgres {
        if let Err(e) = notify(&db.pool, &db.sessions.notice(&what)).await {
            tracing::warn!(error = %e, "telling other instances that sessions changed");
        }
    }
}

async fn notify<'e>(
    on: impl sqlx::Executor<'e, Database = Any>,
    notice: &str,
) -> Result<(), sqlx::Error> {
    // Wrapped so that the `void` result is not decoded through the Any driver.
    sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
        .bind(CHANNEL)
        .bind(notice)
        .execute(on)
        .await?;
    Ok(())
}

pub async fn end(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    let hash = token_hash(token);
    let done = db
        .write_one(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash))
        .await?;
    if done.rows_affected() > 0 {
        changed_committed(db, Forget::Token(hash)).await;
    } else {
        // A made-up or already ended token: nothing to tell anyone.
        db.sessions.drop_entry(&hash);
    }
    Ok(())
}

/// Ends the session of `token` inside a transaction: forgotten here now and after the
/// commit, elsewhere at commit.
pub async fn end_token_in(tx: &mut WriteTx, token: &str) -> Result<(), sqlx::Error> {
    let hash = token_hash(token);
    let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut ***tx)
        .await?;
    if done.rows_affected() > 0 {
        forget_in(tx, Forget::Token(hash)).await?;
    }
    Ok(())
}

pub async fn end_all_for_user(tx: &mut WriteTx, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut ***tx)
        .await?;
    changed(tx, user_id).await
}

/// How a session is stored: the hash of its token (the token itself is never kept).
pub fn token_hash(token: &str) -> String {
    sha256_hex(&[token])
}

/// A live session of a user, as the account page lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveSession {
    pub token_hash: String,
    pub last_seen_at: i64,
    pub ip: String,
    pub user_agent: String,
}

/// The user's sessions that have not ended (neither expired nor idle too long), the most
/// recently used first.
pub async fn live_for_user(db: &Db, user_id: &str) -> Result<Vec<LiveSession>, sqlx::Error> {
    let now = now_ms();
    sqlx::query_as(
        "SELECT token_hash, last_seen_at, ip, user_agent FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 \
         ORDER BY last_seen_at DESC, created_at DESC, token_hash",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - IDLE_MS)
    .fetch_all(&db.pool)
    .await
}

/// Ends one session of `user_id` (never another user's, whatever hash is given). Whether it
/// was still there.
pub async fn end_for_user(db: &Db, user_id: &str, token_hash: &str) -> Result<bool, sqlx::Error> {
    let done = db
        .write_one(
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1 AND user_id = $2")
                .bind(token_hash)
                .bind(user_id),
        )
        .await?;
    if done.rows_affected() > 0 {
        changed_committed(db, Forget::Token(token_hash.to_string())).await;
    }
    Ok(done.rows_affected() == 1)
}

/// Ends every session of `user_id` but the one whose token hashes to `keep_token_hash`, in one
/// statement (a session that starts meanwhile is either ended or not yet there).
pub async fn end_others(
    tx: &mut WriteTx,
    user_id: &str,
    keep_token_hash: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token_hash)
        .execute(&mut ***tx)
        .await?;
    changed(tx, user_id).await?;
    Ok(done.rows_affected())
}
