//! Shared form pieces and the generic error sentences (`ui`, `error`).

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Ui {
    /// Shown while a page's data loads.
    pub loading: &'static str,
    /// The heading of a "not found" block.
    pub not_found_heading: &'static str,
    /// The heading of the error summary at the top of a form.
    pub error_summary_title: &'static str,
    /// A link of the error summary: the field's `{label}`, then what is wrong (`{message}`).
    pub error_summary_field: &'static str,
    /// Before the link to the document in "I have read and agree to the <document>".
    pub agree_prefix: &'static str,
    /// The link's text: `{document}` is the document's name.
    pub agree_document: &'static str,
    /// Read out after a link that opens in a new tab.
    pub new_tab: &'static str,
    /// The form's sentence when only fields are wrong.
    pub fix_fields: &'static str,
    pub too_large: &'static str,
    pub sign_in_to_continue: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    pub internal: &'static str,
    pub malformed: &'static str,
    /// The browser could not reach the server.
    pub unreachable: &'static str,
    /// The Origin check's refusal of a state-changing request from another site.
    pub cross_site: &'static str,
    /// An upload endpoint posted anything but multipart.
    pub multipart_only: &'static str,
    /// Too many live-update streams for one session: `{max}`.
    pub too_many_streams: &'static str,
    /// A duration (`ui::moment::duration`).
    pub minutes_one: &'static str,
    pub minutes_other: &'static str,
    pub hours_one: &'static str,
    pub hours_other: &'static str,
    pub days_one: &'static str,
    pub days_other: &'static str,
    pub under_a_minute: &'static str,
}
