//! The console and a workspace's pages.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Console {
    // The console.
    /// The console's window title.
    pub title: &'static str,
    pub workspaces_title: &'static str,
    pub empty_title: &'static str,
    pub empty_text: &'static str,
    pub choose_role: &'static str,
    /// A card's name while the company name is empty.
    pub untitled: &'static str,
    /// A card's accessible name: `{name}`, `{status}`.
    pub card_label: &'static str,
    /// A card's accessible name with the viewer's role: `{name}`, `{status}`, `{role}`.
    pub card_label_with_role: &'static str,
    /// `{date}`: when it was submitted.
    pub submitted: &'static str,
    /// `{date}`: when the draft was started.
    pub started: &'static str,
    /// `{role}`: the viewer's role on the workspace.
    pub your_role: &'static str,
    pub continue_hint: &'static str,
    /// A rejection's reason: `{reason}`.
    pub reason: &'static str,
    pub edit_resubmit: &'static str,

    // A workspace's page.
    /// The window title and the breadcrumb's last step.
    pub workspace_title: &'static str,
    /// The breadcrumb's link to the console.
    pub crumb_console: &'static str,
    /// The logo's alternative text.
    pub business_logo: &'static str,
    pub under_review: &'static str,
    pub approved_owner: &'static str,
    /// `{role}`: the viewer's role.
    pub approved_member: &'static str,
    pub rejected: &'static str,
    /// After `rejected`, in the same paragraph (English starts with a space): `{reason}`.
    pub rejected_reason: &'static str,
    pub business_information: &'static str,
    /// The members' heading and the link to the members' page.
    pub members: &'static str,
    /// The onboarding details' window title, heading, link and breadcrumb step.
    pub onboarding_details: &'static str,

    // The onboarding details.
    pub application: &'static str,
    pub rounds: &'static str,
    pub history: &'static str,
    /// A round's summary: `{n}`, its number.
    pub round: &'static str,
    /// After a round's submission date (English starts with " · "): `{date}`.
    pub decided: &'static str,
    pub changes_requested: &'static str,
    pub rejected_final: &'static str,
    pub start_new: &'static str,
    pub timeline: &'static str,
    pub step_submitted: &'static str,
    pub step_picked_up: &'static str,
    pub step_changes_requested: &'static str,
    pub step_resubmitted: &'static str,
    pub step_approved: &'static str,
    pub step_rejected: &'static str,
    pub step_waiting: &'static str,
    pub typical_wait: &'static str,
    pub waiting: &'static str,
}
