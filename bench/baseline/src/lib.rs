//! One page with one form posting to one server function, hydrated: the floor a Leptos 0.8
//! app of this kind stands on, for the portal's weight and hydration benchmarks.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options=options.clone()/>
                <HashedStylesheet options id="leptos"/>
                <MetaTags/>
            </head>
            <body><App/></body>
        </html>
    }
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(email: String) -> Result<String, ServerFnError> {
    if email.contains('@') {
        Ok(format!("A code was sent to {email}."))
    } else {
        Err(ServerFnError::new("Enter an e-mail address."))
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="Sign up"/>
        <Router>
            <main>
                <Routes fallback=|| "Not found.">
                    <Route path=path!("/signup") view=SignUp/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn SignUp() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    view! {
        <h1>"Sign up"</h1>
        <ActionForm action>
            <label for="email">"Email"</label>
            <input id="email" name="email" type="email" autocomplete="email" required/>
            <button type="submit">"Send code"</button>
        </ActionForm>
        <p role="status">{move || match action.value().get() {
            Some(Ok(m)) => m,
            Some(Err(e)) => e.to_string(),
            None => String::new(),
        }}</p>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
