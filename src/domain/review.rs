//! What a reviewer decides about an application.

use super::{Invalid, Named};
use serde::{Deserialize, Serialize};

/// A reviewer's decision: a rejection always carries its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject(RejectionReason),
}

impl Decision {
    pub fn key(&self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject(_) => "reject",
        }
    }

    /// The status the application gets.
    pub fn status(&self) -> super::Status {
        match self {
            Decision::Approve => super::Status::Approved,
            Decision::Reject(_) => super::Status::Rejected,
        }
    }

    /// The reason the applicant is told ("" for an approval).
    pub fn reason(&self) -> &str {
        match self {
            Decision::Approve => "",
            Decision::Reject(reason) => reason.as_str(),
        }
    }
}

/// Why an application was rejected; shown to the applicant, so it is required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionReason(String);

impl RejectionReason {
    pub const MIN: usize = 10;
    pub const MAX: usize = 1000;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Invalid::ReasonMissing);
        }
        if s.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(Invalid::ReasonControlChars);
        }
        let n = s.chars().count();
        if n < Self::MIN {
            return Err(Invalid::ReasonTooShort { min: Self::MIN });
        }
        if n > Self::MAX {
            return Err(Invalid::TooLong {
                what: Named::RejectionReason,
                max: Self::MAX,
                len: n,
            });
        }
        Ok(Self(s.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_bounded_and_printable() {
        assert!(RejectionReason::parse("   ").is_err());
        assert!(RejectionReason::parse("too short").is_err());
        assert!(RejectionReason::parse(&"x".repeat(1001)).is_err());
        assert!(RejectionReason::parse("The logo is blurry\u{0007}").is_err());
        assert_eq!(
            RejectionReason::parse("  The logo is blurry.\r\nPlease upload a sharper one. ")
                .unwrap()
                .as_str(),
            "The logo is blurry.\nPlease upload a sharper one."
        );
    }
}
