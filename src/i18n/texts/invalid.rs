//! Why a field's value was refused (`domain::Invalid`) and the names of the fields it mentions.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct FieldErrors {
    /// A required field is empty: `{what}` is a field's name (below).
    pub missing: &'static str,
    /// `{what}`: a field's name.
    pub control_chars: &'static str,
    /// `{what}`: a field's name; `{min}` characters.
    pub too_short: &'static str,
    /// `{what}`: a field's name; at most `{max}` characters, it has `{len}`.
    pub too_long: &'static str,
    /// Field names, as the sentences above mention them.
    pub company_name: &'static str,
    pub business_address: &'static str,
    pub representative: &'static str,
    pub rejection_reason: &'static str,
    pub change_note: &'static str,
    pub general_note: &'static str,
    pub passkey_name: &'static str,
    /// A request for changes without a field picked.
    pub no_field_chosen: &'static str,
    pub country_missing: &'static str,
    pub country_unknown: &'static str,
    pub website_format: &'static str,
    pub website_scheme: &'static str,
    pub phone_format: &'static str,
    pub role_unknown: &'static str,
    pub code_missing: &'static str,
    pub code_format: &'static str,
    pub email_missing: &'static str,
    /// `{max}` characters.
    pub email_too_long: &'static str,
    pub email_spaces: &'static str,
    pub email_format: &'static str,
    pub password_missing: &'static str,
    /// `{min}` characters.
    pub password_too_short: &'static str,
    /// `{max}` characters.
    pub password_too_long: &'static str,
    pub password_has_name: &'static str,
    pub sign_in_password_missing: &'static str,
    pub sign_in_incorrect: &'static str,
    pub reason_missing: &'static str,
    pub reason_control_chars: &'static str,
    /// `{min}` characters.
    pub reason_too_short: &'static str,
    pub username_missing: &'static str,
    pub username_length: &'static str,
    pub username_chars: &'static str,
    /// The help under a username field.
    pub username_rule: &'static str,
    /// The help under a new password field.
    pub password_rule: &'static str,
    pub second_factor_code_missing: &'static str,
    pub second_factor_code_format: &'static str,
    pub app_code_missing: &'static str,
    pub app_code_format: &'static str,
}
