//! Choose your role (seed Step 2.1): ISV or Merchant. Both continue to business information.

use super::my_draft;
use super::steps::Steps;
use crate::domain::Role;
use crate::error::AppError;
use crate::error::ErrorKind;
use crate::ui::form::{last_error, ErrorLine, ErrorSummary, SubmitButton};
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
        Err(e) => return Err(AppError::field("role", e.message())),
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
            crate::i18n::t().onboarding.role.under_review,
        )),
    }
}

#[component]
pub fn ChooseRolePage() -> impl IntoView {
    let t = crate::i18n::t();
    view! {
        <Title text=t.onboarding.role.title/>
        <RoleForm/>
    }
}

#[component]
fn RoleForm() -> impl IntoView {
    let t = crate::i18n::t();
    let labels = vec![("role", t.onboarding.role.field)];
    let action = ServerAction::<ChooseRole>::new();
    let error = last_error(action.value());
    let draft = Resource::new(|| (), |_| my_draft());
    let role_error = Signal::derive(move || error.get().and_then(|e| e.field_message("role")));
    view! {
        <section class="panel wizard">
            <Steps current=1/>
            <h1>{t.onboarding.role.title}</h1>
            <p class="muted">{t.onboarding.role.intro}</p>
            <ErrorSummary error labels/>
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
                            <fieldset class="role-grid" role="radiogroup" aria-describedby="role-error"
                                aria-invalid=move || role_error.get().is_some().then_some("true")>
                                <legend class="visually-hidden">{t.onboarding.role.field}</legend>
                                // The first choice has the field's id: the error summary links to it.
                                {[Role::Isv, Role::Merchant].into_iter().enumerate().map(|(i, r)| view! {
                                    <label class="role-card role-card--choice">
                                        <input type="radio" id=(i == 0).then_some("role") name="role" value=r.key()
                                            checked=current == Some(r)/>
                                        <span class="role-card__title">{match r {
                                            Role::Isv => t.onboarding.role.isv,
                                            Role::Merchant => t.onboarding.role.merchant,
                                        }}</span>
                                        <span class="role-card__text">{r.description()}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <ErrorLine id="role-error" error=role_error/>
                            <div class="wizard__actions">
                                <SubmitButton label=t.onboarding.role.continue_button busy_label=t.onboarding.role.saving pending=action.pending() class="btn btn--primary"/>
                            </div>
                        </ActionForm>
                    })
                })}
            </Suspense>
        </section>
    }
}
