//! The confirmation after Submit: what happens next.

use super::steps::Steps;
use crate::console::application;
use crate::ui::guard::ErrorView;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SubmittedPage() -> impl IntoView {
    view! {
        <Title text="Application submitted"/>
        <Confirmation/>
    }
}

#[component]
fn Confirmation() -> impl IntoView {
    let query = use_query_map();
    let app = Resource::new(
        move || query.with(|q| q.get("id").unwrap_or_default()),
        application,
    );
    view! {
        <section class="panel wizard">
            <Steps current=3/>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match app.await {
                        Ok(a) => Either::Left(view! {
                            <div class="confirmation">
                                <h1>"Thank you, your request is submitted"</h1>
                                <p>
                                    "Your workspace " <strong>{a.fields.company_name.clone()}</strong> " is "
                                    <span class="badge badge--under_review">"Under Review"</span> "."
                                </p>
                                <h2>"What happens next"</h2>
                                <ol class="next-steps">
                                    <li>"Our team reviews your business information."</li>
                                    <li>"We email you when your request is approved (or if we need changes)."</li>
                                    <li>"Once approved, you are the Owner of the workspace and can manage your business there."</li>
                                </ol>
                                <div class="wizard__actions">
                                    <a class="btn btn--primary" href="/console">"CONSOLE"</a>
                                    <a class="btn btn--ghost" href=format!("/workspaces/{}/onboarding", a.id)>"Onboarding details"</a>
                                </div>
                            </div>
                        }),
                        Err(e) => Either::Right(view! { <ErrorView error=e/> }),
                    }
                })}
            </Suspense>
        </section>
    }
}
