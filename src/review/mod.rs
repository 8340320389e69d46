//! The reviewers' side (seed Step 3 from the platform's point of view): a queue of submitted
//! applications that updates live, each application's details and history, assignment, and
//! the decision (approve, or reject with a reason) that the applicant is told about by mail.
//!
//! Only reviewers (made by `isv-portal create-reviewer`) can call anything here; a reviewer
//! never acts on their own application.

mod dashboard;
mod detail;
pub mod export;
mod metrics;
#[cfg(feature = "ssr")]
mod metrics_store;
#[cfg(feature = "ssr")]
pub mod search_index;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod store;

pub use dashboard::ReviewPage;
pub use detail::ReviewDetailPage;
pub use metrics::MetricsPage;

use crate::applications::{ApplicationView, HistoryEntry, RoundView};
use crate::domain::{Role, Status};
use crate::error::AppError;
use crate::ui::moment::Moment;
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
    /// When its current round was submitted.
    pub submitted_at: Option<Moment>,
    pub status: Status,
    pub assigned_to: Option<String>,
    pub resubmitted: bool,
    /// How many times it has been submitted.
    pub rounds: i64,
    /// On a resubmission: how many fields differ from the round before.
    pub changed_fields: Option<i64>,
}

/// An application's line of the queue as it stands after an event, sent with the event to
/// reviewers' streams only (`crate::live::LiveEvent::row`: it names the assigned reviewer).
/// Read once per event by the feed's pump (`store::live_rows`), whatever the number of open
/// dashboards, each of which applies it to the rows it shows instead of fetching its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveRow {
    pub line: QueueRow,
    /// The application's country (alpha-2; `line` has its name): for the country filter, and
    /// to name it as the dashboard's page does.
    pub country: String,
    /// Applications per status, read with the line (as `QueuePage::counts`): absolute, so a
    /// dashboard that applies an event its page had already counted counts nothing twice.
    pub counts: Vec<(Status, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Applications per status, whatever the filters.
    pub counts: Vec<(Status, i64)>,
    /// Rows matching the filters; with `total_capped`, at least this many (counting stops
    /// there, so a filter over a large queue does not count every row).
    pub total: i64,
    pub total_capped: bool,
    /// The cursor of the page before this one (`before=`), if there is one.
    pub previous: Option<String>,
    /// The cursor of the page after this one (`after=`), if there is one.
    pub next: Option<String>,
    /// Countries that appear in the queue, as (alpha-2, name), for the filter.
    pub countries: Vec<(String, String)>,
    /// Applications under review submitted before this moment (Unix ms) have waited longer
    /// than the review SLA (`REVIEW_SLA_HOURS`): the dashboard highlights them.
    pub late_before_ms: i64,
    /// The SLA in hours, as the highlight says it.
    pub sla_hours: i64,
}

/// A document the applicant agreed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// Its title ("Terms of Service").
    pub document: String,
    pub version: String,
    pub accepted_at: Moment,
}

/// Everything a reviewer needs to decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    /// The round shown (`app.round`), as it was submitted: the current one unless an earlier
    /// one was asked for.
    pub app: ApplicationView,
    pub applicant: String,
    pub applicant_email: String,
    pub acceptances: Vec<Acceptance>,
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
        return Err(AppError::forbidden());
    }
    Ok(user)
}

/// The one place where what the review store refused becomes words (and, through the error's
/// kind, a status). Only reviewers get here: they see each other's usernames.
#[cfg(feature = "ssr")]
impl From<store::Refusal> for AppError {
    fn from(refusal: store::Refusal) -> Self {
        use store::Refusal;
        let t = &crate::i18n::t().review.refused;
        match refusal {
            Refusal::NotFound => AppError::not_found(),
            Refusal::OwnApplication => AppError {
                message: t.own_application.into(),
                ..AppError::forbidden()
            },
            Refusal::NotUnderReview => AppError::conflict(t.not_under_review),
            Refusal::AssignmentRaced => AppError::conflict(t.assignment_raced),
            Refusal::StaleRound => AppError::conflict(t.stale_round),
            Refusal::ApplicantGone => AppError::conflict(t.applicant_gone),
            Refusal::AlreadyDecided {
                by,
                by_me,
                status,
                at,
            } => {
                let who = if by_me {
                    t.who_you.to_string()
                } else {
                    by.unwrap_or_else(|| t.who_another_reviewer.into())
                };
                let what = status.label().to_lowercase();
                let when = at
                    .map(crate::server::dates::format_date)
                    .unwrap_or_default();
                let sentence = match status {
                    Status::Approved => t.already_approved,
                    Status::Rejected => t.already_rejected,
                    Status::ChangesRequested => t.already_changes_requested,
                    _ => t.already_decided,
                };
                AppError::conflict(crate::i18n::fill(
                    sentence,
                    &[("who", &who), ("what", &what), ("when", &when)],
                ))
            }
        }
    }
}

