//! The "Send code" part of the sign-up and password forms: the button, the countdown until a
//! new code may be requested, and the notice that a code was sent.

use super::CodeStep;
use crate::error::{AppError, ErrorKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where a code was sent and how long until another may be asked for: from the last answer
/// (JavaScript on) or from the address the plain form post was redirected to (JavaScript off).
pub fn code_sent_state(
    value: Signal<Option<Result<CodeStep, AppError>>>,
) -> Memo<Option<(String, u64)>> {
    let query = use_query_map();
    Memo::new(move |_| match value.get() {
        Some(Ok(CodeStep::CodeSent { email, resend_in })) => Some((email, resend_in)),
        _ => query.with(|q| match (q.get("sent"), q.get("email")) {
            (Some(_), Some(email)) => Some((email, 60)),
            _ => None,
        }),
    })
}

#[component]
pub fn CodeSender(
    #[prop(into)] value: Signal<Option<Result<CodeStep, AppError>>>,
    #[prop(into)] sending: Signal<bool>,
) -> impl IntoView {
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
                name="intent"
                value="send_code"
                class="btn btn--secondary"
                formnovalidate=true
                disabled=move || { sending.get() || remaining.get() > 0 }
                aria-busy=move || sending.get().then_some("true")
            >
                {move || {
                    if sending.get() {
                        "Sending…".to_string()
                    } else if remaining.get() > 0 {
                        format!("Resend in {} s", remaining.get())
                    } else if sent.get().is_some() {
                        "Resend code".to_string()
                    } else {
                        "Send code".to_string()
                    }
                }}
            </button>
            <p class="code-sender__notice" role="status" aria-live="polite">
                {move || sent.get().map(|(email, _)| format!(
                    "If {email} can receive it, a 6-digit code is on its way. It is valid for 10 minutes. You can request another after 60 seconds."
                ))}
            </p>
        </div>
    }
}
