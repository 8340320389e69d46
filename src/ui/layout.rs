//! The header (platform name, CONSOLE, account menu with the account page and, for reviewers, the review dashboard) and the footer.

use crate::accounts::{SignOut, SignedInUser};
use leptos::either::Either;
use leptos::prelude::*;

/// Who is signed in, for the header: set from the page when it is rendered, and again by the
/// browser after each navigation and after signing out (see `app::Frame`).
#[derive(Clone, Copy)]
pub struct SignedIn(pub RwSignal<Option<SignedInUser>>);

#[component]
pub fn Header(sign_out: ServerAction<SignOut>) -> impl IntoView {
    let user = expect_context::<SignedIn>();
    // The menu closes when its link has taken the user elsewhere (the header stays in place
    // across navigations in the browser).
    let menu = NodeRef::<leptos::html::Details>::new();
    let pathname = leptos_router::hooks::use_location().pathname;
    Effect::watch(
        move || pathname.get(),
        move |_, _, _| {
            if let Some(menu) = menu.get_untracked() {
                let _ = menu.remove_attribute("open");
            }
        },
        false,
    );
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a href="/" class="brand" aria-label="Mini Program Platform, home">
                    <span class="brand__mark" aria-hidden="true">"M"</span>
                    <span class="brand__name">"Mini Program Platform"</span>
                </a>
                <nav class="site-nav" aria-label="Main">
                    <a href="/console" class="site-nav__link">"CONSOLE"</a>
                    {move || match user.0.get() {
                        Some(u) => Either::Left(view! {
                            {u.is_reviewer.then(|| view! { <a href="/review" class="site-nav__link">"REVIEW"</a> })}
                            <details class="account-menu" node_ref=menu>
                                <summary class="account-menu__button" aria-label=format!("Account menu for {}", u.username)>
                                    <span class="avatar" aria-hidden="true">
                                        {u.username.chars().next().map(|c| c.to_ascii_uppercase()).unwrap_or('?').to_string()}
                                    </span>
                                    <span class="account-menu__name">{u.username.clone()}</span>
                                </summary>
                                <div class="account-menu__panel">
                                    <p class="account-menu__email">{u.email.clone()}</p>
                                    <a href="/account">"Account"</a>
                                    <a href="/console">"Console"</a>
                                    {u.is_reviewer.then(|| view! { <a href="/review">"Review dashboard"</a> })}
                                    <ActionForm action=sign_out>
                                        <button type="submit" class="link-button">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            </details>
                        }),
                        None => Either::Right(view! {
                            <a href="/signin" class="btn btn--ghost btn--small">"SIGN IN"</a>
                        }),
                    }}
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <span>"© Mini Program Platform"</span>
            <a href="/terms">"Terms of Service"</a>
            <a href="/privacy">"Privacy Policy"</a>
            <a href="/accessibility">"Accessibility"</a>
        </footer>
    }
}
