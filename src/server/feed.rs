//! The live feed: application events, numbered in the database (`application_events.seq`,
//! see `onboarding::store::record_event`), pushed to open pages as server-sent events.
//!
//! The table is the source of truth. Each process runs one pump that reads the rows after the
//! last number it has seen and broadcasts them to its streams. The pump wakes when this
//! process commits an event (`Feed::wake`), on PostgreSQL when any instance commits one
//! (`LISTEN`; `record_event` notifies inside its transaction), and at least once a second in
//! case a wake-up was lost. A stream that connects with `Last-Event-ID` (or falls behind) is
//! replayed from the table first, so a reconnect misses nothing.

use super::db::Db;
use super::request::AppState;
use super::sessions;
use crate::live::LiveEvent;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;

pub const CHANNEL: &str = "isv_portal_events";
/// Run inside a transaction that wrote events: delivered to listeners when it commits.
pub const NOTIFY_SQL: &str = "SELECT pg_notify('isv_portal_events', '')";
const BATCH: i64 = 500;
const POLL: Duration = Duration::from_secs(1);

/// One feed row, with the applicant it concerns (used to filter, never sent) and its SSE
/// data, serialised once however many streams send it.
#[derive(Debug)]
pub struct FeedItem {
    pub event: LiveEvent,
    pub owner_id: String,
    pub json: String,
}

#[derive(Clone)]
pub struct Feed {
    inner: Arc<Inner>,
}

struct Inner {
    sender: broadcast::Sender<Arc<FeedItem>>,
    wake: Notify,
    /// Ends every stream when the server shuts down.
    shutdown: CancellationToken,
}

impl Feed {
    pub fn new(shutdown: CancellationToken) -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                sender,
                wake: Notify::new(),
                shutdown,
            }),
        }
    }

    /// Call after committing a transaction that recorded events.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedItem>> {
        self.inner.sender.subscribe()
    }

    pub fn shutdown(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    /// Starts the pump (and, on PostgreSQL, the listener) for this process.
    pub async fn start(&self, db: Db, database_url: &str) -> Result<(), sqlx::Error> {
        let mut last = head(&db).await?;
        let backend = db.backend;
        let feed = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = feed.inner.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = feed.inner.shutdown.cancelled() => return,
                }
                loop {
                    match after(&db, last, BATCH).await {
                        Ok(items) => {
                            let full = items.len() as i64 == BATCH;
                            for item in items {
                                last = item.event.seq;
                                let _ = feed.inner.sender.send(item);
                            }
                            if !full {
                                break;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "reading the event feed");
                            break;
                        }
                    }
                }
            }
        });
        if backend == super::db::Backend::Postgres {
            let feed = self.clone();
            let url = database_url.to_string();
            tokio::spawn(async move { feed.listen(&url).await });
        }
        Ok(())
    }

    /// Wakes the pump on every `NOTIFY` from any instance; reconnects when the link drops.
    async fn listen(&self, url: &str) {
        use sqlx::postgres::PgListener;
        loop {
            let attempt = async {
                let mut listener = PgListener::connect(url).await?;
                listener.listen(CHANNEL).await?;
                // Anything committed while we were not listening.
                self.wake();
                loop {
                    listener.recv().await?;
                    self.wake();
                }
                #[allow(unreachable_code)]
                Ok::<(), sqlx::Error>(())
            };
            tokio::select! {
                r = attempt => {
                    if let Err(e) = r {
                        tracing::warn!(error = %e, "listening for events; retrying");
                    }
                }
                _ = self.inner.shutdown.cancelled() => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = self.inner.shutdown.cancelled() => return,
            }
        }
    }
}

/// The number of the last committed event.
pub async fn head(db: &Db) -> Result<i64, sqlx::Error> {
    let (value,): (i64,) = sqlx::query_as("SELECT value FROM counters WHERE name = 'events'")
        .fetch_one(&db.pool)
        .await?;
    Ok(value)
}

/// Committed events after `seq`, oldest first.
pub async fn after(db: &Db, seq: i64, limit: i64) -> Result<Vec<Arc<FeedItem>>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT e.seq, e.application_id, e.kind, a.user_id FROM application_events e \
         JOIN applications a ON a.id = e.application_id \
         WHERE e.seq > $1 ORDER BY e.seq LIMIT $2",
    )
    .bind(seq)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(seq, application_id, kind, owner_id)| {
            let event = LiveEvent {
                seq,
                application_id,
                kind,
            };
            let json = serde_json::to_string(&event).unwrap_or_default();
            Arc::new(FeedItem {
                event,
                owner_id,
                json,
            })
        })
        .collect())
}

