//! The header (platform name, CONSOLE, account menu with the account page and, for reviewers, the review dashboard) and the footer.

use crate::accounts::{SignOut, SignedInUser};
use crate::i18n::{self, fill, Lang};
use leptos::either::Either;
use leptos::prelude::*;

/// Who is signed in, for the header: set from the page when it is rendered, and again by the
/// browser after each navigation and after signing out (see `app::Frame`).
#[derive(Clone, Copy)]
pub struct SignedIn(pub RwSignal<Option<SignedInUser>>);

#[component]
pub fn Header(sign_out: ServerAction<SignOut>) -> impl IntoView {
    let user = expect_context::<SignedIn>();
    let t = i18n::t();
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
                <a href="/" class="brand" aria-label=t.frame.home_label>
                    <span class="brand__mark" aria-hidden="true">"M"</span>
                    <span class="brand__name">{t.frame.platform}</span>
                </a>
                <nav class="site-nav" aria-label=t.frame.main_nav>
                    <a href="/console" class="site-nav__link">{t.frame.console_nav}</a>
                    {move || match user.0.get() {
                        Some(u) => Either::Left(view! {
                            {u.is_reviewer.then(|| view! { <a href="/review" class="site-nav__link">{t.frame.review_nav}</a> })}
                            <details class="account-menu" node_ref=menu>
                                <summary class="account-menu__button" aria-label=fill(t.frame.account_menu, &[("username", &u.username)])>
                                    <span class="avatar" aria-hidden="true">
                                        {u.username.chars().next().map(|c| c.to_ascii_uppercase()).unwrap_or('?').to_string()}
                                    </span>
                                    <span class="account-menu__name">{u.username.clone()}</span>
                                </summary>
                                <div class="account-menu__panel">
                                    <p class="account-menu__email">{u.email.clone()}</p>
                                    <a href="/account">{t.frame.menu_account}</a>
                                    <a href="/console">{t.frame.menu_console}</a>
                                    {u.is_reviewer.then(|| view! { <a href="/review">{t.frame.menu_review}</a> })}
                                    <ActionForm action=sign_out>
                                        <button type="submit" class="link-button">{t.frame.sign_out}</button>
                                    </ActionForm>
                                </div>
                            </details>
                        }),
                        None => Either::Right(view! {
                            <a href="/signin" class="btn btn--ghost btn--small">{t.frame.sign_in_nav}</a>
                        }),
                    }}
                    <LanguageSwitcher/>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let t = i18n::t();
    view! {
        <footer class="site-footer">
            <span>{t.frame.footer_copyright}</span>
            <a href="/terms">{t.frame.footer_terms}</a>
            <a href="/privacy">{t.frame.footer_privacy}</a>
            <a href="/accessibility">{t.frame.footer_accessibility}</a>
        </footer>
    }
}

/// The language switcher: a plain form with one button per other language, so it works
/// without JavaScript too. The server sets the cookie (and the account's language), then
/// sends the person back to the page they were on, now in that language (`server::language`).
#[component]
pub fn LanguageSwitcher(
    /// The form's accessible name (the header's is "Language").
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let t = i18n::t();
    let current = i18n::lang();
    let location = leptos_router::hooks::use_location();
    let here = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    view! {
        <form method="post" action=i18n::SWITCH_PATH class="language-switcher" aria-label=label.unwrap_or(t.frame.language)>
            <input type="hidden" name="next" prop:value=here value=here/>
            {Lang::ALL
                .into_iter()
                .filter(|l| *l != current)
                .map(|l| view! {
                    <button type="submit" name="lang" value=l.tag() lang=l.tag() class="link-button language-switcher__button">
                        {l.endonym()}
                    </button>
                })
                .collect_view()}
        </form>
    }
}
