//! Passkeys on the pages: the section of `/account/second-factor` that lists, adds and removes
//! them, and the button of the sign-in's code step. Adding one and signing in with one need
//! JavaScript (the browser's `navigator.credentials`); removing one is a plain form.

use super::*;
use crate::ui::form::{last_error, ErrorSummary, Field, FormAlert, SubmitButton};
use crate::ui::moment::in_sentence;
use leptos::either::{Either, EitherOf3};

/// The person's answer, or why there is none, for the page (hydrated only).
#[cfg(feature = "hydrate")]
fn failed(f: browser::Failure) -> AppError {
    let tp = &crate::i18n::t().second_factor.passkeys;
    AppError::invalid(match f {
        browser::Failure::Unsupported => tp.unsupported,
        browser::Failure::Cancelled => tp.cancelled,
        browser::Failure::Refused => tp.not_accepted,
    })
}

/// Whether this page runs hydrated in a browser that can use passkeys (`None` before
/// hydration: the page as the server sent it, which is also what it stays without JavaScript).
fn browser_can() -> Signal<Option<bool>> {
    let can = RwSignal::new(None);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        can.set(Some(browser::supported()));
    });
    can.into()
}

/// After a passkey was added: the page reads itself again (this section is made anew), and says
/// so until a passkey is removed. Made with the page.
#[derive(Clone, Copy)]
pub struct Added {
    /// Bumped at each passkey added (the page's status resource tracks it).
    pub count: RwSignal<u32>,
    /// The removals' version when the last one was added (`None`: none added on this page).
    at_removal: RwSignal<Option<usize>>,
}

impl Added {
    pub fn new() -> Self {
        Self {
            count: RwSignal::new(0),
            at_removal: RwSignal::new(None),
        }
    }
}

impl Default for Added {
    fn default() -> Self {
        Self::new()
    }
}

