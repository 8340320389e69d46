//! The event log of applications: every change is one row of `application_events`, numbered
//! by a counter for the live feed (`server::feed`) and read back as the application's history.

use super::HistoryEntry;
use crate::server::crypto::new_id;
use crate::server::dates::format_date;
use crate::server::db::{now_ms, Db};
use sqlx::{Any, Transaction};

/// Writes one history (audit) entry, numbered for the live feed (`server::feed`): the counter
/// row stays locked until the transaction ends, so numbers become visible in commit order.
/// On PostgreSQL the commit also notifies every instance (`LISTEN`) that the feed moved.
pub async fn record_event(
    tx: &mut Transaction<'static, Any>,
    application_id: &str,
    kind: &str,
    actor_id: Option<&str>,
    note: &str,
) -> Result<(), sqlx::Error> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    // The event belongs to the application's round at this moment (0 before any submission).
    sqlx::query(
        "INSERT INTO application_events (id, application_id, kind, actor_id, note, created_at, seq, round) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE((SELECT round FROM applications WHERE id = $2), 0))",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(kind)
    .bind(actor_id)
    .bind(note)
    .bind(now_ms())
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query(crate::server::feed::NOTIFY_SQL)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    kind: String,
    note: String,
    actor_id: Option<String>,
    actor: Option<String>,
    round: i64,
    created_at: i64,
}

impl From<EventRow> for HistoryEntry {
    fn from(e: EventRow) -> Self {
        HistoryEntry {
            kind: e.kind,
            note: e.note,
            actor: e.actor,
            actor_id: e.actor_id,
            at: format_date(e.created_at),
            round: e.round,
        }
    }
}

/// An application's history, oldest first, naming who acted by their username.
pub async fn history(db: &Db, application_id: &str) -> Result<Vec<HistoryEntry>, sqlx::Error> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.kind AS kind, e.note AS note, e.actor_id AS actor_id, u.username AS actor, \
         e.round AS round, e.created_at AS created_at FROM application_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = $1 ORDER BY e.seq",
    )
    .bind(application_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One history entry as the applicant sees it: their own actions by their name, a reviewer's
/// as "a reviewer", and the assignment without the reviewer's name.
fn seen_by_applicant(e: HistoryEntry, applicant_id: &str) -> HistoryEntry {
    /// Whoever decided or was assigned, as the applicant sees them.
    const A_REVIEWER: &str = "a reviewer";
    let by_applicant = e.actor_id.as_deref() == Some(applicant_id);
    let actor = match e.actor_id {
        Some(_) if by_applicant => e.actor,
        Some(_) => Some(A_REVIEWER.to_string()),
        None => None,
    };
    let note = if e.kind == "assigned" && !by_applicant {
        format!("Assigned to {A_REVIEWER}")
    } else {
        e.note
    };
    HistoryEntry {
        actor,
        note,
        actor_id: None,
        ..e
    }
}

/// The history kinds written by reviewers (`crate::review`): members see them as the
/// applicant does, never naming the reviewer.
const REVIEW_KINDS: [&str; 4] = ["assigned", "unassigned", "approved", "rejected"];

/// One history entry as a member of the workspace sees it: the applicant's and the team's
/// actions by their usernames (a member knows their team), a reviewer's as "a reviewer".
pub fn seen_by_member(e: HistoryEntry, viewer_id: &str) -> HistoryEntry {
    if REVIEW_KINDS.contains(&e.kind.as_str()) {
        seen_by_applicant(e, viewer_id)
    } else {
        HistoryEntry {
            actor_id: None,
            ..e
        }
    }
}
