//! A new password past its parse (sign-up, password reset, `create-reviewer`, the account
//! page): not common nor guessable from the account's names (zxcvbn, server only: the word lists
//! are large), then hashed with argon2id. One way for all of them. And the signed-in user's
//! current password, proved before the account page changes the password or deletes the
//! account: one way for both.

use super::signin::waiting;
use super::store;
use crate::domain::Password;
use crate::error::AppError;
use crate::server::crypto::{hash_password, verify_password};
use crate::server::db::Db;
use crate::server::request::{AppState, OrInternal};
use crate::server::sessions::SessionUser;
use crate::server::throttle::{self, Reservation};

/// Why a typed current password cannot be the account's, before anything is checked: empty, or
/// longer than any password can be (argon2 is spared). A form collecting its field errors asks
/// this first; `prove_current_password` asks it again.
pub fn current_password_problem(input: &str) -> Option<&'static str> {
    let t = &crate::i18n::t().accounts.passwords;
    if input.is_empty() {
        Some(t.current_missing)
    } else if Password::for_sign_in(input).is_err() {
        Some(t.wrong_current)
    } else {
        None
    }
}

/// The signed-in user's current password, proved.
pub struct Proved {
    /// The hash it was checked against. What follows writes only over this hash, so of
    /// parallel requests made with the same password exactly one lands.
    pub stored_hash: String,
    /// The account's sign-in budget, which this try was counted against.
    pub key: throttle::Key,
}

impl Proved {
    /// The password was right but nothing was done (a later check refused, or a parallel
    /// request came first): this try does not count against the account.
    pub async fn give_back(&self, db: &Db) -> Result<(), AppError> {
        throttle::give_back(db, &self.key)
            .await
            .or_internal("giving back an attempt")
    }

    /// Done: the account's wait ends, as after a sign-in.
    pub async fn clear(&self, db: &Db) -> Result<(), AppError> {
        throttle::clear(db, &self.key)
            .await
            .or_internal("clearing sign-in backoff")
    }
}

/// Checks `password` against the signed-in `user`'s, counting the try against the account's
/// sign-in budget first (a burst gets at most the free tries through to argon2; `scope` names
/// the refusal in the metrics). A wrong one is an error on `field`, and stays counted.
pub async fn prove_current_password(
    st: &AppState,
    user: &SessionUser,
    password: &str,
    field: &str,
    scope: &'static str,
) -> Result<Proved, AppError> {
    if let Some(problem) = current_password_problem(password) {
        return Err(AppError::field(field, problem));
    }
    let t = &crate::i18n::t().accounts.passwords;
    let key = throttle::account(Some(&user.user_id), "");
    if let Reservation::RateLimited { wait_secs } = throttle::reserve(&st.db, &key)
        .await
        .or_internal("reserving a password check")?
    {
        crate::server::metrics::throttled(scope);
        // The same backoff as sign-in (an account's budget): a stolen session cannot guess the
        // password on the account page faster than at the sign-in form.
        return Err(waiting(t.waits, wait_secs));
    }
    let Some(stored_hash) = store::password_hash(&st.db, &user.user_id)
        .await
        .or_internal("finding the account")?
    else {
        // The session was found a moment ago: the account was deleted since, by a parallel
        // request, which ended its sessions too.
        return Err(AppError::unauthenticated());
    };
    if !verify_password(password.to_string(), Some(stored_hash.clone())).await {
        // The try stays counted.
        return Err(AppError::field(field, t.wrong_current));
    }
    Ok(Proved { stored_hash, key })
}

/// Why a new password cannot be stored.
#[derive(Debug)]
pub enum Unusable {
    /// Common or easy to guess: the sentence tells the user why.
    Weak(String),
    /// Hashing failed (our fault; the text is for the log).
    NotHashed(String),
}

impl Unusable {
    /// As a form answers it: a weak password is an error on `field`.
    pub fn on_field(self, field: &str) -> AppError {
        match self {
            Unusable::Weak(message) => AppError::field(field, message),
            Unusable::NotHashed(e) => crate::server::request::internal("hashing a password", e),
        }
    }
}

/// Checks what only the server can check and hashes the password. `names` are the account's
/// username and e-mail. Both steps run off the async threads. A weak password is worded in the
/// request's language (English where there is none, as for `create-reviewer`).
pub async fn check_and_hash(password: &Password, names: &[&str]) -> Result<String, Unusable> {
    let t = &crate::i18n::t().accounts.passwords;
    match strong_enough_off_thread(password.expose(), names).await {
        Some(true) => {}
        Some(false) => return Err(Unusable::Weak(t.too_weak.into())),
        None => return Err(Unusable::Weak(t.not_checked.into())),
    }
    hash_password(password.expose().to_string())
        .await
        .map_err(|e| Unusable::NotHashed(e.to_string()))
}

/// Whether a password is neither common nor easy to guess from the account's own names (only
/// zxcvbn's score is used; its English feedback is never shown).
fn strong_enough(password: &str, names: &[&str]) -> bool {
    zxcvbn::zxcvbn(password, names).score() >= zxcvbn::Score::Two
}

/// `strong_enough` on the blocking pool: zxcvbn's matching grows with the length (up to 128
/// characters here) and must not hold up an async worker. `None`: it could not be checked.
async fn strong_enough_off_thread(password: &str, names: &[&str]) -> Option<bool> {
    let password = password.to_string();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        strong_enough(&password, &names)
    })
    .await
    .ok()
}
