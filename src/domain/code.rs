//! E-mailed verification codes: the six digits a person types, and the two numbers the pages
//! show and the server enforces (one definition for both).

use super::Invalid;
use serde::{Deserialize, Serialize};

/// How long an e-mailed code works.
pub const CODE_VALID_MINUTES: u64 = 10;
/// How long after a code is sent before another may be asked for (per address and purpose).
pub const CODE_RESEND_SECONDS: u64 = 60;

/// The six digits of an e-mailed verification code (spaces a person may type are dropped).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationCode(String);

impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(******)")
    }
}

impl VerificationCode {
    pub const LEN: usize = 6;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(Invalid::CodeMissing);
        }
        if s.len() != Self::LEN || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(Invalid::CodeFormat);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::VerificationCode;

    #[test]
    fn six_digits_only() {
        assert_eq!(
            VerificationCode::parse(" 123 456 ").unwrap().as_str(),
            "123456"
        );
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert!(
                VerificationCode::parse(bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }
}
