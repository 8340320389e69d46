//! Pages for signed-in users only. On the server a middleware answers a signed-out visit with
//! a redirect before anything renders (`server::http::signed_in`, for the paths in
//! `app::SIGNED_IN_PATHS`); in the browser, a page whose data answers "please sign in" sends
//! the visitor there. Either way they come back to the same page (path and query) afterwards.

use crate::error::{AppError, ErrorKind};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Escapes what would end or confuse the `next` query value; a path's `/` stays readable.
pub fn next_value(path_and_query: &str) -> String {
    path_and_query
        .chars()
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

/// Sends the visitor to sign in, and back here afterwards.
#[component]
pub fn SignInFirst() -> impl IntoView {
    let location = use_location();
    let search = location.search.get_untracked();
    let here = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!(
            "{}?{}",
            location.pathname.get_untracked(),
            search.trim_start_matches('?')
        )
    };
    view! { <Redirect path=format!("/signin?next={}", next_value(&here))/> }
}

/// A page's data could not be shown: sign in first, or the error's sentence.
#[component]
pub fn ErrorView(
    error: AppError,
    /// The page's heading, where the error takes the place of everything under it (a page keeps
    /// its one `h1` either way).
    #[prop(optional)]
    heading: Option<&'static str>,
) -> impl IntoView {
    if error.kind == ErrorKind::Unauthenticated {
        Either::Left(view! { <SignInFirst/> })
    } else {
        Either::Right(view! {
            {heading.map(|h| view! { <h1>{h}</h1> })}
            <p class="alert alert--error" role="alert">{error.message}</p>
        })
    }
}
