use super::Invalid;
use serde::{Deserialize, Serialize};

/// A username as the person chose it: 3 to 32 letters, digits, dots, underscores or hyphens
/// (the pages say it as `i18n`'s `invalid.username_rule`); uniqueness ignores case (see `key`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Invalid::UsernameMissing);
        }
        let n = s.chars().count();
        if !(3..=32).contains(&n) {
            return Err(Invalid::UsernameLength);
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(Invalid::UsernameChars);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two usernames are compared in: `Ann` and `ann` are the same name.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn accepts_the_allowed_alphabet() {
        assert_eq!(
            Username::parse(" ann.lee_2-x ").unwrap().as_str(),
            "ann.lee_2-x"
        );
        assert_eq!(Username::parse("Ann").unwrap().key(), "ann");
    }

    #[test]
    fn rejects_lengths_and_characters_outside_the_rule() {
        for bad in [
            "",
            "ab",
            &"a".repeat(33),
            "ann lee",
            "ann@lee",
            "änn",
            "<b>x</b>",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Username::parse(&"a".repeat(32)).is_ok());
    }
}
