//! The text index behind the queue's search (three characters or more, anywhere in the
//! company name or the applicant's e-mail, `applications.queue_search`): a trigram index, which
//! finds a substring without reading every row. Each backend has its own, which the shared
//! migrations cannot make, so `prepare` makes it at start-up, right after the migrations.
//!
//! - SQLite: an FTS5 table with the trigram tokenizer (`queue_search`, matched with GLOB, which
//!   it answers from the index for patterns with a run of three literal characters), and
//!   `queue_search_rows`, which numbers the applications for it (an application's id is text;
//!   SQLite's own rowid of `applications` may change on VACUUM). Triggers on `applications`
//!   keep both in step with `queue_search` in the transaction of every write, whoever writes.
//! - PostgreSQL: the pg_trgm extension and a GIN index on `queue_search`, which LIKE uses; the
//!   database keeps it. Without the extension (not installed, or not allowed) the same LIKE
//!   reads every row: slower, still right, and logged at start-up.
//!
//! Searches of one or two characters never come here: they match the start of the company
//! name through the plain indexes of migration 0010.

use crate::server::db::{Backend, Db};
use sqlx::Executor;

/// Makes the search index if it is not there (and fills it from the rows), in one transaction;
/// run at every start-up, it does nothing the second time. Parallel start-ups of instances
/// sharing a database take turns.
pub async fn prepare(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    tx.lock("review::search_index").await?;
    match db.backend {
        Backend::Sqlite => {
            let made: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'queue_search'",
            )
            .fetch_one(&mut **tx)
            .await?;
            for statement in SQLITE {
                (&mut **tx).execute(*statement).await?;
            }
            if made == 0 {
                for statement in SQLITE_FILL {
                    (&mut **tx).execute(*statement).await?;
                }
                tracing::info!("made the queue's search index (SQLite FTS5 trigram)");
            }
        }
        Backend::Postgres => {
            // A failed statement spoils a PostgreSQL transaction: the savepoint keeps it usable.
            (&mut **tx).execute("SAVEPOINT queue_search_trgm").await?;
            match (&mut **tx)
                .execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await
            {
                Ok(_) => {
                    (&mut **tx)
                        .execute(
                            "CREATE INDEX IF NOT EXISTS applications_queue_search_trgm \
                             ON applications USING gin (queue_search gin_trgm_ops)",
                        )
                        .await?;
                }
                Err(e) => {
                    (&mut **tx)
                        .execute("ROLLBACK TO SAVEPOINT queue_search_trgm")
                        .await?;
                    tracing::warn!(
                        error = %e,
                        "cannot create the pg_trgm extension: the review queue's search reads \
                         every row (ask a superuser to run CREATE EXTENSION pg_trgm)"
                    );
                }
            }
        }
    }
    tx.commit().await
}

/// The tables and the triggers that keep them (each `IF NOT EXISTS`). The body is
/// `queue_search`, lower-cased already: `case_sensitive 1` makes the index answer GLOB (which
/// has no wildcard for `%` and `_`, so they match themselves; LIKE with an ESCAPE clause would
/// not reach the index).
const SQLITE: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS queue_search_rows ( \
         id INTEGER PRIMARY KEY, \
         application_id TEXT NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS queue_search \
         USING fts5(body, tokenize = 'trigram case_sensitive 1')",
    "CREATE TRIGGER IF NOT EXISTS queue_search_insert AFTER INSERT ON applications \
     WHEN NEW.queue_search IS NOT NULL BEGIN \
         INSERT OR IGNORE INTO queue_search_rows (application_id) VALUES (NEW.id); \
         INSERT INTO queue_search (rowid, body) \
             SELECT id, NEW.queue_search FROM queue_search_rows WHERE application_id = NEW.id; \
     END",
    "CREATE TRIGGER IF NOT EXISTS queue_search_update AFTER UPDATE OF queue_search ON applications \
     BEGIN \
         DELETE FROM queue_search WHERE rowid = \
             (SELECT id FROM queue_search_rows WHERE application_id = OLD.id); \
         INSERT OR IGNORE INTO queue_search_rows (application_id) \
             SELECT NEW.id WHERE NEW.queue_search IS NOT NULL; \
         INSERT INTO queue_search (rowid, body) \
             SELECT id, NEW.queue_search FROM queue_search_rows \
             WHERE application_id = NEW.id AND NEW.queue_search IS NOT NULL; \
     END",
    "CREATE TRIGGER IF NOT EXISTS queue_search_delete AFTER DELETE ON applications \
     WHEN OLD.queue_search IS NOT NULL BEGIN \
         DELETE FROM queue_search WHERE rowid = \
             (SELECT id FROM queue_search_rows WHERE application_id = OLD.id); \
         DELETE FROM queue_search_rows WHERE application_id = OLD.id; \
     END",
];

/// The rows written before the index existed (migration 0010 filled `queue_search`).
const SQLITE_FILL: &[&str] = &[
    "INSERT OR IGNORE INTO queue_search_rows (application_id) \
     SELECT id FROM applications WHERE queue_search IS NOT NULL",
    "INSERT INTO queue_search (rowid, body) \
     SELECT m.id, a.queue_search FROM queue_search_rows m \
     JOIN applications a ON a.id = m.application_id",
];
