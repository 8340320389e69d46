//! The business information of an application (seed Step 2), one type per field.

use super::{Invalid, Named};
use serde::{Deserialize, Serialize};

fn bounded(input: &str, what: Named, min: usize, max: usize) -> Result<String, Invalid> {
    super::text(input, what, min, max, false)
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $what:ident, $min:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(input: &str) -> Result<Self, Invalid> {
                bounded(input, Named::$what, $min, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

bounded_text!(
    /// The official registered name; it becomes the workspace name.
    CompanyName, CompanyName, 2, 100
);
bounded_text!(BusinessAddress, BusinessAddress, 5, 300);
bounded_text!(Representative, Representative, 2, 100);

/// An ISO 3166-1 country or region, kept as its alpha-2 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountryCode(&'static str);

/// Every ISO 3166-1 country and region as (alpha-2, name), sorted by name.
pub fn countries() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = celes::Country::get_countries()
        .iter()
        .map(|c| (c.alpha2, c.long_name))
        .collect();
    all.sort_by(|a, b| a.1.cmp(b.1));
    all.dedup_by(|a, b| a.0 == b.0);
    all
}

impl CountryCode {
    /// Accepts an alpha-2 code or a country's name as listed (any case).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Invalid::CountryMissing);
        }
        let found = celes::Country::get_countries()
            .into_iter()
            .find(|c| c.alpha2.eq_ignore_ascii_case(s) || c.long_name.eq_ignore_ascii_case(s));
        match found {
            Some(c) => Ok(Self(c.alpha2)),
            None => Err(Invalid::CountryUnknown),
        }
    }

    pub fn code(&self) -> &'static str {
        self.0
    }

    pub fn name(&self) -> &'static str {
        celes::Country::from_alpha2(self.0)
            .map(|c| c.long_name)
            .unwrap_or(self.0)
    }
}

/// A company website: an http or https URL, normalised (scheme added when missing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Website(String);

impl Website {
    pub const MAX: usize = 200;

    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > Self::MAX || super::has_control_chars(s) {
            return Err(Invalid::WebsiteFormat);
        }
        let with_scheme = if s.contains("://") {
            s.to_string()
        } else {
            format!("https://{s}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|_| Invalid::WebsiteFormat)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Invalid::WebsiteScheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Invalid::WebsiteFormat);
        }
        match url.host_str() {
            Some(h) if h.contains('.') && !h.starts_with('.') && !h.ends_with('.') => {}
            _ => return Err(Invalid::WebsiteFormat),
        }
        Ok(Self(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shape of a phone number as typed. The server also checks that the number exists in
/// its country's numbering plan and stores it as E.164 (see `onboarding`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneNumberInput(String);

impl PhoneNumberInput {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let s = input.trim();
        let ok_chars = s
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
        let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
        if s.is_empty() || !ok_chars || !(5..=17).contains(&digits) {
            return Err(Invalid::PhoneFormat);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The role an applicant takes on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Isv,
    Merchant,
}

impl Role {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        match input.trim().to_ascii_lowercase().as_str() {
            "isv" => Ok(Role::Isv),
            "merchant" => Ok(Role::Merchant),
            _ => Err(Invalid::RoleUnknown),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Role::Isv => "isv",
            Role::Merchant => "merchant",
        }
    }

    /// The role's name, in the page's (or the request's) language.
    pub fn label(self) -> &'static str {
        let t = &crate::i18n::t().onboarding;
        match self {
            Role::Isv => t.role_isv,
            Role::Merchant => t.role_merchant,
        }
    }

    pub fn description(self) -> &'static str {
        let t = &crate::i18n::t().onboarding;
        match self {
            Role::Isv => t.role_isv_description,
            Role::Merchant => t.role_merchant_description,
        }
    }
}

/// Stored roles decode by their exact key (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Role {
    type Error = super::UnknownKey;

    fn try_from(key: String) -> Result<Self, Self::Error> {
        [Role::Isv, Role::Merchant]
            .into_iter()
            .find(|r| r.key() == key)
            .ok_or(super::UnknownKey {
                what: "role",
                value: key,
            })
    }
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Draft,
    UnderReview,
    Approved,
    Rejected,
    /// A reviewer asked for changes: the applicant edits it and submits the next round.
    ChangesRequested,
}

impl Status {
    /// Every status, in the order of its life (pages list them so).
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::UnderReview,
        Status::ChangesRequested,
        Status::Approved,
        Status::Rejected,
    ];

