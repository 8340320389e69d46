use super::Invalid;
use serde::{Deserialize, Serialize};

/// An e-mail address, trimmed and lower-cased so that one mailbox is one account.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Invalid::EmailMissing);
        }
        if s.len() > Self::MAX_LEN {
            return Err(Invalid::EmailTooLong { max: Self::MAX_LEN });
        }
        if super::has_control_chars(s) || s.chars().any(char::is_whitespace) {
            return Err(Invalid::EmailSpaces);
        }
        let invalid = || Invalid::EmailFormat;
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(invalid());
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(invalid());
        }
        if local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']) {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(invalid());
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-');
            if !ok {
                return Err(invalid());
            }
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_and_normalises_ordinary_addresses() {
        assert_eq!(
            Email::parse("  Ann.Lee@Example.COM ").unwrap().as_str(),
            "ann.lee@example.com"
        );
        assert!(Email::parse("a+tag@sub.example.co").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@example",
            "a b@example.com",
            "a@@example.com",
            "a@exa_mple.com",
            "a..b@example.com",
            "a@-example.com",
            "<script>@example.com",
            "a\u{7}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
