//! A new password past its parse (sign-up, password reset, `create-reviewer`): not common nor
//! guessable from the account's names (zxcvbn, server only: the word lists are large), then
//! hashed with argon2id. One way for all three.

use crate::domain::Password;
use crate::error::AppError;
use crate::server::crypto::hash_password;

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
/// username and e-mail. Both steps run off the async threads.
pub async fn check_and_hash(password: &Password, names: &[&str]) -> Result<String, Unusable> {
    if let Some(message) = weakness_off_thread(password.expose(), names).await {
        return Err(Unusable::Weak(message));
    }
    hash_password(password.expose().to_string())
        .await
        .map_err(|e| Unusable::NotHashed(e.to_string()))
}

/// Passwords that are common or easy to guess from the account's own names.
fn weakness(password: &str, names: &[&str]) -> Option<String> {
    let entropy = zxcvbn::zxcvbn(password, names);
    if entropy.score() < zxcvbn::Score::Two {
        Some(
            "This password is too common or easy to guess. Try a longer phrase of unrelated words."
                .into(),
        )
    } else {
        None
    }
}

/// `weakness` on the blocking pool: zxcvbn's matching grows with the length (up to 128
/// characters here) and must not hold up an async worker.
async fn weakness_off_thread(password: &str, names: &[&str]) -> Option<String> {
    let password = password.to_string();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        weakness(&password, &names)
    })
    .await
    .unwrap_or_else(|_| Some("This password could not be checked. Try another.".into()))
}
