//! The role choice, the business form, the logo, the submitted page.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Onboarding {
    /// A role's name wherever it is shown (`Role::label`); where the roles are introduced (the
    /// role choice) see [`OnboardingRole::isv`].
    pub role_isv: &'static str,
    pub role_merchant: &'static str,
    /// What a role does (`Role::description`, on the role choice).
    pub role_isv_description: &'static str,
    pub role_merchant_description: &'static str,
    /// An application's status (`Status::label`: badges, filters, counts).
    pub status_draft: &'static str,
    pub status_under_review: &'static str,
    pub status_approved: &'static str,
    pub status_rejected: &'static str,
    /// Follows a bold "rejected" sentence and comes before the reviewer's reason (English
    /// starts it with a space).
    pub reason_label: &'static str,
    pub steps: OnboardingSteps,
    pub role: OnboardingRole,
    pub business: OnboardingBusiness,
    pub logo: OnboardingLogo,
    pub submitted: OnboardingSubmitted,
    pub status_changes_requested: &'static str,
}

/// The step indicator (`onboarding::steps`).
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnboardingSteps {
    /// The indicator's accessible name.
    pub label: &'static str,
    pub account: &'static str,
    pub role: &'static str,
    pub business: &'static str,
    pub review: &'static str,
    /// For screen readers, after a step that is done (English starts it with a space).
    pub done: &'static str,
}

/// Choose your role.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnboardingRole {
    /// The window title and the heading.
    pub title: &'static str,
    pub intro: &'static str,
    /// The choice's name (legend, error summary).
    pub field: &'static str,
    /// The ISV card's title, where the role is introduced.
    pub isv: &'static str,
    pub merchant: &'static str,
    pub continue_button: &'static str,
    pub saving: &'static str,
    pub under_review: &'static str,
}

/// Business information: the form, its draft, Submit.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnboardingBusiness {
    /// The window title.
    pub title: &'static str,
    pub heading: &'static str,
    /// `{role}` is the role's name, shown in bold.
    pub applying_as: &'static str,
    pub company_name: &'static str,
    pub company_name_help: &'static str,
    pub business_address: &'static str,
    pub business_address_help: &'static str,
    pub country: &'static str,
    pub country_help: &'static str,
    pub representative: &'static str,
    pub representative_help: &'static str,
    /// The field's name in the error summary.
    pub logo: &'static str,
    /// The field's label.
    pub logo_optional: &'static str,
    /// In the empty preview box.
    pub logo_placeholder: &'static str,
    /// After the logo rules when a logo is uploaded (English starts it with a space).
    pub logo_uploaded: &'static str,
    pub website: &'static str,
    pub website_optional: &'static str,
    pub website_help: &'static str,
    pub service_phone: &'static str,
    pub service_phone_optional: &'static str,
    pub service_phone_help: &'static str,
    pub service_email: &'static str,
    pub service_email_optional: &'static str,
    pub service_email_help: &'static str,
    pub terms: &'static str,
    pub privacy: &'static str,
    pub previous: &'static str,
    pub save_draft: &'static str,
    pub submit: &'static str,
    pub submitting: &'static str,
    /// The draft's status line.
    pub saving: &'static str,
    pub saved: &'static str,
    /// The latest autosave failed.
    pub not_saved: &'static str,
    pub agree_terms: &'static str,
    pub agree_privacy: &'static str,
    pub phone_not_in_plan: &'static str,
    pub field_too_long: &'static str,
    pub locked: &'static str,
    /// A reviewer's note beside a field they asked to change.
    pub reviewer_note: &'static str,
    pub changes_requested: &'static str,
    pub changes_requested_next: &'static str,
    pub closed: &'static str,
}

/// The Business Logo's rules and refusals.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnboardingLogo {
    /// Under the field: `{max_kb}` kilobytes, `{min_side}` pixels.
    pub summary: &'static str,
    pub too_large: &'static str,
    /// `{size_kb}` is the file's size.
    pub over_size: &'static str,
    pub not_square: &'static str,
    pub too_small: &'static str,
    pub damaged: &'static str,
    pub folder_path: &'static str,
    pub empty: &'static str,
    pub trailing_data: &'static str,
    pub not_jpg_or_png: &'static str,
    pub too_many_pixels: &'static str,
    pub needs_memory: &'static str,
    pub not_processed: &'static str,
}

/// The confirmation after Submit.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct OnboardingSubmitted {
    /// The window title.
    pub title: &'static str,
    pub heading: &'static str,
    /// `{company}` (in bold) comes before `{status}` (a badge), in this order.
    pub workspace_status: &'static str,
    pub approved: &'static str,
    pub rejected: &'static str,
    pub edit_and_resubmit: &'static str,
    pub next_heading: &'static str,
    pub next_review: &'static str,
    pub next_email: &'static str,
    pub next_owner: &'static str,
    pub console: &'static str,
    pub details: &'static str,
    /// The heading when the application cannot be shown.
    pub error_heading: &'static str,
    pub changes_requested: &'static str,
    pub rejected_final: &'static str,
    pub start_new: &'static str,
}
