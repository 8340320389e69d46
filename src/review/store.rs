//! The queries behind the review dashboard: the queue, one application and its rounds,
//! assignment and decisions. Reviewers see what was submitted (the round), never the
//! applicant's edits after a rejection. Decisions are conditional updates, so of two reviewers
//! deciding at once exactly one changes the row; the other reads who did. Answers are outcomes
//! (`Assigned`, `Decided`, `Refusal`); the server functions put them into words.

use super::{Acceptance, LiveRow, QueuePage, QueueRow, ReviewDetail, PAGE_SIZE};
use crate::applications::events::{history, record_event, Note};
use crate::applications::{country_name, store as applications};
use crate::domain::{CountryCode, Decision, Role, Status};
use crate::server::db::{now_ms, Backend, Db};
use crate::server::sessions::SessionUser;
use crate::ui::moment;
use sqlx::{Any, Transaction};

pub struct Filter {
    pub status: Option<Status>,
    pub role: Option<Role>,
    pub country: Option<CountryCode>,
    pub search: String,
    pub oldest_first: bool,
    pub page: Page,
}

/// Which rows of the queue, by a cursor: a row's sort key, never a count of rows to skip, so a
/// page deep in the queue costs what the first one does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    First,
    /// The rows that come after this one in the order shown ("Next").
    After(Key),
    /// The rows that come before this one in the order shown ("Previous").
    Before(Key),
}

/// A row's place in the queue: its submission time and id (which breaks ties).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub submitted_at: i64,
    pub id: String,
}

impl Key {
    /// Reads `<ms>.<id>`, as `QueuePage::next`/`previous` write it; anything else is `None`.
    pub fn parse(text: &str) -> Option<Key> {
        let (ms, id) = text.split_once('.')?;
        // Ids are what `new_id` makes (hex); anything else is no cursor (and never reaches
        // the database: a NUL would be refused by PostgreSQL's text).
        if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return None;
        }
        Some(Key {
            submitted_at: ms.parse().ok()?,
            id: id.to_string(),
        })
    }

    fn param(&self) -> String {
        format!("{}.{}", self.submitted_at, self.id)
    }
}

/// How a search is matched: one or two characters match the start of the company name (a
/// trigram index needs three, and a substring of two would read every row); three or more
/// match anywhere in the company name or the applicant's e-mail, through the text index.
enum Search {
    None,
    Start(String),
    Anywhere(String),
}

impl Search {
    /// The text as typed (control characters dropped); it is lower-cased in SQL by the same
    /// `LOWER` that wrote the stored text, so both sides fold alike on each database
    /// (SQLite's folds ASCII letters only).
    fn of(typed: &str) -> Search {
        let text: String = typed.trim().chars().filter(|c| !c.is_control()).collect();
        match text.chars().count() {
            0 => Search::None,
            1 | 2 => Search::Start(text),
            _ => Search::Anywhere(text),
        }
    }
}

/// `%` and `_` typed by the reviewer match themselves (PostgreSQL's LIKE escapes with `\`
/// unless told otherwise; the trigram index reads the same escapes).
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The same for SQLite's FTS5 trigram index, which takes GLOB and LIKE but not LIKE's ESCAPE
/// clause: in GLOB, `%` and `_` are plain characters and `*`, `?`, `[` are bracketed.
fn glob_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '*' | '?' | '[' => {
                escaped.push('[');
                escaped.push(c);
                escaped.push(']');
            }
            _ => escaped.push(c),
        }
    }
    format!("*{escaped}*")
}

/// A value for a numbered placeholder.
#[derive(Clone)]
enum Value {
    Text(String),
    Int(i64),
}

/// A WHERE clause over `applications a`, built term by term with its placeholders' values.
#[derive(Clone, Default)]
struct Where {
    terms: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    /// The placeholder (`$n`) that `value` is bound to.
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    fn and(&mut self, term: String) {
        self.terms.push(term);
    }

    fn sql(&self) -> String {
        self.terms.join(" AND ")
    }

