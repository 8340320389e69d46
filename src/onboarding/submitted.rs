//! The confirmation after Submit: where the request stands (it follows the reviewers'
//! decision as it is made) and what happens next.

use super::steps::Steps;
use crate::applications::{own_application, RequestedChanges, StatusBadge};
use crate::domain::Status;
use crate::ui::guard::ErrorView;
use crate::ui::page::Loading;
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SubmittedPage() -> impl IntoView {
    let t = crate::i18n::t();
    view! {
        <Title text=t.onboarding.submitted.title/>
        <Confirmation/>
    }
}

#[component]
fn Confirmation() -> impl IntoView {
    let t = &crate::i18n::t().onboarding;
    let s = &t.submitted;
    // The company's name (bold) and the status (a badge) sit inside the sentence.
    let (workspace_before, rest) = crate::i18n::around(s.workspace_status, "company");
    let (workspace_middle, workspace_after) = crate::i18n::around(rest, "status");
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
                                <h1>{s.heading}</h1>
                                <p>
                                    {workspace_before} <strong>{a.fields.company_name.clone()}</strong> {workspace_middle}
                                    <StatusBadge status=a.status/> {workspace_after}
                                </p>
                                {match a.status {
                                    Status::Approved => EitherOf4::A(view! {
                                        <p class="alert alert--success" role="status">{s.approved}</p>
                                    }),
                                    Status::Rejected => EitherOf4::B(view! {
                                        <div class="alert alert--error" role="status">
                                            <p><strong>{s.rejected}</strong> {t.reason_label} {a.rejection_reason.clone().unwrap_or_default()}</p>
                                            <p>{s.rejected_final}</p>
                                            <a class="btn btn--small btn--primary" href="/onboarding/role">{s.start_new}</a>
                                        </div>
                                    }),
                                    Status::ChangesRequested => EitherOf4::C(view! {
                                        <div class="alert alert--warning" role="status">
                                            <p><strong>{s.changes_requested}</strong></p>
                                            {a.requested_changes.clone().map(|request| view! { <RequestedChanges request/> })}
                                            <a class="btn btn--small btn--primary" href="/onboarding/business">{s.edit_and_resubmit}</a>
                                        </div>
                                    }),
                                    _ => EitherOf4::D(view! {
                                        <h2>{s.next_heading}</h2>
                                        <ol class="next-steps">
                                            <li>{s.next_review}</li>
                                            <li>{s.next_email}</li>
                                            <li>{s.next_owner}</li>
                                        </ol>
                                    }),
                                }}
                                <div class="wizard__actions">
                                    <a class="btn btn--primary" href="/console">{s.console}</a>
                                    <a class="btn btn--ghost" href=format!("/workspaces/{}/onboarding", a.id)>{s.details}</a>
                                </div>
                            </div>
                        }),
                        Err(e) => Either::Right(view! { <ErrorView error=e heading=s.error_heading/> }),
                    }
                })}
            </Transition>
        </section>
    }
}
