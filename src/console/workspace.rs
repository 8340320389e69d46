//! A workspace's page, and its onboarding details (`/workspaces/{id}/onboarding`): the
//! application, each round it was submitted in, and its history, for any active member of the
//! workspace (anyone else: "not found"). Members see reviewers as "a reviewer", never by their
//! login.

use crate::applications::{
    ApplicationView, BusinessDetails, Comparison, History, HistoryEntry, Member, MemberRole,
    RequestedChanges, RoundView, StatusBadge,
};
use crate::domain::Status;
use crate::error::{AppError, ErrorKind};
use crate::i18n::{self, fill, Texts};
use crate::ui::guard::ErrorView;
use crate::ui::moment::in_sentence;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub app: ApplicationView,
    /// The viewer's role on the workspace.
    pub my_role: MemberRole,
    pub members: Vec<Member>,
    /// In order, as its members see it (`applications::events::seen_by_member`).
    pub history: Vec<HistoryEntry>,
    /// Every submission, first to last, as the reviewers saw it (no reviewer named).
    pub rounds: Vec<RoundView>,
    /// While under review: the median wait for a decision lately (Unix ms), when there have
    /// been enough decisions to say (`applications::store::typical_wait`).
    pub typical_wait_ms: Option<i64>,
}

/// A workspace, for any of its active members (anyone else: "not found").
#[server(endpoint = "console/workspace")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, application = %id))
)]
pub async fn workspace(id: String) -> Result<WorkspaceView, AppError> {
    use crate::applications::{events, store};
    use crate::server::request::{state, OrInternal};
    let user = crate::accounts::require_user().await?;
    let st = state()?;
    let Some((app, my_role)) = store::find_for_member(&st.db, &user.user_id, &id)
        .await
        .or_internal("reading a workspace")?
    else {
        return Err(AppError::not_found());
    };
    let members = store::members(&st.db, &id)
        .await
        .or_internal("reading members")?;
    let history = events::history(&st.db, &id)
        .await
        .or_internal("reading history")?
        .into_iter()
        .map(|e| events::seen_by_member(e, &user.user_id))
        .collect();
    let rounds = store::rounds(&st.db, &id)
        .await
        .or_internal("reading rounds")?
        .into_iter()
        .map(|r| RoundView {
            decided_by: None,
            ..r
        })
        .collect();
    let typical_wait_ms = if app.status == Status::UnderReview {
        st.typical_wait
            .read(&st.db)
            .await
            .or_internal("reading the typical wait")?
    } else {
        None
    };
    Ok(WorkspaceView {
        app,
        my_role,
        members,
        history,
        rounds,
        typical_wait_ms,
    })
}

/// Shows "not found" for another user's id (answering 404 while rendering on the server), or
/// that access was lost, when the page showed the workspace before.
#[component]
fn NotYours(error: AppError, had_access: bool) -> impl IntoView {
    if error.kind == ErrorKind::NotFound {
        Either::Left(view! { <crate::workspaces::WorkspaceNotFound had_access/> })
    } else {
        Either::Right(view! { <ErrorView error/> })
    }
}

/// The workspace named in the address, fetched again when a reviewer acts on it.
fn use_workspace() -> Resource<Result<WorkspaceView, AppError>> {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let refresh = crate::live::use_application_refresh(id);
    Resource::new(move || (id(), refresh.get()), |(id, _)| workspace(id))
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let t = i18n::t();
    view! {
        <Title text=t.console.workspace_title/>
        <WorkspaceBody/>
    }
}

