use crate::i18n::{fill, Lang};
use leptos::prelude::*;
use leptos_meta::Title;

/// The English documents' versions.
pub const TERMS_VERSION: &str = "2026-11-01";
pub const PRIVACY_VERSION: &str = "2026-11-01";

/// Each language's text of the Terms of Service has a version of its own, recorded with every
/// acceptance beside the language: change a language's when its text changes.
pub fn terms_version(lang: Lang) -> &'static str {
    match lang {
        Lang::En => TERMS_VERSION,
        Lang::ZhCn => "2026-11-27",
    }
}

/// The Privacy Policy's version in `lang`, as [`terms_version`].
pub fn privacy_version(lang: Lang) -> &'static str {
    match lang {
        Lang::En => PRIVACY_VERSION,
        Lang::ZhCn => "2026-11-27",
    }
}

#[component]
pub fn TermsPage() -> impl IntoView {
    let texts = crate::i18n::t();
    let t = &texts.site.terms;
    view! {
        <Title text=t.title/>
        <article class="prose">
            <h1>{t.title}</h1>
            <p class="muted">{fill(texts.site.version, &[("version", &terms_version(crate::i18n::lang()))])}</p>
            <p>{t.intro}</p>
            <h2>{t.account_heading}</h2>
            <p>{t.account_text}</p>
            <h2>{t.business_heading}</h2>
            <p>{t.business_text}</p>
            <h2>{t.use_heading}</h2>
            <p>{t.use_text}</p>
            <h2>{t.changes_heading}</h2>
            <p>{t.changes_text}</p>
        </article>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let texts = crate::i18n::t();
    let t = &texts.site.privacy;
    view! {
        <Title text=t.title/>
        <article class="prose">
            <h1>{t.title}</h1>
            <p class="muted">{fill(texts.site.version, &[("version", &privacy_version(crate::i18n::lang()))])}</p>
            <p>{t.what_we_keep}</p>
            <p>{t.agreement_record}</p>
            <p>{t.hashes}</p>
            <p>{t.no_selling}</p>
        </article>
    }
}