    /// The statuses of submitted applications: what the reviewers' queue counts and filters.
    pub const SUBMITTED: [Status; 4] = [
        Status::UnderReview,
        Status::ChangesRequested,
        Status::Approved,
        Status::Rejected,
    ];

    /// Reads a key (a stored one, or a filter in a query string). Not what a person types, so
    /// its error is a plain note for logs and tests rather than an [`Invalid`].
    pub fn parse(input: &str) -> Result<Self, String> {
        match input {
            "draft" => Ok(Status::Draft),
            "under_review" => Ok(Status::UnderReview),
            "approved" => Ok(Status::Approved),
            "rejected" => Ok(Status::Rejected),
            "changes_requested" => Ok(Status::ChangesRequested),
            other => Err(format!("unknown status {other}")),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::UnderReview => "under_review",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::ChangesRequested => "changes_requested",
        }
    }

    /// The status's name, in the page's (or the request's) language.
    pub fn label(self) -> &'static str {
        let t = &crate::i18n::t().onboarding;
        match self {
            Status::Draft => t.status_draft,
            Status::UnderReview => t.status_under_review,
            Status::Approved => t.status_approved,
            Status::Rejected => t.status_rejected,
            Status::ChangesRequested => t.status_changes_requested,
        }
    }
}

/// Stored statuses decode by their exact key (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for Status {
    type Error = super::UnknownKey;

    fn try_from(key: String) -> Result<Self, Self::Error> {
        Status::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .ok_or(super::UnknownKey {
                what: "status",
                value: key,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_have_bounds_and_no_control_characters() {
        assert_eq!(
            CompanyName::parse("  Acme Pte. Ltd. ").unwrap().as_str(),
            "Acme Pte. Ltd."
        );
        assert!(CompanyName::parse("A").is_err());
        assert!(CompanyName::parse(&"x".repeat(101)).is_err());
        assert!(CompanyName::parse("Acme\nLtd").is_err());
        assert!(BusinessAddress::parse("1 Main").is_ok());
        assert!(BusinessAddress::parse("abc").is_err());
        assert!(Representative::parse("").is_err());
        // Looks like markup: kept literally, escaped when shown.
        let tricky = "</script><img src=x onerror=alert(1)>";
        assert_eq!(CompanyName::parse(tricky).unwrap().as_str(), tricky);
    }

    #[test]
    fn countries_are_all_of_iso_3166_by_code_or_name() {
        let all = countries();
        assert!(all.len() >= 245, "{}", all.len());
        assert_eq!(CountryCode::parse("sg").unwrap().code(), "SG");
        assert_eq!(CountryCode::parse("Singapore").unwrap().code(), "SG");
        assert_eq!(CountryCode::parse("SG").unwrap().name(), "Singapore");
        assert!(CountryCode::parse("Atlantis").is_err());
        assert!(CountryCode::parse("").is_err());
    }

    #[test]
    fn websites_are_http_urls_normalised() {
        assert_eq!(
            Website::parse("Example.COM").unwrap().as_str(),
            "https://example.com/"
        );
        assert_eq!(
            Website::parse("http://shop.example.com/a?b=1")
                .unwrap()
                .as_str(),
            "http://shop.example.com/a?b=1"
        );
        for bad in [
            "ftp://example.com",
            "javascript:alert(1)",
            "localhost",
            "https://user:pw@example.com",
            "not a url",
        ] {
            assert!(Website::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_shapes() {
        assert!(PhoneNumberInput::parse("+65 6123 4567").is_ok());
        assert!(PhoneNumberInput::parse("(021) 555-0100").is_ok());
        for bad in ["", "abc", "12", "+1 555 0100 ext 2", "1+2345678"] {
            assert!(PhoneNumberInput::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles() {
        assert_eq!(Role::parse("ISV").unwrap(), Role::Isv);
        assert_eq!(Role::parse("merchant").unwrap().label(), "Merchant");
        assert!(Role::parse("reviewer").is_err());
    }

    #[test]
    fn stored_keys_decode_exactly_or_fail() {
        assert_eq!(Role::try_from("merchant".to_string()), Ok(Role::Merchant));
        assert!(Role::try_from("ISV".to_string()).is_err());
        assert_eq!(
            Status::try_from("under_review".to_string()),
            Ok(Status::UnderReview)
        );
        let unknown = Status::try_from("archived".to_string()).unwrap_err();
        assert_eq!(unknown.to_string(), "unknown status \"archived\"");
    }
}
