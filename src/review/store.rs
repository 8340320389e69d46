//! The queries behind the review dashboard: the queue, one application and its rounds,
//! assignment and decisions. Reviewers see what was submitted (the round), never the
//! applicant's edits after a rejection. Decisions are conditional updates, so of two reviewers
//! deciding at once exactly one changes the row; the other reads who did.

use super::{HistoryEntry, QueuePage, QueueRow, ReviewDetail, PAGE_SIZE};
use crate::domain::{CountryCode, Decision, RejectionReason, Role, Status};
use crate::onboarding::store::{format_date, record_event, Row, COLUMNS};
use crate::server::db::{now_ms, Db};
use crate::server::mail::{enqueue, templates};
use crate::server::request::AppState;
use crate::server::sessions::SessionUser;

pub struct Filter {
    pub status: Option<Status>,
    pub role: Option<Role>,
    pub country: Option<CountryCode>,
    pub search: String,
    pub oldest_first: bool,
    pub page: i64,
}

fn country_name(code: &str) -> String {
    CountryCode::parse(code)
        .map(|c| c.name().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// `%` and `_` typed by the reviewer match themselves.
fn like_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

type QueueSqlRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    i64,
);

pub async fn queue(db: &Db, f: &Filter) -> Result<QueuePage, sqlx::Error> {
    let mut conditions = vec!["a.status <> 'draft'".to_string()];
    let mut binds: Vec<String> = Vec::new();
    let mut add = |sql: &str, value: String, binds: &mut Vec<String>| {
        binds.push(value);
        conditions.push(sql.replace('?', &format!("${}", binds.len())));
    };
    if let Some(s) = f.status {
        add("a.status = ?", s.key().to_string(), &mut binds);
    }
    if let Some(r) = f.role {
        add("s.role = ?", r.key().to_string(), &mut binds);
    }
    if let Some(c) = f.country {
        add("s.country = ?", c.code().to_string(), &mut binds);
    }
    if !f.search.is_empty() {
        add(
            "(LOWER(s.company_name) LIKE ? ESCAPE '\\' OR LOWER(u.email) LIKE ? ESCAPE '\\')",
            like_pattern(&f.search),
            &mut binds,
        );
    }
    let filter = conditions.join(" AND ");
    // `s`: the current round as submitted (a rejected application's edits are not shown).
    let from = "FROM applications a JOIN users u ON u.id = a.user_id \
                JOIN application_rounds s ON s.application_id = a.id AND s.round = a.round \
                LEFT JOIN users r ON r.id = a.assigned_to";

    let count_sql = format!("SELECT COUNT(*) {from} WHERE {filter}");
    let mut count = sqlx::query_as::<_, (i64,)>(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let (total,) = count.fetch_one(&db.pool).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = f.page.min(pages);

    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT a.id, s.company_name, s.role, s.country, u.username, u.email, s.submitted_at, \
         a.status, r.username, a.round {from} WHERE {filter} \
         ORDER BY a.submitted_at {order}, a.id {order} LIMIT {PAGE_SIZE} OFFSET {}",
        (page - 1) * PAGE_SIZE
    );
    let mut rows = sqlx::query_as::<_, QueueSqlRow>(&sql);
    for b in &binds {
        rows = rows.bind(b.clone());
    }
    let rows = rows.fetch_all(&db.pool).await?;

    let counted: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM applications WHERE status <> 'draft' GROUP BY status",
    )
    .fetch_all(&db.pool)
    .await?;
    let counts = [Status::UnderReview, Status::Approved, Status::Rejected]
        .into_iter()
        .map(|s| {
            let n = counted
                .iter()
                .find(|(k, _)| k == s.key())
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (s, n)
        })
        .collect();

    let codes: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT s.country FROM applications a \
         JOIN application_rounds s ON s.application_id = a.id AND s.round = a.round \
         WHERE a.status <> 'draft' ORDER BY s.country",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut countries: Vec<(String, String)> = codes
        .into_iter()
        .map(|(c,)| {
            let name = country_name(&c);
            (c, name)
        })
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));

    Ok(QueuePage {
        rows: rows
            .into_iter()
            .map(
                |(
                    id,
                    company,
                    role,
                    country,
                    applicant,
                    email,
                    submitted,
                    status,
                    assignee,
                    round,
                )| {
                    QueueRow {
                        id,
                        company_name: company,
                        role: Role::parse(&role).unwrap_or(Role::Isv),
                        country_name: country_name(&country),
                        applicant,
                        email,
                        submitted_at: submitted.map(format_date).unwrap_or_default(),
                        status: Status::parse(&status).unwrap_or(Status::UnderReview),
                        assigned_to: assignee,
                        resubmitted: round > 1,
                    }
                },
            )
            .collect(),
        counts,
        total,
        page,
        pages,
        countries,
    })
}