/// Loads the workspace named in the address and shows it (in the page's language), or "not
/// found".
#[component]
fn WithWorkspace(render: fn(WorkspaceView, &'static Texts) -> AnyView) -> impl IntoView {
    let t = i18n::t();
    let ws = use_workspace();
    let params = use_params_map();
    // The workspace last shown: refused it afterwards, the page says access was lost.
    let shown = StoredValue::new(None::<String>);
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match ws.await {
                    Ok(w) => {
                        shown.set_value(Some(w.app.id.clone()));
                        Either::Left(render(w, t))
                    }
                    Err(e) => {
                        let id = params.with_untracked(|p| p.get("id"));
                        let had_access = shown.with_value(|s| s.is_some() && *s == id);
                        Either::Right(view! { <NotYours error=e had_access/> })
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn WorkspaceBody() -> impl IntoView {
    view! {
        <WithWorkspace render=|w, t| view! {
                        <section class="panel">
                            <p class="breadcrumb"><a href="/console">{t.console.crumb_console}</a> " / " {t.console.workspace_title}</p>
                            <div class="panel__head">
                                {w.app.logo_url.clone().map(|src| view! { <img class="workspace-logo" src=src alt=t.console.business_logo width="56" height="56"/> })}
                                <h1>{w.app.fields.company_name.clone()}</h1>
                                <StatusBadge status=w.app.status/>
                            </div>
                            {(w.app.status == Status::UnderReview).then(|| view! {
                                <p class="alert alert--info" role="status">{t.console.under_review}</p>
                            })}
                            {(w.app.status == Status::Approved).then(|| view! {
                                <p class="alert alert--success" role="status">{
                                    if w.my_role == MemberRole::Owner {
                                        t.console.approved_owner.to_string()
                                    } else {
                                        fill(t.console.approved_member, &[("role", &w.my_role.label())])
                                    }
                                }</p>
                            })}
                            {w.app.rejection_reason.clone().filter(|_| w.my_role == MemberRole::Applicant).map(|reason| view! {
                                <div class="alert alert--error" role="status">
                                    <p><strong>{t.console.rejected}</strong> {fill(t.console.rejected_reason, &[("reason", &reason)])}</p>
                                    <p>{t.console.rejected_final}</p>
                                    <a class="btn btn--small btn--primary" href="/onboarding/role">{t.console.start_new}</a>
                                </div>
                            })}
                            {w.app.requested_changes.clone().filter(|_| w.my_role == MemberRole::Applicant).map(|request| view! {
                                <div class="alert alert--warning" role="status">
                                    <p><strong>{t.console.changes_requested}</strong></p>
                                    <RequestedChanges request/>
                                    <a class="btn btn--small btn--primary" href="/onboarding/business">{t.console.edit_resubmit}</a>
                                </div>
                            })}
                            <h2>{t.console.business_information}</h2>
                            <BusinessDetails app=w.app.clone()/>
                            <h2>{t.console.members}</h2>
                            <ul class="members">
                                {w.members.into_iter().map(|m| view! {
                                    <li><span>{m.username}</span><span class="badge badge--role">{m.role.label()}</span></li>
                                }).collect_view()}
                            </ul>
                            <div class="workspace-links">
                                <a class="btn btn--secondary" href=format!("/workspaces/{}/members", w.app.id)>{t.console.members}</a>
                                <a class="btn btn--ghost" href=format!("/workspaces/{}/onboarding", w.app.id)>{t.console.onboarding_details}</a>
                            </div>
                        </section>
        }.into_any()/>
    }
}

#[component]
pub fn OnboardingDetailsPage() -> impl IntoView {
    let t = i18n::t();
    view! {
        <Title text=t.console.onboarding_details/>
        <OnboardingBody/>
    }
}

#[component]
fn OnboardingBody() -> impl IntoView {
    view! {
        <WithWorkspace render=|w, t| {
            // Earlier rounds are worth showing once there is more than the one on this page.
            let show_rounds = w.rounds.len() > 1
                || matches!(w.app.status, Status::Rejected | Status::ChangesRequested);
            let rounds = show_rounds.then(|| view! {
                <h2>{t.console.rounds}</h2>
                <ol class="rounds">
                    {w.rounds.iter().rev().map(|r| view! { <RoundDetails r=r.clone() all=w.rounds.clone()/> }).collect_view()}
                </ol>
            });
            view! {
                        <section class="panel">
                            <p class="breadcrumb"><a href="/console">{t.console.crumb_console}</a> " / "
                                <a href=format!("/workspaces/{}", w.app.id)>{w.app.fields.company_name.clone()}</a> " / " {t.console.onboarding_details}</p>
                            <div class="panel__head">
                                <h1>{t.console.onboarding_details}</h1>
                                <StatusBadge status=w.app.status/>
                            </div>
                            <p class="muted">{w.app.submitted_at.clone().map(|at| in_sentence(t.console.submitted, "date", at, &[]))}</p>
                            <Timeline history=w.history.clone() status=w.app.status typical_wait_ms=w.typical_wait_ms/>
                            <h2>{t.console.application}</h2>
                            <BusinessDetails app=w.app.clone()/>
                            {rounds}
                            <h2>{t.console.history}</h2>
                            <History entries=w.history round_href=show_rounds.then(|| "#round-".to_string())/>
                        </section>
            }.into_any()
        }/>
    }
}

/// One submitted round: its outcome, what was submitted in it, and what changed from the
/// round before (`all`: every round).
#[component]
fn RoundDetails(r: RoundView, all: Vec<RoundView>) -> impl IntoView {
    let RoundView {
        app, decided_at, ..
    } = r;
    let n = app.round;
    let status = app.status;
    let t = i18n::t();
    let when = app
        .submitted_at
        .clone()
        .map(|at| in_sentence(t.console.submitted, "date", at, &[]));
    let decided = decided_at.map(|at| in_sentence(t.console.decided, "date", at, &[]));
    let reason = app.rejection_reason.clone();
    let request = app.requested_changes.clone();
    view! {
        <li id=format!("round-{n}") class="round">
            <details>
                <summary>{fill(t.console.round, &[("n", &n)])} " " <StatusBadge status/></summary>
                <p class="muted">{when} {decided}</p>
                {reason.map(|reason| view! { <p>{fill(t.console.reason, &[("reason", &reason)])}</p> })}
                {request.map(|request| view! { <RequestedChanges request/> })}
                <Comparison rounds=all shown=n/>
                <BusinessDetails app/>
            </details>
        </li>
    }
}

/// The application's way through review, from its history: submitted, picked up by a reviewer
/// (the first assignment of each round), changes requested, resubmitted, decided; while it
/// waits, a last step that says how long decisions usually take, when that is known.
#[component]
fn Timeline(
    history: Vec<HistoryEntry>,
    status: Status,
    typical_wait_ms: Option<i64>,
) -> impl IntoView {
    let t = &i18n::t().console;
    let mut picked_up = Vec::new();
    let steps: Vec<(&'static str, &'static str, crate::ui::moment::Moment)> = history
        .into_iter()
        .filter_map(|e| {
            let label = match e.kind.as_str() {
                "submitted" => t.step_submitted,
                "resubmitted" => t.step_resubmitted,
                "changes_requested" => t.step_changes_requested,
                "approved" => t.step_approved,
                "rejected" => t.step_rejected,
                "assigned" if !picked_up.contains(&e.round) => {
                    picked_up.push(e.round);
                    t.step_picked_up
                }
                _ => return None,
            };
            let kind: &'static str = match e.kind.as_str() {
                "assigned" => "assigned",
                "submitted" | "resubmitted" => "submitted",
                "changes_requested" => "changes_requested",
                "approved" => "approved",
                _ => "rejected",
            };
            Some((kind, label, e.at))
        })
        .collect();
    let waiting = (status == Status::UnderReview).then(|| {
        let wait = typical_wait_ms.map(|ms| {
            view! { <p class="timeline__wait">{fill(t.typical_wait, &[("duration", &crate::ui::moment::duration(ms))])}</p> }
        });
        view! {
            <li class="timeline__step timeline__step--waiting">
                <span class="timeline__what">{t.step_waiting}</span>
                <p class="muted">{t.waiting}</p>
                {wait}
            </li>
        }
    });
    view! {
        <h2>{t.timeline}</h2>
        <ol class="timeline">
            {steps.into_iter().map(|(kind, label, at)| view! {
                <li class=format!("timeline__step timeline__step--{kind}")>
                    <span class="timeline__what">{label}</span>
                    " " <crate::ui::moment::When at/>
                </li>
            }).collect_view()}
            {waiting}
        </ol>
    }
}
