//! The confirmation after Submit: where the request stands (it follows the reviewers'
//! decision as it is made) and what happens next.

use super::steps::Steps;
use crate::applications::{own_application, StatusBadge};
use crate::domain::Status;
use crate::ui::guard::ErrorView;
use crate::ui::page::Loading;
use leptos::either::{Either, EitherOf3};
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
    let id = move || query.with(|q| q.get("id").unwrap_or_default());
    // Fetched again when a reviewer decides, so the status shown is the real one.
    let refresh = crate::live::use_application_refresh(id);
    let app = Resource::new(move || (id(), refresh.get()), |(id, _)| own_application(id));
    view! {
        <section class="panel wizard">
            <Steps current=3/>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match app.await {
                        Ok(a) => Either::Left(view! {
                            <div class="confirmation">
                                <h1>"Thank you, your request is submitted"</h1>
                                <p>
                                    "Your workspace " <strong>{a.fields.company_name.clone()}</strong> " is "
                                    <StatusBadge status=a.status/> "."
                                </p>
                                {match a.status {
                                    Status::Approved => EitherOf3::A(view! {
                                        <p class="alert alert--success" role="status">"Your request is approved. You are the Owner of this workspace."</p>
                                    }),
                                    Status::Rejected => EitherOf3::B(view! {
                                        <div class="alert alert--error" role="status">
                                            <p><strong>"Your request was rejected."</strong> " Reason: " {a.rejection_reason.clone().unwrap_or_default()}</p>
                                            <a class="btn btn--small btn--primary" href="/onboarding/business">"Edit and resubmit"</a>
                                        </div>
                                    }),
                                    _ => EitherOf3::C(view! {
                                        <h2>"What happens next"</h2>
                                        <ol class="next-steps">
                                            <li>"Our team reviews your business information."</li>
                                            <li>"We email you when your request is approved (or if we need changes)."</li>
                                            <li>"Once approved, you are the Owner of the workspace and can manage your business there."</li>
                                        </ol>
                                    }),
                                }}
                                <div class="wizard__actions">
                                    <a class="btn btn--primary" href="/console">"CONSOLE"</a>
                                    <a class="btn btn--ghost" href=format!("/workspaces/{}/onboarding", a.id)>"Onboarding details"</a>
                                </div>
                            </div>
                        }),
                        Err(e) => Either::Right(view! { <ErrorView error=e heading="Your application"/> }),
                    }
                })}
            </Transition>
        </section>
    }
}
