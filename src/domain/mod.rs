//! Values that are valid by construction: each is built only through `parse`, which runs
//! unchanged in the browser (instant field errors) and on the server (the authority).

mod business;
mod code;
mod email;
mod password;
mod review;
mod username;

pub use business::{
    countries, BusinessAddress, CompanyName, CountryCode, PhoneNumberInput, Representative, Role,
    Status, Website,
};
pub use code::VerificationCode;
pub use email::Email;
pub use password::{Password, PASSWORD_RULE};
pub use review::{Decision, RejectionReason};
pub use username::{Username, USERNAME_RULE};

/// Rejects text with control characters (anything a person cannot type into a field).
pub(crate) fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}
