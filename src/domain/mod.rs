//! Values that are valid by construction: each is built only through `parse`, which runs
//! unchanged in the browser (instant field errors) and on the server (the authority).

mod business;
mod code;
mod email;
mod invalid;
mod password;
mod review;
mod second_factor;
mod username;

pub use business::{
    countries, BusinessAddress, CompanyName, CountryCode, PhoneNumberInput, Representative, Role,
    Status, Website,
};
pub use code::{VerificationCode, CODE_RESEND_SECONDS, CODE_VALID_MINUTES};
pub use email::Email;
pub use invalid::{Invalid, Named};
pub use password::Password;
pub use review::{BusinessField, ChangeRequest, Decision, FieldRequest, RejectionReason};
pub use second_factor::{
    recovery_code_display, PasskeyName, SecondFactorCode, RECOVERY_ALPHABET, RECOVERY_CODE_LEN,
};
pub use username::Username;

/// A stored key that none of a type's values has (say a status written by a newer version):
/// rows decode it loudly into this error, never into a default.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownKey {
    pub what: &'static str,
    pub value: String,
}

/// Text a person typed, trimmed, of `min` to `max` characters, empty being `Missing`: one line
/// (no control characters at all), or with `lines` several (line breaks and tabs allowed,
/// CRLF kept as LF).
pub(crate) fn text(
    input: &str,
    what: Named,
    min: usize,
    max: usize,
    lines: bool,
) -> Result<String, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Invalid::Missing { what });
    }
    let forbidden = |c: char| c.is_control() && !(lines && matches!(c, '\n' | '\r' | '\t'));
    if s.chars().any(forbidden) {
        return Err(Invalid::ControlChars { what });
    }
    let n = s.chars().count();
    if n < min {
        return Err(Invalid::TooShort { what, min });
    }
    if n > max {
        return Err(Invalid::TooLong { what, max, len: n });
    }
    Ok(if lines {
        s.replace("\r\n", "\n")
    } else {
        s.to_string()
    })
}

/// Rejects text with control characters (anything a person cannot type into a field).
pub(crate) fn has_control_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}
