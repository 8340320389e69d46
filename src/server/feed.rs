//! The live feed: application events, numbered in the database (`application_events.seq`,
//! see `applications::events::record_event`), pushed to open pages as server-sent events.
//!
//! The table is the source of truth. Each process runs one pump that reads the rows after the
//! last number it has seen and broadcasts them to its streams. The pump wakes when this
//! process commits an event (`Feed::wake`), on PostgreSQL when any instance commits one
//! (`LISTEN`; `record_event` notifies inside its transaction), and every `FEED_POLL_MS` (a
//! second by default) in case a wake-up was lost. A stream that connects with `Last-Event-ID`
//! (or falls behind) is replayed from the table first, one batch at a time, so a reconnect
//! misses nothing; an id past the head (a feed that was reset) resyncs the page to the head.
//!
//! Reviewers' dashboards apply each event to the rows they show instead of fetching their page:
//! the pump reads the queue lines of the applications a batch of events moved, once for all
//! streams, and reviewers' streams send them with the events (applicants' never do).

use super::db::Db;
use super::request::AppState;
use super::sessions;
use crate::live::{LiveEvent, RESYNC_EVENT};
use crate::review::LiveRow;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;

pub const CHANNEL: &str = "isv_portal_events";
/// Run inside a transaction that wrote events: delivered to listeners when it commits.
pub const NOTIFY_SQL: &str = "SELECT pg_notify('isv_portal_events', '')";
/// Rows read at a time, by the pump and by a replaying stream (which holds at most this many).
pub const BATCH: i64 = 500;
/// Open streams one session may hold at once (`429` beyond). Counted in this process only: with
/// several instances a session may hold this many on each.
pub const STREAMS_PER_SESSION: usize = 8;

/// One feed row, with the applicant it concerns (used to filter, never sent) and its SSE
/// data, serialised once however many streams send it: for reviewers with the application's
/// queue line (when read), for anyone else without.
#[derive(Debug)]
pub struct FeedItem {
    /// As reviewers receive it (with `row` when read).
    pub event: LiveEvent,
    pub owner_id: String,
    /// The data an applicant's stream sends: the event without its queue line, which names the
    /// assigned reviewer.
    pub json: String,
    /// The data a reviewer's stream sends: the event with its queue line.
    pub reviewer_json: String,
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
    /// Open streams per session (by token hash), in this process.
    open: Mutex<HashMap<String, usize>>,
    /// Batches read by replaying streams, in this process.
    replay_queries: AtomicU64,
    /// Reads of queue lines (`review::store::live_rows`): by the pump, one per batch of events
    /// that moved the queue, and by reviewers' replays, one per such batch.
    row_reads: AtomicU64,
}

