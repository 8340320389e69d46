//! The queries behind the review dashboard: the queue, one application and its rounds,
//! assignment and decisions. Reviewers see what was submitted (the round), never the
//! applicant's edits after a rejection. Decisions are conditional updates, so of two reviewers
//! deciding at once exactly one changes the row; the other reads who did. Answers are outcomes
//! (`Assigned`, `Decided`, `Refusal`); the server functions put them into words.

use super::{Acceptance, QueuePage, QueueRow, ReviewDetail, PAGE_SIZE};
use crate::applications::events::{history, record_event, Note};
use crate::applications::{country_name, store as applications};
use crate::domain::{CountryCode, Decision, Role, Status};
use crate::server::db::{now_ms, Db};
use crate::server::sessions::SessionUser;
use crate::ui::moment;
use sqlx::{Any, Transaction};

pub struct Filter {
    pub status: Option<Status>,
    pub role: Option<Role>,
    pub country: Option<CountryCode>,
    pub search: String,
    pub oldest_first: bool,
    pub page: i64,
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

/// One line of the queue as read: the current round as submitted, and where it stands.
#[derive(sqlx::FromRow)]
struct QueueSqlRow {
    id: String,
    company_name: String,
    #[sqlx(try_from = "String")]
    role: Role,
    country: String,
    applicant: String,
    email: String,
    submitted_at: Option<i64>,
    #[sqlx(try_from = "String")]
    status: Status,
    assignee: Option<String>,
    round: i64,
}

impl From<QueueSqlRow> for QueueRow {
    fn from(r: QueueSqlRow) -> Self {
        QueueRow {
            id: r.id,
            company_name: r.company_name,
            role: r.role,
            country_name: country_name(&r.country),
            applicant: r.applicant,
            email: r.email,
            submitted_at: r.submitted_at.map(moment::at),
            status: r.status,
            assigned_to: r.assignee,
            resubmitted: r.round > 1,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StatusCount {
    #[sqlx(try_from = "String")]
    status: Status,
    n: i64,
}

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
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total = count.fetch_one(&db.pool).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = f.page.min(pages);

    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT a.id AS id, s.company_name AS company_name, s.role AS role, s.country AS country, \
         u.username AS applicant, u.email AS email, s.submitted_at AS submitted_at, \
         a.status AS status, r.username AS assignee, a.round AS round {from} WHERE {filter} \
         ORDER BY a.submitted_at {order}, a.id {order} LIMIT {PAGE_SIZE} OFFSET {}",
        (page - 1) * PAGE_SIZE
    );
    let mut rows = sqlx::query_as::<_, QueueSqlRow>(&sql);
    for b in &binds {
        rows = rows.bind(b.clone());
    }
    let rows = rows.fetch_all(&db.pool).await?;

    let counted: Vec<StatusCount> = sqlx::query_as(
        "SELECT status, COUNT(*) AS n FROM applications WHERE status <> 'draft' GROUP BY status",
    )
    .fetch_all(&db.pool)
    .await?;
    let counts = [Status::UnderReview, Status::Approved, Status::Rejected]
        .into_iter()
        .map(|s| {
            let n = counted
                .iter()
                .find(|c| c.status == s)
                .map(|c| c.n)
                .unwrap_or(0);
            (s, n)
        })
        .collect();

    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT s.country FROM applications a \
         JOIN application_rounds s ON s.application_id = a.id AND s.round = a.round \
         WHERE a.status <> 'draft' ORDER BY s.country",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut countries: Vec<(String, String)> = codes
        .into_iter()
        .map(|c| {
            let name = country_name(&c);
            (c, name)
        })
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));

    Ok(QueuePage {
        rows: rows.into_iter().map(Into::into).collect(),
        counts,
        total,
        page,
        pages,
        countries,
    })
}

