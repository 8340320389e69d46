//! What a reviewer decides about an application.

use super::{Invalid, Named};
use serde::{Deserialize, Serialize};

/// A reviewer's decision: a rejection always carries its reason, a request for changes the
/// fields it asks about with a note on each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    /// Final for this application: the applicant may start a new one.
    Reject(RejectionReason),
    /// Back to the applicant, who edits the fields asked about and submits the next round.
    RequestChanges(ChangeRequest),
}

impl Decision {
    pub fn key(&self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject(_) => "reject",
            Decision::RequestChanges(_) => "request_changes",
        }
    }

    /// The status the application gets.
    pub fn status(&self) -> super::Status {
        match self {
            Decision::Approve => super::Status::Approved,
            Decision::Reject(_) => super::Status::Rejected,
            Decision::RequestChanges(_) => super::Status::ChangesRequested,
        }
    }

    /// The reason the applicant is told ("" for an approval; a request for changes says its
    /// general note here and its fields apart).
    pub fn reason(&self) -> &str {
        match self {
            Decision::Approve => "",
            Decision::Reject(reason) => reason.as_str(),
            Decision::RequestChanges(request) => request.general(),
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

/// A part of the business information a reviewer can ask about: each field of the form, and
/// the logo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessField {
    CompanyName,
    BusinessAddress,
    Country,
    Representative,
    Logo,
    Website,
    ServicePhone,
    ServiceEmail,
}

impl BusinessField {
    /// In the form's order.
    pub const ALL: [BusinessField; 8] = [
        BusinessField::CompanyName,
        BusinessField::BusinessAddress,
        BusinessField::Country,
        BusinessField::Representative,
        BusinessField::Logo,
        BusinessField::Website,
        BusinessField::ServicePhone,
        BusinessField::ServiceEmail,
    ];

    /// The form field's name (`company_name`, `logo`, …): what pages link to and what is stored.
    pub fn key(self) -> &'static str {
        match self {
            BusinessField::CompanyName => "company_name",
            BusinessField::BusinessAddress => "business_address",
            BusinessField::Country => "country",
            BusinessField::Representative => "representative",
            BusinessField::Logo => "logo",
            BusinessField::Website => "website",
            BusinessField::ServicePhone => "service_phone",
            BusinessField::ServiceEmail => "service_email",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Its name in the page's (or the request's) language ("Company Name").
    pub fn label(self) -> &'static str {
        self.label_in(crate::i18n::t())
    }

    /// Its name in the language of `texts` (a mail's recipient's).
    pub fn label_in(self, texts: &'static crate::i18n::Texts) -> &'static str {
        let t = &texts.review.application;
        match self {
            BusinessField::CompanyName => t.company_name,
            BusinessField::BusinessAddress => t.business_address,
            BusinessField::Country => t.country,
            BusinessField::Representative => t.representative,
            BusinessField::Logo => t.logo,
            BusinessField::Website => t.website,
            BusinessField::ServicePhone => t.service_phone,
            BusinessField::ServiceEmail => t.service_email,
        }
    }

    /// The name of the reviewer's note on this field in the request-changes form.
    pub fn note_name(self) -> &'static str {
        match self {
            BusinessField::CompanyName => "note_company_name",
            BusinessField::BusinessAddress => "note_business_address",
            BusinessField::Country => "note_country",
            BusinessField::Representative => "note_representative",
            BusinessField::Logo => "note_logo",
            BusinessField::Website => "note_website",
            BusinessField::ServicePhone => "note_service_phone",
            BusinessField::ServiceEmail => "note_service_email",
        }
    }
}

/// What a reviewer asks to change in one field, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRequest {
    pub field: BusinessField,
    pub note: String,
}

/// A request for changes: at least one field, each with its note (10–500 characters), and an
/// optional general note. Stored with the round as JSON; its serde form is that record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRequest {
    fields: Vec<FieldRequest>,
    #[serde(default)]
    general: String,
}

impl ChangeRequest {
    pub const NOTE_MIN: usize = 10;
    pub const NOTE_MAX: usize = 500;
    pub const GENERAL_MAX: usize = 1000;

