//! The keys: what every language must say. One struct per area of the portal; each field is
//! one sentence (`{name}` marks where a value goes).

mod account;
mod accounts;
mod console;
mod frame;
mod history;
mod invalid;
mod mail;
mod onboarding;
mod review;
mod review_export;
mod review_metrics;
mod second_factor;
mod site;
mod ui;
mod workspaces;

pub use account::*;
pub use accounts::*;
pub use console::*;
pub use frame::*;
pub use history::*;
pub use invalid::*;
pub use mail::*;
pub use onboarding::*;
pub use review::*;
pub use review_export::*;
pub use review_metrics::*;
pub use second_factor::*;
pub use site::*;
pub use ui::*;
pub use workspaces::*;

/// Every sentence of the portal in one language.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Texts {
    pub frame: Frame,
    pub site: Site,
    pub ui: Ui,
    pub invalid: FieldErrors,
    pub accounts: Accounts,
    pub account: Account,
    pub onboarding: Onboarding,
    pub console: Console,
    pub workspaces: Workspaces,
    pub review: Review,
    pub mail: Mails,
    pub history: History,
    pub second_factor: SecondFactor,
}
