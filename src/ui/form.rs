//! Form parts: labelled fields with help text and inline errors, checked in the browser by the
//! same domain `parse` the server uses; submit buttons that show when a request is running.

use crate::error::{AppError, FieldError};
use crate::i18n::fill;
use leptos::prelude::*;

/// The error of the last submission, whether it came back through fetch (JavaScript on) or
/// through the redirect that carries it to a plain form post (JavaScript off).
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e),
        _ => None,
    })
}

/// Two actions offered side by side (e.g. "Assign to me" and "Unassign", "Approve" and
/// "Reject") and the answer of the one used last. Made with the page, so the answer outlives
/// the re-render that the change causes.
pub struct TwoActions<A, B>
where
    A: leptos::server_fn::ServerFn + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    B::Output: Send + Sync + 'static,
{
    pub first: ServerAction<A>,
    pub second: ServerAction<B>,
    pub error: Signal<Option<AppError>>,
}

impl<A, B> Clone for TwoActions<A, B>
where
    A: leptos::server_fn::ServerFn + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    B::Output: Send + Sync + 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<A, B> Copy for TwoActions<A, B>
where
    A: leptos::server_fn::ServerFn + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    B::Output: Send + Sync + 'static,
{
}

impl<A, B> Default for TwoActions<A, B>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
    B::Output: Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<A, B> TwoActions<A, B>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
    B::Output: Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        let first = ServerAction::<A>::new();
        let second = ServerAction::<B>::new();
        let (first_error, second_error) = (last_error(first.value()), last_error(second.value()));
        // Which was sent last (in the browser); `None` before either: then at most one of them
        // has an answer, carried back to a form posted without JavaScript.
        let first_last = RwSignal::new(None::<bool>);
        Effect::new(move |_| {
            if first.pending().get() {
                first_last.set(Some(true));
            }
        });
        Effect::new(move |_| {
            if second.pending().get() {
                first_last.set(Some(false));
            }
        });
        let error = Signal::derive(move || match first_last.get() {
            Some(true) => first_error.get(),
            Some(false) => second_error.get(),
            None => first_error.get().or_else(|| second_error.get()),
        });
        Self {
            first,
            second,
            error,
        }
    }

    /// Either is on its way.
    pub fn pending(self) -> bool {
        self.first.pending().get() || self.second.pending().get()
    }

    /// Changes each time either completes (for resources that follow them).
    pub fn version(self) -> (usize, usize) {
        (self.first.version().get(), self.second.version().get())
    }
}

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    /// Value to show when the page is rendered (kept input after a failed post).
    #[prop(optional, into)]
    initial: Signal<String>,
    /// The server's verdict on this field from the last submission.
    #[prop(optional, into)]
    server_error: Signal<Option<String>>,
    /// The browser's instant check: `Some(message)` when the value breaks a rule.
    #[prop(optional, into)]
    check: Option<Callback<String, Option<String>>>,
    /// Mirrors what the person types, for checks of other fields.
    #[prop(optional)]
    mirror: Option<RwSignal<String>>,
    /// A reviewer's note asking for this field to change, shown beside it.
    #[prop(default = None)]
    request: Option<String>,
) -> impl IntoView {
    let local_error = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    // A new server verdict replaces the browser's.
    Effect::new(move |_| {
        server_error.track();
        local_error.set(None);
        touched.set(false);
    });
    let run_check = move |value: String| {
        if let Some(mirror) = mirror {
            mirror.set(value.clone());
        }
        if let Some(check) = check {
            local_error.set(check.run(value));
        }
    };
    let error = Signal::derive(move || {
        if touched.get() {
            local_error.get()
        } else {
            server_error.get()
        }
    });
    let help_id = format!("{name}-help");
    let error_id = format!("{name}-error");
    let request_id = format!("{name}-request");
    let requested = request.is_some();
    let described_by = {
        let help_id = help_id.clone();
        let error_id = error_id.clone();
        let request_id = request_id.clone();
        move || {
            let mut ids = Vec::new();
            if requested {
                ids.push(request_id.clone());
            }
            if help.is_some() {
                ids.push(help_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some() class:field--requested=requested>
            <label for=name class="field__label">{label}</label>
            <FieldRequest id=request_id note=request/>
            <input
                id=name
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                value=move || initial.get()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                on:blur=move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        touched.set(true);
                        run_check(v);
                    }
                }
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    if touched.get_untracked() {
                        run_check(v);
                    } else if let Some(mirror) = mirror {
                        mirror.set(v);
                    }
                }
            />
            {help.map(|h| view! { <p id=help_id.clone() class="field__help">{h}</p> })}
            <ErrorLine id=error_id error/>
        </div>
    }
}

/// A reviewer's note on a field they asked to change (nothing when there is none); the field's
/// `aria-describedby` names `id`.
#[component]
pub fn FieldRequest(#[prop(into)] id: String, note: Option<String>) -> impl IntoView {
    let t = &crate::i18n::t().onboarding.business;
    note.map(|note| {
        view! { <p id=id class="field__request">{crate::i18n::fill(t.reviewer_note, &[("note", &note)])}</p> }
    })
}