/// The queue, filtered (status, role, country/region, company or e-mail), sorted by submitted
/// time (`oldest` or newest first), a page at a time from a cursor: `after` (the next page)
/// or `before` (the previous one), each a `QueuePage::next`/`previous`; neither is the first.
#[server(endpoint = "review/queue")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, after = %after, before = %before))
)]
pub async fn review_queue(
    status: String,
    role: String,
    country: String,
    q: String,
    sort: String,
    #[server(default)] after: String,
    #[server(default)] before: String,
) -> Result<QueuePage, AppError> {
    use crate::server::request::{state, OrInternal};
    use store::{Key, Page};
    require_reviewer().await?;
    let st = state()?;
    // A cursor that does not read is the first page, as a missing one is.
    let page = match (Key::parse(&after), Key::parse(&before)) {
        (Some(key), _) => Page::After(key),
        (None, Some(key)) => Page::Before(key),
        (None, None) => Page::First,
    };
    // Read as the CSV export reads them: the file holds what the page shows.
    let filter = export::QueueArgs {
        status,
        role,
        country,
        q,
        sort,
    }
    .filter(page);
    let mut page = store::queue(&st.db, &filter)
        .await
        .or_internal("reading the review queue")?;
    page.sla_hours = st.config.review_sla_hours;
    page.late_before_ms = crate::server::db::now_ms() - st.config.review_sla_hours * 3_600_000;
    Ok(page)
}

/// One application; `round` shows an earlier submission of it (the current one when absent).
#[server(endpoint = "review/application")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = %id, round = ?round)
    )
)]
pub async fn review_application(
    id: String,
    #[server(default)] round: Option<i64>,
) -> Result<ReviewDetail, AppError> {
    use crate::server::request::{state, OrInternal};
    let me = require_reviewer().await?;
    let st = state()?;
    match store::detail(&st.db, &me.user_id, &id, round)
        .await
        .or_internal("reading an application for review")?
    {
        Some(d) => Ok(d),
        None => Err(AppError::not_found()),
    }
}

/// "Assign to me". `round`, when given, is the submission the reviewer's page shows: a
/// resubmission made since is refused rather than taken unseen.
#[server(name = TakeApplication, endpoint = "review/take")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, application = %id))
)]
pub async fn take_application(
    id: String,
    #[server(default)] round: Option<i64>,
) -> Result<(), AppError> {
    assign(id, round, true).await
}

/// "Unassign" (whoever it is assigned to); `round` as for "Assign to me".
#[server(name = ReleaseApplication, endpoint = "review/release")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, application = %id))
)]
pub async fn release_application(
    id: String,
    #[server(default)] round: Option<i64>,
) -> Result<(), AppError> {
    assign(id, round, false).await
}

/// Assigns the application to the reviewer (`take`) or to nobody.
#[cfg(feature = "ssr")]
async fn assign(id: String, round: Option<i64>, take: bool) -> Result<(), AppError> {
    use crate::server::request::{is_plain_form_post, state, OrInternal};
    let me = require_reviewer().await?;
    let st = state()?;
    match store::assign(&st.db, &me, &id, round, take)
        .await
        .or_internal("assigning an application")?
    {
        store::Assigned::Done => st.feed.wake(),
        store::Assigned::Unchanged => {}
        store::Assigned::Refused(refusal) => return Err(refusal.into()),
    }
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("/review/{id}"));
    }
    Ok(())
}

/// "Approve". `round` is the submission the reviewer looked at.
#[server(name = ApproveApplication, endpoint = "review/approve")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = %id, round = round)
    )
)]
pub async fn approve_application(id: String, round: i64) -> Result<(), AppError> {
    let me = require_reviewer().await?;
    decide(me, id, round, crate::domain::Decision::Approve).await
}

/// "Reject", with the reason the applicant is told. `round` is the submission the reviewer
/// looked at.
#[server(name = RejectApplication, endpoint = "review/reject")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = %id, round = round)
    )
)]
pub async fn reject_application(id: String, round: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::RejectionReason;
    let me = require_reviewer().await?;
    let reason = RejectionReason::parse(&reason)
        .map_err(|e| AppError::field("reason", e.message()).keep("reason", &reason))?;
    decide(me, id, round, crate::domain::Decision::Reject(reason)).await
}

/// The request-changes form posts each field's box and note as arguments of its own (so the
/// form works without JavaScript): more than clippy's limit, which this module allows.
mod changes {
    #![allow(clippy::too_many_arguments)]
    use super::*;

