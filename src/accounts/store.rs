//! Account rows: the queries behind sign-up, `create-reviewer`, sign-in, password reset and
//! deleting an account. Outcomes are told in these terms; the server functions word them.
//!
//! A deleted account stays as a tombstone (`deleted_at` set), so that the applications it
//! submitted keep their applicant for the reviewers' records: its e-mail, username and password
//! are replaced by values no person can sign in with, sign up with, or type by chance.

use crate::applications::events::Note;
use crate::domain::{Email, Username};
use crate::i18n::Lang;
use crate::server::crypto::new_id;
use crate::server::db::{now_ms, Db};
use sqlx::{Any, Transaction};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub username: String,
    pub password_hash: String,
    pub is_reviewer: i64,
    /// The language the account reads the portal and its mail in.
    #[sqlx(try_from = "String")]
    pub language: Lang,
}

const USER_COLUMNS: &str = "id, email, username, password_hash, is_reviewer, language";

/// By e-mail address (already normalised) or by username (any case); a deleted account is
/// not found, whatever is typed.
pub async fn find_by_login(db: &Db, login: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let login = login.trim().to_lowercase();
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users \
         WHERE (email = $1 OR username_key = $1) AND deleted_at IS NULL"
    ))
    .bind(login)
    .fetch_optional(&db.pool)
    .await
}

pub async fn find_by_email(
    tx: &mut Transaction<'static, Any>,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn username_taken<'c>(
    conn: impl sqlx::Executor<'c, Database = Any>,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username_key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(id.is_some())
}

/// What making an account came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Creation {
    Created {
        user_id: String,
    },
    /// The address has an account already (nothing was written).
    EmailTaken,
    /// The unique index refused the row: the username is taken (or, from a parallel request,
    /// the address). On PostgreSQL the transaction can do nothing more: drop it.
    UsernameTaken,
}

/// Makes an account, the one way sign-up and `create-reviewer` both do: the address is looked
/// up in the caller's transaction, and the unique indexes decide between parallel requests.
pub async fn create(
    tx: &mut Transaction<'static, Any>,
    email: &Email,
    username: &Username,
    password_hash: &str,
    lang: Lang,
) -> Result<Creation, sqlx::Error> {
    if find_by_email(tx, email.as_str()).await?.is_some() {
        return Ok(Creation::EmailTaken);
    }
    match insert(
        tx,
        email.as_str(),
        username.as_str(),
        &username.key(),
        password_hash,
        lang,
    )
    .await
    {
        Ok(user_id) => Ok(Creation::Created { user_id }),
        Err(e) if crate::server::db::is_unique_violation(&e) => Ok(Creation::UsernameTaken),
        Err(e) => Err(e),
    }
}

/// May open the review dashboard from the next request on.
pub async fn make_reviewer(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET is_reviewer = 1 WHERE id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert(
    tx: &mut Transaction<'static, Any>,
    email: &str,
    username: &str,
    username_key: &str,
    password_hash: &str,
    lang: Lang,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, username, username_key, password_hash, created_at, password_changed_at, language) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(&id)
    .bind(email)
    .bind(username)
    .bind(username_key)
    .bind(password_hash)
    .bind(now)
    .bind(lang.tag())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Keeps the language an account reads the portal and its mail in.
pub async fn set_language(db: &Db, user_id: &str, lang: Lang) -> Result<(), sqlx::Error> {
    db.write_one(
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(lang.tag())
            .bind(user_id),
    )
    .await?;
    crate::server::sessions::changed_committed(
        db,
        crate::server::sessions::cache::Forget::User(user_id.to_string()),
    )
    .await;
    Ok(())
}

/// The language mail to this address goes out in: its account's, or `otherwise` for an
/// address without an account (an invitation to a newcomer).
pub async fn language_of_email<'c, E>(
    db: E,
    email: &str,
    otherwise: Lang,
) -> Result<Lang, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let tag: Option<String> =
        sqlx::query_scalar("SELECT language FROM users WHERE email = $1 AND deleted_at IS NULL")
            .bind(email)
            .fetch_optional(db)
            .await?;
    Ok(tag.and_then(|t| Lang::parse(&t)).unwrap_or(otherwise))
}

