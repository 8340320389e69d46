//! Onboarding (seed Step 2): choose a role, then tell us about the business. For now the
//! role page only greets the new account; the wizard comes with the onboarding issue.

use crate::ui::guard::SignedIn;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChooseRolePage() -> impl IntoView {
    view! {
        <Title text="Choose your role"/>
        <SignedIn path="/onboarding/role" children=|user| view! {
            <section class="panel">
                <p class="eyebrow">"Step 2 of 4"</p>
                <h1>"Choose your role"</h1>
                <p>"Welcome, " {user.username} ". Your account is ready."</p>
                <div class="role-grid">
                    <div class="role-card">
                        <h2>"ISV"</h2>
                        <p>"Build and manage mini programs for merchants."</p>
                    </div>
                    <div class="role-card">
                        <h2>"Merchant"</h2>
                        <p>"Develop and manage your own mini programs."</p>
                    </div>
                </div>
                <p class="muted">"Telling us about your business opens here soon. Meanwhile, your console is ready."</p>
                <a class="btn btn--primary" href="/console">"Go to CONSOLE"</a>
            </section>
        }.into_any()/>
    }
}
