//! Pages for signed-in users only: others are sent to sign in, and back here afterwards.

use crate::accounts::{SignedInUser, UserResource};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn SignedIn(
    /// This page's path, to come back to after signing in.
    path: &'static str,
    children: fn(SignedInUser) -> AnyView,
) -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => Either::Left(children(u)),
                    _ => Either::Right(view! {
                        <Redirect path=format!("/signin?next={}", path)/>
                    }),
                }
            })}
        </Suspense>
    }
}
