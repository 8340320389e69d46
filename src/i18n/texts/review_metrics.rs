//! `/review/metrics`: the reviewers' metrics page (`review::metrics`).

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct ReviewMetrics {
    /// The window title and the heading.
    pub title: &'static str,
    /// After the link to the dashboard in the breadcrumb.
    pub breadcrumb: &'static str,
    /// The dashboard's link to this page.
    pub dashboard_link: &'static str,
    /// Under the heading: what the page shows, and that dates are UTC with weeks from Monday.
    pub intro: &'static str,
    /// The range form's first date's label.
    pub from_label: &'static str,
    /// The range form's last date's label.
    pub to_label: &'static str,
    /// The range form's button.
    pub show: &'static str,
    /// The range shown, `{from}` to `{to}` (`YYYY-MM-DD`), both included.
    pub range_shown: &'static str,
    /// What the SLA is: decided within `{sla}` (a duration in words) of being submitted.
    pub sla_note: &'static str,
    /// The series of the charts (legends and table columns).
    pub series_submitted: &'static str,
    pub series_approved: &'static str,
    pub series_rejected: &'static str,
    pub series_changes_requested: &'static str,
    /// Every chart's description: its table has the same numbers.
    pub chart_desc: &'static str,
    /// A table's row or column of totals.
    pub total: &'static str,
    /// A median or percentile with nothing measured.
    pub no_value: &'static str,

    /// (a) Submissions and decisions per week.
    pub weekly_heading: &'static str,
    pub weekly_text: &'static str,
    /// The chart's accessible name.
    pub weekly_chart_title: &'static str,
    pub weekly_caption: &'static str,
    pub col_week: &'static str,
    /// A week's row: `{week}` (ISO, "2025-W10"), from `{date}` (its Monday, `YYYY-MM-DD`).
    pub week_row: &'static str,
    pub weekly_empty: &'static str,

    /// (b) Time to first assignment and to decision.
    pub times_heading: &'static str,
    pub times_text: &'static str,
    pub times_chart_title: &'static str,
    pub times_caption: &'static str,
    pub col_measure: &'static str,
    pub col_median: &'static str,
    pub col_p90: &'static str,
    /// How many submissions (rounds) a row measures.
    pub col_rounds: &'static str,
    /// How many took longer than the SLA (`{sla}`, a duration in words).
    pub col_over_sla: &'static str,
    pub row_assignment: &'static str,
    pub row_decision: &'static str,
    /// The chart's bars.
    pub bar_assignment_median: &'static str,
    pub bar_assignment_p90: &'static str,
    pub bar_decision_median: &'static str,
    pub bar_decision_p90: &'static str,
    /// The chart's line at the SLA, `{sla}` (a duration in words).
    pub sla_marker: &'static str,
    pub times_empty: &'static str,

    /// (c) The queue's age now.
    pub queue_heading: &'static str,
    pub queue_text: &'static str,
    pub queue_chart_title: &'static str,
    pub queue_caption: &'static str,
    pub col_waited: &'static str,
    pub col_applications: &'static str,
    /// The age groups.
    pub age_under_1d: &'static str,
    pub age_1d_2d: &'static str,
    pub age_2d_7d: &'static str,
    pub age_over_7d: &'static str,
    /// Marks an age group whose applications are all past the SLA.
    pub late_marker: &'static str,
    /// The table's total of applications under review.
    pub queue_total: &'static str,
    /// The table's row of applications waiting longer than the SLA (`{sla}`).
    pub queue_over_sla: &'static str,
    /// Above the chart, when none, one or `{count}` applications have waited longer than the
    /// SLA (`{sla}`).
    pub sla_late_none: &'static str,
    pub sla_late_one: &'static str,
    pub sla_late_other: &'static str,
    /// The link to the queue of applications under review, oldest first.
    pub open_queue: &'static str,
    pub queue_empty: &'static str,

    /// (d) Decisions per reviewer.
    pub reviewers_heading: &'static str,
    pub reviewers_text: &'static str,
    pub reviewers_chart_title: &'static str,
    pub reviewers_caption: &'static str,
    pub col_reviewer: &'static str,
    /// A decision by an account no longer known.
    pub unknown_reviewer: &'static str,
    pub reviewers_empty: &'static str,
}
