//! The public pages: landing, Terms of Service, Privacy Policy, accessibility statement, not found.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Site {
    pub landing: SiteLanding,
    pub terms: SiteTerms,
    pub privacy: SitePrivacy,
    pub accessibility: SiteAccessibility,
    pub not_found: SiteNotFound,
    /// The version line under a legal document's heading: `{version}` is its date.
    pub version: &'static str,
}

/// The landing page (`/`).
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SiteLanding {
    pub eyebrow: &'static str,
    pub heading: &'static str,
    pub lead: &'static str,
    pub get_started: &'static str,
    pub sign_in: &'static str,
    /// The accessible name of the list of onboarding steps.
    pub steps_label: &'static str,
    pub step_apply: &'static str,
    pub step_apply_text: &'static str,
    pub step_role: &'static str,
    pub step_role_text: &'static str,
    pub step_wait: &'static str,
    pub step_wait_text: &'static str,
    pub step_log_in: &'static str,
    pub step_log_in_text: &'static str,
    pub concepts_heading: &'static str,
    pub merchant: &'static str,
    pub merchant_text: &'static str,
    pub isv: &'static str,
    pub isv_text: &'static str,
    pub platform: &'static str,
    pub platform_text: &'static str,
}

/// The Terms of Service (`/terms`).
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SiteTerms {
    pub title: &'static str,
    pub intro: &'static str,
    pub account_heading: &'static str,
    pub account_text: &'static str,
    pub business_heading: &'static str,
    pub business_text: &'static str,
    pub use_heading: &'static str,
    pub use_text: &'static str,
    pub changes_heading: &'static str,
    pub changes_text: &'static str,
}

/// The Privacy Policy (`/privacy`).
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SitePrivacy {
    pub title: &'static str,
    pub what_we_keep: &'static str,
    pub agreement_record: &'static str,
    pub hashes: &'static str,
    pub no_selling: &'static str,
}

/// The accessibility statement (`/accessibility`).
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SiteAccessibility {
    pub title: &'static str,
    pub intro: &'static str,
    pub target_heading: &'static str,
    pub target_text: &'static str,
    pub testing_heading: &'static str,
    pub testing_axe: &'static str,
    pub testing_keyboard: &'static str,
    pub testing_reflow: &'static str,
    pub in_practice: &'static str,
    pub limitations_heading: &'static str,
    pub limitation_language: &'static str,
    pub limitation_user_text: &'static str,
    pub feedback_heading: &'static str,
    pub feedback_text: &'static str,
}

/// The page for an address the portal does not have.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SiteNotFound {
    pub title: &'static str,
    pub text: &'static str,
    pub home: &'static str,
}