/// One application as its reviewers see it, showing `round` (the current one when `None`).
/// `None` when there is no such submitted application, or no such round of it.
pub async fn detail(
    db: &Db,
    me: &str,
    id: &str,
    round: Option<i64>,
) -> Result<Option<ReviewDetail>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND status <> 'draft'"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let current = row.round;
    let rounds = crate::onboarding::store::rounds(db, id).await?;
    let shown = round.unwrap_or(current);
    let app = match rounds.iter().find(|r| r.app.round == shown) {
        Some(r) => r.app.clone(),
        // Submitted before rounds were kept (and not since): the application is the round.
        None if shown == current => row.into(),
        None => return Ok(None),
    };
    let (user_id, username, email, assigned_id, assignee): (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT u.id, u.username, u.email, a.assigned_to, r.username FROM applications a \
         JOIN users u ON u.id = a.user_id LEFT JOIN users r ON r.id = a.assigned_to WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let acceptances: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT document, version, MAX(accepted_at) FROM acceptances WHERE user_id = $1 \
         GROUP BY document, version ORDER BY document, version",
    )
    .bind(&user_id)
    .fetch_all(&db.pool)
    .await?;
    let history = crate::onboarding::store::events(db, id)
        .await?
        .into_iter()
        .map(|e| HistoryEntry {
            kind: e.kind,
            note: e.note,
            actor: e.actor,
            at: e.at,
            round: e.round,
        })
        .collect();
    Ok(Some(ReviewDetail {
        app,
        applicant: username,
        applicant_email: email,
        acceptances: acceptances
            .into_iter()
            .map(|(doc, version, at)| {
                let doc = match doc.as_str() {
                    "terms" => "Terms of Service".to_string(),
                    "privacy" => "Privacy Policy".to_string(),
                    other => other.to_string(),
                };
                (doc, version, format_date(at))
            })
            .collect(),
        history,
        assigned_to_me: assigned_id.as_deref() == Some(me),
        assigned_to: assignee,
        round: current,
        rounds,
        own: user_id == me,
    }))
}

/// What assigning did.
#[derive(Debug, PartialEq, Eq)]
pub enum Assigned {
    /// The change was made (and recorded).
    Done,
    /// It was already so (a replay or a double click): nothing changed, same answer.
    Unchanged,
    NotFound,
    OwnApplication,
    /// It has been decided: there is nothing to assign.
    Decided,
    /// Someone changed the assignment at the same moment.
    Raced,
}

/// What deciding did.
#[derive(Debug, PartialEq, Eq)]
pub enum Decided {
    /// The decision was made (recorded, and the applicant's mail queued).
    Done,
    /// This reviewer made this decision on this round already (a replay): nothing changed.
    Unchanged,
    NotFound,
    OwnApplication,
    /// The applicant resubmitted after the reviewer opened the round they decided on.
    Resubmitted,
    /// The round was decided first: by this reviewer (`by_me`) or by `reviewer` (username).
    AlreadyBy {
        reviewer: Option<String>,
        by_me: bool,
        status: Status,
        at: Option<i64>,
    },
}

/// The application's state, read inside the write transaction.
#[derive(sqlx::FromRow)]
struct Current {
    user_id: String,
    status: String,
    round: i64,
    assigned_to: Option<String>,
    decided_by: Option<String>,
    decider: Option<String>,
    decided_at: Option<i64>,
}