    /// Only rows after `key` in the order `desc` (newest first) or ascending.
    fn beyond(&self, key: &Key, desc: bool) -> Where {
        let mut w = self.clone();
        let at = w.bind(Value::Int(key.submitted_at));
        let id = w.bind(Value::Text(key.id.clone()));
        let op = if desc { "<" } else { ">" };
        w.and(format!("(a.submitted_at, a.id) {op} ({at}, {id})"));
        w
    }
}

/// Binds a `Where`'s values to a query, in order.
macro_rules! bound {
    ($query:expr, $w:expr) => {{
        let mut q = $query;
        for v in &$w.values {
            q = match v {
                Value::Text(s) => q.bind(s.clone()),
                Value::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// One line of the queue as read: the current round as submitted (kept on the application
/// row at submission), and where it stands.
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
    changed: Option<i64>,
    /// When its current round was decided (for exports; a page does not show it).
    decided_at: Option<i64>,
}

impl QueueSqlRow {
    fn key(&self) -> Key {
        Key {
            submitted_at: self.submitted_at.unwrap_or_default(),
            id: self.id.clone(),
        }
    }
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
            rounds: r.round,
            changed_fields: r.changed,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StatusCount {
    #[sqlx(try_from = "String")]
    status: Status,
    n: i64,
}

/// How far a filtered total is counted: past this the page says "1,000+".
const COUNT_CAP: i64 = 1000;

/// The WHERE clause of the queue under `f`'s filters (status, role, country, search), over
/// `applications a`: the dashboard's pages and the export read the same rows through it.
async fn filtered(db: &Db, f: &Filter) -> Result<Where, sqlx::Error> {
    let mut w = Where::default();
    if let Some(s) = f.status {
        let p = w.bind(Value::Text(s.key().into()));
        w.and(format!("a.status = {p}"));
    }
    if let Some(r) = f.role {
        let p = w.bind(Value::Text(r.key().into()));
        w.and(format!("a.queue_role = {p}"));
    }
    if let Some(c) = f.country {
        let p = w.bind(Value::Text(c.code().into()));
        w.and(format!("a.queue_country = {p}"));
    }
    match Search::of(&f.search) {
        Search::None => {}
        // The expression of `applications_queue_start1`/`_start2`, exactly.
        Search::Start(text) => {
            let n = text.chars().count();
            let p = w.bind(Value::Text(text));
            w.and(format!("SUBSTR(a.queue_search, 1, {n}) = LOWER({p})"));
        }
        Search::Anywhere(text) => {
            // A rare text is found through the text index (at most `COUNT_CAP` matches to
            // sort); a common one ("ltd") by walking the queue in order and testing each row,
            // which finds a page after a few rows. Which one: a capped count on the index.
            let pattern = match db.backend {
                Backend::Sqlite => glob_pattern(&text),
                Backend::Postgres => like_pattern(&text),
            };
            let common = matches_more_than(db, &pattern, COUNT_CAP).await?;
            let p = w.bind(Value::Text(pattern));
            w.and(match (db.backend, common) {
                (Backend::Sqlite, false) => format!(
                    "a.id IN (SELECT m.application_id FROM queue_search_rows m \
                     WHERE m.id IN (SELECT rowid FROM queue_search WHERE body GLOB LOWER({p})))"
                ),
                (Backend::Sqlite, true) => format!("a.queue_search GLOB LOWER({p})"),
                // The trigram index when pg_trgm is there, else a scan (`search_index`).
                (Backend::Postgres, false) => format!("a.queue_search LIKE LOWER({p})"),
                // `|| ''` keeps the planner off the trigram index: walk the order instead.
                (Backend::Postgres, true) => format!("(a.queue_search || '') LIKE LOWER({p})"),
            });
        }
    }

    // Drafts are never in the queue (their queue columns are NULL too); said literally, it
    // lets the partial index `applications_queue_all` serve the plain order.
    w.and("a.status <> 'draft'".into());
    Ok(w)
}

/// The queue: one page of rows from a cursor, the counts per status, the filtered total and
/// the countries to filter by. Every part is an index walk of bounded length (at most a page,
/// `COUNT_CAP` entries, or one probe per country), whatever the number of applications.
pub async fn queue(db: &Db, f: &Filter) -> Result<QueuePage, sqlx::Error> {
    let w = filtered(db, f).await?;
    let desc = !f.oldest_first;
    let (rows, previous, next) = match &f.page {
        Page::First => first_page(db, &w, desc).await?,
        Page::After(key) => {
            let (rows, more) = read(db, &w.beyond(key, desc), desc).await?;
            let next = rows.last().filter(|_| more).map(QueueSqlRow::key);
            // Whatever was before the cursor may have left the filter since.
            let first = rows
                .first()
                .map(QueueSqlRow::key)
                .unwrap_or_else(|| key.clone());
            let previous = exists(db, &w.beyond(&first, !desc)).await?.then_some(first);
            (rows, previous, next)
        }
        Page::Before(key) => {
            let (mut rows, more) = read(db, &w.beyond(key, !desc), !desc).await?;
            if (rows.len() as i64) < PAGE_SIZE {
                // Back at the start: a full first page rather than a short one.
                first_page(db, &w, desc).await?
            } else {
                rows.reverse();
                let previous = rows.first().filter(|_| more).map(QueueSqlRow::key);
                let last = rows
                    .last()
                    .map(QueueSqlRow::key)
                    .unwrap_or_else(|| key.clone());
                let next = exists(db, &w.beyond(&last, desc)).await?.then_some(last);
                (rows, previous, next)
            }
        }
    };

    let counts = counts(db).await?;
    let only_status = f.role.is_none() && f.country.is_none() && f.search.trim().is_empty();
    let (total, total_capped) = if only_status {
        let n = counts
            .iter()
            .filter(|(s, _)| f.status.is_none_or(|wanted| wanted == *s))
            .map(|(_, n)| n)
            .sum::<i64>();
        (n, false)
    } else {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT a.id FROM applications a WHERE {} LIMIT {}) t",
            w.sql(),
            COUNT_CAP + 1
        );
        let n: i64 = bound!(sqlx::query_scalar(&sql), w)
            .fetch_one(&db.pool)
            .await?;
        (n.min(COUNT_CAP), n > COUNT_CAP)
    };

    Ok(QueuePage {
        rows: rows.into_iter().map(Into::into).collect(),
        counts,
        total,
        total_capped,
        previous: previous.map(|k| k.param()),
        next: next.map(|k| k.param()),
        countries: countries(db).await?,
        // Set by the caller, which knows the configuration.
        late_before_ms: 0,
        sla_hours: 0,
    })
}

/// Whether more than `cap` submitted applications match a search pattern, counted on the text
/// index alone (at most `cap + 1` index entries read).
async fn matches_more_than(db: &Db, pattern: &str, cap: i64) -> Result<bool, sqlx::Error> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM (SELECT rowid FROM queue_search \
             WHERE body GLOB LOWER($1) LIMIT $2) t"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM (SELECT 1 FROM applications \
             WHERE queue_search LIKE LOWER($1) LIMIT $2) t"
        }
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(pattern)
        .bind(cap + 1)
        .fetch_one(&db.pool)
        .await?;
    Ok(n > cap)
}

/// The first page in the order shown: its rows, no previous page, and where the next begins.
async fn first_page(
    db: &Db,
    w: &Where,
    desc: bool,
) -> Result<(Vec<QueueSqlRow>, Option<Key>, Option<Key>), sqlx::Error> {
    let (rows, more) = read(db, w, desc).await?;
    let next = rows.last().filter(|_| more).map(QueueSqlRow::key);
    Ok((rows, None, next))
}

/// Up to a page of rows in the order `desc` (or ascending), and whether there are more. The
/// inner query walks one index from the cursor; only its page is joined to the users.
async fn read(db: &Db, w: &Where, desc: bool) -> Result<(Vec<QueueSqlRow>, bool), sqlx::Error> {
    read_up_to(db, w, desc, PAGE_SIZE).await
}

/// Up to `limit` rows in the order `desc` (or ascending), and whether there are more.
async fn read_up_to(
    db: &Db,
    w: &Where,
    desc: bool,
    limit: i64,
) -> Result<(Vec<QueueSqlRow>, bool), sqlx::Error> {
    let order = if desc { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT q.id AS id, q.queue_company AS company_name, q.queue_role AS role, \
         q.queue_country AS country, u.username AS applicant, u.email AS email, \
         q.submitted_at AS submitted_at, q.status AS status, r.username AS assignee, \
         q.round AS round, q.queue_changed AS changed, q.decided_at AS decided_at \
         FROM (SELECT a.id, a.user_id, a.assigned_to, a.queue_company, a.queue_role, \
         a.queue_country, a.submitted_at, a.status, a.round, a.queue_changed, a.decided_at \
         FROM applications a WHERE {} \
         ORDER BY a.submitted_at {order}, a.id {order} LIMIT {}) q \
         JOIN users u ON u.id = q.user_id LEFT JOIN users r ON r.id = q.assigned_to \
         ORDER BY q.submitted_at {order}, q.id {order}",
        w.sql(),
        limit + 1
    );
    let mut rows: Vec<QueueSqlRow> = bound!(sqlx::query_as(&sql), w).fetch_all(&db.pool).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    Ok((rows, more))
}

/// Whether any row matches (one index probe).
async fn exists(db: &Db, w: &Where) -> Result<bool, sqlx::Error> {
    let sql = format!("SELECT a.id FROM applications a WHERE {} LIMIT 1", w.sql());
    let found: Option<String> = bound!(sqlx::query_scalar(&sql), w)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// Applications per status, as kept in `queue_counts` (never counted per request).
async fn counts(db: &Db) -> Result<Vec<(Status, i64)>, sqlx::Error> {
    let counted: Vec<StatusCount> = sqlx::query_as("SELECT status, n FROM queue_counts")
        .fetch_all(&db.pool)
        .await?;
    Ok(Status::SUBMITTED
        .into_iter()
        .map(|s| {
            let n = counted
                .iter()
                .find(|c| c.status == s)
                .map(|c| c.n)
                .unwrap_or(0);
            (s, n)
        })
        .collect())
}

/// The countries in the queue, by name: one probe of `applications_queue_country` per
/// country (each finds the next code after the last), never a scan of the rows.
async fn countries(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    let codes: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE c (code) AS ( \
           SELECT (SELECT a.queue_country FROM applications a WHERE a.queue_country IS NOT NULL \
                   ORDER BY a.queue_country LIMIT 1) \
           UNION ALL \
           SELECT (SELECT a.queue_country FROM applications a WHERE a.queue_country > c.code \
                   ORDER BY a.queue_country LIMIT 1) FROM c WHERE c.code IS NOT NULL \
         ) SELECT code FROM c WHERE code IS NOT NULL",
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
    Ok(countries)
}

/// A line of the queue as `live_rows` reads it: the page's columns, and the counts per status
/// read in the same statement.
#[derive(sqlx::FromRow)]
struct LiveSqlRow {
    #[sqlx(flatten)]
    line: QueueSqlRow,
    n_under_review: Option<i64>,
    n_changes_requested: Option<i64>,
    n_approved: Option<i64>,
    n_rejected: Option<i64>,
}

impl From<LiveSqlRow> for LiveRow {
    fn from(r: LiveSqlRow) -> Self {
        let country = r.line.country.clone();
        let counts = vec![
            (Status::UnderReview, r.n_under_review.unwrap_or(0)),
            (Status::ChangesRequested, r.n_changes_requested.unwrap_or(0)),
            (Status::Approved, r.n_approved.unwrap_or(0)),
            (Status::Rejected, r.n_rejected.unwrap_or(0)),
        ];
        LiveRow {
            line: r.line.into(),
            country,
            counts,
        }
    }
}

/// The queue's lines of the applications `ids` (those in the queue; in no order), as a page
/// of the queue shows them, each with the counts per status: one statement (one primary-key
/// probe per id), so a line and the counts come from one snapshot. The live feed reads this
/// once per batch of events, for every open dashboard (`crate::server::feed`).
pub async fn live_rows(db: &Db, ids: &[&str]) -> Result<Vec<LiveRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    // The columns and joins of `read`. The queue columns are set together at submission; a
    // row without them is no line of the queue (and would not decode).
    let sql = format!(
        "SELECT a.id AS id, a.queue_company AS company_name, a.queue_role AS role, \
         a.queue_country AS country, u.username AS applicant, u.email AS email, \
         a.submitted_at AS submitted_at, a.status AS status, r.username AS assignee, \
         a.round AS round, a.queue_changed AS changed, a.decided_at AS decided_at, \
         (SELECT c.n FROM queue_counts c WHERE c.status = 'under_review') AS n_under_review, \
         (SELECT c.n FROM queue_counts c WHERE c.status = 'changes_requested') AS n_changes_requested, \
         (SELECT c.n FROM queue_counts c WHERE c.status = 'approved') AS n_approved, \
         (SELECT c.n FROM queue_counts c WHERE c.status = 'rejected') AS n_rejected \
         FROM applications a JOIN users u ON u.id = a.user_id \
         LEFT JOIN users r ON r.id = a.assigned_to \
         WHERE a.id IN ({placeholders}) AND a.status <> 'draft' \
         AND a.queue_company IS NOT NULL AND a.queue_role IS NOT NULL \
         AND a.queue_country IS NOT NULL"
    );
    let mut query = sqlx::query_as::<_, LiveSqlRow>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(Into::into).collect())
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
    /// Changes were asked of an applicant who has deleted their account.
    ApplicantGone,
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
    /// What the decision said: a rejection's reason, a request's general note.
    decision_reason: String,
    /// A request for changes as stored (JSON; '' for other decisions).
    requested_changes: String,
    /// When the applicant deleted their account, if they did.
    applicant_deleted_at: Option<i64>,
}

