//! The public pages: landing, Terms of Service, Privacy Policy, the accessibility statement,
//! and "not found".

mod accessibility;
mod landing;
mod legal;

pub use accessibility::AccessibilityPage;
pub use landing::LandingPage;
pub use legal::{PrivacyPage, TermsPage, PRIVACY_VERSION, TERMS_VERSION};

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="empty-state">
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist or is no longer here."</p>
            <a class="btn btn--primary" href="/">"Go to the home page"</a>
        </section>
    }
}
