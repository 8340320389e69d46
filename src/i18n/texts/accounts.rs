//! Sign-up, sign-in, codes, password reset.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Accounts {
    /// Field labels shared by the forms.
    pub email: &'static str,
    pub verification_code: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    /// The help under a verification code field.
    pub code_help: &'static str,
    /// The page title, heading, button and link.
    pub sign_in: &'static str,
    /// The page title, button and link.
    pub sign_up: &'static str,
    pub sign_up_page: AccountsSignUp,
    pub sign_in_page: AccountsSignIn,
    pub reset: AccountsReset,
    pub codes: AccountsCodes,
    pub passwords: AccountsPasswords,
}

/// The sign-up page and its server function.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct AccountsSignUp {
    pub heading: &'static str,
    pub lead: &'static str,
    /// The document named by the agreement checkbox and in the error summary.
    pub terms_of_service: &'static str,
    pub busy: &'static str,
    /// Followed by the "Sign in" link.
    pub have_account: &'static str,
    pub username_taken: &'static str,
    pub agree_to_terms: &'static str,
    pub email_has_account: &'static str,
}

/// The sign-in page and its server function.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct AccountsSignIn {
    pub lead: &'static str,
    pub password_was_reset: &'static str,
    pub to_continue: &'static str,
    pub login_label: &'static str,
    pub forgot_password: &'static str,
    pub busy: &'static str,
    /// Followed by the "Sign up" link.
    pub new_here: &'static str,
    pub login_missing: &'static str,
    pub wrong: &'static str,
    /// `{when}`: a wait, `wait_minutes` or `wait_seconds`.
    pub account_waits: &'static str,
    /// `{when}`: a wait, `wait_minutes` or `wait_seconds`.
    pub client_waits: &'static str,
    pub wait_minutes: &'static str,
    pub wait_seconds: &'static str,
}

/// The forgotten-password page and its server function.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct AccountsReset {
    /// The page title and heading.
    pub title: &'static str,
    pub lead: &'static str,
    pub submit: &'static str,
    pub busy: &'static str,
    /// Followed by the "Sign in" link.
    pub remembered: &'static str,
    pub confirm_missing: &'static str,
    pub passwords_differ: &'static str,
}

/// E-mailed codes: the "Send code" button, its notice, and what checking a code answers.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct AccountsCodes {
    pub send: &'static str,
    pub sending: &'static str,
    /// `{seconds}` until another code may be asked for.
    pub resend_in: &'static str,
    pub resend: &'static str,
    /// `{email}`; valid for `{minutes}`; another after `{seconds}`.
    pub on_its_way: &'static str,
    /// `{seconds}`.
    pub wait_before_resend: &'static str,
    /// `{minutes}`.
    pub too_many_for_address: &'static str,
    /// `{minutes}`.
    pub too_many_from_network: &'static str,
    /// `{tries}` left: 1.
    pub wrong_one: &'static str,
    /// `{tries}` left: any other number.
    pub wrong_other: &'static str,
    pub too_many_wrong: &'static str,
    pub expired: &'static str,
    pub no_longer_valid: &'static str,
    pub not_right: &'static str,
}

/// New passwords the server refuses, and the current password proved on the account page.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct AccountsPasswords {
    pub current_missing: &'static str,
    pub wrong_current: &'static str,
    pub changed_meanwhile: &'static str,
    /// `{when}`: a wait, `sign_in_page.wait_minutes` or `sign_in_page.wait_seconds`.
    pub waits: &'static str,
    pub too_weak: &'static str,
    pub not_checked: &'static str,
}
