//! The database: one pool, one set of SQL and migrations for SQLite and PostgreSQL.
//!
//! SQL is written once with `$n` placeholders (SQLite accepts them too), integers are BIGINT,
//! times are Unix milliseconds and ids are random text, so moving to PostgreSQL is a setting.

use super::sessions::cache::{Forget, SessionCache};
use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer: writers queue here instead of failing with "database is locked".
    writer: Option<Arc<Mutex<()>>>,
    /// The users behind live session tokens, kept a moment (`sessions::cache`).
    pub sessions: Arc<SessionCache>,
}

/// A write transaction; on SQLite it also holds the single-writer turn until it has ended.
///
/// Dropped without `commit` (an error, a refusal), it rolls back before the turn passes on:
/// sqlx only queues the rollback of a dropped transaction, and a next writer that had already
/// read would otherwise meet SQLite's write lock still held and fail at once with "database is
/// locked" (SQLite calls no busy handler for a transaction that upgrades from reading).
pub struct WriteTx {
    tx: Option<Transaction<'static, Any>>,
    turn: Option<OwnedMutexGuard<()>>,
    backend: Backend,
    sessions: Arc<SessionCache>,
    /// What the session cache forgets once this transaction has committed.
    forget: Vec<Forget>,
}

impl WriteTx {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        // Lookups that read the old rows before the commit: whatever they kept goes now, and
        // any still in flight will not keep (the forget moves the cache's epoch).
        for what in &self.forget {
            self.sessions.forget(what);
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn sessions(&self) -> &SessionCache {
        &self.sessions
    }

    /// Sessions changed in this transaction: the cache forgets `what` now and again after
    /// the commit (`sessions::changed`).
    pub fn forget_sessions(&mut self, what: Forget) {
        self.sessions.forget(&what);
        self.forget.push(what);
    }

    /// Serialises this transaction with every other one that locks `key`, until it ends: a
    /// check that must come before a write cannot interleave. PostgreSQL takes a
    /// transaction-level advisory lock; on SQLite the writer turn already serialises.
    pub async fn lock(&mut self, key: &str) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            // Wrapped so that the `void` result is not decoded through the Any driver.
            // 64-bit key: collisions between unrelated keys are not practical to arrange.
            sqlx::query(
                "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked",
            )
            .bind(key)
            .execute(&mut ***self)
            .await?;
        }
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let (Some(tx), Some(turn)) = (self.tx.take(), self.turn.take()) else {
            // PostgreSQL (no turn): sqlx's own rollback of a dropped transaction suffices.
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rolling back an abandoned write");
                    }
                    drop(turn);
                });
            }
            // No runtime (the process is ending): nothing else will write.
            Err(_) => drop((tx, turn)),
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = Transaction<'static, Any>;
    fn deref(&self) -> &Self::Target {
        self.tx
            .as_ref()
            .expect("a write transaction is open until it ends")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.tx
            .as_mut()
            .expect("a write transaction is open until it ends")
    }
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        if backend == Backend::Sqlite {
            ensure_sqlite_parent_dir(url);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // The busy timeout first: a connection opened while another writes
                        // then waits for its turn at `journal_mode` instead of failing.
                        conn.execute(
                            "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Self {
            pool,
            backend,
            writer: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            sessions: Arc::default(),
        })
    }

    /// The shared migrations, then what only one backend has (the review queue's text index:
    /// SQLite's FTS5 or PostgreSQL's pg_trgm), made if missing.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await?;
        crate::review::search_index::prepare(self)
            .await
            .map_err(sqlx::migrate::MigrateError::Execute)
    }

    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = match &self.writer {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        };
        // On SQLite, IMMEDIATE takes the write lock at the start, where SQLite waits for it
        // (busy timeout) instead of failing when a write follows a read.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx {
            tx: Some(tx),
            turn,
            backend: self.backend,
            sessions: self.sessions.clone(),
            forget: Vec::new(),
        })
    }

    /// The single-writer turn on SQLite (nothing on PostgreSQL), for one write statement that
    /// is not run through `write_one` (e.g. one that returns rows).
    pub async fn writer_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        }
    }

    /// A single write statement outside a transaction, in the writers' queue on SQLite.
    pub async fn write_one<'q>(
        &self,
        query: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<AnyQueryResult, sqlx::Error> {
        let _turn = match &self.writer {
            Some(m) => Some(m.clone().lock_owned().await),
            None => None,
        };
        query.execute(&self.pool).await
    }
}

/// The file of a SQLite URL (`None` for PostgreSQL or an in-memory database).
pub fn sqlite_file(url: &str) -> Option<String> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

fn ensure_sqlite_parent_dir(url: &str) {
    let Some(path) = sqlite_file(url) else {
        return;
    };
    if let Some(parent) = std::path::Path::new(&path).parent() {
        if !parent.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}