/// Who is listening: reviewers see every application, an applicant only their own.
#[derive(Clone)]
enum Audience {
    Reviewer,
    Owner(String),
}

impl Audience {
    fn sees(&self, item: &FeedItem) -> bool {
        LiveEvent::is_shared(&item.event.kind)
            && match self {
                Audience::Reviewer => true,
                Audience::Owner(id) => *id == item.owner_id,
            }
    }
}

#[derive(serde::Deserialize)]
pub struct StreamQuery {
    after: Option<i64>,
}

/// `GET /api/events`: the signed-in user's event stream. `Last-Event-ID` (sent by the
/// browser when it reconnects) or `?after=` replays what came after that number.
pub async fn stream(
    State(st): State<AppState>,
    Query(query): Query<StreamQuery>,
    headers: HeaderMap,
) -> Response {
    let (token, user) = match sessions::from_headers(&st.db, &st.config, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "looking up a session for the event stream");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let reviewer = user.is_reviewer;
    let audience = if user.is_reviewer {
        Audience::Reviewer
    } else {
        Audience::Owner(user.user_id)
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the table, so nothing falls between the two.
    let receiver = st.feed.subscribe();
    let start = match last_event_id.or(query.after) {
        Some(n) => n.max(0),
        None => match head(&st.db).await {
            Ok(n) => n,
            Err(e) => {
                tracing::error!(error = %e, "reading the feed head");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    let follower = Follower {
        db: st.db.clone(),
        receiver,
        audience,
        last: start,
        pending: VecDeque::new(),
        replay: true,
        session: Recheck {
            token,
            reviewer,
            every: st.config.stream_recheck,
            next: tokio::time::Instant::now() + st.config.stream_recheck,
        },
    };
    let events = futures::stream::unfold(follower, |mut f| async move {
        let item = f.next().await?;
        let event = Event::default()
            .id(item.event.seq.to_string())
            .data(&item.json);
        Some((Ok::<_, std::convert::Infallible>(event), f))
    })
    .take_until(st.feed.shutdown().cancelled_owned());
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// One open stream: replays from the table, then follows the broadcast; falls back to the
/// table whenever it lags behind. It subscribed before its first read of the table, and
/// numbers become visible in commit order, so between the two nothing is skipped.
struct Follower {
    db: Db,
    receiver: broadcast::Receiver<Arc<FeedItem>>,
    audience: Audience,
    last: i64,
    pending: VecDeque<Arc<FeedItem>>,
    replay: bool,
    session: Recheck,
}

/// A stream outlives the request that opened it: now and then it checks that its session is
/// still alive and its role unchanged, and ends when not (a sign-out elsewhere, a password
/// reset, a reviewer losing the role).
struct Recheck {
    token: String,
    reviewer: bool,
    every: Duration,
    next: tokio::time::Instant,
}

impl Recheck {
    async fn still_allowed(&mut self, db: &Db) -> bool {
        self.next = tokio::time::Instant::now() + self.every;
        match sessions::lookup(db, &self.token).await {
            Ok(Some(user)) => user.is_reviewer == self.reviewer,
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "rechecking an event stream's session");
                true
            }
        }
    }
}

impl Follower {
    async fn next(&mut self) -> Option<Arc<FeedItem>> {
        loop {
            if self.replay {
                self.replay = false;
                match after(&self.db, self.last, BATCH).await {
                    Ok(items) => {
                        self.replay = items.len() as i64 == BATCH;
                        self.pending.extend(items);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "replaying the event feed");
                        return None;
                    }
                }
            }
            let item = match self.pending.pop_front() {
                Some(item) => item,
                None => {
                    let received = tokio::select! {
                        r = self.receiver.recv() => r,
                        _ = tokio::time::sleep_until(self.session.next) => {
                            if !self.session.still_allowed(&self.db).await {
                                return None;
                            }
                            continue;
                        }
                    };
                    match received {
                        Ok(item) => item,
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            self.replay = true;
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            };
            if item.event.seq <= self.last {
                continue;
            }
            self.last = item.event.seq;
            if self.audience.sees(&item) {
                return Some(item);
            }
        }
    }
}
