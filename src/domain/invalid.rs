//! Why a domain `parse` refused its input: a code with its parameters, worded only when shown
//! (in the browser or on the server), in the language of the page or request (`i18n`).

use crate::i18n::{fill, FieldErrors};
use serde::{Deserialize, Serialize};

/// A field whose name a sentence of [`Invalid`] mentions ("Enter the company name.").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Named {
    CompanyName,
    BusinessAddress,
    Representative,
    RejectionReason,
    /// A reviewer's note on a field they ask to change.
    ChangeNote,
    /// The general note of a request for changes.
    GeneralNote,
    /// What a person calls one of their passkeys.
    PasskeyName,
}

/// What is wrong with a value typed into a field; `message` says it to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invalid {
    /// A required text field is empty.
    Missing {
        what: Named,
    },
    /// A one-line text field holds a line break or another control character.
    ControlChars {
        what: Named,
    },
    /// Fewer than `min` characters.
    TooShort {
        what: Named,
        min: usize,
    },
    /// More than `max` characters; `len` is how many it has.
    TooLong {
        what: Named,
        max: usize,
        len: usize,
    },
    CountryMissing,
    /// Neither an alpha-2 code nor a listed name.
    CountryUnknown,
    /// Not a web address with a host (or one with a user name or password in it).
    WebsiteFormat,
    /// A scheme other than http or https.
    WebsiteScheme,
    /// Not a phone number's shape (digits, spaces, `-().` and a leading `+`).
    PhoneFormat,
    /// Neither of the roles an applicant can choose.
    RoleUnknown,
    CodeMissing,
    /// Not exactly six digits.
    CodeFormat,
    EmailMissing,
    EmailTooLong {
        max: usize,
    },
    /// Spaces or control characters.
    EmailSpaces,
    /// Not the shape of an address.
    EmailFormat,
    PasswordMissing,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong {
        max: usize,
    },
    /// Contains the account's username or e-mail.
    PasswordHasName,
    /// Sign-in without a password.
    SignInPasswordMissing,
    /// A sign-in password longer than any password can be: refused as a wrong password is, so
    /// that the answer says nothing more.
    SignInIncorrect,
    /// A request for changes that picks no field.
    NoFieldChosen,
    /// A rejection without its reason.
    ReasonMissing,
    /// Control characters other than line breaks and tabs.
    ReasonControlChars,
    ReasonTooShort {
        min: usize,
    },
    UsernameMissing,
    /// Outside the length the username rule allows (3 to 32 characters).
    UsernameLength,
    /// Characters outside those the username rule allows.
    UsernameChars,
    /// Nothing typed at a second-factor prompt.
    SecondFactorCodeMissing,
    /// Neither six digits nor a recovery code.
    SecondFactorCodeFormat,
    /// Setting up an authenticator without its code.
    AppCodeMissing,
    /// Setting up an authenticator with something other than six digits.
    AppCodeFormat,
}

