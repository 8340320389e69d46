//! What a person types at a second-factor prompt: the six digits their authenticator app
//! shows, or one of their recovery codes. One parse for the browser and the server.

use super::Invalid;

/// How many characters a recovery code has (shown as two groups of five).
pub const RECOVERY_CODE_LEN: usize = 10;
/// The letters and digits recovery codes are made of: no `i`, `l`, `o` or `u` to misread.
pub const RECOVERY_ALPHABET: &str = "0123456789abcdefghjkmnpqrstvwxyz";

/// A second-factor code as typed (spaces and hyphens dropped, letters lower-cased).
#[derive(Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits from an authenticator app.
    App(String),
    /// A recovery code.
    Recovery(String),
}

impl std::fmt::Debug for SecondFactorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecondFactorCode::App(_) => f.write_str("App(******)"),
            SecondFactorCode::Recovery(_) => f.write_str("Recovery(**********)"),
        }
    }
}

impl SecondFactorCode {
    /// An app code or a recovery code.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if s.is_empty() {
            return Err(Invalid::SecondFactorCodeMissing);
        }
        if s.len() == 6 && s.chars().all(|c| c.is_ascii_digit()) {
            return Ok(Self::App(s));
        }
        if s.len() == RECOVERY_CODE_LEN && s.chars().all(|c| RECOVERY_ALPHABET.contains(c)) {
            return Ok(Self::Recovery(s));
        }
        Err(Invalid::SecondFactorCodeFormat)
    }

    /// Only the six digits of an app (setting one up: there are no recovery codes yet).
    pub fn parse_app(input: &str) -> Result<Self, Invalid> {
        match Self::parse(input) {
            Ok(Self::Recovery(_)) => Err(Invalid::AppCodeFormat),
            Err(Invalid::SecondFactorCodeFormat) => Err(Invalid::AppCodeFormat),
            Err(Invalid::SecondFactorCodeMissing) => Err(Invalid::AppCodeMissing),
            other => other,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::App(s) | Self::Recovery(s) => s,
        }
    }
}

/// What a person calls one of their passkeys ("Work laptop"), so that they can tell them apart
/// when removing one: one line, 1 to 60 characters.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub const MAX: usize = 60;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        super::text(input, super::Named::PasskeyName, 1, Self::MAX, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A recovery code as shown: two groups of five (`abcde-fghjk`).
pub fn recovery_code_display(code: &str) -> String {
    if code.len() == RECOVERY_CODE_LEN {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_codes_and_recovery_codes_are_told_apart() {
        assert_eq!(
            SecondFactorCode::parse(" 123 456 "),
            Ok(SecondFactorCode::App("123456".into()))
        );
        assert_eq!(
            SecondFactorCode::parse("ABCDE-FGHJK"),
            Ok(SecondFactorCode::Recovery("abcdefghjk".into()))
        );
        assert_eq!(
            SecondFactorCode::parse(""),
            Err(Invalid::SecondFactorCodeMissing)
        );
        for bad in [
            "12345",
            "1234567",
            "abcde-fghji",
            "abcdefghj",
            "١٢٣٤٥٦",
            "12345a",
        ] {
            assert_eq!(
                SecondFactorCode::parse(bad),
                Err(Invalid::SecondFactorCodeFormat),
                "{bad:?}"
            );
        }
        assert_eq!(
            SecondFactorCode::parse_app("abcde-fghjk"),
            Err(Invalid::AppCodeFormat)
        );
        assert_eq!(
            SecondFactorCode::parse_app(" "),
            Err(Invalid::AppCodeMissing)
        );
        assert_eq!(recovery_code_display("abcdefghjk"), "abcde-fghjk");
    }

    #[test]
    fn passkey_names_are_one_short_line() {
        assert_eq!(
            PasskeyName::parse("  Work laptop ").unwrap().as_str(),
            "Work laptop"
        );
        assert!(matches!(
            PasskeyName::parse(" "),
            Err(Invalid::Missing { .. })
        ));
        assert!(matches!(
            PasskeyName::parse("a\nb"),
            Err(Invalid::ControlChars { .. })
        ));
        assert!(matches!(
            PasskeyName::parse(&"x".repeat(61)),
            Err(Invalid::TooLong {
                max: 60,
                len: 61,
                ..
            })
        ));
        assert!(PasskeyName::parse(&"x".repeat(60)).is_ok());
    }
}