/// The passkeys section (two-step verification is on): the list, "Add a passkey" and
/// "Remove a passkey".
#[component]
pub fn Passkeys(
    entries: Vec<PasskeyEntry>,
    /// Whether the portal can have passkeys at all (`relying_party`).
    here: bool,
    remove: ServerAction<RemovePasskey>,
    added: Added,
) -> impl IntoView {
    let t = crate::i18n::t();
    let tp = &t.second_factor.passkeys;
    let can = browser_can();
    let just_added = Signal::derive(move || added.at_removal.get() == Some(remove.version().get()));
    let add = Action::new_local(move |(name, password): &(String, String)| {
        let (_name, _password) = (name.clone(), password.clone());
        async move {
            #[cfg(feature = "hydrate")]
            {
                let options = passkey_options(_password, _name).await?;
                let answer = browser::create(&options).await.map_err(failed)?;
                add_passkey(answer).await
            }
            #[cfg(not(feature = "hydrate"))]
            Err::<(), AppError>(AppError::internal())
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = add.value().get() {
            added.at_removal.set(Some(remove.version().get_untracked()));
            added.count.update(|n| *n += 1);
        }
    });
    let add_error = last_error(add.value());
    let add_field = move |name: &'static str| {
        Signal::derive(move || add_error.get().and_then(|e| e.field_message(name)))
    };
    let remove_error = last_error(remove.value());
    let remove_field = move |name: &'static str| {
        Signal::derive(move || remove_error.get().and_then(|e| e.field_message(name)))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let field = |n: &str| data.get(n).as_string().unwrap_or_default();
            added.at_removal.set(None);
            add.dispatch_local((field("passkey_name"), field("passkey_password")));
        }
    };
    let has_entries = !entries.is_empty();
    let choices = entries.clone();
    view! {
        <section class="account__section passkeys" aria-labelledby="passkeys-title">
            <h2 id="passkeys-title">{tp.title}</h2>
            <p>{tp.lead}</p>
            {if entries.is_empty() {
                Either::Left(view! { <p class="muted">{tp.none}</p> })
            } else {
                Either::Right(view! {
                    <ul class="passkey-list">
                        {entries.into_iter().map(|p| {
                            let used = p.last_used.clone();
                            view! {
                                <li>
                                    {in_sentence(tp.added_at, "at", p.added, &[("name", &p.name)])}
                                    " · "
                                    {match used {
                                        Some(at) => Either::Left(in_sentence(tp.last_used, "at", at, &[])),
                                        None => Either::Right(tp.never_used),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            {move || just_added.get().then(|| view! {
                <p class="alert alert--success" role="status">{tp.added}</p>
            })}
            {move || match (here, can.get()) {
                (false, _) => EitherOf3::A(view! { <p class="muted">{tp.unavailable}</p> }),
                (true, Some(true)) => EitherOf3::B(view! {
                    <h3>{tp.add}</h3>
                    <ErrorSummary error=add_error labels=vec![
                        ("passkey_name", tp.name_label), ("passkey_password", t.account.current_password),
                    ]/>
                    <form class="passkey-add" on:submit=on_submit>
                        <Field label=tp.name_label name="passkey_name" help=tp.name_help
                            maxlength=crate::domain::PasskeyName::MAX server_error=add_field("passkey_name")
                            check=Callback::new(|v: String| crate::domain::PasskeyName::parse(&v).err().map(|e| e.message()))/>
                        <Field label=t.account.current_password name="passkey_password" input_type="password"
                            autocomplete="current-password" server_error=add_field("passkey_password")/>
                        <SubmitButton label=tp.add busy_label=tp.waiting pending=add.pending()
                            class="btn btn--secondary"/>
                    </form>
                }),
                (true, Some(false)) => EitherOf3::C(view! { <p class="muted">{tp.unsupported}</p> }),
                (true, None) => EitherOf3::C(view! { <p class="muted">{tp.needs_js}</p> }),
            }}
            {has_entries.then(|| view! {
                <h3>{tp.remove_title}</h3>
                <ErrorSummary error=remove_error labels=vec![
                    ("passkey_id", tp.which), ("remove_password", t.account.current_password),
                ]/>
                <ActionForm action=remove>
                    <div class="field">
                        <label for="passkey_id">{tp.which}</label>
                        <select id="passkey_id" name="passkey_id">
                            {choices.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <Field label=t.account.current_password name="remove_password" input_type="password"
                        autocomplete="current-password" server_error=remove_field("remove_password")/>
                    <SubmitButton label=tp.remove busy_label=tp.removing pending=remove.pending()
                        class="btn btn--danger"/>
                </ActionForm>
            })}
        </section>
    }
}

/// "Use a passkey" on the sign-in's code step, when the account has one and the browser can
/// (nothing without JavaScript: the code field is there).
#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let tp = &crate::i18n::t().second_factor.passkeys;
    let can = browser_can();
    let options = LocalResource::new(move || async move {
        if can.get() == Some(true) {
            sign_in_passkey_options().await.ok().flatten()
        } else {
            None
        }
    });
    let answer = Action::new_local(move |options: &String| {
        let _options = options.clone();
        async move {
            #[cfg(feature = "hydrate")]
            {
                let answer = browser::get_assertion(&_options).await.map_err(failed)?;
                sign_in_passkey(answer).await
            }
            #[cfg(not(feature = "hydrate"))]
            Err::<(), AppError>(AppError::internal())
        }
    });
    let error = last_error(answer.value());
    move || {
        options.get().flatten().map(|o| {
            let o = StoredValue::new(o);
            view! {
                <div class="passkey-sign-in">
                    <FormAlert error/>
                    <button type="button" class="btn btn--secondary btn--block"
                        disabled=move || answer.pending().get()
                        aria-busy=move || answer.pending().get().then_some("true")
                        on:click=move |_| { answer.dispatch_local(o.get_value()); }>
                        {move || if answer.pending().get() { tp.waiting } else { tp.use_passkey }}
                    </button>
                </div>
            }
        })
    }
}
