//! A workspace's page, and its onboarding details (`/workspaces/{id}/onboarding`).

use super::StatusBadge;
use crate::domain::Status;
use crate::error::{AppError, ErrorKind};
use crate::onboarding::ApplicationView;
use crate::ui::guard::SignInFirst;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub app: ApplicationView,
    /// (username, role) pairs.
    pub members: Vec<(String, String)>,
    /// (when, what, who) in order.
    pub history: Vec<(String, String, Option<String>)>,
}

#[server(endpoint = "console/workspace")]
pub async fn workspace(id: String) -> Result<WorkspaceView, AppError> {
    use crate::onboarding::store;
    use crate::server::request::{reject, state, OrInternal};
    let user = crate::accounts::require_user().await?;
    let st = state()?;
    let Some(app) = store::find_own(&st.db, &user.user_id, &id)
        .await
        .or_internal("reading a workspace")?
    else {
        return reject(AppError::not_found());
    };
    let members = store::members(&st.db, &id)
        .await
        .or_internal("reading members")?
        .into_iter()
        .map(|m| (m.username, m.role))
        .collect();
    let history = store::events(&st.db, &id)
        .await
        .or_internal("reading history")?
        .into_iter()
        .map(|e| (e.at, e.note, e.actor))
        .collect();
    Ok(WorkspaceView {
        app,
        members,
        history,
    })
}

fn role_label(role: &str) -> &'static str {
    match role {
        "owner" => "Owner",
        _ => "Applicant",
    }
}

/// Shows "not found" for another user's id (and answers 404 while rendering on the server).
#[component]
fn NotYours(error: AppError) -> impl IntoView {
    if error.kind == ErrorKind::Unauthenticated {
        return Either::Left(view! { <SignInFirst/> });
    }
    #[cfg(feature = "ssr")]
    if error.kind == ErrorKind::NotFound {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    let text = if error.kind == ErrorKind::NotFound {
        "We could not find that workspace.".to_string()
    } else {
        error.message
    };
    Either::Right(view! {
        <div class="empty-state">
            <h1>"Not found"</h1>
            <p>{text}</p>
            <a class="btn btn--primary" href="/console">"Back to CONSOLE"</a>
        </div>
    })
}

/// The workspace named in the address, fetched again when a reviewer acts on it.
fn use_workspace() -> Resource<Result<WorkspaceView, AppError>> {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let refresh = RwSignal::new(0u32);
    let _live = crate::live::use_live_events(
        move |event| {
            if event.application_id == id() {
                refresh.update(|n| *n += 1);
            }
        },
        move || refresh.update(|n| *n += 1),
    );
    Resource::new(move || (id(), refresh.get()), |(id, _)| workspace(id))
}

#[component]
pub fn BusinessDetails(app: ApplicationView) -> impl IntoView {
    let f = app.fields;
    let optional = |v: String| {
        if v.is_empty() {
            "Not provided".to_string()
        } else {
            v
        }
    };
    view! {
        <dl class="details">
            <div><dt>"Role"</dt><dd>{app.role.label()}</dd></div>
            <div><dt>"Company Name"</dt><dd>{f.company_name}</dd></div>
            <div><dt>"Business Address"</dt><dd>{f.business_address}</dd></div>
            <div><dt>"Country/Region"</dt><dd>{app.country_name}</dd></div>
            <div><dt>"Business Representative"</dt><dd>{f.representative}</dd></div>
            <div><dt>"Website"</dt><dd>{optional(f.website)}</dd></div>
            <div><dt>"Customer Service Number"</dt><dd>{optional(f.service_phone)}</dd></div>
            <div><dt>"Customer Service Email"</dt><dd>{optional(f.service_email)}</dd></div>
        </dl>
    }
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    view! {
        <Title text="Workspace"/>
        <WorkspaceBody/>
    }
}

/// Loads the workspace named in the address and shows it, or "not found".
#[component]
fn WithWorkspace(render: fn(WorkspaceView) -> AnyView) -> impl IntoView {
    let ws = use_workspace();
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match ws.await {
                    Ok(w) => Either::Left(render(w)),
                    Err(e) => Either::Right(view! { <NotYours error=e/> }),
                }
            })}
        </Transition>
    }
}

#[component]
fn WorkspaceBody() -> impl IntoView {
    view! {
        <WithWorkspace render=|w| view! {
                        <section class="panel">
                            <p class="breadcrumb"><a href="/console">"CONSOLE"</a> " / Workspace"</p>
                            <div class="panel__head">
                                {w.app.logo_url.clone().map(|src| view! { <img class="workspace-logo" src=src alt="Business logo" width="56" height="56"/> })}
                                <h1>{w.app.fields.company_name.clone()}</h1>
                                <StatusBadge status=w.app.status/>
                            </div>
                            {(w.app.status == Status::UnderReview).then(|| view! {
                                <p class="alert alert--info" role="status">"Your request is under review. The information below cannot be changed while it is reviewed."</p>
                            })}
                            {(w.app.status == Status::Approved).then(|| view! {
                                <p class="alert alert--success" role="status">"Your request is approved. You are the Owner of this workspace."</p>
                            })}
                            {w.app.rejection_reason.clone().map(|reason| view! {
                                <div class="alert alert--error" role="status">
                                    <p><strong>"Your request was rejected."</strong> " Reason: " {reason}</p>
                                    <a class="btn btn--small btn--primary" href="/onboarding/business">"Edit and resubmit"</a>
                                </div>
                            })}
                            <h2>"Business information"</h2>
                            <BusinessDetails app=w.app.clone()/>
                            <h2>"Members"</h2>
                            <ul class="members">
                                {w.members.into_iter().map(|(name, role)| view! {
                                    <li><span>{name}</span><span class="badge badge--role">{role_label(&role)}</span></li>
                                }).collect_view()}
                            </ul>
                            <a class="btn btn--ghost" href=format!("/workspaces/{}/onboarding", w.app.id)>"Onboarding details"</a>
                        </section>
        }.into_any()/>
    }
}

#[component]
pub fn OnboardingDetailsPage() -> impl IntoView {
    view! {
        <Title text="Onboarding details"/>
        <OnboardingBody/>
    }
}

#[component]
fn OnboardingBody() -> impl IntoView {
    view! {
        <WithWorkspace render=|w| view! {
                        <section class="panel">
                            <p class="breadcrumb"><a href="/console">"CONSOLE"</a> " / "
                                <a href=format!("/workspaces/{}", w.app.id)>{w.app.fields.company_name.clone()}</a> " / Onboarding details"</p>
                            <div class="panel__head">
                                <h1>"Onboarding details"</h1>
                                <StatusBadge status=w.app.status/>
                            </div>
                            <p class="muted">{w.app.submitted_at.clone().map(|d| format!("Submitted {d}"))}</p>
                            <h2>"Application"</h2>
                            <BusinessDetails app=w.app.clone()/>
                            <h2>"History"</h2>
                            <ol class="history">
                                {w.history.into_iter().map(|(at, what, who)| view! {
                                    <li><span class="history__what">{what}</span>
                                        <span class="history__meta">{at} {who.map(|w| format!(" · by {w}"))}</span></li>
                                }).collect_view()}
                            </ol>
                        </section>
        }.into_any()/>
    }
}
