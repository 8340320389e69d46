//! The CONSOLE: the signed-in user's workspaces (listed once onboarding creates them).

use crate::ui::guard::SignedIn;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ConsolePage() -> impl IntoView {
    view! {
        <Title text="Console"/>
        <SignedIn path="/console" children=|user| view! {
            <section class="panel">
                <h1>"Workspaces"</h1>
                <p class="muted">"Signed in as " {user.username} " (" {user.email} ")"</p>
                <div class="empty-state">
                    <h2>"No workspaces yet"</h2>
                    <p>"Choose your role and tell us about your business. Your workspace appears here, named after your company, while we review it."</p>
                    <a class="btn btn--primary" href="/onboarding/role">"Choose your role"</a>
                </div>
            </section>
        }.into_any()/>
    }
}
