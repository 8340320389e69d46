//! The public pages: landing, Terms of Service, Privacy Policy, the accessibility statement,
//! and "not found".

mod accessibility;
mod landing;
mod legal;

pub use accessibility::AccessibilityPage;
pub use landing::LandingPage;
pub use legal::{
    privacy_version, terms_version, PrivacyPage, TermsPage, PRIVACY_VERSION, TERMS_VERSION,
};

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let t = crate::i18n::t();
    view! {
        <Title text=t.site.not_found.title/>
        <section class="empty-state">
            <h1>{t.site.not_found.title}</h1>
            <p>{t.site.not_found.text}</p>
            <a class="btn btn--primary" href="/">{t.site.not_found.home}</a>
        </section>
    }
}
