use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <div class="hero__text">
                <p class="eyebrow">"For ISVs and merchants"</p>
                <h1>"Build and grow mini programs with Mini Program Platform"</h1>
                <p class="hero__lead">
                    "Create an account, tell us about your business, and get reviewed. Once approved, "
                    "your workspace is ready for your team and your mini programs."
                </p>
                <div class="hero__actions">
                    <a class="btn btn--primary btn--large" href="/signup">"GET STARTED"</a>
                    <a class="btn btn--ghost btn--large" href="/signin">"SIGN IN"</a>
                </div>
            </div>
            <ol class="steps" aria-label="How onboarding works">
                <li><strong>"Apply for an account"</strong><span>"Your email, a verification code, a username and a password."</span></li>
                <li><strong>"Choose your role"</strong><span>"ISV or merchant, and an overview of your business."</span></li>
                <li><strong>"Wait for approval"</strong><span>"We review your request and email you the result."</span></li>
                <li><strong>"Log in to the platform"</strong><span>"Open your workspace as its Owner."</span></li>
            </ol>
        </section>
        <section class="concepts" aria-labelledby="concepts-title">
            <h2 id="concepts-title">"Basic concepts"</h2>
            <dl class="concepts__list">
                <div><dt>"Merchant"</dt><dd>"A role to develop and manage their own mini programs."</dd></div>
                <div><dt>"ISV (independent software vendor)"</dt><dd>"A role to help merchants develop and manage mini programs."</dd></div>
                <div><dt>"Mini Program Platform"</dt><dd>"The platform to manage mini programs, focused on global markets."</dd></div>
            </dl>
        </section>
    }
}
