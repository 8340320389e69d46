//! Signed-in pages without a session query: the users behind live session tokens, kept a
//! moment (`TTL`) in this process, keyed by the token's hash.
//!
//! What ends a session or changes what it carries forgets the user's (or token's) entries
//! here, once when it happens and again once its transaction has committed (`WriteTx`
//! applies `Forget`s after its commit), and on PostgreSQL tells every instance so with a
//! `NOTIFY` sent inside the same transaction, so it arrives only once the change is committed
//! (`sessions::changed`). A lookup caches its answer only if nothing was forgotten since it
//! began (`epoch`): one that read the old row before the commit cannot put it back after.
//! The rest is bounded by `TTL`: a notification lost while an instance's listening
//! connection was down (it forgets everything when it reconnects), or a change made by
//! another process on SQLite (`create-reviewer`).

use super::SessionUser;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an answer is reused.
pub const TTL: Duration = Duration::from_secs(2);
/// At most this many sessions are kept; beyond it lookups go to the database.
const MAX_ENTRIES: usize = 50_000;

/// A live session as read, with what decides whether it is still alive.
#[derive(Clone, Debug)]
pub struct Cached {
    pub user: SessionUser,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// What a change to sessions makes the cache forget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forget {
    /// Every session of a user (they ended, or what they carry changed).
    User(String),
    /// One session, by its token's hash.
    Token(String),
}

impl Forget {
    /// As sent to the other instances: `u:<user id>` or `t:<token hash>`.
    pub fn notice(&self) -> String {
        match self {
            Forget::User(id) => format!("u:{id}"),
            Forget::Token(hash) => format!("t:{hash}"),
        }
    }

    /// A notice read back; `None` for anything else (then forget everything).
    pub fn from_notice(notice: &str) -> Option<Forget> {
        match notice.split_once(':') {
            Some(("u", id)) if !id.is_empty() => Some(Forget::User(id.into())),
            Some(("t", hash)) if !hash.is_empty() => Some(Forget::Token(hash.into())),
            _ => None,
        }
    }
}

struct Entry {
    session: Cached,
    until: Instant,
}

pub struct SessionCache {
    /// Bumped by every forget; a lookup caches only under the epoch it began in.
    epoch: AtomicU64,
    inner: Mutex<Inner>,
    /// This instance, in the notices it sends: its own come back to it through the shared
    /// channel, and what they say it already forgot (before and after the commit).
    origin: u64,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache {
            epoch: AtomicU64::default(),
            inner: Mutex::default(),
            origin: rand::random(),
        }
    }
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// When expired entries were last swept out (at most once per `TTL`).
    swept: Option<Instant>,
}

impl SessionCache {
    /// Where a lookup begins: the epoch to pass to `keep`.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// The session behind a token hash, if it was read less than `TTL` ago.
    pub fn get(&self, token_hash: &str) -> Option<Cached> {
        let inner = self.inner.lock().ok()?;
        let entry = inner.entries.get(token_hash)?;
        (entry.until > Instant::now()).then(|| entry.session.clone())
    }