pub async fn record_acceptance(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    document: &str,
    version: &str,
    lang: Lang,
    ip: &str,
    user_agent: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO acceptances (id, user_id, document, version, accepted_at, ip, user_agent, language) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(document)
    .bind(version)
    .bind(now_ms())
    .bind(ip)
    .bind(user_agent)
    .bind(lang.tag())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `hash` is still the account's password, holding the account's row until the
/// transaction ends (an update that changes nothing still locks it on PostgreSQL, and waits for
/// a change in progress; SQLite has one writer): a password change cannot slip in between.
pub async fn password_is(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    hash: &str,
) -> Result<bool, sqlx::Error> {
    let held = sqlx::query(
        "UPDATE users SET password_hash = password_hash WHERE id = $1 AND password_hash = $2",
    )
    .bind(user_id)
    .bind(hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(held == 1)
}

/// Sets a new password only while `current_hash` is still the account's; `false` when another
/// change came first.
pub async fn replace_password(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    current_hash: &str,
    new_hash: &str,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2 \
         WHERE id = $3 AND password_hash = $4",
    )
    .bind(new_hash)
    .bind(now_ms())
    .bind(user_id)
    .bind(current_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

pub async fn set_password(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now_ms())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The password hash of an account that has not been deleted.
pub async fn password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
}

/// A deleted account's e-mail address: unique, and in the `.invalid` domain (RFC 2606), which
/// no mail is ever delivered to, so nobody can receive a sign-up code for it.
pub fn deleted_email(user_id: &str) -> String {
    format!("deleted-{user_id}@deleted.invalid")
}

/// A deleted account's username and its key: unique, and with a colon, which no username may
/// contain (`domain::Username`), so it never takes a name a person could choose.
pub fn deleted_username(user_id: &str) -> String {
    format!("deleted:{user_id}")
}

/// A deleted account's password hash: not a PHC string, so argon2 refuses to read it and no
/// password ever verifies against it.
pub const DELETED_PASSWORD_HASH: &str = "!deleted";

/// What deleting an account came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Deletion {
    /// The account is a tombstone now.
    Deleted,
    /// Its password is no longer the one proved (changed meanwhile): nothing was written.
    PasswordChanged,
    /// A parallel request deleted it first: nothing was written.
    AlreadyDeleted,
}

/// Turns the account into a tombstone, only while `proved_hash` is still its password (one
/// statement, so of parallel deletions exactly one lands; the row stays held until the
/// transaction ends). Its e-mail address and username are free again from the commit on.
pub async fn tombstone(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    proved_hash: &str,
) -> Result<Deletion, sqlx::Error> {
    let name = deleted_username(user_id);
    let done = sqlx::query(
        "UPDATE users SET email = $1, username = $2, username_key = $2, password_hash = $3, \
         deleted_at = $4 WHERE id = $5 AND password_hash = $6 AND deleted_at IS NULL",
    )
    .bind(deleted_email(user_id))
    .bind(&name)
    .bind(DELETED_PASSWORD_HASH)
    .bind(now_ms())
    .bind(user_id)
    .bind(proved_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 1 {
        return Ok(Deletion::Deleted);
    }
    // Only to word the refusal: the update above decided.
    let deleted_at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT deleted_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match deleted_at {
        Some(None) => Deletion::PasswordChanged,
        Some(Some(_)) | None => Deletion::AlreadyDeleted,
    })
}

/// Replaces the address `old` by `new` in the reviewers' words on `user_id`'s applications and
/// their rounds (reasons, requests for changes), where it stands as an address of its own.
async fn forget_in_decisions(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    old: &str,
    new: &str,
) -> Result<(), sqlx::Error> {
    let like = format!("%{old}%");
    let r = |text: &str| crate::applications::events::replace_address(text, old, new);
    // A request is rewritten as what it is, note by note (in its JSON a line break before an
    // address is `\n`, which would hide the address from the text's rewriting).
    let request = |stored: &str| match crate::domain::ChangeRequest::from_json(stored) {
        Some(request) => request.map_text(r).to_json(),
        None => stored.to_string(),
    };
    let applications: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, decision_reason, requested_changes FROM applications \
         WHERE user_id = $1 AND (decision_reason LIKE $2 OR requested_changes LIKE $2)",
    )
    .bind(user_id)
    .bind(&like)
    .fetch_all(&mut **tx)
    .await?;
    for (id, reason, changes) in applications {
        sqlx::query(
            "UPDATE applications SET decision_reason = $1, requested_changes = $2 WHERE id = $3",
        )
        .bind(r(&reason))
        .bind(request(&changes))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let rounds: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT r.application_id, r.round, r.decision_reason, r.requested_changes \
         FROM application_rounds r JOIN applications a ON a.id = r.application_id \
         WHERE a.user_id = $1 AND (r.decision_reason LIKE $2 OR r.requested_changes LIKE $2)",
    )
    .bind(user_id)
    .bind(&like)
    .fetch_all(&mut **tx)
    .await?;
    for (id, round, reason, changes) in rounds {
        sqlx::query(
            "UPDATE application_rounds SET decision_reason = $1, requested_changes = $2 \
             WHERE application_id = $3 AND round = $4",
        )
        .bind(r(&reason))
        .bind(request(&changes))
        .bind(id)
        .bind(round)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Deletes what a deleted account leaves that is only the person's: its drafts (their history
/// goes with them), the logos no application or round shows, its acceptances, and the codes
/// mailed to its old address. Submitted applications, their rounds, history and the workspace
/// memberships stay, for the reviewers' records.
pub async fn forget(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    old_email: &str,
) -> Result<(), sqlx::Error> {
    // Their events go with them (`ON DELETE CASCADE`). A draft has no workspace and no round.
    sqlx::query("DELETE FROM applications WHERE user_id = $1 AND status = 'draft'")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    // Only drafts go, which the counts per status leave out; the submitted ones stay, and the
    // reviewers' search no longer finds them by the address (replaced by `tombstone`).
    crate::applications::store::applicant_email_changed(tx, user_id).await?;
    // After the drafts, so that a draft's logo is no longer shown by anything.
    sqlx::query(
        "DELETE FROM logos WHERE user_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM application_rounds r WHERE r.logo_id = logos.id) \
         AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.logo_id = logos.id)",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    // Its second factor, recovery codes, passkeys, sign-ins waiting for a code and security
    // history.
    for sql in [
        "DELETE FROM acceptances WHERE user_id = $1",
        "DELETE FROM second_factors WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM passkeys WHERE user_id = $1",
        "DELETE FROM passkey_registrations WHERE user_id = $1",
        "DELETE FROM sign_in_steps WHERE user_id = $1",
        "DELETE FROM account_events WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut **tx).await?;
    }
    sqlx::query("DELETE FROM verification_codes WHERE email = $1")
        .bind(old_email)
        .execute(&mut **tx)
        .await?;
    // The address is replaced wherever the records that stay wrote it: the history's notes
    // ("Invited …", "… joined"), the invitations it accepted, and the mail already sent to it
    // (what is still to be sent goes out; the notice of this deletion is queued after this).
    let replaced = deleted_email(user_id);
    // An entry kept as its parts is rewritten from them: the address goes where it stands as
    // an address of its own (a value, or inside a reviewer's sentence), never out of a longer
    // one (`ann@x.io` leaves `joann@x.io` alone), and its English words are written again.
    // A `_` in the address matches any character in LIKE: that only widens the rows read.
    let like = format!("%{old_email}%");
    let with_parts: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, params FROM application_events WHERE params IS NOT NULL AND params LIKE $1",
    )
    .bind(&like)
    .fetch_all(&mut **tx)
    .await?;
    for (id, params) in with_parts {
        let Ok(note) = serde_json::from_str::<Note>(&params) else {
            continue;
        };
        let note = note.without_address(old_email, &replaced);
        let params = serde_json::to_string(&note).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("UPDATE application_events SET params = $1, note = $2 WHERE id = $3")
            .bind(params)
            .bind(note.words(Lang::En.texts()))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    // Entries written before notes had parts: their words, where the address appears.
    sqlx::query(
        "UPDATE application_events SET note = REPLACE(note, $1, $2) \
         WHERE params IS NULL AND note LIKE $3",
    )
    .bind(old_email)
    .bind(&replaced)
    .bind(&like)
    .execute(&mut **tx)
    .await?;
    // What reviewers wrote to this account (a rejection's reason, a request for changes) on
    // its applications and their rounds, where it quotes the address.
    forget_in_decisions(tx, user_id, old_email, &replaced).await?;
    sqlx::query("UPDATE workspace_invitations SET email = $1 WHERE email = $2")
        .bind(&replaced)
        .bind(old_email)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM outbox WHERE recipient = $1 AND status <> 'pending'")
        .bind(old_email)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
