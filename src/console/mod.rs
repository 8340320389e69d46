//! The CONSOLE (seed Steps 2 to 4): the signed-in user's drafts and every workspace they are a
//! member of (with their role on each), each workspace's page (for any of its members), and
//! its onboarding details. What an application is and how it looks comes from
//! `crate::applications`.

mod workspace;

pub use workspace::{OnboardingDetailsPage, WorkspacePage};

use crate::applications::{ApplicationView, MemberRole, StatusBadge};
use crate::domain::Status;
use crate::error::AppError;
use crate::i18n::{self, fill};
use crate::ui::guard::ErrorView;
use crate::ui::moment::in_sentence;
use crate::ui::page::Loading;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use serde::{Deserialize, Serialize};

/// One card of the console: a draft, or a workspace the user is a member of, with their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleCard {
    pub app: ApplicationView,
    /// The user's role on the workspace (`None` for a draft, which has no workspace yet).
    pub my_role: Option<MemberRole>,
}

/// The user's drafts and every workspace they belong to (their own and the ones they joined).
#[server(endpoint = "console/applications")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn my_applications() -> Result<Vec<ConsoleCard>, AppError> {
    use crate::server::request::{state, OrInternal};
    let user = crate::accounts::require_user().await?;
    let st = state()?;
    Ok(
        crate::applications::store::console_for_user(&st.db, &user.user_id)
            .await
            .or_internal("listing workspaces")?
            .into_iter()
            .map(|(app, my_role)| ConsoleCard { app, my_role })
            .collect(),
    )
}

#[component]
pub fn ConsolePage() -> impl IntoView {
    let t = i18n::t();
    view! {
        <Title text=t.console.title/>
        <Workspaces/>
    }
}

#[component]
fn Workspaces() -> impl IntoView {
    // Fetched again whenever a reviewer acts on one of the user's applications.
    let refresh = RwSignal::new(0u32);
    let apps = Resource::new(move || refresh.get(), |_| my_applications());
    let _live = crate::live::use_live_events(
        move |_| refresh.update(|n| *n += 1),
        move || refresh.update(|n| *n += 1),
    );
    let t = i18n::t();
    view! {
        <section class="panel">
            <div class="panel__head">
                <h1>{t.console.workspaces_title}</h1>
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match apps.await {
                        // No application yet: the next step is choosing a role.
                        Ok(list) if list.is_empty() => EitherOf3::A(view! {
                            <div class="empty-state">
                                <h2>{t.console.empty_title}</h2>
                                <p>{t.console.empty_text}</p>
                                <a class="btn btn--primary" href="/onboarding/role">{t.console.choose_role}</a>
                                <Redirect path="/onboarding/role"/>
                            </div>
                        }),
                        Ok(list) => EitherOf3::B(view! {
                            <ul class="workspace-grid">
                                {list.into_iter().map(|c| view! { <WorkspaceCard app=c.app my_role=c.my_role/> }).collect_view()}
                            </ul>
                        }),
                        Err(e) => EitherOf3::C(view! { <ErrorView error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn WorkspaceCard(app: ApplicationView, my_role: Option<MemberRole>) -> impl IntoView {
    let draft = app.status == Status::Draft;
    // Only the applicant acts on a decision short of approval (the workspace has no one else
    // yet): edits it when changes are requested, or starts anew after a rejection.
    let applicant = my_role == Some(MemberRole::Applicant);
    let rejected = app.status == Status::Rejected && applicant;
    let changes = app.status == Status::ChangesRequested && applicant;
    let t = i18n::t();
    let name = if app.fields.company_name.trim().is_empty() {
        t.console.untitled.to_string()
    } else {
        app.fields.company_name.clone()
    };
    let href = if draft {
        "/onboarding/business".to_string()
    } else {
        format!("/workspaces/{}", app.id)
    };
    let initial = name
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    // The link's name is what a screen reader lists: the name, the status and the role. The
    // name, which its applicant typed, goes in last, so nothing in it is taken for a placeholder.
    let label = match my_role {
        Some(r) => fill(
            t.console.card_label_with_role,
            &[
                ("status", &app.status.label()),
                ("role", &r.label()),
                ("name", &name),
            ],
        ),
        None => fill(
            t.console.card_label,
            &[("status", &app.status.label()), ("name", &name)],
        ),
    };
    let when = match app.submitted_at.clone() {
        Some(at) => in_sentence(t.console.submitted, "date", at, &[]),
        None => in_sentence(t.console.started, "date", app.created_at.clone(), &[]),
    };
    view! {
        <li class="workspace-card">
            <a href=href class="workspace-card__link" aria-label=label>
                <span class="workspace-card__logo" aria-hidden="true">
                    {match app.logo_url.clone() {
                        Some(src) => Either::Left(view! { <img src=src alt="" width="48" height="48"/> }),
                        None => Either::Right(view! { <span>{initial}</span> }),
                    }}
                </span>
                <span class="workspace-card__body">
                    <span class="workspace-card__name">{name.clone()}</span>
                    <span class="workspace-card__meta">{app.role.label()} " · " {when}</span>
                    {my_role.map(|r| view! {
                        <span class="workspace-card__role">{fill(t.console.your_role, &[("role", &r.label())])}</span>
                    })}
                    <StatusBadge status=app.status/>
                </span>
            </a>
            {draft.then(|| view! { <p class="workspace-card__hint">{t.console.continue_hint}</p> })}
            {rejected.then(|| view! {
                <div class="workspace-card__hint workspace-card__hint--rejected">
                    <p>{fill(t.console.reason, &[("reason", &app.rejection_reason.clone().unwrap_or_default())])}</p>
                    <p>{t.console.rejected_final}</p>
                    <a class="btn btn--small btn--primary" href="/onboarding/role">{t.console.start_new}</a>
                </div>
            })}
            {changes.then(|| view! {
                <div class="workspace-card__hint workspace-card__hint--changes">
                    <p>{t.console.changes_requested}</p>
                    <a class="btn btn--small btn--primary" href="/onboarding/business">{t.console.edit_resubmit}</a>
                </div>
            })}
        </li>
    }
}
