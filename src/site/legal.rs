use leptos::prelude::*;
use leptos_meta::Title;

/// Recorded with every acceptance; change it when the text below changes.
pub const TERMS_VERSION: &str = "2026-11-01";
pub const PRIVACY_VERSION: &str = "2026-11-01";

#[component]
pub fn TermsPage() -> impl IntoView {
    view! {
        <Title text="Terms of Service"/>
        <article class="prose">
            <h1>"Terms of Service"</h1>
            <p class="muted">"Version " {TERMS_VERSION}</p>
            <p>"These terms govern your use of Mini Program Platform as an ISV or merchant."</p>
            <h2>"Your account"</h2>
            <p>"Keep your password secret and your email address current. You are responsible for what happens under your account."</p>
            <h2>"Your business information"</h2>
            <p>"The information you submit for review must be accurate and yours to share. We may reject or suspend workspaces whose information is false."</p>
            <h2>"Acceptable use"</h2>
            <p>"Do not use the platform to break the law, to harm users, or to get around its security."</p>
            <h2>"Changes"</h2>
            <p>"When these terms change we will ask you to agree to the new version."</p>
        </article>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <Title text="Privacy Policy"/>
        <article class="prose">
            <h1>"Privacy Policy"</h1>
            <p class="muted">"Version " {PRIVACY_VERSION}</p>
            <p>"We keep the information you give us to run your account and to review your business: your email address, username, and the business information you submit."</p>
            <p>"We keep a record of when you agreed to our terms, with the address and browser it came from, as proof of that agreement."</p>
            <p>"Passwords are stored only as salted hashes. Verification codes and session tokens are stored only as hashes."</p>
            <p>"We do not sell your information. Ask us to delete your account at any time."</p>
        </article>
    }
}
