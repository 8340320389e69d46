//! isv-portal: the onboarding portal of a mini program platform.
//!
//! `domain` holds the values both sides parse; `applications` holds the application and
//! workspace model (rows, store, event log, history, shared components) that the capabilities
//! share; each capability has a folder with its pages and server functions (`accounts`,
//! `onboarding`, `console`, `review`, `mailbox`, `site`) and uses `applications`, never another
//! capability's internals (`workspaces` is a workspace's team: roles, invitations, members);
//! `live` carries application events to open pages; `ui` holds shared components; `server`
//! holds what exists only on the server.

pub mod accounts;
pub mod app;
pub mod applications;
pub mod console;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod live;
pub mod mailbox;
pub mod onboarding;
pub mod review;
pub mod site;
pub mod ui;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    i18n::start_in_page_language();
    leptos::mount::hydrate_body(app::App);
}
