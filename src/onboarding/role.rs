//! Choose your role (seed Step 2.1): ISV or Merchant. Both continue to business information.

use super::my_draft;
use super::steps::Steps;
use crate::domain::Role;
use crate::error::AppError;
use crate::error::ErrorKind;
use crate::ui::form::{last_error, FormAlert, SubmitButton};
use crate::ui::guard::SignInFirst;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(endpoint = "onboarding/choose_role")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, role = tracing::field::Empty)
    )
)]
pub async fn choose_role(role: Option<String>) -> Result<(), AppError> {
    use crate::applications::store::{self, RoleChosen};
    use crate::server::request::{state, OrInternal};
    let user = crate::accounts::require_user().await?;
    let role = match Role::parse(role.as_deref().unwrap_or_default()) {
        Ok(r) => r,
        Err(m) => return Err(AppError::field("role", m)),
    };
    tracing::Span::current().record("role", role.key());
    let st = state()?;
    match store::choose_role(&st.db, &user.user_id, role)
        .await
        .or_internal("choosing a role")?
    {
        RoleChosen::Editing => {
            leptos_axum::redirect("/onboarding/business");
            Ok(())
        }
        RoleChosen::UnderReview => Err(AppError::conflict(
            "Your application is under review, so you cannot start another one now. \
             Follow it in the CONSOLE; you can change it if it is rejected.",
        )),
    }
}

#[component]
pub fn ChooseRolePage() -> impl IntoView {
    view! {
        <Title text="Choose your role"/>
        <RoleForm/>
    }
}

#[component]
fn RoleForm() -> impl IntoView {
    let action = ServerAction::<ChooseRole>::new();
    let error = last_error(action.value());
    let draft = Resource::new(|| (), |_| my_draft());
    let role_error = Signal::derive(move || error.get().and_then(|e| e.field_message("role")));
    view! {
        <section class="panel wizard">
            <Steps current=1/>
            <h1>"Choose your role"</h1>
            <p class="muted">"Get started by choosing your role. You can change it until you submit."</p>
            <FormAlert error/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let current = match draft.await {
                        Err(e) if e.kind == ErrorKind::Unauthenticated => {
                            return Either::Left(view! { <SignInFirst/> });
                        }
                        other => other.ok().flatten().map(|d| d.role),
                    };
                    Either::Right(view! {
                        <ActionForm action=action>
                            <fieldset class="role-grid" aria-describedby="role-error">
                                <legend class="visually-hidden">"Your role"</legend>
                                {[Role::Isv, Role::Merchant].into_iter().map(|r| view! {
                                    <label class="role-card role-card--choice">
                                        <input type="radio" name="role" value=r.key() checked=current == Some(r)/>
                                        <span class="role-card__title">{r.label()}</span>
                                        <span class="role-card__text">{r.description()}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <p id="role-error" class="field__error" role="alert">{move || role_error.get()}</p>
                            <div class="wizard__actions">
                                <SubmitButton label="Continue" busy_label="Saving…" pending=action.pending() class="btn btn--primary"/>
                            </div>
                        </ActionForm>
                    })
                })}
            </Suspense>
        </section>
    }
}