async fn current(
    tx: &mut Transaction<'static, Any>,
    id: &str,
) -> Result<Option<Current>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.user_id AS user_id, a.status AS status, a.round AS round, \
         a.assigned_to AS assigned_to, a.decided_by AS decided_by, d.username AS decider, \
         a.decided_at AS decided_at, a.decision_reason AS decision_reason, \
         a.requested_changes AS requested_changes, o.deleted_at AS applicant_deleted_at \
         FROM applications a LEFT JOIN users d ON d.id = a.decided_by \
         JOIN users o ON o.id = a.user_id \
         WHERE a.id = $1 AND a.status <> 'draft'",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// Assigns application `id` to `me` (`take`) or to nobody; `seen`, when given, is the round
/// the reviewer's page showed: a later one is refused as stale.
pub async fn assign(
    db: &Db,
    me: &SessionUser,
    id: &str,
    seen: Option<i64>,
    take: bool,
) -> Result<Assigned, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some(now) = current(&mut tx, id).await? else {
        return Ok(Assigned::Refused(Refusal::NotFound));
    };
    if now.user_id == me.user_id {
        return Ok(Assigned::Refused(Refusal::OwnApplication));
    }
    if seen.is_some_and(|round| round != now.round) {
        return Ok(Assigned::Refused(Refusal::StaleRound));
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
         AND COALESCE(assigned_to, '') = $3 AND round = $4",
    )
    .bind(&wanted)
    .bind(id)
    .bind(now.assigned_to.clone().unwrap_or_default())
    .bind(now.round)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(Assigned::Refused(Refusal::AssignmentRaced));
    }
    if take {
        // When the round was first taken up (the metrics' time to first assignment).
        sqlx::query(
            "UPDATE application_rounds SET assigned_at = $1 WHERE application_id = $2 \
             AND round = $3 AND assigned_at IS NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(now.round)
        .execute(&mut **tx)
        .await?;
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
    // Nobody is left to make the changes. On PostgreSQL the applicant's row is read again
    // under a share lock, so a deletion cannot commit between this check and the decision.
    if let Decision::RequestChanges(_) = decision {
        let deleted_at = if tx.backend_name() == "PostgreSQL" {
            sqlx::query_scalar::<_, Option<i64>>(
                "SELECT deleted_at FROM users WHERE id = $1 FOR SHARE",
            )
            .bind(&owner)
            .fetch_one(&mut **tx)
            .await?
        } else {
            // SQLite's single writer already orders the deletion before or after this.
            before.applicant_deleted_at
        };
        if deleted_at.is_some() {
            return Ok(Decided::Refused(Refusal::ApplicantGone));
        }
    }
    let now = now_ms();
    let reason_text = decision.reason();
    let requested = match decision {
        Decision::RequestChanges(request) => request.to_json(),
        _ => String::new(),
    };
    let changed = sqlx::query(
        "UPDATE applications SET status = $1, decided_by = $2, decided_at = $3, \
         decision_reason = $4, assigned_to = COALESCE(assigned_to, $2), updated_at = $3, \
         requested_changes = $7 \
         WHERE id = $5 AND status = 'under_review' AND round = $6",
    )
    .bind(status.key())
    .bind(&me.user_id)
    .bind(now)
    .bind(reason_text)
    .bind(id)
    .bind(round)
    .bind(&requested)
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
        // A replay: the same decision, saying the same, by the same reviewer. The same
        // decision saying something else was not applied, and is told so.
        let same_words =
            after.decision_reason == reason_text && after.requested_changes == requested;
        if after.status == status && by_me && same_words {
            return Ok(Decided::Unchanged);
        }
        return Ok(Decided::Refused(Refusal::AlreadyDecided {
            by: after.decider,
            by_me,
            status: after.status,
            at: after.decided_at,
        }));
    }
    // This transaction moved it out of review: the counts move with it.
    applications::count_move(tx, Status::UnderReview, status).await?;
    // The decision belongs to the round the reviewer saw.
    let recorded = sqlx::query(
        "UPDATE application_rounds SET decision = $1, decided_by = $2, decided_at = $3, \
         decision_reason = $4, requested_changes = $7, assigned_at = COALESCE(assigned_at, $3) \
         WHERE application_id = $5 AND round = $6 AND decision IS NULL",
    )
    .bind(status.key())
    .bind(&me.user_id)
    .bind(now)
    .bind(reason_text)
    .bind(id)
    .bind(round)
    .bind(&requested)
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
        Decision::RequestChanges(request) => (
            "changes_requested",
            Note::ChangesRequested {
                fields: request.fields().to_vec(),
                general: request.general().to_string(),
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

/// A line of the queue as an export writes it: the page's line and when it was decided.
pub struct ExportLine {
    pub line: QueueRow,
    pub decided_at: Option<i64>,
}

/// Up to `limit` lines of the queue under `f`'s filters and order, after `after` (from the
/// start when `None`), and the key to continue from when there are more: one index walk per
/// batch, without the counts and countries a page also reads (`f.page` is not used).
pub async fn queue_lines(
    db: &Db,
    f: &Filter,
    after: Option<&Key>,
    limit: i64,
) -> Result<(Vec<ExportLine>, Option<Key>), sqlx::Error> {
    let desc = !f.oldest_first;
    let w = filtered(db, f).await?;
    let w = match after {
        Some(key) => w.beyond(key, desc),
        None => w,
    };
    let (rows, more) = read_up_to(db, &w, desc, limit.max(1)).await?;
    let next = rows.last().filter(|_| more).map(QueueSqlRow::key);
    let lines = rows
        .into_iter()
        .map(|r| ExportLine {
            decided_at: r.decided_at,
            line: r.into(),
        })
        .collect();
    Ok((lines, next))
}
