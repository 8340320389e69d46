//! The reviewer's dashboard and detail, applications' shared components, the dev mailbox, live updates.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Review {
    /// `/review`: the queue.
    pub dashboard: ReviewDashboard,
    /// `/review/{id}`: one application, assignment and the decision.
    pub detail: ReviewDetails,
    /// Why the review store refused (`review::store::Refusal`), as the reviewer is told.
    pub refused: ReviewRefusals,
    /// What applications look like wherever they are shown (`applications`), and the labels
    /// of their statuses, roles and member roles.
    pub application: ReviewApplications,
    /// The dev mailbox page's own words (never the mails).
    pub mailbox: ReviewMailbox,
    /// The live updates' indicator (`live::LiveState`).
    pub live: ReviewLive,
    /// The reviewers' CSV files (`review::export`): their links and header rows.
    pub export: super::ReviewExport,
    /// `/review/metrics`: the reviewers' statistics.
    pub metrics: super::ReviewMetrics,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewDashboard {
    /// The window title, the heading and the breadcrumb back to it.
    pub title: &'static str,
    /// The polite live region, when one application arrived while the page was open.
    pub arrived_one: &'static str,
    /// The polite live region: `{count}` applications arrived while the page was open.
    pub arrived_other: &'static str,
    pub announce_approved: &'static str,
    pub announce_rejected: &'static str,
    /// The accessible name of the counts per status.
    pub counts_label: &'static str,
    /// The status filter's label and the table's column.
    pub status: &'static str,
    pub all_statuses: &'static str,
    /// The role filter's label and the table's column.
    pub role: &'static str,
    pub all_roles: &'static str,
    /// The country filter's label and the table's column.
    pub country: &'static str,
    pub all_countries: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub sort: &'static str,
    pub newest_first: &'static str,
    pub oldest_first: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub empty_filtered_title: &'static str,
    pub empty_filtered_text: &'static str,
    pub empty_title: &'static str,
    pub empty_text: &'static str,
    /// The table's caption (read by screen readers).
    pub table_caption: &'static str,
    pub col_company: &'static str,
    pub col_applicant: &'static str,
    pub col_submitted: &'static str,
    pub col_assigned_to: &'static str,
    /// The pager's accessible name.
    pub pages_label: &'static str,
    /// The pager: one application matches.
    pub total_one: &'static str,
    /// The pager: `{count}` applications match.
    pub total_other: &'static str,
    /// The pager, when more match than are counted: at least `{count}` applications match.
    pub total_capped: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    /// The tag of a row that arrived while the page was open.
    pub tag_new: &'static str,
    /// The tag of an application submitted again after a rejection.
    pub tag_resubmitted: &'static str,
    /// Assigned to nobody.
    pub unassigned: &'static str,
    pub announce_changes_requested: &'static str,
    pub tag_changed_none: &'static str,
    pub tag_changed_one: &'static str,
    pub tag_changed_other: &'static str,
    /// An application under review for longer than the review SLA.
    pub tag_late: &'static str,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewDetails {
    /// The window title, and the heading when the application cannot be shown.
    pub title: &'static str,
    /// After the link to the dashboard in the breadcrumb.
    pub breadcrumb_application: &'static str,
    /// The rounds' heading and accessible name.
    pub rounds: &'static str,
    /// A round's meta: decided by `{by}` (a reviewer's username) on `{at}`.
    pub decided_by: &'static str,
    /// A round's meta: decided on `{at}` (by a reviewer no longer known).
    pub decided_at: &'static str,
    /// A round's meta: submitted on `{at}`.
    pub round_submitted: &'static str,
    /// Before the reviewer's reason for rejecting a round (shown as written).
    pub reason_prefix: &'static str,
    pub logo_alt: &'static str,
    /// Looking at an earlier round `{round}`.
    pub earlier_round: &'static str,
    /// The link to the current round `{round}`.
    pub open_current_round: &'static str,
    pub own_application: &'static str,
    pub business_information: &'static str,
    /// Under the business information: submitted on `{date}`.
    pub submitted_on: &'static str,
    pub applicant: &'static str,
    pub username: &'static str,
    pub email: &'static str,
    pub assigned_to: &'static str,
    pub agreements: &'static str,
    /// One agreement: `{document}` (its title), `{version}`, accepted on `{date}`.
    pub agreement: &'static str,
    /// The title of the Terms of Service the applicant accepted.
    pub document_terms: &'static str,
    /// The title of the Privacy Policy the applicant accepted.
    pub document_privacy: &'static str,
    pub history: &'static str,
    pub assign_to_me: &'static str,
    pub unassign: &'static str,
    pub approve: &'static str,
    /// The reason field's label (and its name in the error summary).
    pub reason_label: &'static str,
    pub reason_help: &'static str,
    pub reject: &'static str,
    pub request_changes: &'static str,
    pub fields_to_change: &'static str,
    pub fields_help: &'static str,
    pub note_on: &'static str,
    pub general_note_label: &'static str,
    pub reject_final: &'static str,
    pub compare_title: &'static str,
    pub compare_none: &'static str,
    pub compare_one: &'static str,
    pub compare_other: &'static str,
    pub compare_field: &'static str,
    pub compare_asked: &'static str,
    pub compare_unchanged: &'static str,
    pub compare_logo_alt: &'static str,
    /// In the comparison: a field the reviewer asked about that the applicant left as it was.
    pub compare_not_changed: &'static str,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewRefusals {
    pub own_application: &'static str,
    pub not_under_review: &'static str,
    pub assignment_raced: &'static str,
    pub stale_round: &'static str,
    /// `{who}` (below) approved it first, on `{when}`.
    pub already_approved: &'static str,
    /// `{who}` (below) rejected it first, on `{when}`.
    pub already_rejected: &'static str,
    /// `{who}` (below) put it in status `{what}` (its label, lower-cased) first, on `{when}`.
    pub already_decided: &'static str,
    /// `{who}` when it was the reviewer themselves.
    pub who_you: &'static str,
    /// `{who}` when the deciding reviewer is not known.
    pub who_another_reviewer: &'static str,
    pub already_changes_requested: &'static str,
    pub applicant_gone: &'static str,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewApplications {
    /// An optional business field left empty.
    pub not_provided: &'static str,
    pub role: &'static str,
    pub company_name: &'static str,
    pub business_address: &'static str,
    pub country: &'static str,
    pub representative: &'static str,
    pub website: &'static str,
    pub service_phone: &'static str,
    pub service_email: &'static str,
    /// Round number `{round}` (in the history and the rounds).
    pub round: &'static str,
    /// A history entry's actor: by `{name}`.
    pub history_by: &'static str,
    /// A reviewer, as an applicant or a workspace's member sees them in the history.
    pub a_reviewer: &'static str,
    /// The assignment, as an applicant or a workspace's member sees it in the history.
    pub assigned_to_a_reviewer: &'static str,
    /// `applications::MemberRole` labels.
    pub member_applicant: &'static str,
    pub member_owner: &'static str,
    pub member_admin: &'static str,
    pub member_developer: &'static str,
    pub member_operator: &'static str,
    pub logo: &'static str,
    pub requested_changes: &'static str,
    pub requested_general: &'static str,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewMailbox {
    /// The window title and the heading.
    pub title: &'static str,
    pub intro: &'static str,
    pub empty_title: &'static str,
    pub empty_text: &'static str,
    /// A mail's accessible name: to `{to}`, about `{subject}`.
    pub mail_label: &'static str,
    /// Before a mail's recipient.
    pub to_prefix: &'static str,
    pub not_available: &'static str,
    pub no_mailbox: &'static str,
}

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewLive {
    pub connecting: &'static str,
    pub live: &'static str,
    pub reconnecting: &'static str,
    pub offline: &'static str,
}
