//! The queries behind the review dashboard: the queue, one application, assignment and
//! decisions. Decisions are conditional updates, so of two reviewers deciding at once exactly
//! one changes the row; the other reads who did.

use super::{HistoryEntry, QueuePage, QueueRow, ReviewDetail, PAGE_SIZE};
use crate::domain::{CountryCode, Decision, RejectionReason, Role, Status};
use crate::error::AppError;
use crate::onboarding::store::{format_date, record_event, Row, COLUMNS};
use crate::onboarding::ApplicationView;
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
        add("a.role = ?", r.key().to_string(), &mut binds);
    }
    if let Some(c) = f.country {
        add("a.country = ?", c.code().to_string(), &mut binds);
    }
    if !f.search.is_empty() {
        add(
            "(LOWER(a.company_name) LIKE ? ESCAPE '\\' OR LOWER(u.email) LIKE ? ESCAPE '\\')",
            like_pattern(&f.search),
            &mut binds,
        );
    }
    let filter = conditions.join(" AND ");
    let from = "FROM applications a JOIN users u ON u.id = a.user_id \
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
        "SELECT a.id, a.company_name, a.role, a.country, u.username, u.email, a.submitted_at, \
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
        "SELECT DISTINCT country FROM applications WHERE status <> 'draft' ORDER BY country",
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

pub async fn detail(db: &Db, me: &str, id: &str) -> Result<Option<ReviewDetail>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND status <> 'draft'"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let round = row.round;
    let app: ApplicationView = row.into();
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
        round,
        own: user_id == me,
    }))
}

pub enum Outcome {
    /// The change was made (and recorded).
    Done,
    /// It was already so (a replay or a double click): nothing changed, same answer.
    Unchanged,
    /// Not allowed, or someone else got there first.
    Refused(AppError),
}

/// Who owns the application, and its state, read inside the write transaction.
type Current = (
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

async fn current(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
) -> Result<Option<Current>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.user_id, a.status, a.round, a.assigned_to, d.username, a.decided_at \
         FROM applications a LEFT JOIN users d ON d.id = a.decided_by \
         WHERE a.id = $1 AND a.status <> 'draft'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

fn own_application() -> AppError {
    AppError {
        message: "You cannot review your own application.".into(),
        ..AppError::forbidden()
    }
}

pub async fn assign(
    db: &Db,
    me: &SessionUser,
    id: &str,
    take: bool,
) -> Result<Outcome, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some((owner, status, _, assigned, _, _)) = current(&mut tx, id).await? else {
        return Ok(Outcome::Refused(AppError::not_found()));
    };
    if owner == me.user_id {
        return Ok(Outcome::Refused(own_application()));
    }
    if status != Status::UnderReview.key() {
        return Ok(Outcome::Refused(AppError::conflict(
            "This application has been decided; there is nothing to assign.",
        )));
    }
    let wanted = take.then(|| me.user_id.clone());
    if assigned == wanted {
        return Ok(Outcome::Unchanged);
    }
    let changed = sqlx::query(
        "UPDATE applications SET assigned_to = $1 WHERE id = $2 AND status = 'under_review' \
         AND COALESCE(assigned_to, '') = $3",
    )
    .bind(&wanted)
    .bind(id)
    .bind(assigned.clone().unwrap_or_default())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(Outcome::Refused(AppError::conflict(
            "Someone changed this application's assignment at the same moment. Look again and retry.",
        )));
    }
    let (kind, note) = if take {
        ("assigned", format!("Assigned to {}", me.username))
    } else {
        ("unassigned", "Unassigned".to_string())
    };
    record_event(&mut tx, id, kind, Some(&me.user_id), &note).await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

pub async fn decide(
    st: &AppState,
    me: &SessionUser,
    id: &str,
    round: i64,
    decision: Decision,
    reason: Option<&RejectionReason>,
) -> Result<Outcome, sqlx::Error> {
    let status = decision.status();
    let mut tx = st.db.begin_write().await?;
    let Some((owner, _, _, _, _, _)) = current(&mut tx, id).await? else {
        return Ok(Outcome::Refused(AppError::not_found()));
    };
    if owner == me.user_id {
        return Ok(Outcome::Refused(own_application()));
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
        // Read what happened instead, and say so.
        let Some((_, now_status, now_round, _, decider, decided_at)) = current(&mut tx, id).await?
        else {
            return Ok(Outcome::Refused(AppError::not_found()));
        };
        let decided_by_me = decider.as_deref() == Some(me.username.as_str());
        if now_round == round && now_status == status.key() && decided_by_me {
            return Ok(Outcome::Unchanged);
        }
        if now_round != round {
            return Ok(Outcome::Refused(AppError::conflict(
                "The applicant changed and resubmitted this application after you opened it. \
                 Review the new version before deciding.",
            )));
        }
        let what = Status::parse(&now_status)
            .map(|s| s.label().to_lowercase())
            .unwrap_or(now_status);
        let who = if decided_by_me {
            "You".to_string()
        } else {
            decider.unwrap_or_else(|| "Another reviewer".into())
        };
        let when = decided_at.map(format_date).unwrap_or_default();
        return Ok(Outcome::Refused(AppError::conflict(format!(
            "{who} already {what} this application ({when}). Your decision was not applied."
        ))));
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
    Ok(Outcome::Done)
}
