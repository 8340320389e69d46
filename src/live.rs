//! Live updates: what happened to an application, pushed to open pages as server-sent events
//! from `/api/events` (served by `server::feed`). Reviewers receive every application's events;
//! an applicant only those of their own applications.
//!
//! Pages react by fetching again what they show, except the reviewers' dashboard: a reviewer's
//! stream carries, with each event that moves the queue, the application's line as it now
//! stands (`row`), which the dashboard applies in place. The browser's `EventSource`
//! reconnects by itself and sends the last event id it saw, and the server replays everything
//! after it. When that id is past the server's head (its feed was reset), the server sends a
//! `resync` event instead, and the page fetches everything again, as when the stream opens.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const EVENTS_PATH: &str = "/api/events";
/// The SSE event name (`event: resync`) that tells a page it may have missed anything; its id
/// is the feed's head, where the stream goes on from. Ordinary events have no name.
pub const RESYNC_EVENT: &str = "resync";

/// One event as the browser receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// The event's number in the database's feed (also the SSE `id`).
    pub seq: i64,
    pub application_id: String,
    /// submitted, resubmitted, assigned, unassigned, approved, rejected, changes_requested;
    /// and a workspace
    /// team's invited, invitation_resent, invitation_withdrawn, member_joined,
    /// member_role_changed, member_blocked, member_unblocked, member_removed,
    /// ownership_transferred, member_left.
    pub kind: String,
    /// Reviewers' streams only, for the kinds that move the queue (`moves_queue`): the
    /// application's line of the queue as it stands after the event, and the counts; absent
    /// when it could not be read. Never sent to anyone else: it names the assigned reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<crate::review::LiveRow>,
}

impl LiveEvent {
    /// Kinds that open pages care about (drafts being started are nobody else's business):
    /// the queue's, and a workspace team's news.
    pub fn is_shared(kind: &str) -> bool {
        Self::moves_queue(kind)
            || matches!(
                kind,
                "invited"
                    | "invitation_resent"
                    | "invitation_withdrawn"
                    | "member_joined"
                    | "member_role_changed"
                    | "member_blocked"
                    | "member_unblocked"
                    | "member_removed"
                    | "ownership_transferred"
                    | "member_left"
            )
    }

    /// Kinds that change an application's line of the reviewers' queue (a workspace team's
    /// news changes none).
    pub fn moves_queue(kind: &str) -> bool {
        matches!(
            kind,
            "submitted"
                | "resubmitted"
                | "assigned"
                | "unassigned"
                | "approved"
                | "rejected"
                | "changes_requested"
        )
    }

    pub fn is_new_submission(&self) -> bool {
        matches!(self.kind.as_str(), "submitted" | "resubmitted")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Reconnecting,
    /// The server refused the stream (signed out): the page no longer updates by itself.
    Offline,
}

impl LiveState {
    /// What the indicator says, in the page's language.
    pub fn label(self) -> &'static str {
        let t = &crate::i18n::t().review.live;
        match self {
            LiveState::Connecting => t.connecting,
            LiveState::Live => t.live,
            LiveState::Reconnecting => t.reconnecting,
            LiveState::Offline => t.offline,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            LiveState::Connecting => "connecting",
            LiveState::Live => "live",
            LiveState::Reconnecting => "reconnecting",
            LiveState::Offline => "offline",
        }
    }
}

/// Follows the event stream while the calling component lives. `on_event` runs for every event;
/// `on_open` whenever the connection (re)opens or the server asks for a resync, so a page can
/// fetch what it shows once more.
pub fn use_live_events(
    on_event: impl Fn(LiveEvent) + 'static,
    on_open: impl Fn() + 'static,
) -> ReadSignal<LiveState> {
    let (state, set_state) = signal(LiveState::Connecting);
    #[cfg(feature = "hydrate")]
    client::follow(set_state, on_event, on_open);
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_state, on_event, on_open);
    state
}

/// A counter that moves whenever an event concerns the application `id()` (or the stream
/// reopens): a `Resource` that reads it in its source fetches again when a reviewer acts.
pub fn use_application_refresh(id: impl Fn() -> String + Clone + 'static) -> RwSignal<u32> {
    let refresh = RwSignal::new(0u32);
    let _state = use_live_events(
        move |event| {
            if event.application_id == id() {
                refresh.update(|n| *n += 1);
            }
        },
        move || refresh.update(|n| *n += 1),
    );
    refresh
}

#[cfg(feature = "hydrate")]
mod client {
    use super::*;
    use send_wrapper::SendWrapper;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    pub fn follow(
        set_state: WriteSignal<LiveState>,
        on_event: impl Fn(LiveEvent) + 'static,
        on_open: impl Fn() + 'static,
    ) {
        let Ok(source) = EventSource::new(EVENTS_PATH) else {
            set_state.set(LiveState::Offline);
            return;
        };
        let on_open = Rc::new(on_open);
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(event) = e
                .data()
                .as_string()
                .and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok())
            {
                on_event(event);
            }
        });
        let opened = {
            let on_open = on_open.clone();
            Closure::<dyn FnMut()>::new(move || {
                set_state.set(LiveState::Live);
                (*on_open)();
            })
        };
        // Named events do not reach `onmessage`: a resync has a listener of its own.
        let resynced = Closure::<dyn FnMut()>::new(move || (*on_open)());
        let failed = {
            let source = source.clone();
            Closure::<dyn FnMut()>::new(move || {
                // CLOSED: the server answered with an error and the browser gave up.
                set_state.set(if source.ready_state() == EventSource::CLOSED {
                    LiveState::Offline
                } else {
                    LiveState::Reconnecting
                });
            })
        };
        source.set_onmessage(Some(message.as_ref().unchecked_ref()));
        source.set_onopen(Some(opened.as_ref().unchecked_ref()));
        source.set_onerror(Some(failed.as_ref().unchecked_ref()));
        let _ = source
            .add_event_listener_with_callback(RESYNC_EVENT, resynced.as_ref().unchecked_ref());
        let held = SendWrapper::new((source, message, opened, failed, resynced));
        on_cleanup(move || {
            let (source, ..) = &*held;
            source.close();
        });
    }
}

/// The "Live / Reconnecting" indicator.
#[component]
pub fn LiveIndicator(state: ReadSignal<LiveState>) -> impl IntoView {
    view! {
        <span class=move || format!("live live--{}", state.get().key()) role="status" aria-live="polite">
            <span class="live__dot" aria-hidden="true"></span>
            {move || state.get().label()}
        </span>
    }
}
