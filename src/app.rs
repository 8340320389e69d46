//! The HTML shell, the page frame (header, footer) and the routes.

use crate::accounts::{
    current_user, ForgotPasswordPage, SignInPage, SignOut, SignUpPage, UserResource,
};
use crate::console::{ConsolePage, OnboardingDetailsPage, WorkspacePage};
use crate::mailbox::DevMailboxPage;
use crate::onboarding::{BusinessPage, ChooseRolePage, SubmittedPage};
use crate::review::{ReviewDetailPage, ReviewPage};
use crate::site::{LandingPage, NotFoundPage, PrivacyPage, TermsPage};
use crate::ui::layout::{Footer, Header};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="stylesheet" id="leptos" href="/pkg/isv-portal.css"/>
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
    view! {
        <Title formatter=|t: String| {
            if t.is_empty() { "Mini Program Platform".to_string() } else { format!("{t} · Mini Program Platform") }
        }/>
        <Router>
            <Frame/>
        </Router>
    }
}

/// Everything inside the router: the signed-in user is fetched again on every navigation and
/// after signing out, so the header never shows a stale account.
#[component]
fn Frame() -> impl IntoView {
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    let user: UserResource = Resource::new(
        move || (location.pathname.get(), sign_out.version().get()),
        |_| current_user(),
    );
    provide_context(user);
    // Marks the page once the WASM has taken over (the browser tests wait for it).
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Header sign_out/>
        <main id="main" class="page">
            // Every page renders whole before it is sent (no streaming): statuses and redirects
            // are known up front, and a stalled render can be retried (server::http).
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=LandingPage ssr=SsrMode::Async/>
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async/>
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/terms") view=TermsPage ssr=SsrMode::Async/>
                <Route path=path!("/privacy") view=PrivacyPage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/role") view=ChooseRolePage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/business") view=BusinessPage ssr=SsrMode::Async/>
                <Route path=path!("/onboarding/submitted") view=SubmittedPage ssr=SsrMode::Async/>
                <Route path=path!("/workspaces/:id") view=WorkspacePage ssr=SsrMode::Async/>
                <Route path=path!("/workspaces/:id/onboarding") view=OnboardingDetailsPage ssr=SsrMode::Async/>
                <Route path=path!("/console") view=ConsolePage ssr=SsrMode::Async/>
                <Route path=path!("/review") view=ReviewPage ssr=SsrMode::Async/>
                <Route path=path!("/review/:id") view=ReviewDetailPage ssr=SsrMode::Async/>
                <Route path=path!("/dev/mailbox") view=DevMailboxPage ssr=SsrMode::Async/>
            </Routes>
        </main>
        <Footer/>
    }
}
