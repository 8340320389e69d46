//! The reviewers' side (seed Step 3 from the platform's point of view): a queue of submitted
//! applications that updates live, each application's details and history, assignment, and
//! the decision (approve, or reject with a reason) that the applicant is told about by mail.
//!
//! Only reviewers (made by `isv-portal create-reviewer`) can call anything here; a reviewer
//! never acts on their own application.

mod dashboard;
mod detail;
#[cfg(feature = "ssr")]
pub mod store;

pub use dashboard::ReviewPage;
pub use detail::ReviewDetailPage;

use crate::domain::{Role, Status};
use crate::error::AppError;
use crate::onboarding::{ApplicationView, RoundView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 20;

/// One line of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: String,
    pub company_name: String,
    pub role: Role,
    pub country_name: String,
    pub applicant: String,
    pub email: String,
    pub submitted_at: String,
    pub status: Status,
    pub assigned_to: Option<String>,
    pub resubmitted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Applications per status, whatever the filters.
    pub counts: Vec<(Status, i64)>,
    /// Rows matching the filters.
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// Countries that appear in the queue, as (alpha-2, name), for the filter.
    pub countries: Vec<(String, String)>,
}

/// One entry of an application's history (its audit log).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub kind: String,
    pub note: String,
    pub actor: Option<String>,
    pub at: String,
    /// The submission round it belongs to (0: before the first submission).
    pub round: i64,
}

/// Everything a reviewer needs to decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    /// The round shown (`app.round`), as it was submitted: the current one unless an earlier
    /// one was asked for.
    pub app: ApplicationView,
    pub applicant: String,
    pub applicant_email: String,
    /// (document, version, accepted at).
    pub acceptances: Vec<(String, String, String)>,
    pub history: Vec<HistoryEntry>,
    pub assigned_to: Option<String>,
    pub assigned_to_me: bool,
    /// The current submission round; a decision names it.
    pub round: i64,
    /// Every round, first to last, with who decided it.
    pub rounds: Vec<RoundView>,
    /// The reviewer is the applicant: they may look, not act.
    pub own: bool,
}

#[cfg(feature = "ssr")]
pub async fn require_reviewer() -> Result<crate::server::sessions::SessionUser, AppError> {
    let user = crate::accounts::require_user().await?;
    if !user.is_reviewer {
        return crate::server::request::reject(AppError::forbidden());
    }
    Ok(user)
}

/// The queue, filtered (status, role, country/region, company or e-mail), sorted by submitted
/// time (`oldest` or newest first) and paged.
#[server(endpoint = "review/queue")]
pub async fn review_queue(
    status: String,
    role: String,
    country: String,
    q: String,
    sort: String,
    page: i64,
) -> Result<QueuePage, AppError> {
    use crate::server::request::{state, OrInternal};
    require_reviewer().await?;
    let st = state()?;
    let filter = store::Filter {
        status: Status::parse(&status).ok().filter(|s| *s != Status::Draft),
        role: Role::parse(&role).ok(),
        country: crate::domain::CountryCode::parse(&country).ok(),
        search: q.trim().chars().take(100).collect(),
        oldest_first: sort == "oldest",
        page: page.max(1),
    };
    store::queue(&st.db, &filter)
        .await
        .or_internal("reading the review queue")
}

/// One application; `round` shows an earlier submission of it (the current one when absent).
#[server(endpoint = "review/application")]
pub async fn review_application(
    id: String,
    #[server(default)] round: Option<i64>,
) -> Result<ReviewDetail, AppError> {
    use crate::server::request::{reject, state, OrInternal};
    let me = require_reviewer().await?;
    let st = state()?;
    match store::detail(&st.db, &me.user_id, &id, round)
        .await
        .or_internal("reading an application for review")?
    {
        Some(d) => Ok(d),
        None => reject(AppError::not_found()),
    }
}

#[cfg(feature = "ssr")]
fn own_application() -> AppError {
    AppError {
        message: "You cannot review your own application.".into(),
        ..AppError::forbidden()
    }
}

/// "Assign to me" (`take`) or "Unassign" (`release`).
#[server(name = AssignApplication, endpoint = "review/assign")]
pub async fn assign_application(id: String, action: String) -> Result<(), AppError> {
    use crate::server::request::{is_plain_form_post, reject, state, OrInternal};
    let me = require_reviewer().await?;
    let take = match action.as_str() {
        "take" => true,
        "release" => false,
        _ => return reject(AppError::invalid("Choose Assign to me or Unassign.")),
    };
    let st = state()?;
    let outcome = store::assign(&st.db, &me, &id, take)
        .await
        .or_internal("assigning an application")?;
    match outcome {
        store::Assigned::Done => st.feed.wake(),
        store::Assigned::Unchanged => {}
        store::Assigned::NotFound => return reject(AppError::not_found()),
        store::Assigned::OwnApplication => return reject(own_application()),
        store::Assigned::Decided => {
            return reject(AppError::conflict(
                "This application has been decided; there is nothing to assign.",
            ))
        }
        store::Assigned::Raced => {
            return reject(AppError::conflict(
                "Someone changed this application's assignment at the same moment. Look again and retry.",
            ))
        }
    }
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("/review/{id}"));
    }
    Ok(())
}

/// Approves, or rejects with a reason. `round` is the submission the reviewer looked at.
#[server(name = DecideApplication, endpoint = "review/decide")]
pub async fn decide_application(
    id: String,
    decision: String,
    #[server(default)] reason: String,
    round: i64,
) -> Result<(), AppError> {
    use crate::domain::{Decision, RejectionReason};
    use crate::server::request::{is_plain_form_post, reject, state, OrInternal};
    let me = require_reviewer().await?;
    let decision = match Decision::parse(&decision) {
        Ok(d) => d,
        Err(m) => return reject(AppError::invalid(m)),
    };
    let reason = match decision {
        Decision::Approve => None,
        Decision::Reject => match RejectionReason::parse(&reason) {
            Ok(r) => Some(r),
            Err(m) => return reject(AppError::field("reason", m).keep("reason", &reason)),
        },
    };
    let st = state()?;
    let outcome = store::decide(&st, &me, &id, round, decision, reason.as_ref())
        .await
        .or_internal("deciding an application")?;
    match outcome {
        store::Decided::Done => {
            st.mail_ready.notify_one();
            st.feed.wake();
            tracing::info!(application = %id, reviewer = %me.username, decision = decision.key(), "application decided");
        }
        store::Decided::Unchanged => {}
        store::Decided::NotFound => return reject(AppError::not_found()),
        store::Decided::OwnApplication => return reject(own_application()),
        store::Decided::Resubmitted => {
            return reject(AppError::conflict(
                "The applicant changed and resubmitted this application after you opened it. \
                 Review the new version before deciding.",
            ))
        }
        // Only reviewers get here: they see each other's usernames.
        store::Decided::AlreadyBy {
            reviewer,
            by_me,
            status,
            at,
        } => {
            let who = if by_me {
                "You".to_string()
            } else {
                reviewer.unwrap_or_else(|| "Another reviewer".into())
            };
            let what = status.label().to_lowercase();
            let when = at
                .map(crate::onboarding::store::format_date)
                .unwrap_or_default();
            return reject(AppError::conflict(format!(
                "{who} already {what} this application ({when}). Your decision was not applied."
            )));
        }
    }
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("/review/{id}"));
    }
    Ok(())
}
