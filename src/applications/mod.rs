//! Applications and their workspaces, the one concept that onboarding (the applicant writes
//! it), the console (the applicant follows it) and review (reviewers decide it) share: the
//! values both sides exchange, the store, the event log and history, and the components that
//! show them. Those capabilities use this module and never each other's internals.

mod components;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod store;

pub use components::{BusinessDetails, Comparison, History, RequestedChanges, StatusBadge};

use crate::domain::{ChangeRequest, CountryCode, Role, Status};
use crate::error::AppError;
use crate::ui::moment::Moment;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The business information as the applicant typed it (a draft may be incomplete).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessFields {
    pub company_name: String,
    pub business_address: String,
    pub country: String,
    pub representative: String,
    pub website: String,
    pub service_phone: String,
    pub service_email: String,
}

/// One application as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: String,
    pub role: Role,
    pub status: Status,
    pub fields: BusinessFields,
    /// The country's name for display (the field holds the alpha-2 code once valid).
    pub country_name: String,
    pub logo_url: Option<String>,
    pub created_at: Moment,
    pub submitted_at: Option<Moment>,
    /// How many times it has been submitted (for a round: that round's number).
    pub round: i64,
    /// Submitted again after a rejection.
    pub resubmitted: bool,
    /// While rejected: the reviewer's reason, shown to the applicant.
    pub rejection_reason: Option<String>,
    /// While changes are requested (for a round: the request made on it): the fields the
    /// reviewer asks about, with their notes.
    pub requested_changes: Option<ChangeRequest>,
}

/// One submission of an application (a round), kept as the reviewers saw it, and the decision
/// made on it. `app.round` is its number and `app.status` its outcome (Under Review until
/// decided); editing after a rejection changes the application, never an earlier round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub app: ApplicationView,
    pub decided_at: Option<Moment>,
    /// The deciding reviewer's username: on the reviewers' side only, `None` for applicants.
    pub decided_by: Option<String>,
    /// How many fields (the logo included) differ from the round before; `None` for the first.
    pub changed_fields: Option<i64>,
}

/// One entry of an application's history (its audit log), as the reviewers' side reads it;
/// the applicant's side rewrites who acted before sending it (see `console`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// created, submitted, resubmitted, assigned, unassigned, approved, rejected.
    pub kind: String,
    /// What happened, in words ("Submitted for review", "Rejected: …").
    pub note: String,
    /// Who acted (a username), if anyone.
    pub actor: Option<String>,
    /// Their account's id, on the server only: never sent to a browser.
    #[serde(skip)]
    pub actor_id: Option<String>,
    pub at: Moment,
    /// The submission round it belongs to (0: before the first submission).
    pub round: i64,
}

/// What a member is to a workspace. What each role may do is `crate::workspaces::roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberRole {
    /// Applied for it; the workspace is not approved yet.
    Applicant,
    /// Onboarded (seed Step 4): the application was approved. One per workspace.
    Owner,
    /// Manages the team with the Owner (Developers and Operators only).
    Admin,
    /// A team member; later features (mini programs, releases) grant Developers and
    /// Operators different rights, so they are stored apart.
    Developer,
    Operator,
}

impl MemberRole {
    /// Every role, in the order pages list them.
    pub const ALL: [MemberRole; 5] = [
        MemberRole::Owner,
        MemberRole::Admin,
        MemberRole::Developer,
        MemberRole::Operator,
        MemberRole::Applicant,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MemberRole::Applicant => "applicant",
            MemberRole::Owner => "owner",
            MemberRole::Admin => "admin",
            MemberRole::Developer => "developer",
            MemberRole::Operator => "operator",
        }
    }

    /// The role's name in the page's (or the request's) language.
    pub fn label(self) -> &'static str {
        self.label_in(crate::i18n::t())
    }

    /// The role's name in the language of `texts` (a mail's recipient's; English for what is
    /// stored, such as history notes).
    pub fn label_in(self, texts: &'static crate::i18n::Texts) -> &'static str {
        let t = &texts.review.application;
        match self {
            MemberRole::Applicant => t.member_applicant,
            MemberRole::Owner => t.member_owner,
            MemberRole::Admin => t.member_admin,
            MemberRole::Developer => t.member_developer,
            MemberRole::Operator => t.member_operator,
        }
    }

    /// The role named by `key` (a form's or a query's value), if any.
    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }
}

/// Stored member roles decode by their exact key (`#[sqlx(try_from = "String")]`).
impl TryFrom<String> for MemberRole {
    type Error = crate::domain::UnknownKey;

    fn try_from(key: String) -> Result<Self, Self::Error> {
        MemberRole::parse(&key).ok_or(crate::domain::UnknownKey {
            what: "member role",
            value: key,
        })
    }
}

/// A member of a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Member {
    pub username: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: MemberRole,
}

/// A country field's name for display, in the reader's language: its country's name once it
/// names one (a code, or a name in any language), else the text as typed (a draft's).
pub fn country_name(typed: &str) -> String {
    #[cfg(feature = "ssr")]
    if let Some(name) = crate::server::countries::code_of(typed)
        .and_then(|code| crate::server::countries::name(crate::i18n::lang(), code))
    {
        return name.to_string();
    }
    CountryCode::parse(typed)
        .map(|c| c.name().to_string())
        .unwrap_or_else(|_| typed.to_string())
}

/// One of the signed-in user's own applications; anyone else's (or none) is "not found".
/// The confirmation after Submit follows it; its address stays where the console served it.
#[server(name = OwnApplication, endpoint = "console/application")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, application = %id))
)]
pub async fn own_application(id: String) -> Result<ApplicationView, AppError> {
    use crate::server::request::{state, OrInternal};
    let user = crate::accounts::require_user().await?;
    let st = state()?;
    match store::find_own(&st.db, &user.user_id, &id)
        .await
        .or_internal("reading an application")?
    {
        Some(a) => Ok(a),
        None => Err(AppError::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_roles_decode_loudly() {
        for (key, role) in [
            ("applicant", MemberRole::Applicant),
            ("owner", MemberRole::Owner),
            ("admin", MemberRole::Admin),
            ("developer", MemberRole::Developer),
            ("operator", MemberRole::Operator),
        ] {
            assert_eq!(MemberRole::try_from(key.to_string()), Ok(role));
            assert_eq!(role.key(), key);
        }
        for unknown in ["Admin", "member", "", "owner "] {
            assert!(
                MemberRole::try_from(unknown.to_string()).is_err(),
                "{unknown:?}"
            );
        }
        assert_eq!(MemberRole::Developer.label(), "Developer");
    }
}
