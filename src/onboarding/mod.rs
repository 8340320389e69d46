//! Onboarding (seed Step 2): choose a role, tell us about the business (with a logo), and
//! submit for review. The draft is kept on the server as the applicant goes.

mod business;
#[cfg(feature = "ssr")]
pub mod logo;
mod role;
mod steps;
#[cfg(feature = "ssr")]
pub mod store;
mod submitted;

pub use business::{BusinessPage, SAVE_BUSINESS_PATH};
pub use role::{ChooseRole, ChooseRolePage};
pub use submitted::SubmittedPage;

use crate::domain::{Role, Status};
use crate::error::AppError;
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
    pub created_at: String,
    pub submitted_at: Option<String>,
    /// How many times it has been submitted (for a round: that round's number).
    pub round: i64,
    /// Submitted again after a rejection.
    pub resubmitted: bool,
    /// While rejected: the reviewer's reason, shown to the applicant.
    pub rejection_reason: Option<String>,
}

/// One submission of an application (a round), kept as the reviewers saw it, and the decision
/// made on it. `app.round` is its number and `app.status` its outcome (Under Review until
/// decided); editing after a rejection changes the application, never an earlier round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub app: ApplicationView,
    pub decided_at: Option<String>,
    /// The deciding reviewer's username: on the reviewers' side only, `None` for applicants.
    pub decided_by: Option<String>,
}

/// The signed-in user's open draft, if any.
#[server(endpoint = "onboarding/draft")]
pub async fn my_draft() -> Result<Option<ApplicationView>, AppError> {
    use crate::server::request::OrInternal;
    let user = crate::accounts::require_user().await?;
    let st = crate::server::request::state()?;
    store::latest_draft(&st.db, &user.user_id)
        .await
        .or_internal("reading a draft")
}