    /// Keeps a session just read from the database, unless something was forgotten since
    /// `epoch`.
    pub fn keep(&self, epoch: u64, token_hash: &str, session: Cached) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        // Read under the lock that every forget bumps it under: no change slips in between.
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        let now = Instant::now();
        if inner.entries.len() >= MAX_ENTRIES {
            if inner.swept.is_some_and(|at| now < at + TTL) {
                return;
            }
            inner.swept = Some(now);
            inner.entries.retain(|_, e| e.until > now);
            if inner.entries.len() >= MAX_ENTRIES {
                return;
            }
        }
        inner.entries.insert(
            token_hash.to_string(),
            Entry {
                session,
                until: now + TTL,
            },
        );
    }

    /// Drops the entry of a token that has no live session (none, or it aged out): nothing
    /// changed, so lookups in flight may still keep what they read.
    pub fn drop_entry(&self, token_hash: &str) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.remove(token_hash);
        }
    }

    /// Forgets what a change to sessions made stale.
    pub fn forget(&self, what: &Forget) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, Ordering::SeqCst);
            match what {
                Forget::Token(hash) => {
                    inner.entries.remove(hash);
                }
                Forget::User(id) => inner.entries.retain(|_, e| &e.session.user.user_id != id),
            }
        }
    }

    /// The `sessions::CHANNEL` payload telling the other instances to forget `what`:
    /// `<origin>/<Forget::notice>`.
    pub fn notice(&self, what: &Forget) -> String {
        format!("{:x}/{}", self.origin, what.notice())
    }

    /// What an instance said changed (a `sessions::CHANNEL` payload): this instance's own
    /// notices change nothing (moving the epoch would only stop lookups in flight from
    /// keeping); anything unreadable forgets everything.
    pub fn apply_notice(&self, notice: &str) {
        let (origin, what) = notice.split_once('/').unwrap_or(("", notice));
        if u64::from_str_radix(origin, 16) == Ok(self.origin) {
            return;
        }
        match Forget::from_notice(what) {
            Some(what) => self.forget(&what),
            None => self.clear(),
        }
    }

    /// Drops everything (notifications may have been missed).
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            self.epoch.fetch_add(1, Ordering::SeqCst);
            inner.entries.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn session(user_id: &str) -> Cached {
        Cached {
            user: SessionUser {
                user_id: user_id.into(),
                username: "ann".into(),
                email: "ann@example.com".into(),
                is_reviewer: false,
                second_factor: false,
                must_enrol: false,
                lang: Lang::En,
            },
            last_seen_at: 0,
            expires_at: i64::MAX,
        }
    }

    #[test]
    fn a_kept_session_is_found_until_its_user_is_forgotten() {
        let c = SessionCache::default();
        c.keep(c.epoch(), "h1", session("u1"));
        c.keep(c.epoch(), "h2", session("u2"));
        assert!(c.get("h1").is_some());
        c.forget(&Forget::User("u1".into()));
        assert!(c.get("h1").is_none());
        assert!(c.get("h2").is_some(), "another user's session stays");
    }

    #[test]
    fn a_lookup_that_began_before_a_change_does_not_put_the_old_answer_back() {
        let c = SessionCache::default();
        let began = c.epoch();
        c.forget(&Forget::User("u1".into()));
        c.keep(began, "h1", session("u1"));
        assert!(c.get("h1").is_none());
        // One that began after it keeps as usual.
        c.keep(c.epoch(), "h2", session("u2"));
        assert!(c.get("h2").is_some());
    }

    #[test]
    fn a_token_without_a_session_leaves_lookups_in_flight_alone() {
        let c = SessionCache::default();
        let began = c.epoch();
        for i in 0..100 {
            c.drop_entry(&format!("made-up-{i}"));
        }
        assert_eq!(c.epoch(), began, "unknown tokens change nothing");
        c.keep(began, "h1", session("u1"));
        assert!(c.get("h1").is_some());
    }

    #[test]
    fn notices_forget_a_user_a_token_or_everything() {
        let c = SessionCache::default();
        let fill = || {
            c.keep(c.epoch(), "h1", session("u1"));
            c.keep(c.epoch(), "h2", session("u2"));
        };
        let other = SessionCache::default();
        fill();
        c.apply_notice(&other.notice(&Forget::User("u1".into())));
        assert!(c.get("h1").is_none() && c.get("h2").is_some());
        fill();
        c.apply_notice(&other.notice(&Forget::Token("h2".into())));
        assert!(c.get("h1").is_some() && c.get("h2").is_none());
        fill();
        // Its own notices: already forgotten when sent, so nothing moves.
        let epoch = c.epoch();
        c.apply_notice(&c.notice(&Forget::User("u1".into())));
        c.apply_notice(&c.notice(&Forget::Token("h2".into())));
        assert!(c.get("h1").is_some() && c.get("h2").is_some());
        assert_eq!(c.epoch(), epoch);
        c.apply_notice("garbage");
        assert!(c.is_empty());
        // One from an instance of the version before notices named their origin.
        fill();
        c.apply_notice("u:u1");
        assert!(c.get("h1").is_none() && c.get("h2").is_some());
        for f in [Forget::User("u1".into()), Forget::Token("h".into())] {
            assert_eq!(Forget::from_notice(&f.notice()), Some(f));
        }
        assert_eq!(Forget::from_notice("u:"), None);
    }
}
