use super::Invalid;
use serde::{Deserialize, Serialize};

/// A password that meets the length rule and does not contain the account's own names.
/// Whether it is *common* is decided on the server only (the word lists are large).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// `names` are the username and e-mail the password must not contain (empty ones are skipped).
    pub fn parse(input: &str, names: &[&str]) -> Result<Self, Invalid> {
        let n = input.chars().count();
        if n == 0 {
            return Err(Invalid::PasswordMissing);
        }
        if n < Self::MIN {
            return Err(Invalid::PasswordTooShort { min: Self::MIN });
        }
        if n > Self::MAX {
            return Err(Invalid::PasswordTooLong { max: Self::MAX });
        }
        let lower = input.to_lowercase();
        for name in names {
            let name = name.trim().to_lowercase();
            let local = name.split('@').next().unwrap_or_default();
            let too_close = |part: &str| part.chars().count() >= 3 && lower.contains(part);
            if too_close(&name) || too_close(local) {
                return Err(Invalid::PasswordHasName);
            }
        }
        Ok(Self(input.to_string()))
    }

    /// Reads a password for sign-in, where only the bounds matter.
    pub fn for_sign_in(input: &str) -> Result<Self, Invalid> {
        match input.chars().count() {
            0 => Err(Invalid::SignInPasswordMissing),
            n if n > Self::MAX => Err(Invalid::SignInIncorrect),
            _ => Ok(Self(input.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn length_bounds_count_characters_not_bytes() {
        assert!(Password::parse("short", &[]).is_err());
        assert!(Password::parse("ünïcödé✓", &[]).is_ok());
        assert!(Password::parse("correct horse 🐎", &[]).is_ok());
        assert!(Password::parse(&"x".repeat(129), &[]).is_err());
        assert!(Password::parse(&"x".repeat(128), &[]).is_ok());
    }

    #[test]
    fn refuses_the_account_names() {
        assert!(Password::parse("my-annlee-secret", &["AnnLee", ""]).is_err());
        assert!(Password::parse("xx ann.lee@example.com", &["", "ann.lee@example.com"]).is_err());
        assert!(Password::parse("totally unrelated", &["annlee", "ann@example.com"]).is_ok());
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let p = Password::parse("hunter2hunter2", &[]).unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