async fn current(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
) -> Result<Option<Current>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.user_id AS user_id, a.status AS status, a.round AS round, \
         a.assigned_to AS assigned_to, a.decided_by AS decided_by, d.username AS decider, \
         a.decided_at AS decided_at \
         FROM applications a LEFT JOIN users d ON d.id = a.decided_by \
         WHERE a.id = $1 AND a.status <> 'draft'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn assign(
    db: &Db,
    me: &SessionUser,
    id: &str,
    take: bool,
) -> Result<Assigned, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some(now) = current(&mut tx, id).await? else {
        return Ok(Assigned::NotFound);
    };
    if now.user_id == me.user_id {
        return Ok(Assigned::OwnApplication);
    }
    if now.status != Status::UnderReview.key() {
        return Ok(Assigned::Decided);
    }
    let wanted = take.then(|| me.user_id.clone());
    if now.assigned_to == wanted {
        return Ok(Assigned::Unchanged);
    }
    let changed = sqlx::query(
        "UPDATE applications SET assigned_to = $1 WHERE id = $2 AND status = 'under_review' \
         AND COALESCE(assigned_to, '') = $3",
    )
    .bind(&wanted)
    .bind(id)
    .bind(now.assigned_to.clone().unwrap_or_default())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(Assigned::Raced);
    }
    let (kind, note) = if take {
        ("assigned", format!("Assigned to {}", me.username))
    } else {
        ("unassigned", "Unassigned".to_string())
    };
    record_event(&mut tx, id, kind, Some(&me.user_id), &note).await?;
    tx.commit().await?;
    Ok(Assigned::Done)
}

pub async fn decide(
    st: &AppState,
    me: &SessionUser,
    id: &str,
    round: i64,
    decision: Decision,
    reason: Option<&RejectionReason>,
) -> Result<Decided, sqlx::Error> {
    let status = decision.status();
    let mut tx = st.db.begin_write().await?;
    let Some(before) = current(&mut tx, id).await? else {
        return Ok(Decided::NotFound);
    };
    let owner = before.user_id;
    if owner == me.user_id {
        return Ok(Decided::OwnApplication);
    }
    let now = now_ms();
    let reason_text = reason.map(|r| r.as_str()).unwrap_or("");
    let changed = sqlx::query(
        "UPDATE applications SET status = $1, decided_by = $2, decided_at = $3, \
         decision_reason = $4, assigned_to = COALESCE(assigned_to, $2), updated_at = $3 \
         WHERE id = $5 AND status = 'under_review' AND round = $6",
    )
    .bind(status.key())
    .bind(&me.user_id)
    .bind(now)
    .bind(reason_text)
    .bind(id)
    .bind(round)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        // Read what happened instead.
        let Some(after) = current(&mut tx, id).await? else {
            return Ok(Decided::NotFound);
        };
        let by_me = after.decided_by.as_deref() == Some(me.user_id.as_str());
        if after.round != round {
            return Ok(Decided::Resubmitted);
        }
        if after.status == status.key() && by_me {
            return Ok(Decided::Unchanged);
        }
        // Stored statuses decode loudly: an unknown one is an error, not a guess.
        let decided = Status::parse(&after.status).map_err(|e| sqlx::Error::Decode(e.into()))?;
        return Ok(Decided::AlreadyBy {
            reviewer: after.decider,
            by_me,
            status: decided,
            at: after.decided_at,
        });
    }
    // The decision belongs to the round the reviewer saw.
    let recorded = sqlx::query(
        "UPDATE application_rounds SET decision = $1, decided_by = $2, decided_at = $3, \
         decision_reason = $4 WHERE application_id = $5 AND round = $6 AND decision IS NULL",
    )
    .bind(status.key())
    .bind(&me.user_id)
    .bind(now)
    .bind(reason_text)
    .bind(id)
    .bind(round)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if recorded != 1 {
        // Every submission has its round (since migration 0004): a missing one is our bug.
        return Err(sqlx::Error::RowNotFound);
    }

    let (email, username, company): (String, String, String) = sqlx::query_as(
        "SELECT u.email, u.username, a.company_name FROM applications a \
         JOIN users u ON u.id = a.user_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let public_url = &st.config.public_url;
    let (kind, note, mail) = match decision {
        Decision::Approve => {
            // Seed Step 4: once onboarded, the member role of the account is Owner.
            sqlx::query(
                "UPDATE workspace_members SET role = 'owner' WHERE workspace_id = $1 AND user_id = $2",
            )
            .bind(id)
            .bind(&owner)
            .execute(&mut **tx)
            .await?;
            (
                "approved",
                "Approved".to_string(),
                templates::application_approved(&email, &username, &company, id, public_url),
            )
        }
        Decision::Reject => (
            "rejected",
            format!("Rejected: {reason_text}"),
            templates::application_rejected(&email, &username, &company, reason_text, public_url),
        ),
    };
    record_event(&mut tx, id, kind, Some(&me.user_id), &note).await?;
    enqueue(&mut tx, mail).await?;
    tx.commit().await?;
    Ok(Decided::Done)
}