    /// From the fields picked, each with the note typed for it, and the general note. Errors
    /// name the form field they belong to (`note_<field>`, `general_note`, or `fields` when
    /// none was picked), all of them at once.
    pub fn parse(
        picked: &[(BusinessField, &str)],
        general: &str,
    ) -> Result<Self, Vec<(String, Invalid)>> {
        let mut errors = Vec::new();
        let mut fields: Vec<FieldRequest> = Vec::new();
        for (field, note) in picked {
            if fields.iter().any(|f| f.field == *field) {
                continue;
            }
            match note_text(
                note,
                Named::ChangeNote,
                Self::NOTE_MIN,
                Self::NOTE_MAX,
                true,
            ) {
                Ok(note) => fields.push(FieldRequest {
                    field: *field,
                    note,
                }),
                Err(e) => errors.push((field.note_name().to_string(), e)),
            }
        }
        if picked.is_empty() {
            errors.insert(0, ("fields".to_string(), Invalid::NoFieldChosen));
        }
        let general = match note_text(general, Named::GeneralNote, 0, Self::GENERAL_MAX, false) {
            Ok(g) => g,
            Err(e) => {
                errors.push(("general_note".to_string(), e));
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        fields.sort_by_key(|f| f.field);
        Ok(Self { fields, general })
    }

    /// A stored request (`to_json`'s); `None` for anything else, as for a round that asked
    /// for nothing.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str::<Self>(text)
            .ok()
            .filter(|r| !r.fields.is_empty())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn fields(&self) -> &[FieldRequest] {
        &self.fields
    }

    /// The general note ("" when there is none).
    pub fn general(&self) -> &str {
        &self.general
    }

    /// The same request with `f` applied to every note and the general note (as deleting an
    /// account replaces its address in them); the fields asked about stay.
    pub fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        ChangeRequest {
            fields: self
                .fields
                .into_iter()
                .map(|r| FieldRequest {
                    note: f(&r.note),
                    ..r
                })
                .collect(),
            general: f(&self.general),
        }
    }

    /// The note on `field`, if it was asked about.
    pub fn note_on(&self, field: BusinessField) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.note.as_str())
    }
}

/// A reviewer's note: trimmed, line breaks and tabs allowed, `min`–`max` characters (an empty
/// one is missing when `required`, else nothing).
fn note_text(
    input: &str,
    what: Named,
    min: usize,
    max: usize,
    required: bool,
) -> Result<String, Invalid> {
    if input.trim().is_empty() && !required {
        return Ok(String::new());
    }
    super::text(input, what, min, max, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_request_needs_a_field_and_a_note_on_each() {
        let none = ChangeRequest::parse(&[], "").unwrap_err();
        assert_eq!(none[0], ("fields".into(), Invalid::NoFieldChosen));
        let short = ChangeRequest::parse(&[(BusinessField::Logo, "blurry")], "").unwrap_err();
        assert_eq!(short[0].0, "note_logo");
        let long = "x".repeat(501);
        let errors = ChangeRequest::parse(
            &[
                (BusinessField::Website, long.as_str()),
                (BusinessField::Country, "  "),
            ],
            &"y".repeat(1001),
        )
        .unwrap_err();
        let names: Vec<_> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["note_website", "note_country", "general_note"]);
        let ok = ChangeRequest::parse(
            &[
                (
                    BusinessField::Website,
                    " The site does not load.\r\nCheck it. ",
                ),
                (
                    BusinessField::CompanyName,
                    "Use the registered name, please.",
                ),
                (
                    BusinessField::Website,
                    "a second note on the same field is ignored",
                ),
            ],
            "",
        )
        .unwrap();
        // In the form's order, one per field, notes normalised.
        assert_eq!(ok.fields()[0].field, BusinessField::CompanyName);
        assert_eq!(
            ok.note_on(BusinessField::Website),
            Some("The site does not load.\nCheck it.")
        );
        assert_eq!(ok.fields().len(), 2);
        assert_eq!(ChangeRequest::from_json(&ok.to_json()), Some(ok));
        assert_eq!(ChangeRequest::from_json(""), None);
        for f in BusinessField::ALL {
            assert_eq!(BusinessField::parse(f.key()), Some(f));
        }
    }

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
