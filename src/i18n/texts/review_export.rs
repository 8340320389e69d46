//! The reviewers' CSV files (`review::export`): the links that download them and the words of
//! their header rows. Cell values are the application's as typed, or labels said elsewhere
//! (a status, a role, a country's name, a history note), in the reader's language.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewExport {
    /// The dashboard's link: the applications the filters show, as a CSV file.
    pub export_csv: &'static str,
    /// The application page's link: its whole history, as a CSV file.
    pub export_history: &'static str,

    // The queue's file, one row per application.
    pub col_id: &'static str,
    pub col_company: &'static str,
    pub col_role: &'static str,
    pub col_country: &'static str,
    /// The applicant's username.
    pub col_applicant: &'static str,
    /// The applicant's e-mail address.
    pub col_email: &'static str,
    pub col_status: &'static str,
    /// When the current round was submitted; the cells are UTC, which the name says.
    pub col_submitted_at: &'static str,
    /// When the current round was decided (empty while it is not); UTC.
    pub col_decided_at: &'static str,
    /// The reviewer it is assigned to (empty when nobody).
    pub col_assignee: &'static str,
    /// How many times it was submitted.
    pub col_rounds: &'static str,

    // An application's history file, one row per entry, oldest first.
    /// The submission round the entry belongs to (0: before the first submission).
    pub col_round: &'static str,
    /// When it happened; UTC.
    pub col_when: &'static str,
    /// What happened, as the history says it.
    pub col_what: &'static str,
    /// Who did it (a username; empty when nobody did).
    pub col_who: &'static str,
    /// The last line of a queue file that stopped at its cap.
    pub truncated: &'static str,
    pub busy: &'static str,
}
