//! Passkeys on the pages: the section of `/account/second-factor` that lists, adds and removes
//! them, and the button of the sign-in's code step. Adding one and signing in with one need
//! JavaScript (the browser's `navigator.credentials`); removing one is a plain form.

use super::*;
use crate::ui::form::{last_error, ErrorSummary, Field, FormAlert, SubmitButton};
use crate::ui::moment::in_sentence;
use leptos::either::{Either, EitherOf3};

/// Why the browser gave no answer, for the page (hydrated only). `adding`: the prompt was to
/// add one (else to sign in, where a code is the way out).
#[cfg(feature = "hydrate")]
fn failed(f: browser::Failure, adding: bool) -> AppError {
    let tp = &crate::i18n::t().second_factor.passkeys;
    AppError::invalid(match f {
        browser::Failure::Unsupported => tp.unsupported,
        browser::Failure::Cancelled => tp.cancelled,
        browser::Failure::Registered => tp.already_on_device,
        browser::Failure::WrongAddress => tp.wrong_address,
        browser::Failure::Refused if adding => tp.add_refused,
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

/// The passkeys' state that outlives the section (which is made anew each time the page reads
/// itself again): whether the browser can, how many were added, and what to announce. Made with
/// the page (`SecondFactorPage`), which shows `notice` in a live region of its own.
#[derive(Clone, Copy)]
pub struct PasskeyState {
    /// Bumped at each passkey added (the page's status resource tracks it).
    pub added: RwSignal<u32>,
    /// The removals' version when the last one was added (`None`: none added on this page).
    added_at_removal: RwSignal<Option<usize>>,
    can: Signal<Option<bool>>,
    pub remove: ServerAction<RemovePasskey>,
}

impl PasskeyState {
    pub fn new() -> Self {
        Self {
            added: RwSignal::new(0),
            added_at_removal: RwSignal::new(None),
            can: browser_can(),
            remove: ServerAction::new(),
        }
    }

    /// "Passkey added." or "Passkey removed." after the last of them (`removed_here`: the page
    /// was reached by a removal without JavaScript).
    pub fn notice(self, removed_here: Signal<bool>) -> Signal<Option<&'static str>> {
        let tp = &crate::i18n::t().second_factor.passkeys;
        Signal::derive(move || {
            let removals = self.remove.version().get();
            if self.added_at_removal.get() == Some(removals) {
                Some(tp.added)
            } else if matches!(self.remove.value().get(), Some(Ok(())))
                || (removals == 0 && removed_here.get())
            {
                Some(tp.removed)
            } else {
                None
            }
        })
    }
}

impl Default for PasskeyState {
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
    state: PasskeyState,
) -> impl IntoView {
    let t = crate::i18n::t();
    let tp = &t.second_factor.passkeys;
    let (can, remove) = (state.can, state.remove);
    let add = Action::new_local(move |(name, password): &(String, String)| {
        let (_name, _password) = (name.clone(), password.clone());
        async move {
            #[cfg(feature = "hydrate")]
            {
                let options = passkey_options(_password, _name).await?;
                let answer = browser::create(&options)
                    .await
                    .map_err(|f| failed(f, true))?;
                add_passkey(answer).await
            }
            #[cfg(not(feature = "hydrate"))]
            Err::<(), AppError>(AppError::internal())
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = add.value().get() {
            state
                .added_at_removal
                .set(Some(remove.version().get_untracked()));
            state.added.update(|n| *n += 1);
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
            state.added_at_removal.set(None);
            add.dispatch_local((field("passkey_name"), field("passkey_password")));
        }
    };
    let has_entries = !entries.is_empty();
    let full = entries.len() >= MOST_PASSKEYS;
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
            {move || match (here, can.get()) {
                (false, _) => EitherOf3::A(view! { <p class="muted">{tp.unavailable}</p> }),
                (true, Some(true)) if full => EitherOf3::A(view! { <p class="muted">{tp.too_many}</p> }),
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
                let answer = browser::get_assertion(&_options)
                    .await
                    .map_err(|f| failed(f, false))?;
                sign_in_passkey(answer).await
            }
            #[cfg(not(feature = "hydrate"))]
            Err::<(), AppError>(AppError::internal())
        }
    });
    let error = last_error(answer.value());
    // A refused answer used up nothing but its try: a new challenge for the next one (the one
    // held may also have been replaced by this step's page in another tab).
    Effect::new(move |_| {
        if error.get().is_some() {
            options.refetch();
        }
    });
    let pending = answer.pending();
    // Offered or not; a new challenge does not make the button anew (it keeps the focus).
    let offered = Memo::new(move |_| options.get().flatten().is_some());
    move || {
        offered.get().then(|| {
            // Not `disabled` while the prompt is open: the button keeps the focus.
            view! {
                <div class="passkey-sign-in">
                    <FormAlert error/>
                    <button type="button" class="btn btn--secondary btn--block"
                        aria-disabled=move || pending.get().then_some("true")
                        aria-busy=move || pending.get().then_some("true")
                        on:click=move |_| {
                            if let Some(o) = options.get_untracked().flatten() {
                                if !pending.get_untracked() {
                                    answer.dispatch_local(o);
                                }
                            }
                        }>
                        {move || if pending.get() { tp.waiting } else { tp.use_passkey }}
                    </button>
                </div>
            }
        })
    }
}