/// The line under a field that says what is wrong with it, empty while nothing is; the field's
/// `aria-describedby` names `id`. Polite rather than an alert: the browser's own check speaks up
/// as the person moves on, and after a submission the `ErrorSummary` has the focus.
#[component]
pub fn ErrorLine(
    #[prop(into)] id: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! { <p id=id class="field__error" aria-live="polite">{move || error.get()}</p> }
}

/// "I have read and agree to the <document>" and its checkbox (the seed asks for it before
/// Sign up and Submit). The document opens in a new tab, so the form stays as it is.
#[component]
pub fn Agreement(
    name: &'static str,
    href: &'static str,
    document: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let t = crate::i18n::t();
    view! {
        <div class="field field--checkbox" class:field--invalid=move || error.get().is_some()>
            <input type="checkbox" id=name name=name value="yes"
                aria-describedby=error_id.clone()
                aria-invalid=move || error.get().is_some().then_some("true")/>
            <label for=name>
                {t.ui.agree_prefix}
                <a href=href target="_blank" rel="noopener">
                    {fill(t.ui.agree_document, &[("document", &document)])}<span class="visually-hidden">{t.ui.new_tab}</span>
                </a>
            </label>
            <ErrorLine id=error_id error/>
        </div>
    }
}

/// What went wrong with the last submission, at the top of its form: "There is a problem", the
/// form's sentence, and a link to each invalid field (its input's id is its name). Every answer
/// renders it anew (the same error twice is announced twice) and it takes the focus; rendered by
/// the server (a form posted without JavaScript comes back with its error) it asks for it with
/// `autofocus`, and hydration leaves the focus where the person has put it meanwhile.
#[component]
pub fn ErrorSummary(
    /// The last answer's error: it notifies once per answer (an action's value does).
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// The label of each field by its name, to start its link with (from the catalogue).
    labels: Vec<(&'static str, &'static str)>,
) -> impl IntoView {
    let labels = StoredValue::new(labels);
    let error = Signal::derive(move || {
        error
            .get()
            .filter(|e| !e.message.is_empty() || !e.fields.is_empty())
    });
    let summary = NodeRef::<leptos::html::Div>::new();
    let t = crate::i18n::t();
    // An error present when the page is made came with the page (from the server).
    let came_with_page = StoredValue::new(error.get_untracked().is_some());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(summary) = summary.get() {
            let moved_on = came_with_page.get_value()
                && document()
                    .active_element()
                    .is_some_and(|a| a.tag_name() != "BODY" && a != **summary);
            came_with_page.set_value(false);
            if !moved_on {
                let _ = summary.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (summary, came_with_page);
    });
    view! {
        {move || error.get().map(|e| {
            let links = (!e.fields.is_empty()).then(|| {
                let items = e.fields.into_iter().map(|FieldError { field, message }| {
                    let label = labels.with_value(|l| l.iter().find(|(n, _)| *n == field).map(|(_, label)| *label));
                    let text = match label {
                        Some(label) => fill(t.ui.error_summary_field, &[("label", &label), ("message", &message)]),
                        None => message,
                    };
                    let href = format!("#{field}");
                    view! {
                        <li>
                            <a href=href target="_self" on:click=move |ev| focus_field(&ev, &field)>
                                {text}
                            </a>
                        </li>
                    }
                }).collect_view();
                view! { <ul class="error-summary__list">{items}</ul> }
            });
            view! {
                <div class="error-summary" role="alert" tabindex="-1" autofocus=true node_ref=summary>
                    <h2 class="error-summary__title">{t.ui.error_summary_title}</h2>
                    {(!e.message.is_empty()).then(|| view! { <p>{e.message}</p> })}
                    {links}
                </div>
            }
        })}
    }
}

/// Follows a link of the error summary in the browser by focusing the field, where the browser
/// would only scroll to it (`target="_self"` keeps the router out of it).
fn focus_field(ev: &web_sys::MouseEvent, id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(field) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            ev.prevent_default();
            let _ = field.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, id);
}

/// A form-level message (the sentence of an error, or a notice).
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <div class="form-alert-slot" aria-live="assertive">
            {move || {
                error
                    .get()
                    .filter(|e| !e.message.is_empty())
                    .map(|e| view! { <p class="alert alert--error" role="alert">{e.message}</p> })
            }}
        </div>
    }
}

/// A submit button that is disabled and says so while its request runs.
#[component]
pub fn SubmitButton(
    label: &'static str,
    busy_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "btn btn--primary btn--block")] class: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=class
            disabled=move || pending.get() || disabled.get()
            aria-busy=move || pending.get().then_some("true")
        >
            {move || if pending.get() {
                view! { <span class="spinner" aria-hidden="true"></span>{busy_label} }.into_any()
            } else {
                label.into_any()
            }}
        </button>
    }
}

/// The error a plain form post (JavaScript off) was redirected back with, for the server
/// function at `path`. Used where no `ServerAction` reads it (multipart forms).
pub fn url_error(path: &'static str) -> Signal<Option<AppError>> {
    use leptos::server_fn::error::ServerFnUrlError;
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        query.with(|q| match (q.get("__path"), q.get("__err")) {
            (Some(p), Some(e)) if p == path => Some(ServerFnUrlError::<AppError>::decode_err(&e)),
            _ => None,
        })
    })
}
