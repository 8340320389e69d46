//! The account page: details, password, data export, deletion.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Account {
    /// The page's title and heading.
    pub title: &'static str,
    pub username: &'static str,
    pub email: &'static str,

    // Changing the password.
    /// The section's heading and its button.
    pub change_password: &'static str,
    pub password_changed: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    /// The button while the change runs.
    pub changing: &'static str,
    pub passwords_differ: &'static str,
    pub same_as_current: &'static str,
    pub enter_new_again: &'static str,

    // Signed-in devices.
    pub devices_title: &'static str,
    pub only_this_device: &'static str,
    pub sign_out_elsewhere: &'static str,
    pub sign_out: &'static str,
    /// The accessible name of a device's sign-out button: `{browser}`, `{ip}`.
    pub sign_out_device: &'static str,
    /// The badge of the device in use.
    pub this_device: &'static str,
    /// Under a device's name: `{ip}`, `{last_seen}` (a date).
    pub last_seen: &'static str,
    /// Refusal to sign out the device in use from the list.
    pub this_device_in_use: &'static str,
    /// A device's name: `{browser}` ("Chrome") on `{system}` ("Linux").
    pub browser_on_system: &'static str,
    pub unknown_browser: &'static str,

    // Exporting the data.
    pub export_title: &'static str,
    pub export_intro: &'static str,
    pub export_download: &'static str,

    // Deleting the account.
    /// The section's heading and its button.
    pub delete_title: &'static str,
    pub delete_intro: &'static str,
    pub delete_signs_out: &'static str,
    pub delete_drafts: &'static str,
    pub delete_keeps_applications: &'static str,
    pub delete_owner_first: &'static str,
    pub delete_final: &'static str,
    pub password: &'static str,
    /// The button while the deletion runs.
    pub deleting: &'static str,
    /// Refusal while the account owns a workspace with other members: `{workspace}`.
    pub owns_a_team: &'static str,
    /// The account page's language section.
    pub language_title: &'static str,
    /// `{language}`: the account's language, in its own name.
    pub language_intro: &'static str,
    /// The section's form's accessible name.
    pub language_change: &'static str,
}
