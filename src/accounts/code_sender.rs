//! The "Send code" part of the sign-up and password forms: the button, which posts the form to
//! the send-code function of its own (`formaction`), the countdown until a new code may be
//! requested, and the notice that a code was sent; and how such a form, hydrated, sends each
//! button to its own action.

use super::CodeSent;
use crate::domain::{CODE_RESEND_SECONDS, CODE_VALID_MINUTES};
use crate::error::{AppError, ErrorKind};
use crate::i18n::fill;
use leptos::form::FromFormData;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// Where a code was sent and how long until another may be asked for: from the last answer
/// (JavaScript on) or from the address the plain form post was redirected to (JavaScript off).
pub fn code_sent_state(
    value: Signal<Option<Result<CodeSent, AppError>>>,
) -> Memo<Option<(String, u64)>> {
    let query = use_query_map();
    Memo::new(move |_| match value.get() {
        Some(Ok(CodeSent { email, resend_in })) => Some((email, resend_in)),
        _ => query.with(|q| match (q.get("sent"), q.get("email")) {
            // Only an address is shown: the query is anyone's to write.
            (Some(_), Some(email)) if crate::domain::Email::parse(&email).is_ok() => {
                Some((email, CODE_RESEND_SECONDS))
            }
            _ => None,
        }),
    })
}

/// Whether the form was submitted by "Send code": the one button with a `formaction` of its
/// own (Enter and the main button post to the form's action).
pub fn asks_for_code(ev: &web_sys::SubmitEvent) -> bool {
    ev.submitter()
        .is_some_and(|button| button.has_attribute("formaction"))
}

/// Dispatches `action` with the submitted form's fields, as `ActionForm` does.
pub fn dispatch_from<S>(action: ServerAction<S>, ev: &web_sys::SubmitEvent)
where
    S: ServerFn<Error = AppError> + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    match <S as FromFormData>::from_event(ev) {
        Ok(input) => {
            action.dispatch(input);
        }
        Err(e) => action.value().set(Some(Err(AppError::from_server_fn_error(
            ServerFnErrorErr::Serialization(e.to_string()),
        )))),
    }
}

#[component]
pub fn CodeSender(
    #[prop(into)] value: Signal<Option<Result<CodeSent, AppError>>>,
    #[prop(into)] sending: Signal<bool>,
    /// The URL of the send-code server function (the button's `formaction`).
    action: &'static str,
) -> impl IntoView {
    let t = &crate::i18n::t().accounts.codes;
    let sent = code_sent_state(value);
    // Seconds until "Send code" works again. Only the browser counts down; without JavaScript
    // the button stays enabled and the server says how long to wait.
    let remaining = RwSignal::new(0u64);
    Effect::new(move |_| {
        let from_answer = sent.get().map(|(_, s)| s);
        let from_limit = match value.get() {
            Some(Err(AppError {
                kind: ErrorKind::TooMany,
                retry_after,
                ..
            })) => retry_after,
            _ => None,
        };
        if let Some(s) = from_limit.or(from_answer) {
            remaining.set(s);
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                if remaining.get_untracked() > 0 {
                    remaining.update(|r| *r -= 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });

    view! {
        <div class="code-sender">
            <button
                type="submit"
                formaction=action
                class="btn btn--secondary"
                formnovalidate=true
                disabled=move || { sending.get() || remaining.get() > 0 }
                aria-busy=move || sending.get().then_some("true")
            >
                {move || {
                    if sending.get() {
                        t.sending.to_string()
                    } else if remaining.get() > 0 {
                        fill(t.resend_in, &[("seconds", &remaining.get())])
                    } else if sent.get().is_some() {
                        t.resend.to_string()
                    } else {
                        t.send.to_string()
                    }
                }}
            </button>
            <p class="code-sender__notice" role="status" aria-live="polite">
                {move || sent.get().map(|(email, _)| fill(
                    t.on_its_way,
                    // The address last: what a person typed is not searched for placeholders.
                    &[
                        ("minutes", &CODE_VALID_MINUTES),
                        ("seconds", &CODE_RESEND_SECONDS),
                        ("email", &email),
                    ],
                ))}
            </p>
        </div>
    }
}
