//! The page frame: header, language switcher, footer, skip link, the window title.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Frame {
    /// The platform's name (header, window title, footer, mails).
    pub platform: &'static str,
    /// The window title of a page: `{page}` is the page's own title.
    pub title: &'static str,
    pub skip_link: &'static str,
    pub home_label: &'static str,
    pub main_nav: &'static str,
    pub console_nav: &'static str,
    pub review_nav: &'static str,
    pub sign_in_nav: &'static str,
    /// The account menu's accessible name: `{username}`.
    pub account_menu: &'static str,
    pub menu_account: &'static str,
    pub menu_console: &'static str,
    pub menu_review: &'static str,
    pub sign_out: &'static str,
    /// The switcher's accessible name (a form of one button per other language).
    pub language: &'static str,
    pub footer_copyright: &'static str,
    pub footer_terms: &'static str,
    pub footer_privacy: &'static str,
    pub footer_accessibility: &'static str,
}
