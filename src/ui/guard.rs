//! Pages for signed-in users only: others are sent to sign in, and back to the same page
//! (path and query) afterwards.

use crate::accounts::{SignedInUser, UserResource};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Escapes what would end or confuse the `next` query value; a path's `/` stays readable.
fn query_value(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            '&' => "%26".to_string(),
            '?' => "%3F".to_string(),
            '#' => "%23".to_string(),
            '+' => "%2B".to_string(),
            ' ' => "%20".to_string(),
            '=' => "%3D".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[component]
pub fn SignedIn(children: fn(SignedInUser) -> AnyView) -> impl IntoView {
    let user = expect_context::<UserResource>();
    let location = use_location();
    let here = move || {
        let search = location.search.get_untracked();
        let path = location.pathname.get_untracked();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.trim_start_matches('?'))
        }
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => Either::Left(children(u)),
                    _ => Either::Right(view! {
                        <Redirect path=format!("/signin?next={}", query_value(&here()))/>
                    }),
                }
            })}
        </Suspense>
    }
}
