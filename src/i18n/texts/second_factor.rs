//! Two-step verification: the account page that sets it up, the sign-in code step, its mail.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct SecondFactor {
    /// The page's title and heading, and the sign-in code step's.
    pub title: &'static str,
    pub back_to_account: &'static str,
    /// Shown to a reviewer who must set it up first.
    pub reviewers_must: &'static str,
    /// After signing in with a recovery code: `{count}` left.
    pub recovery_used: &'static str,
    pub off_lead: &'static str,
    pub set_up: &'static str,
    /// A button while its request runs.
    pub working: &'static str,
    pub codes_title: &'static str,
    pub codes_lead: &'static str,
    pub download: &'static str,
    pub saved: &'static str,
    pub setup_title: &'static str,
    pub scan: &'static str,
    /// The QR code's accessible name.
    pub qr_label: &'static str,
    pub or_type_key: &'static str,
    pub open_in_app: &'static str,
    pub enter_code: &'static str,
    pub app_code_label: &'static str,
    pub turn_on: &'static str,
    pub new_key: &'static str,
    pub on_title: &'static str,
    /// `{since}`: a moment.
    pub on_since: &'static str,
    /// `{count}`.
    pub codes_left: &'static str,
    pub renew_title: &'static str,
    pub renew_lead: &'static str,
    pub renew: &'static str,
    pub off_title: &'static str,
    pub off_lead_reviewer: &'static str,
    pub off_lead_everyone: &'static str,
    pub code_label: &'static str,
    pub code_help: &'static str,
    pub turn_off: &'static str,
    pub history_title: &'static str,
    pub history_empty: &'static str,
    /// `{what}`, `{at}`: a moment.
    pub history_entry: &'static str,
    pub sign_in_lead: &'static str,
    pub verify: &'static str,
    pub verifying: &'static str,
    pub sign_in_again: &'static str,
    /// A reviewer's request before the second factor is set up.
    pub must_enrol: &'static str,
    pub already_on: &'static str,
    pub nothing_to_confirm: &'static str,
    pub wrong_code: &'static str,
    /// `{when}`: a wait.
    pub waits: &'static str,
    pub not_on: &'static str,
    pub step_expired: &'static str,
    pub event_enabled: &'static str,
    pub event_disabled: &'static str,
    pub event_recovery_code_used: &'static str,
    pub event_recovery_codes_renewed: &'static str,
    pub event_reset: &'static str,
    /// `{platform}`.
    pub mail_subject: &'static str,
    pub mail_enabled: &'static str,
    pub mail_disabled: &'static str,
    pub mail_reset: &'static str,
    pub mail_not_you: &'static str,
    /// `{platform}`, `{email}`.
    pub file_heading: &'static str,
    pub file_note: &'static str,
    pub account_lead: &'static str,
    pub mail_renewed: &'static str,
    pub passkeys: Passkeys,
}

/// Passkeys, within two-step verification.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Passkeys {
    /// The passkeys section's heading.
    pub title: &'static str,
    pub lead: &'static str,
    pub none: &'static str,
    /// `{name}`, `{at}`: a moment.
    pub added_at: &'static str,
    /// `{at}`: a moment.
    pub last_used: &'static str,
    pub never_used: &'static str,
    pub name_label: &'static str,
    pub name_help: &'static str,
    pub add: &'static str,
    /// While the browser asks for the passkey.
    pub waiting: &'static str,
    /// After one was added.
    pub added: &'static str,
    pub remove_title: &'static str,
    /// The select that picks the passkey to remove.
    pub which: &'static str,
    pub remove: &'static str,
    pub removing: &'static str,
    pub needs_js: &'static str,
    pub unsupported: &'static str,
    pub unavailable: &'static str,
    pub not_accepted: &'static str,
    /// The authenticator's answer to adding one was refused (by the browser or the portal).
    pub add_refused: &'static str,
    /// The authenticator already holds a passkey of this account (`excludeCredentials`).
    pub already_on_device: &'static str,
    /// The browser refused the page's address (not the portal's own).
    pub wrong_address: &'static str,
    pub removed: &'static str,
    pub cancelled: &'static str,
    pub ask_again: &'static str,
    pub too_many: &'static str,
    pub not_added: &'static str,
    pub gone: &'static str,
    pub use_passkey: &'static str,
    pub event_added: &'static str,
    pub event_removed: &'static str,
    pub mail_added: &'static str,
    pub mail_removed: &'static str,
}