    /// "Request changes": the fields picked (`pick_<field>` checked), each with its note
    /// (`note_<field>`), and an optional general note; the application goes back to the
    /// applicant, who edits and submits the next round. `round` is the submission the reviewer
    /// looked at. A note typed under a field that is not picked is not sent to anyone.
    #[server(name = RequestChanges, endpoint = "review/request_changes")]
    #[cfg_attr(
        feature = "ssr",
        tracing::instrument(
            skip_all,
            fields(user = tracing::field::Empty, application = %id, round = round)
        )
    )]
    pub async fn request_changes(
        id: String,
        round: i64,
        #[server(default)] pick_company_name: String,
        #[server(default)] note_company_name: String,
        #[server(default)] pick_business_address: String,
        #[server(default)] note_business_address: String,
        #[server(default)] pick_country: String,
        #[server(default)] note_country: String,
        #[server(default)] pick_representative: String,
        #[server(default)] note_representative: String,
        #[server(default)] pick_logo: String,
        #[server(default)] note_logo: String,
        #[server(default)] pick_website: String,
        #[server(default)] note_website: String,
        #[server(default)] pick_service_phone: String,
        #[server(default)] note_service_phone: String,
        #[server(default)] pick_service_email: String,
        #[server(default)] note_service_email: String,
        #[server(default)] general_note: String,
    ) -> Result<(), AppError> {
        use crate::domain::{BusinessField as F, ChangeRequest};
        let me = require_reviewer().await?;
        let form = [
            (F::CompanyName, pick_company_name, note_company_name),
            (
                F::BusinessAddress,
                pick_business_address,
                note_business_address,
            ),
            (F::Country, pick_country, note_country),
            (F::Representative, pick_representative, note_representative),
            (F::Logo, pick_logo, note_logo),
            (F::Website, pick_website, note_website),
            (F::ServicePhone, pick_service_phone, note_service_phone),
            (F::ServiceEmail, pick_service_email, note_service_email),
        ];
        let picked: Vec<(F, &str)> = form
            .iter()
            .filter(|(_, pick, _)| !pick.is_empty())
            .map(|(field, _, note)| (*field, note.as_str()))
            .collect();
        let request = ChangeRequest::parse(&picked, &general_note).map_err(|errors| {
            // Everything typed comes back with the errors (a form posted without JavaScript).
            let mut e = AppError::fields(
                errors
                    .into_iter()
                    .map(|(field, invalid)| crate::error::FieldError {
                        field,
                        message: invalid.message(),
                    })
                    .collect(),
            )
            .keep("general_note", &general_note);
            for (field, pick, note) in &form {
                e = e.keep(field.note_name(), note);
                if !pick.is_empty() {
                    e = e.keep(&format!("pick_{}", field.key()), "on");
                }
            }
            e
        })?;
        decide(
            me,
            id,
            round,
            crate::domain::Decision::RequestChanges(request),
        )
        .await
    }
}
pub use changes::{request_changes, RequestChanges};

/// Records the decision and queues the applicant's mail in one transaction: both or neither.
#[cfg(feature = "ssr")]
async fn decide(
    me: crate::server::sessions::SessionUser,
    id: String,
    round: i64,
    decision: crate::domain::Decision,
) -> Result<(), AppError> {
    use crate::domain::Decision;
    use crate::server::mail::{enqueue, templates};
    use crate::server::request::{is_plain_form_post, state, OrInternal};
    let st = state()?;
    let mut tx = st.db.begin_write().await.or_internal("begin")?;
    let outcome = store::decide(&mut tx, &me, &id, round, &decision)
        .await
        .or_internal("deciding an application")?;
    match outcome {
        store::Decided::Done(to) => {
            let public_url = &st.config.public_url;
            // In the applicant's language, whatever the reviewer reads.
            let lang = to.language;
            let mail = match &decision {
                Decision::Approve => templates::application_approved(
                    lang,
                    &to.email,
                    &to.username,
                    &to.company_name,
                    &id,
                    public_url,
                ),
                Decision::Reject(reason) => templates::application_rejected(
                    lang,
                    &to.email,
                    &to.username,
                    &to.company_name,
                    reason.as_str(),
                    public_url,
                ),
                Decision::RequestChanges(request) => templates::application_changes_requested(
                    lang,
                    &to.email,
                    &to.username,
                    &to.company_name,
                    request,
                    public_url,
                ),
            };
            enqueue(&mut tx, mail).await.or_internal("queueing mail")?;
            tx.commit().await.or_internal("commit")?;
            st.mail_ready.notify_one();
            st.feed.wake();
            st.typical_wait.forget();
            tracing::info!(reviewer = %me.username, decision = decision.key(), "application decided");
        }
        // Nothing was written: dropping the transaction ends it.
        store::Decided::Unchanged => drop(tx),
        store::Decided::Refused(refusal) => return Err(refusal.into()),
    }
    if is_plain_form_post() {
        leptos_axum::redirect(&format!("/review/{id}"));
    }
    Ok(())
}
