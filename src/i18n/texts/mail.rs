//! Every mail the portal sends. A mail is written in its RECIPIENT's language (not the
//! request's): `server::mail::templates` and `workspaces::mail` take a `Lang` and read
//! `lang.texts().mail`.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Mails {
    /// The platform's name, as mails write it (the layout's header, subjects, sentences).
    pub platform: &'static str,
    /// The HTML layout's last line: `{platform}`.
    pub html_footer: &'static str,
    /// The plain text's signature, after "-- ": `{platform}`.
    pub text_footer: &'static str,
    /// A link written out in the plain text: `{label}` (the HTML link's words), `{link}`.
    pub link_line: &'static str,
    /// `{username}`.
    pub hello: &'static str,
    /// The greeting of a mail to an address (an invitation): nobody's name yet.
    pub hello_anonymous: &'static str,

    // Verification codes.
    /// `{code}` (the HTML puts the code in bold).
    pub code_is: &'static str,
    /// `{minutes}`.
    pub code_expiry: &'static str,
    /// `{platform}`.
    pub signup_code_subject: &'static str,
    /// `{platform}`.
    pub signup_code_intro: &'static str,
    /// `{platform}`.
    pub reset_code_subject: &'static str,
    pub reset_code_intro: &'static str,

    // Sign-up with an address that has an account.
    /// `{platform}`.
    pub signup_existing_subject: &'static str,
    pub signup_existing_intro: &'static str,
    /// The sign-in link's words.
    pub sign_in_label: &'static str,
    /// Plain text: `{link}` is the address.
    pub signup_existing_reset: &'static str,
    /// HTML: `{link}` is a link saying `reset_it_label`.
    pub signup_existing_reset_html: &'static str,
    pub reset_it_label: &'static str,
    pub signup_existing_not_you: &'static str,

    // Password changed.
    /// `{platform}`.
    pub password_changed_subject: &'static str,
    /// After a reset with an e-mailed code.
    pub password_changed_after_reset: &'static str,
    /// After a change on the account page.
    pub password_changed_on_account_page: &'static str,
    /// Plain text: `{link}` is the address.
    pub password_changed_not_you: &'static str,
    /// HTML: `{link}` is a link saying `reset_password_now_label`.
    pub password_changed_not_you_html: &'static str,
    pub reset_password_now_label: &'static str,

    // Account deleted.
    /// `{platform}`.
    pub account_deleted_subject: &'static str,
    pub account_deleted_what: &'static str,
    pub account_deleted_applications: &'static str,
    /// Plain text: `{link}` is the address.
    pub account_deleted_not_you: &'static str,
    /// HTML: `{link}` is a link saying `sign_up_again_label`.
    pub account_deleted_not_you_html: &'static str,
    pub sign_up_again_label: &'static str,

    // Applications.
    /// `{company}`.
    pub application_received_subject: &'static str,
    /// `{platform}`, `{company}`.
    pub application_received_thanks: &'static str,
    pub application_received_next: &'static str,
    pub view_onboarding_label: &'static str,
    /// `{company}`.
    pub application_approved_subject: &'static str,
    /// `{platform}`, `{company}`.
    pub application_approved_news: &'static str,
    pub application_approved_owner: &'static str,
    /// `{company}`.
    pub application_rejected_subject: &'static str,
    /// `{company}`.
    pub application_rejected_intro: &'static str,
    /// `{reason}`: the reviewer's words, as written.
    pub application_rejected_reason: &'static str,
    pub application_rejected_next: &'static str,
    pub edit_and_resubmit_label: &'static str,

    // Roles, as team mails name them.
    pub role_owner: &'static str,
    pub role_admin: &'static str,
    pub role_developer: &'static str,
    pub role_operator: &'static str,
    pub role_applicant: &'static str,
    /// A role inside a sentence ("as an Admin", "where you were a Developer").
    pub an_owner: &'static str,
    pub an_admin: &'static str,
    pub a_developer: &'static str,
    pub an_operator: &'static str,
    pub an_applicant: &'static str,
    /// What each role means, in a sentence.
    pub owner_means: &'static str,
    pub admin_means: &'static str,
    pub developer_means: &'static str,
    pub operator_means: &'static str,
    pub applicant_means: &'static str,
    /// A role and what it means: `{role}`, `{meaning}`.
    pub role_line: &'static str,

    // Team mails.
    /// `{inviter}`, `{workspace}`.
    pub invitation_subject: &'static str,
    /// `{inviter}`, `{workspace}`, `{platform}`, `{role}` (with its article).
    pub invitation_intro: &'static str,
    /// `{email}`, `{date}` (when it expires).
    pub invitation_terms: &'static str,
    pub invitation_ignore: &'static str,
    pub accept_invitation_label: &'static str,
    /// `{workspace}`, `{role}`.
    pub role_changed_subject: &'static str,
    /// `{actor}`, `{workspace}`, `{platform}`, `{from}`, `{role}`.
    pub role_changed_body: &'static str,
    pub open_workspace_label: &'static str,
    /// `{workspace}`.
    pub blocked_subject: &'static str,
    /// `{actor}`, `{workspace}`, `{platform}`.
    pub blocked_body: &'static str,
    pub blocked_ask_owner: &'static str,
    pub go_to_console_label: &'static str,
    /// `{workspace}`.
    pub unblocked_subject: &'static str,
    /// `{actor}`, `{workspace}`, `{platform}`, `{role}` (with its article).
    pub unblocked_body: &'static str,
    /// `{workspace}`.
    pub removed_subject: &'static str,
    /// `{actor}`, `{workspace}`, `{platform}`.
    pub removed_body: &'static str,
    /// `{workspace}`.
    pub ownership_subject: &'static str,
    /// `{actor}` (twice), `{workspace}`, `{platform}`.
    pub ownership_body: &'static str,
    pub open_members_label: &'static str,
    /// `{workspace}`.
    pub left_subject: &'static str,
    /// `{workspace}`, `{platform}`, `{role}` (with its article).
    pub left_body: &'static str,
    pub left_not_you: &'static str,
    pub changes_requested_subject: &'static str,
    pub changes_requested_intro: &'static str,
    /// One field asked about.
    pub changes_requested_item: &'static str,
    pub changes_requested_note: &'static str,
    pub changes_requested_next: &'static str,
    pub start_new_application_label: &'static str,
}
