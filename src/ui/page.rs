//! The blocks a page shows while its data loads, and when what the address names is not there.

use leptos::prelude::*;

/// Shown while a page's data loads (the fallback of its `Suspense` or `Transition`).
#[component]
pub fn Loading() -> impl IntoView {
    let t = crate::i18n::t();
    view! { <p class="loading" role="status">{t.ui.loading}</p> }
}

/// Answers the page being rendered on the server with 404 (nothing happens in the browser),
/// so that a "not found" block is not a 200 to crawlers, scripts and tests.
pub fn answer_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
}

/// "Not found": what was not found, and the way back; the page answers 404.
#[component]
pub fn NotFound(
    /// The sentence under the heading, e.g. "We could not find that workspace."
    #[prop(into)]
    text: String,
    /// Where the button leads, and its label.
    back_href: &'static str,
    back_label: &'static str,
) -> impl IntoView {
    answer_not_found();
    let t = crate::i18n::t();
    view! {
        <div class="empty-state">
            <h1>{t.ui.not_found_heading}</h1>
            <p>{text}</p>
            <a class="btn btn--primary" href=back_href>{back_label}</a>
        </div>
    }
}
