//! The HTML shell, the page frame (header, footer) and the routes.

use crate::accounts::{
    current_user, AccountPage, ForgotPasswordPage, SecondFactorPage, SignInCodePage, SignInPage,
    SignOut, SignUpPage, SignedInUser,
};
use crate::console::{ConsolePage, OnboardingDetailsPage, WorkspacePage};
use crate::mailbox::DevMailboxPage;
use crate::onboarding::{BusinessPage, ChooseRolePage, SubmittedPage};
use crate::review::{MetricsPage, ReviewDetailPage, ReviewPage};
use crate::site::{AccessibilityPage, LandingPage, NotFoundPage, PrivacyPage, TermsPage};
use crate::ui::layout::{Footer, Header, SignedIn};
use crate::workspaces::{InvitationPage, MembersPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

/// The stylesheet's address (with its content hash when the site's files carry one).
fn stylesheet_href(options: &LeptosOptions) -> String {
    #[cfg(feature = "ssr")]
    return crate::server::http::assets::stylesheet_href(options);
    #[cfg(not(feature = "ssr"))]
    format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=crate::i18n::lang().tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options=options.clone()/>
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options)/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let frame = &crate::i18n::t().frame;
    view! {
        <Title formatter=move |page: String| {
            if page.is_empty() { frame.platform.to_string() } else { crate::i18n::fill(frame.title, &[("page", &page)]) }
        }/>
        <Router>
            <Frame/>
        </Router>
    }
}

/// The pages that need a signed-in user, each with everything under it: a signed-out visit is
/// sent to sign in before anything renders (the edge reads this list: `server::http::signed_in`).
pub const SIGNED_IN_PATHS: &[&str] = &[
    "/console",
    "/onboarding",
    "/workspaces",
    "/review",
    "/account",
];

/// The pages whose address ends in a secret (an invitation's token): the request log writes
/// what comes after these prefixes as `…`, never the secret.
pub const SECRET_PATHS: &[&str] = &["/invitations/"];

/// Everything inside the router. The signed-in user for the header comes with the page: the
/// server reads it from the request (the session middleware looked it up) and hands it to the
/// hydrating browser in the page itself; afterwards the browser asks again after each
/// navigation and after signing out, so the header never shows a stale account. No resource
/// and no suspense boundary is involved, so the header cannot hold a render back.
#[component]
fn Frame() -> impl IntoView {
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    let user = SignedIn(RwSignal::new(
        leptos::prelude::SharedValue::new(signed_in_from_request).into_inner(),
    ));
    provide_context(user);
    // In the browser: each navigation and each sign-out asks who is signed in now.
    Effect::watch(
        move || (location.pathname.get(), sign_out.version().get()),
        move |_, _, _| {
            leptos::task::spawn_local(async move {
                if let Ok(now) = current_user().await {
                    // Signed in to an account that reads another language: the whole page
                    // is loaded again in it (the browser renders only in the page's language).
                    #[cfg(feature = "hydrate")]
                    if now.as_ref().is_some_and(|u| u.lang != crate::i18n::lang()) {
                        let _ = window().location().reload();
                        return;
                    }
                    user.0.set(now);
                }
            });
        },
        false,
    );
    // Marks the page once the WASM has taken over (the browser tests wait for it).
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        // `target="_self"` leaves the jump to the browser (the router would only scroll), so
        // the next Tab goes on from the main content.
        <a class="skip-link" href="#main" target="_self">{crate::i18n::t().frame.skip_link}</a>
        <Header sign_out/>
        <main id="main" class="page">
            // Every page renders whole before it is sent (no streaming): statuses and redirects
            // are known up front.
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=LandingPage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/signin/code") view=SignInCodePage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/terms") view=TermsPage ssr=SsrMode::Async/>
                <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                <Route path=path!("/accessibility") view=AccessibilityPage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/role") view=ChooseRolePage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/business") view=BusinessPage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/submitted") view=SubmittedPage ssr=SsrMode::Async/>
                <Route path=path!("/workspaces/:id") view=WorkspacePage ssr=SsrMode::Async/>
                <Route path=path!("/workspaces/:id/onboarding") view=OnboardingDetailsPage ssr=SsrMode::Async/>
                <Route path=path!("/workspaces/:id/members") view=MembersPage ssr=SsrMode::Async/>
                // Not a signed-in page: a person without an account opens the link too.
                <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async/>
                <Route path=path!("/console") view=ConsolePage ssr=SsrMode::Async/>
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                <Route path=path!("/account/second-factor") view=SecondFactorPage ssr=SsrMode::Async/>
                <Route path=path!("/review") view=ReviewPage ssr=SsrMode::Async/>
                <Route path=path!("/review/metrics") view=MetricsPage ssr=SsrMode::Async/>
                <Route path=path!("/review/:id") view=ReviewDetailPage ssr=SsrMode::Async/>
                <Route path=path!("/dev/mailbox") view=DevMailboxPage ssr=SsrMode::Async/>
            </Routes>
        </main>
        <Footer/>
    }
}

/// The signed-in user of the request being rendered (server), or nobody (browser, where the
/// value comes from the page instead).
fn signed_in_from_request() -> Option<SignedInUser> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.extensions
                    .get::<crate::server::sessions::SessionUser>()
                    .cloned()
            })
            .map(|u| SignedInUser {
                username: u.username,
                email: u.email,
                is_reviewer: u.is_reviewer,
                must_enrol: u.must_enrol,
                lang: crate::i18n::lang(),
            })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