impl Invalid {
    /// The sentence shown under the field, in the page's (or the request's) language.
    pub fn message(&self) -> String {
        words(self, &crate::i18n::t().invalid)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Every sentence of every [`Invalid`], and the names of the fields they mention, from one
/// language's catalogue (`i18n`'s `FieldErrors`).
fn words(invalid: &Invalid, t: &FieldErrors) -> String {
    let name = |what: Named| match what {
        Named::CompanyName => t.company_name,
        Named::BusinessAddress => t.business_address,
        Named::Representative => t.representative,
        Named::RejectionReason => t.rejection_reason,
        Named::ChangeNote => t.change_note,
        Named::GeneralNote => t.general_note,
        Named::PasskeyName => t.passkey_name,
    };
    match invalid {
        Invalid::Missing { what } => fill(t.missing, &[("what", &name(*what))]),
        Invalid::ControlChars { what } => fill(t.control_chars, &[("what", &name(*what))]),
        Invalid::TooShort { what, min } => {
            fill(t.too_short, &[("what", &name(*what)), ("min", min)])
        }
        Invalid::TooLong { what, max, len } => fill(
            t.too_long,
            &[("what", &name(*what)), ("max", max), ("len", len)],
        ),
        Invalid::CountryMissing => t.country_missing.into(),
        Invalid::CountryUnknown => t.country_unknown.into(),
        Invalid::WebsiteFormat => t.website_format.into(),
        Invalid::WebsiteScheme => t.website_scheme.into(),
        Invalid::PhoneFormat => t.phone_format.into(),
        Invalid::RoleUnknown => t.role_unknown.into(),
        Invalid::CodeMissing => t.code_missing.into(),
        Invalid::CodeFormat => t.code_format.into(),
        Invalid::EmailMissing => t.email_missing.into(),
        Invalid::EmailTooLong { max } => fill(t.email_too_long, &[("max", max)]),
        Invalid::EmailSpaces => t.email_spaces.into(),
        Invalid::EmailFormat => t.email_format.into(),
        Invalid::PasswordMissing => t.password_missing.into(),
        Invalid::PasswordTooShort { min } => fill(t.password_too_short, &[("min", min)]),
        Invalid::PasswordTooLong { max } => fill(t.password_too_long, &[("max", max)]),
        Invalid::PasswordHasName => t.password_has_name.into(),
        Invalid::SignInPasswordMissing => t.sign_in_password_missing.into(),
        Invalid::SignInIncorrect => t.sign_in_incorrect.into(),
        Invalid::NoFieldChosen => t.no_field_chosen.into(),
        Invalid::ReasonMissing => t.reason_missing.into(),
        Invalid::ReasonControlChars => t.reason_control_chars.into(),
        Invalid::ReasonTooShort { min } => fill(t.reason_too_short, &[("min", min)]),
        Invalid::UsernameMissing => t.username_missing.into(),
        Invalid::UsernameLength => t.username_length.into(),
        Invalid::UsernameChars => t.username_chars.into(),
        Invalid::SecondFactorCodeMissing => t.second_factor_code_missing.into(),
        Invalid::SecondFactorCodeFormat => t.second_factor_code_format.into(),
        Invalid::AppCodeMissing => t.app_code_missing.into(),
        Invalid::AppCodeFormat => t.app_code_format.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Invalid, Named};

    /// Every code with the sentence it said before codes existed (pages, tests and end-to-end
    /// specs match them word for word).
    fn catalogue() -> Vec<(Invalid, &'static str)> {
        use Invalid::*;
        use Named::*;
        vec![
            (Missing { what: CompanyName }, "Enter the company name."),
            (Missing { what: BusinessAddress }, "Enter the business address."),
            (
                Missing { what: Representative },
                "Enter the business representative.",
            ),
            (
                ControlChars { what: CompanyName },
                "The company name cannot contain line breaks or control characters.",
            ),
            (
                ControlChars { what: BusinessAddress },
                "The business address cannot contain line breaks or control characters.",
            ),
            (
                TooShort { what: CompanyName, min: 2 },
                "The company name needs at least 2 characters.",
            ),
            (
                TooShort { what: BusinessAddress, min: 5 },
                "The business address needs at least 5 characters.",
            ),
            (
                TooShort { what: Representative, min: 2 },
                "The business representative needs at least 2 characters.",
            ),
            (
                TooLong { what: CompanyName, max: 100, len: 101 },
                "The company name can have at most 100 characters (this one has 101).",
            ),
            (
                TooLong { what: Representative, max: 100, len: 120 },
                "The business representative can have at most 100 characters (this one has 120).",
            ),
            (
                TooLong { what: RejectionReason, max: 1000, len: 1001 },
                "The reason can have at most 1000 characters (this one has 1001).",
            ),
            (
                CountryMissing,
                "Select the country or region where your company is registered.",
            ),
            (CountryUnknown, "Select a country or region from the list."),
            (
                WebsiteFormat,
                "Enter a web address like https://www.example.com.",
            ),
            (
                WebsiteScheme,
                "The website must start with http:// or https://.",
            ),
            (
                PhoneFormat,
                "Enter a phone number with its country code, like +65 6123 4567.",
            ),
            (RoleUnknown, "Choose ISV or Merchant."),
            (CodeMissing, "Enter the 6-digit code we emailed you."),
            (CodeFormat, "The code has exactly 6 digits."),
            (EmailMissing, "Enter your email address."),
            (
                EmailTooLong { max: 254 },
                "An email address has at most 254 characters.",
            ),
            (EmailSpaces, "An email address cannot contain spaces."),
            (EmailFormat, "Enter an email address like name@example.com."),
            (PasswordMissing, "Enter a password."),
            (PasswordTooShort { min: 8 }, "Use at least 8 characters."),
            (PasswordTooLong { max: 128 }, "Use at most 128 characters."),
            (
                PasswordHasName,
                "Your password must not contain your username or email.",
            ),
            (SignInPasswordMissing, "Enter your password."),
            (SignInIncorrect, "Incorrect email, username or password."),
            (
                ReasonMissing,
                "Enter the reason for rejecting. The applicant will see it.",
            ),
            (
                ReasonControlChars,
                "The reason cannot contain control characters.",
            ),
            (
                ReasonTooShort { min: 10 },
                "Say a little more (at least 10 characters), so the applicant knows what to change.",
            ),
            (UsernameMissing, "Choose a username."),
            (
                UsernameLength,
                "A username has 3 to 32 characters: letters, digits, dots, underscores or hyphens.",
            ),
            (
                UsernameChars,
                "Use only letters, digits, dots (.), underscores (_) and hyphens (-).",
            ),
        ]
    }

    #[test]
    fn every_code_says_its_english_sentence() {
        for (invalid, sentence) in catalogue() {
            assert_eq!(invalid.message(), sentence, "{invalid:?}");
            assert_eq!(invalid.to_string(), sentence, "{invalid:?}");
        }
    }

    #[test]
    fn parsers_answer_with_the_codes() {
        use crate::domain::*;
        assert_eq!(
            CompanyName::parse(" ").unwrap_err(),
            Invalid::Missing {
                what: Named::CompanyName
            }
        );
        assert_eq!(
            CompanyName::parse(&"x".repeat(101)).unwrap_err().message(),
            "The company name can have at most 100 characters (this one has 101)."
        );
        assert_eq!(
            BusinessAddress::parse("abc").unwrap_err(),
            Invalid::TooShort {
                what: Named::BusinessAddress,
                min: 5
            }
        );
        assert_eq!(
            Representative::parse("Ann\tLee").unwrap_err(),
            Invalid::ControlChars {
                what: Named::Representative
            }
        );
        assert_eq!(CountryCode::parse("").unwrap_err(), Invalid::CountryMissing);
        assert_eq!(
            CountryCode::parse("Atlantis").unwrap_err(),
            Invalid::CountryUnknown
        );
        assert_eq!(
            Website::parse("ftp://example.com").unwrap_err(),
            Invalid::WebsiteScheme
        );
        assert_eq!(
            Website::parse("localhost").unwrap_err(),
            Invalid::WebsiteFormat
        );
        assert_eq!(
            PhoneNumberInput::parse("abc").unwrap_err(),
            Invalid::PhoneFormat
        );
        assert_eq!(Role::parse("reviewer").unwrap_err(), Invalid::RoleUnknown);
        assert_eq!(
            VerificationCode::parse("").unwrap_err(),
            Invalid::CodeMissing
        );
        assert_eq!(
            VerificationCode::parse("12345").unwrap_err(),
            Invalid::CodeFormat
        );
        assert_eq!(Email::parse("").unwrap_err(), Invalid::EmailMissing);
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(250))).unwrap_err(),
            Invalid::EmailTooLong { max: 254 }
        );
        assert_eq!(
            Email::parse("a b@example.com").unwrap_err(),
            Invalid::EmailSpaces
        );
        assert_eq!(Email::parse("plain").unwrap_err(), Invalid::EmailFormat);
        assert_eq!(
            Password::parse("", &[]).unwrap_err(),
            Invalid::PasswordMissing
        );
        assert_eq!(
            Password::parse("short", &[]).unwrap_err(),
            Invalid::PasswordTooShort { min: 8 }
        );
        assert_eq!(
            Password::parse(&"x".repeat(129), &[]).unwrap_err(),
            Invalid::PasswordTooLong { max: 128 }
        );
        assert_eq!(
            Password::parse("my-annlee-secret", &["annlee"]).unwrap_err(),
            Invalid::PasswordHasName
        );
        assert_eq!(
            Password::for_sign_in("").unwrap_err(),
            Invalid::SignInPasswordMissing
        );
        assert_eq!(
            Password::for_sign_in(&"x".repeat(129)).unwrap_err(),
            Invalid::SignInIncorrect
        );
        assert_eq!(
            RejectionReason::parse(" ").unwrap_err(),
            Invalid::ReasonMissing
        );
        assert_eq!(
            RejectionReason::parse("The logo is blurry\u{0007}").unwrap_err(),
            Invalid::ReasonControlChars
        );
        assert_eq!(
            RejectionReason::parse("too short").unwrap_err(),
            Invalid::ReasonTooShort { min: 10 }
        );
        assert_eq!(
            RejectionReason::parse(&"x".repeat(1001)).unwrap_err(),
            Invalid::TooLong {
                what: Named::RejectionReason,
                max: 1000,
                len: 1001
            }
        );
        assert_eq!(Username::parse(" ").unwrap_err(), Invalid::UsernameMissing);
        assert_eq!(Username::parse("ab").unwrap_err(), Invalid::UsernameLength);
        assert_eq!(
            Username::parse("ann lee").unwrap_err(),
            Invalid::UsernameChars
        );
    }

    #[test]
    fn codes_survive_a_round_trip_through_json() {
        for (invalid, _) in catalogue() {
            let json = serde_json::to_string(&invalid).unwrap();
            let back: Invalid = serde_json::from_str(&json).unwrap();
            assert_eq!(back, invalid, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&Invalid::TooShort {
                what: Named::CompanyName,
                min: 2
            })
            .unwrap(),
            r#"{"TooShort":{"what":"CompanyName","min":2}}"#
        );
    }
}