impl Feed {
    pub fn new(shutdown: CancellationToken) -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            inner: Arc::new(Inner {
                sender,
                wake: Notify::new(),
                shutdown,
                open: Mutex::new(HashMap::new()),
                replay_queries: AtomicU64::new(0),
                row_reads: AtomicU64::new(0),
            }),
        }
    }

    /// How many batches this process's streams have read from the table while replaying.
    pub fn replay_queries(&self) -> u64 {
        self.inner.replay_queries.load(Ordering::Relaxed)
    }

    fn count_replay(&self) {
        self.inner.replay_queries.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times this process has read queue lines for events (the pump once per batch,
    /// however many streams send them; a reviewer's replay once per batch it replays).
    pub fn row_reads(&self) -> u64 {
        self.inner.row_reads.load(Ordering::Relaxed)
    }

    /// The queue lines of the applications that `events` moved, by id, in one read; none when
    /// no event moved the queue, and none (logged) when they cannot be read: the events then
    /// go without, and the dashboards fetch their pages as before.
    async fn lines(&self, db: &Db, events: &[EventRow]) -> HashMap<String, LiveRow> {
        let mut seen = HashSet::new();
        let ids: Vec<&str> = events
            .iter()
            .filter(|e| LiveEvent::moves_queue(&e.kind))
            .map(|e| e.application_id.as_str())
            .filter(|id| seen.insert(*id))
            .collect();
        if ids.is_empty() {
            return HashMap::new();
        }
        match crate::review::store::live_rows(db, &ids).await {
            Ok(rows) => {
                self.inner.row_reads.fetch_add(1, Ordering::Relaxed);
                rows.into_iter()
                    .map(|row| (row.line.id.clone(), row))
                    .collect()
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "reading the queue lines of events; sending them without"
                );
                HashMap::new()
            }
        }
    }

    /// A place for one more stream of the session `key`, or `None` when it holds the most.
    fn open_slot(&self, key: String) -> Option<StreamSlot> {
        let mut open = counts(&self.inner.open);
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= STREAMS_PER_SESSION {
            return None;
        }
        *count += 1;
        super::metrics::event_stream_opened();
        Some(StreamSlot {
            feed: self.clone(),
            key,
        })
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
    pub async fn start(
        &self,
        db: Db,
        database_url: &str,
        poll: Duration,
    ) -> Result<(), sqlx::Error> {
        let mut last = head(&db).await?;
        let backend = db.backend;
        let db_for_listener = db.clone();
        let feed = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = feed.inner.wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                    _ = feed.inner.shutdown.cancelled() => return,
                }
                loop {
                    match after(&feed, &db, last, BATCH, None).await {
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
            let db = db_for_listener;
            tokio::spawn(async move { feed.listen(&url, &db).await });
        }
        Ok(())
    }

    /// Wakes the pump on every `NOTIFY` from any instance, and forgets the sessions other
    /// instances ended or changed (`sessions::CHANNEL`); reconnects when the link drops.
    async fn listen(&self, url: &str, db: &Db) {
        use sqlx::postgres::PgListener;
        loop {
            let attempt = async {
                let mut listener = PgListener::connect(url).await?;
                listener
                    .listen_all([CHANNEL, super::sessions::CHANNEL])
                    .await?;
                // Anything committed while we were not listening.
                self.wake();
                db.sessions.clear();
                loop {
                    match listener.try_recv().await? {
                        Some(notice) if notice.channel() == super::sessions::CHANNEL => {
                            db.sessions.apply_notice(notice.payload());
                        }
                        Some(_) => self.wake(),
                        // The connection dropped and the listener reconnects by itself on the
                        // next call: what was sent meanwhile is lost, so read the feed and
                        // forget every cached session.
                        None => {
                            self.wake();
                            db.sessions.clear();
                        }
                    }
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
    sqlx::query_scalar("SELECT value FROM counters WHERE name = 'events'")
        .fetch_one(&db.pool)
        .await
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    application_id: String,
    kind: String,
    owner_id: String,
}

/// Committed events after `seq`, oldest first; only those of the workspaces `owner` is an
/// active member of, when given (a member's replay reads its own rows, not everyone's; an
/// application is a workspace with its applicant as member from its submission on, and a
/// draft's events are nobody's business). Read for reviewers (no `owner`: the pump, a
/// reviewer's replay), the events carry their applications' queue lines, read in one more
/// query for the whole batch (`Feed::lines`); a member's replay reads none.
pub async fn after(
    feed: &Feed,
    db: &Db,
    seq: i64,
    limit: i64,
    owner: Option<&str>,
) -> Result<Vec<Arc<FeedItem>>, sqlx::Error> {
    const ALL: &str =
        "SELECT e.seq AS seq, e.application_id AS application_id, e.kind AS kind, a.user_id AS owner_id FROM application_events e \
         JOIN applications a ON a.id = e.application_id \
         WHERE e.seq > $1 ORDER BY e.seq LIMIT $2";
    const OWN: &str =
        "SELECT e.seq AS seq, e.application_id AS application_id, e.kind AS kind, a.user_id AS owner_id FROM application_events e \
         JOIN applications a ON a.id = e.application_id \
         WHERE e.application_id IN (SELECT workspace_id FROM workspace_members \
         WHERE user_id = $3 AND status = 'active') \
         AND e.seq > $1 ORDER BY e.seq LIMIT $2";
    let query = sqlx::query_as(if owner.is_some() { OWN } else { ALL })
        .bind(seq)
        .bind(limit);
    let query = match owner {
        Some(id) => query.bind(id),
        None => query,
    };
    let rows: Vec<EventRow> = query.fetch_all(&db.pool).await?;
    let lines = match owner {
        None => feed.lines(db, &rows).await,
        Some(_) => HashMap::new(),
    };
    Ok(rows
        .into_iter()
        .map(
            |EventRow {
                 seq,
                 application_id,
                 kind,
                 owner_id,
             }| {
                let mut event = LiveEvent {
                    seq,
                    application_id,
                    kind,
                    row: None,
                };
                let json = serde_json::to_string(&event).unwrap_or_default();
                // Only on what moves the queue (a team's news carries none).
                if LiveEvent::moves_queue(&event.kind) {
                    event.row = lines.get(&event.application_id).cloned();
                }
                let reviewer_json = if event.row.is_some() {
                    serde_json::to_string(&event).unwrap_or_default()
                } else {
                    json.clone()
                };
                Arc::new(FeedItem {
                    event,
                    owner_id,
                    json,
                    reviewer_json,
                })
            },
        )
        .collect())
}

/// One open stream of a session; gives its place back when dropped, which happens with the
/// stream itself (the client went away, the stream ended, or the server shut it).
struct StreamSlot {
    feed: Feed,
    key: String,
}

/// The open-stream counts; a panic elsewhere while they were held leaves them usable.
fn counts(open: &Mutex<HashMap<String, usize>>) -> MutexGuard<'_, HashMap<String, usize>> {
    open.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        super::metrics::event_stream_closed();
        let mut open = counts(&self.feed.inner.open);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// Who is listening: reviewers see every application; anyone else the workspaces they are an
/// active member of, as of the stream's last recheck (a member removed or blocked stops
/// hearing from it then), and their own applications submitted since (whose membership came
/// with the submission) unless they have left them.
#[derive(Clone)]
enum Audience {
    Reviewer,
    Member {
        user_id: String,
        workspaces: HashSet<String>,
        /// Their own submitted applications they are no longer an active member of (removed,
        /// blocked, or left after handing ownership on).
        departed: HashSet<String>,
    },
}

impl Audience {
    /// What this reader is sent of an item: a reviewer the event with its queue line, anyone
    /// else the event alone (the line names the assigned reviewer).
    fn data<'a>(&self, item: &'a FeedItem) -> &'a str {
        match self {
            Audience::Reviewer => &item.reviewer_json,
            Audience::Member { .. } => &item.json,
        }
    }

    fn sees(&self, item: &FeedItem) -> bool {
        LiveEvent::is_shared(&item.event.kind)
            && match self {
                Audience::Reviewer => true,
                Audience::Member {
                    user_id,
                    workspaces,
                    departed,
                } => {
                    let app = &item.event.application_id;
                    workspaces.contains(app)
                        || (*user_id == item.owner_id && !departed.contains(app))
                }
            }
    }

    async fn member(db: &Db, user_id: String) -> Result<Audience, sqlx::Error> {
        let (workspaces, departed) = memberships(db, &user_id).await?;
        Ok(Audience::Member {
            user_id,
            workspaces,
            departed,
        })
    }

    /// A member's workspaces read again (after a recheck found the session still good).
    async fn refresh(&mut self, db: &Db) -> Result<(), sqlx::Error> {
        if let Audience::Member {
            user_id,
            workspaces,
            departed,
        } = self
        {
            (*workspaces, *departed) = memberships(db, user_id).await?;
        }
        Ok(())
    }
}

/// The workspaces `user_id` is an active member of, and its own submitted applications it is
/// not an active member of.
async fn memberships(
    db: &Db,
    user_id: &str,
) -> Result<(HashSet<String>, HashSet<String>), sqlx::Error> {
    // One statement, so both sets come from one snapshot: a removal committed in between
    // cannot leave a workspace in neither set (nor in both).
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        kind: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT workspace_id AS id, 'member' AS kind FROM workspace_members \
         WHERE user_id = $1 AND status = 'active' \
         UNION ALL \
         SELECT id, 'departed' AS kind FROM applications WHERE user_id = $1 AND status <> 'draft' \
         AND id NOT IN (SELECT workspace_id FROM workspace_members \
         WHERE user_id = $1 AND status = 'active')",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    let (mut workspaces, mut departed) = (HashSet::new(), HashSet::new());
    for Row { id, kind } in rows {
        if kind == "member" {
            workspaces.insert(id);
        } else {
            departed.insert(id);
        }
    }
    Ok((workspaces, departed))
}

#[derive(serde::Deserialize)]
pub struct StreamQuery {
    after: Option<i64>,
}

/// `GET /api/events`: the signed-in user's event stream. `Last-Event-ID` (sent by the
/// browser when it reconnects) or `?after=` replays what came after that number; a number past
/// the head starts with a `resync` event (id = the head) and follows from the head.
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
    // A reviewer whose session has not passed a second factor gets no stream at all.
    if user.must_enrol {
        return StatusCode::FORBIDDEN.into_response();
    }
    // Counted per instance (see `STREAMS_PER_SESSION`); the slot travels with the stream.
    let session_key = super::crypto::sha256_hex(&[token.as_str()]);
    let Some(slot) = st.feed.open_slot(session_key) else {
        super::metrics::throttled("event_streams");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            crate::i18n::fill(
                crate::i18n::switch::of_request(&headers)
                    .texts()
                    .ui
                    .too_many_streams,
                &[("max", &STREAMS_PER_SESSION)],
            ),
        )
            .into_response();
    };
    let reviewer = user.is_reviewer;
    let audience = if user.is_reviewer {
        Audience::Reviewer
    } else {
        match Audience::member(&st.db, user.user_id).await {
            Ok(audience) => audience,
            Err(e) => {
                tracing::error!(error = %e, "reading a member's workspaces for an event stream");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    // Subscribe before reading the table, so nothing falls between the two.
    let receiver = st.feed.subscribe();
    let head = match head(&st.db).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "reading the feed head");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    // A number past the head was never handed out by this feed (it was reset, or the page
    // came from another one): the page cannot know what it missed, so it is told to refetch.
    let (start, resync) = match last_event_id.or(query.after) {
        Some(n) if n > head => (head, true),
        Some(n) => (n.max(0), false),
        None => (head, false),
    };
    let first = resync.then(|| {
        Event::default()
            .event(RESYNC_EVENT)
            .id(head.to_string())
            .data(format!("{{\"head\":{head}}}"))
    });
    let follower = Follower {
        db: st.db.clone(),
        feed: st.feed.clone(),
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
        _slot: slot,
    };
    let events = futures::stream::unfold(follower, |mut f| async move {
        let item = f.next().await?;
        let event = Event::default()
            .id(item.event.seq.to_string())
            .data(f.audience.data(&item));
        Some((event, f))
    });
    let events = futures::stream::iter(first)
        .chain(events)
        .map(Ok::<_, std::convert::Infallible>)
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
///
/// A replay reads one batch, sends it, and reads the next only when that one is gone, so a
/// long backlog costs one query per `BATCH` rows and never more than a batch in memory.
struct Follower {
    db: Db,
    feed: Feed,
    receiver: broadcast::Receiver<Arc<FeedItem>>,
    audience: Audience,
    last: i64,
    /// The rest of the batch being replayed.
    pending: VecDeque<Arc<FeedItem>>,
    /// The table may hold more after `last` than `pending` (a full batch, a lag, the start).
    replay: bool,
    session: Recheck,
    /// This stream's place among its session's streams, given back when the stream drops.
    _slot: StreamSlot,
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
            Ok(Some(user)) => user.is_reviewer == self.reviewer && !user.must_enrol,
            Ok(None) => false,
            Err(e) => {
                // Unknown is not allowed: the browser reconnects, and the new request checks
                // the session afresh.
                tracing::warn!(error = %e, "rechecking an event stream's session; ending it");
                false
            }
        }
    }
}

impl Follower {
    /// The session still good, and the member's workspaces read again; or the stream ends.
    async fn recheck(&mut self) -> bool {
        if !self.session.still_allowed(&self.db).await {
            return false;
        }
        match self.audience.refresh(&self.db).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "rechecking a member's workspaces; ending the stream");
                false
            }
        }
    }

    async fn next(&mut self) -> Option<Arc<FeedItem>> {
        loop {
            let item = if let Some(item) = self.pending.pop_front() {
                item
            } else if self.replay {
                // A long replay never waits on the broadcast, so it checks the session here.
                if tokio::time::Instant::now() >= self.session.next && !self.recheck().await {
                    return None;
                }
                self.feed.count_replay();
                let owner = match &self.audience {
                    Audience::Reviewer => None,
                    Audience::Member { user_id, .. } => Some(user_id.as_str()),
                };
                match after(&self.feed, &self.db, self.last, BATCH, owner).await {
                    Ok(items) => {
                        // A full batch may have more behind it: read on once this one is sent.
                        self.replay = items.len() as i64 == BATCH;
                        self.pending.extend(items);
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "replaying the event feed");
                        return None;
                    }
                }
            } else {
                let received = tokio::select! {
                    r = self.receiver.recv() => r,
                    _ = tokio::time::sleep_until(self.session.next) => {
                        if !self.recheck().await {
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
            };
            if item.event.seq <= self.last {
                continue;
            }
            self.last = item.event.seq;
            let seen = self.audience.sees(&item);
            // A change of membership takes effect on this stream at once: the event itself
            // still reaches a member it removes, and nothing after it in the feed does (or, for
            // one who joins, everything after it does).
            if MEMBERSHIP_KINDS.contains(&item.event.kind.as_str()) {
                if let Err(e) = self.audience.refresh(&self.db).await {
                    tracing::warn!(error = %e, "reading a member's workspaces; ending the stream");
                    return None;
                }
            }
            if seen {
                return Some(item);
            }
        }
    }
}

/// Events after which who belongs to a workspace may have changed.
const MEMBERSHIP_KINDS: [&str; 6] = [
    "member_joined",
    "member_removed",
    "member_blocked",
    "member_unblocked",
    "member_left",
    "ownership_transferred",
];