/// Who applied, and who is assigned.
#[derive(sqlx::FromRow)]
struct People {
    applicant_id: String,
    applicant: String,
    email: String,
    assigned_id: Option<String>,
    assignee: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AcceptanceRow {
    document: String,
    version: String,
    #[sqlx(try_from = "String")]
    language: crate::i18n::Lang,
    accepted_at: i64,
}

impl From<AcceptanceRow> for Acceptance {
    fn from(r: AcceptanceRow) -> Self {
        let t = &crate::i18n::t().review.detail;
        let document = match r.document.as_str() {
            "terms" => t.document_terms.to_string(),
            "privacy" => t.document_privacy.to_string(),
            _ => r.document,
        };
        // Which language's text was agreed to, named in itself ("2026-11-27 · 简体中文").
        Acceptance {
            document,
            version: format!("{} · {}", r.version, r.language.endonym()),
            accepted_at: moment::at(r.accepted_at),
        }
    }
}

/// One application as its reviewers see it, showing `round` (the current one when `None`).
/// `None` when there is no such submitted application, or no such round of it.
pub async fn detail(
    db: &Db,
    me: &str,
    id: &str,
    round: Option<i64>,
) -> Result<Option<ReviewDetail>, sqlx::Error> {
    let Some(submitted) = applications::find_submitted(db, id).await? else {
        return Ok(None);
    };
    let current = submitted.round;
    let rounds = applications::rounds(db, id).await?;
    let shown = round.unwrap_or(current);
    let app = match rounds.iter().find(|r| r.app.round == shown) {
        Some(r) => r.app.clone(),
        // Submitted before rounds were kept (and not since): the application is the round.
        None if shown == current => submitted,
        None => return Ok(None),
    };
    let people: People = sqlx::query_as(
        "SELECT u.id AS applicant_id, u.username AS applicant, u.email AS email, \
         a.assigned_to AS assigned_id, r.username AS assignee FROM applications a \
         JOIN users u ON u.id = a.user_id LEFT JOIN users r ON r.id = a.assigned_to WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    let acceptances: Vec<AcceptanceRow> = sqlx::query_as(
        "SELECT document, version, language, MAX(accepted_at) AS accepted_at FROM acceptances \
         WHERE user_id = $1 GROUP BY document, version, language ORDER BY document, version, language",
    )
    .bind(&people.applicant_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(Some(ReviewDetail {
        app,
        applicant: people.applicant,
        applicant_email: people.email,
        acceptances: acceptances.into_iter().map(Into::into).collect(),
        history: history(db, id).await?,
        assigned_to_me: people.assigned_id.as_deref() == Some(me),
        assigned_to: people.assignee,
        round: current,
        rounds,
        own: people.applicant_id == me,
    }))
}

/// Why the review store did not do what was asked.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No such submitted application.
    NotFound,
    /// The reviewer applied for it: they may look, not act.
    OwnApplication,
    /// It has been decided: there is nothing to assign.
    NotUnderReview,
    /// Someone changed the assignment at the same moment.
    AssignmentRaced,
    /// The applicant resubmitted after the reviewer opened the round they decided on.
    StaleRound,
    /// The round was decided first: by this reviewer (`by_me`) or by `by` (a username).
    AlreadyDecided {
        by: Option<String>,
        by_me: bool,
        status: Status,
        at: Option<i64>,
    },
}

/// What assigning did.
#[derive(Debug, PartialEq, Eq)]
pub enum Assigned {
    /// The change was made (and recorded).
    Done,
    /// It was already so (a replay or a double click): nothing changed, same answer.
    Unchanged,
    Refused(Refusal),
}

/// Whom a decision is mailed to, and about what.
#[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Applicant {
    /// The applicant's language: the mail is in it.
    #[sqlx(try_from = "String")]
    pub language: crate::i18n::Lang,
    pub email: String,
    pub username: String,
    pub company_name: String,
}

/// What deciding did.
#[derive(Debug, PartialEq, Eq)]
pub enum Decided {
    /// The decision is written (and recorded) in the transaction, which the caller commits
    /// after queueing the applicant's mail in it.
    Done(Applicant),
    /// This reviewer made this decision on this round already (a replay): nothing changed.
    Unchanged,
    Refused(Refusal),
}

/// The application's state, read inside the write transaction.
#[derive(sqlx::FromRow)]
struct Current {
    user_id: String,
    #[sqlx(try_from = "String")]
    status: Status,
    round: i64,
    assigned_to: Option<String>,
    decided_by: Option<String>,
    decider: Option<String>,
    decided_at: Option<i64>,
}

async fn current(
    tx: &mut Transaction<'static, Any>,
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
        return Ok(Assigned::Refused(Refusal::NotFound));
    };
    if now.user_id == me.user_id {
        return Ok(Assigned::Refused(Refusal::OwnApplication));
    }
    if now.status != Status::UnderReview {
        return Ok(Assigned::Refused(Refusal::NotUnderReview));
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
        return Ok(Assigned::Refused(Refusal::AssignmentRaced));
    }
    let (kind, note) = if take {
        (
            "assigned",
            Note::Assigned {
                username: me.username.clone(),
            },
        )
    } else {
        ("unassigned", Note::Unassigned)
    };
    record_event(&mut tx, id, kind, Some(&me.user_id), &note).await?;
    tx.commit().await?;
    Ok(Assigned::Done)
}

/// Decides round `round` of application `id` inside the caller's transaction. Only `Done`
/// writes anything; the caller queues the mail to the `Applicant` and commits.
pub async fn decide(
    tx: &mut Transaction<'static, Any>,
    me: &SessionUser,
    id: &str,
    round: i64,
    decision: &Decision,
) -> Result<Decided, sqlx::Error> {
    let status = decision.status();
    let Some(before) = current(tx, id).await? else {
        return Ok(Decided::Refused(Refusal::NotFound));
    };
    let owner = before.user_id;
    if owner == me.user_id {
        return Ok(Decided::Refused(Refusal::OwnApplication));
    }
    let now = now_ms();
    let reason_text = decision.reason();
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
        let Some(after) = current(tx, id).await? else {
            return Ok(Decided::Refused(Refusal::NotFound));
        };
        let by_me = after.decided_by.as_deref() == Some(me.user_id.as_str());
        if after.round != round {
            return Ok(Decided::Refused(Refusal::StaleRound));
        }
        if after.status == status && by_me {
            return Ok(Decided::Unchanged);
        }
        return Ok(Decided::Refused(Refusal::AlreadyDecided {
            by: after.decider,
            by_me,
            status: after.status,
            at: after.decided_at,
        }));
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

    let (kind, note) = match decision {
        Decision::Approve => {
            applications::make_owner(tx, id, &owner).await?;
            ("approved", Note::Approved)
        }
        Decision::Reject(_) => (
            "rejected",
            Note::Rejected {
                reason: reason_text.to_string(),
            },
        ),
    };
    record_event(tx, id, kind, Some(&me.user_id), &note).await?;
    let applicant: Applicant = sqlx::query_as(
        "SELECT u.language AS language, u.email AS email, u.username AS username, \
         a.company_name AS company_name \
         FROM applications a JOIN users u ON u.id = a.user_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Decided::Done(applicant))
}
