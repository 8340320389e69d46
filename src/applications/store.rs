//! Application rows: drafts, submission, rounds, workspaces, members (who may open a
//! workspace: its active members), logos.
//!
//! An account has at most one open application (draft, under review, or sent back with changes
//! requested and being edited; a rejection closes it): the partial unique index `applications_one_open` says so, and `choose_role` lets it
//! decide. Every submission is kept as a round (`application_rounds`), frozen as the reviewers
//! saw it, with the decision made on it; the application row is the applicant's working copy.
//! Functions answer in outcomes (`RoleChosen`, `Submitted`, `None` for "no such row"); the
//! server functions put them into words.

use super::events::{record_event, Note};
use super::{country_name, ApplicationView, BusinessFields, Member, MemberRole, RoundView};
use crate::domain::{ChangeRequest, Role, Status};
use crate::server::crypto::new_id;
use crate::server::db::is_unique_violation;
use crate::server::db::{now_ms, Db};
use crate::ui::moment;
use sqlx::{Any, Transaction};

/// An application as stored (also a round, read through `ROUND_COLUMNS`).
#[derive(sqlx::FromRow)]
struct ApplicationRow {
    id: String,
    #[sqlx(try_from = "String")]
    role: Role,
    #[sqlx(try_from = "String")]
    status: Status,
    company_name: String,
    business_address: String,
    country: String,
    representative: String,
    website: String,
    service_phone: String,
    service_email: String,
    logo_id: Option<String>,
    created_at: i64,
    submitted_at: Option<i64>,
    round: i64,
    decision_reason: String,
    requested_changes: String,
}

const COLUMNS: &str = "id, role, status, company_name, business_address, country, representative, \
     website, service_phone, service_email, logo_id, created_at, submitted_at, round, decision_reason, \
     requested_changes";

/// The statuses in which the applicant can still change the application: a draft, and one a
/// reviewer sent back with a request for changes (a rejection is final).
const EDITABLE: &str = "status IN ('draft', 'changes_requested')";

impl From<ApplicationRow> for ApplicationView {
    fn from(r: ApplicationRow) -> Self {
        ApplicationView {
            logo_url: r.logo_id.as_ref().map(|l| format!("/logos/{l}")),
            country_name: country_name(&r.country),
            id: r.id,
            role: r.role,
            status: r.status,
            fields: BusinessFields {
                company_name: r.company_name,
                business_address: r.business_address,
                country: r.country,
                representative: r.representative,
                website: r.website,
                service_phone: r.service_phone,
                service_email: r.service_email,
            },
            created_at: moment::at(r.created_at),
            submitted_at: r.submitted_at.map(moment::at),
            round: r.round,
            resubmitted: r.round > 1,
            rejection_reason: (r.status == Status::Rejected).then_some(r.decision_reason),
            requested_changes: ChangeRequest::from_json(&r.requested_changes),
        }
    }
}

/// The application the wizard edits: a draft, or one a reviewer asked to change.
pub async fn latest_draft(db: &Db, user_id: &str) -> Result<Option<ApplicationView>, sqlx::Error> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE user_id = $1 AND {EDITABLE} \
         ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(Into::into))
}

pub async fn all_for_user(db: &Db, user_id: &str) -> Result<Vec<ApplicationView>, sqlx::Error> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE user_id = $1 ORDER BY created_at DESC"
    ))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// `COLUMNS` read from the applications table aliased `alias` (for queries that join).
fn columns_of(alias: &str) -> String {
    COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| format!("{alias}.{c} AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An application read with the reader's role on its workspace (`None`: no membership, as
/// for a draft, which has no workspace yet).
#[derive(sqlx::FromRow)]
struct WithRoleRow {
    #[sqlx(flatten)]
    app: ApplicationRow,
    member_role: Option<String>,
}

impl WithRoleRow {
    fn split(self) -> Result<(ApplicationView, Option<MemberRole>), sqlx::Error> {
        let role = self
            .member_role
            .map(MemberRole::try_from)
            .transpose()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok((self.app.into(), role))
    }
}

/// Everything on a user's console: their drafts, and every workspace they are an active
/// member of (their own applications from the first submission on, and the ones they were
/// invited to), newest first, each with their role on it.
pub async fn console_for_user(
    db: &Db,
    user_id: &str,
) -> Result<Vec<(ApplicationView, Option<MemberRole>)>, sqlx::Error> {
    let rows: Vec<WithRoleRow> = sqlx::query_as(&format!(
        "SELECT {}, m.role AS member_role FROM applications a \
         LEFT JOIN workspace_members m ON m.workspace_id = a.id AND m.user_id = $1 AND m.status = 'active' \
         WHERE (a.user_id = $1 AND a.status = 'draft') OR m.user_id IS NOT NULL \
         ORDER BY a.created_at DESC, a.id",
        columns_of("a")
    ))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(WithRoleRow::split).collect()
}

/// A workspace's application, only if `user_id` is an active member of it (any role), with
/// their role: the workspace pages' access check (anyone else gets "not found").
pub async fn find_for_member(
    db: &Db,
    user_id: &str,
    id: &str,
) -> Result<Option<(ApplicationView, MemberRole)>, sqlx::Error> {
    let row: Option<WithRoleRow> = sqlx::query_as(&format!(
        "SELECT {}, m.role AS member_role FROM applications a \
         JOIN workspace_members m ON m.workspace_id = a.id \
         WHERE a.id = $1 AND m.user_id = $2 AND m.status = 'active'",
        columns_of("a")
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    match row.map(WithRoleRow::split).transpose()? {
        Some((app, Some(role))) => Ok(Some((app, role))),
        _ => Ok(None),
    }
}

/// One application, only if it belongs to `user_id`.
pub async fn find_own(
    db: &Db,
    user_id: &str,
    id: &str,
) -> Result<Option<ApplicationView>, sqlx::Error> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND user_id = $2 \
         AND (status = 'draft' OR EXISTS (SELECT 1 FROM workspace_members m \
         WHERE m.workspace_id = applications.id AND m.user_id = $2 AND m.status = 'active'))"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(Into::into))
}

/// One application that has been submitted (whoever's it is): the reviewers' side.
pub async fn find_submitted(db: &Db, id: &str) -> Result<Option<ApplicationView>, sqlx::Error> {
    let row: Option<ApplicationRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND status <> 'draft'"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(Into::into))
}

/// What choosing a role did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleChosen {
    /// The account's open application (started now, or the draft or sent-back application it
    /// had) has the role.
    Editing,
    /// The account's open application is under review: nothing can change until it is decided.
    UnderReview,
}

/// Sets the role of the account's open application, starting a draft when there is none.
/// The partial unique index decides, never a read before the insert: of parallel requests
/// exactly one inserts, and the others change the draft it made.
pub async fn choose_role(db: &Db, user_id: &str, role: Role) -> Result<RoleChosen, sqlx::Error> {
    // A few turns: a parallel request's draft is changed on the next one, and an application
    // approved meanwhile is no longer open, so the next turn starts a new draft.
    for _ in 0..3 {
        if set_role(db, user_id, role).await? || start_draft(db, user_id, role).await? {
            return Ok(RoleChosen::Editing);
        }
        // The index refused the draft, and the open application could not be changed.
        let in_review: Option<String> = sqlx::query_scalar(
            "SELECT id FROM applications WHERE user_id = $1 AND status = 'under_review'",
        )
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?;
        if in_review.is_some() {
            return Ok(RoleChosen::UnderReview);
        }
    }
    Err(sqlx::Error::RowNotFound)
}

/// Sets the role of the account's open application if it can still be edited.
async fn set_role(db: &Db, user_id: &str, role: Role) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(&format!(
        "UPDATE applications SET role = $1, updated_at = $2 WHERE user_id = $3 AND {EDITABLE}"
    ))
    .bind(role.key())
    .bind(now_ms())
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(changed > 0)
}

/// Inserts a draft with its first history entry; `false` when the account has an open
/// application already (the unique index refused the row, and nothing was written).
async fn start_draft(db: &Db, user_id: &str, role: Role) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO applications (id, user_id, role, status, company_name, business_address, country, \
         representative, website, service_phone, service_email, created_at, updated_at) \
         VALUES ($1, $2, $3, 'draft', '', '', '', '', '', '', '', $4, $4)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(role.key())
    .bind(now_ms())
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => {}
        // Dropping the transaction rolls it back (on PostgreSQL it is unusable after the error).
        Err(e) if is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e),
    }
    record_event(&mut tx, &id, "created", Some(user_id), &Note::Started).await?;
    tx.commit().await?;
    Ok(true)
}

/// Saves what was typed into a draft of `user_id` (nothing else can be changed this way).
pub async fn save_draft(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    id: &str,
    f: &BusinessFields,
) -> Result<bool, sqlx::Error> {
    write_fields(tx, user_id, id, f, None).await
}

/// Some of the business fields, as the page's autosave sent them: `None` was not sent and
/// stays as stored, `Some("")` was cleared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangedFields {
    pub company_name: Option<String>,
    pub business_address: Option<String>,
    pub country: Option<String>,
    pub representative: Option<String>,
    pub website: Option<String>,
    pub service_phone: Option<String>,
    pub service_email: Option<String>,
}

impl ChangedFields {
    /// The columns to set, each with its value: the fields that were sent. The names are
    /// these literals, never the request's.
    fn columns(&self) -> Vec<(&'static str, &str)> {
        [
            ("company_name", &self.company_name),
            ("business_address", &self.business_address),
            ("country", &self.country),
            ("representative", &self.representative),
            ("website", &self.website),
            ("service_phone", &self.service_phone),
            ("service_email", &self.service_email),
        ]
        .into_iter()
        .filter_map(|(column, value)| value.as_deref().map(|v| (column, v)))
        .collect()
    }
}

/// Saves the fields an autosave sent into a draft of `user_id` and leaves the others as
/// stored. One statement with the check of [`save_draft`] (a draft or sent-back application of
/// the user's own), so nothing is read first and two saves of different fields both stay.
/// With no fields it is the check alone (it still marks the draft updated): a logo chosen on
/// its own is stored after it, in the same transaction.
pub async fn save_changed_fields(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    id: &str,
    changed: &ChangedFields,
) -> Result<bool, sqlx::Error> {
    let columns = changed.columns();
    let sets: String = columns
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ${}, ", i + 1))
        .collect();
    let n = columns.len();
    let sql = format!(
        "UPDATE applications SET {sets}updated_at = ${} WHERE id = ${} AND user_id = ${} AND {EDITABLE}",
        n + 1,
        n + 2,
        n + 3
    );
    let mut query = sqlx::query(&sql);
    for (_, value) in &columns {
        query = query.bind(*value);
    }
    let r = query
        .bind(now_ms())
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Writes the business fields of a draft of `user_id`; `submit` also sends it for review.
async fn write_fields(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    id: &str,
    f: &BusinessFields,
    // Submitting from this status: the update happens only if it still is (a decision
    // committed meanwhile makes it `Already`, not a second first submission).
    submit_from: Option<Status>,
) -> Result<bool, sqlx::Error> {
    let (submitting, still) = match submit_from {
        Some(_) => (
            "status = 'under_review', submitted_at = $8, round = round + 1, assigned_to = NULL, \
             decided_by = NULL, decided_at = NULL, decision_reason = '', requested_changes = '', ",
            " AND status = $11",
        ),
        None => ("", ""),
    };
    let sql = format!(
        "UPDATE applications SET {submitting}company_name = $1, business_address = $2, country = $3, \
         representative = $4, website = $5, service_phone = $6, service_email = $7, updated_at = $8 \
         WHERE id = $9 AND user_id = $10 AND {EDITABLE}{still}"
    );
    let mut update = sqlx::query(&sql)
        .bind(&f.company_name)
        .bind(&f.business_address)
        .bind(&f.country)
        .bind(&f.representative)
        .bind(&f.website)
        .bind(&f.service_phone)
        .bind(&f.service_email)
        .bind(now_ms())
        .bind(id)
        .bind(user_id);
    if let Some(status) = submit_from {
        update = update.bind(status.key());
    }
    let r = update.execute(&mut **tx).await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces the draft's logo; the one it replaces is deleted unless a submitted round shows it.
pub async fn set_logo(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    application_id: &str,
    logo: &Logo,
) -> Result<String, sqlx::Error> {
    // `None`: no such editable draft; `Some(None)`: a draft without a logo.
    let old: Option<Option<String>> = sqlx::query_scalar(&format!(
        "SELECT logo_id FROM applications WHERE id = $1 AND user_id = $2 AND {EDITABLE}"
    ))
    .bind(application_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO logos (id, user_id, content_type, data, width, height, etag, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(logo.content_type)
    .bind(&logo.data)
    .bind(logo.width as i64)
    .bind(logo.height as i64)
    .bind(&logo.etag)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE applications SET logo_id = $1 WHERE id = $2 AND user_id = $3")
        .bind(&id)
        .bind(application_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    if let Some(Some(old)) = old {
        sqlx::query(
            "DELETE FROM logos WHERE id = $1 AND user_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM application_rounds r WHERE r.logo_id = $1) \
             AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.logo_id = $1)",
        )
        .bind(old)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// What submitting did.
pub enum Submitted {
    /// This request submitted it.
    Now {
        company_name: String,
    },
    /// It had been submitted already (a double click or a replay): nothing changed.
    Already,
    NotFound,
}

/// How many of the role and the business fields (the logo included) of round
/// `application_rounds` differ from round `p`: one SQL expression, so the count is made where
/// the rounds are written (the pages' comparison, `applications::Comparison`, counts the same).
const CHANGED: &str = "(CASE WHEN p.role <> application_rounds.role THEN 1 ELSE 0 END) \
     + (CASE WHEN p.company_name <> application_rounds.company_name THEN 1 ELSE 0 END) \
     + (CASE WHEN p.business_address <> application_rounds.business_address THEN 1 ELSE 0 END) \
     + (CASE WHEN p.country <> application_rounds.country THEN 1 ELSE 0 END) \
     + (CASE WHEN p.representative <> application_rounds.representative THEN 1 ELSE 0 END) \
     + (CASE WHEN COALESCE(p.logo_id, '') <> COALESCE(application_rounds.logo_id, '') THEN 1 ELSE 0 END) \
     + (CASE WHEN p.website <> application_rounds.website THEN 1 ELSE 0 END) \
     + (CASE WHEN p.service_phone <> application_rounds.service_phone THEN 1 ELSE 0 END) \
     + (CASE WHEN p.service_email <> application_rounds.service_email THEN 1 ELSE 0 END)";

/// Submits a draft with its parsed, normalised fields: workspace, membership, history.
pub async fn submit(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
    id: &str,
    f: &BusinessFields,
) -> Result<Submitted, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Before {
        #[sqlx(try_from = "String")]
        status: Status,
    }

    let now = now_ms();
    let before: Option<Before> =
        sqlx::query_as("SELECT status FROM applications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(before) = before else {
        return Ok(Submitted::NotFound);
    };
    if !write_fields(tx, user_id, id, f, Some(before.status)).await? {
        return Ok(Submitted::Already);
    }
    // The round as the reviewers will see it, whatever the applicant edits later.
    sqlx::query(
        "INSERT INTO application_rounds (application_id, round, role, company_name, business_address, \
         country, representative, website, service_phone, service_email, logo_id, submitted_at) \
         SELECT id, round, role, company_name, business_address, country, representative, website, \
         service_phone, service_email, logo_id, submitted_at FROM applications WHERE id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    // How many fields differ from the round before (none for a first round).
    sqlx::query(&format!(
        "UPDATE application_rounds SET changed_fields = (SELECT {CHANGED} \
         FROM application_rounds p WHERE p.application_id = application_rounds.application_id \
         AND p.round = application_rounds.round - 1) \
         WHERE application_id = $1 AND round = (SELECT a.round FROM applications a WHERE a.id = $1)"
    ))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    // In the reviewers' queue from the commit on, with the counts per status.
    put_in_queue(tx, id, before.status).await?;
    if before.status == Status::ChangesRequested {
        // Its workspace and membership exist since the first submission.
        sqlx::query("UPDATE workspaces SET name = $1 WHERE id = $2")
            .bind(&f.company_name)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        record_event(tx, id, "resubmitted", Some(user_id), &Note::Resubmitted).await?;
    } else {
        sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(&f.company_name)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO workspace_members (workspace_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(MemberRole::Applicant.key())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        record_event(tx, id, "submitted", Some(user_id), &Note::Submitted).await?;
    }
    Ok(Submitted::Now {
        company_name: f.company_name.clone(),
    })
}

#[derive(sqlx::FromRow)]
pub struct LogoFile {
    pub content_type: String,
    pub data: Vec<u8>,
    pub etag: String,
}

/// A logo, only for its owner, a reviewer, or an active member of the workspace it shows.
pub async fn logo_for(
    db: &Db,
    user: &crate::server::sessions::SessionUser,
    id: &str,
) -> Result<Option<LogoFile>, sqlx::Error> {
    sqlx::query_as(
        "SELECT content_type, data, etag FROM logos WHERE id = $1 AND (user_id = $2 OR $3 = 1 \
         OR EXISTS (SELECT 1 FROM applications a JOIN workspace_members m ON m.workspace_id = a.id \
         WHERE a.logo_id = logos.id AND m.user_id = $2 AND m.status = 'active'))",
    )
    .bind(id)
    .bind(&user.user_id)
    .bind(user.is_reviewer as i64)
    .fetch_optional(&db.pool)
    .await
}

/// A workspace's members, first to join first.
pub async fn members(db: &Db, workspace_id: &str) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.username AS username, m.role AS role FROM workspace_members m \
         JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND m.status = 'active' \
         ORDER BY m.added_at",
    )
    .bind(workspace_id)
    .fetch_all(&db.pool)
    .await
}

/// Makes `user_id` the Owner of the workspace (seed Step 4: an approved applicant is onboarded).
pub async fn make_owner(
    tx: &mut Transaction<'static, Any>,
    workspace_id: &str,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE workspace_members SET role = $1 WHERE workspace_id = $2 AND user_id = $3")
        .bind(MemberRole::Owner.key())
        .bind(workspace_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A round read as an application, with who decided it and when.
#[derive(sqlx::FromRow)]
struct RoundRow {
    #[sqlx(flatten)]
    app: ApplicationRow,
    decided_at: Option<i64>,
    decided_by: Option<String>,
    changed_fields: Option<i64>,
}

/// `ApplicationRow`'s columns, read from a round; its status is its decision (under review
/// until then).
const ROUND_COLUMNS: &str = "r.application_id AS id, r.role AS role, \
     COALESCE(r.decision, 'under_review') AS status, r.company_name AS company_name, \
     r.business_address AS business_address, r.country AS country, \
     r.representative AS representative, r.website AS website, r.service_phone AS service_phone, \
     r.service_email AS service_email, r.logo_id AS logo_id, a.created_at AS created_at, \
     r.submitted_at AS submitted_at, r.round AS round, r.decision_reason AS decision_reason, \
     r.requested_changes AS requested_changes, r.decided_at AS decided_at, \
     d.username AS decided_by, r.changed_fields AS changed_fields";

/// Every submission of an application, first to last, as it was sent for review. Who decided
/// is the reviewer's username: the applicant's side must not pass it on.
pub async fn rounds(db: &Db, application_id: &str) -> Result<Vec<RoundView>, sqlx::Error> {
    let rows: Vec<RoundRow> = sqlx::query_as(&format!(
        "SELECT {ROUND_COLUMNS} FROM application_rounds r JOIN applications a ON a.id = r.application_id \
         LEFT JOIN users d ON d.id = r.decided_by WHERE r.application_id = $1 ORDER BY r.round"
    ))
    .bind(application_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RoundView {
            app: r.app.into(),
            decided_at: r.decided_at.map(moment::at),
            decided_by: r.decided_by,
            changed_fields: r.changed_fields,
        })
        .collect())
}

/// A logo ready to be stored: checked and re-encoded by the onboarding form's upload.
#[derive(Debug)]
pub struct Logo {
    pub content_type: &'static str,
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub etag: String,
}

// ---- the reviewers' queue (migration 0010): kept with every status change ----

/// Moves one application from status `from` to `to` in the counts per status, in the
/// caller's transaction (one atomic statement; a draft is not counted, so from a draft only
/// `to` moves). Every statement that changes a submitted application's status calls it.
pub async fn count_move(
    tx: &mut Transaction<'static, Any>,
    from: Status,
    to: Status,
) -> Result<(), sqlx::Error> {
    if from == to {
        return Ok(());
    }
    // One row per statement, always in the same order (by status): two transactions moving
    // the opposite ways take the row locks in one order and cannot deadlock on PostgreSQL.
    let mut moves = [(from, -1i64), (to, 1i64)];
    moves.sort_by_key(|(status, _)| status.key());
    for (status, by) in moves {
        if status == Status::Draft {
            continue;
        }
        sqlx::query("UPDATE queue_counts SET n = n + $1 WHERE status = $2")
            .bind(by)
            .bind(status.key())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The queue's search text of a row of `applications`, from its column `company`: the company
/// name as the reviewers see it and the applicant's e-mail, lower-cased, joined by a line
/// break, as migration 0010 writes it.
fn search_text(company: &str) -> String {
    format!(
        "LOWER({company}) || '\n' || \
         LOWER((SELECT u.email FROM users u WHERE u.id = applications.user_id))"
    )
}

/// Puts a submission (the first, or one after a request for changes, coming from status `before`) in
/// the queue, in its transaction: what the queue shows, filters and searches by, from the
/// application as it was just submitted (and copied into its round), and the counts.
pub async fn put_in_queue(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    before: Status,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE applications SET queue_role = role, queue_country = country, \
         queue_company = company_name, queue_search = {}, queue_changed = (SELECT r.changed_fields \
         FROM application_rounds r WHERE r.application_id = applications.id \
         AND r.round = applications.round) WHERE id = $1",
        search_text("company_name")
    ))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    count_move(tx, before, Status::UnderReview).await
}

/// After an account's e-mail address changed (deletion anonymises it): the queue no longer
/// finds its applications by the old one.
pub async fn applicant_email_changed(
    tx: &mut Transaction<'static, Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE applications SET queue_search = {} \
         WHERE user_id = $1 AND queue_company IS NOT NULL",
        search_text("queue_company")
    ))
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many decisions the typical wait needs before it is shown: fewer promise nothing.
pub const TYPICAL_WAIT_MIN_DECISIONS: usize = 10;

/// How long one reading of the typical wait serves every applicant's page of an instance.
const TYPICAL_WAIT_KEPT: std::time::Duration = std::time::Duration::from_secs(300);

/// The typical wait for a decision (`typical_wait`), read at most once per
/// [`TYPICAL_WAIT_KEPT`] for all applicants, and again after a decision made on this instance.
#[derive(Default)]
pub struct TypicalWait {
    kept: std::sync::Mutex<Kept>,
}

/// The last reading and when it was made; `generation` moves with each `forget`, so a
/// reading that began before a decision is not kept after it.
#[derive(Default)]
struct Kept {
    reading: Option<(std::time::Instant, Option<i64>)>,
    generation: u64,
}

impl TypicalWait {
    pub async fn read(&self, db: &Db) -> Result<Option<i64>, sqlx::Error> {
        let generation = {
            let kept = self.lock();
            if let Some((at, wait)) = kept.reading {
                if at.elapsed() < TYPICAL_WAIT_KEPT {
                    return Ok(wait);
                }
            }
            kept.generation
        };
        let wait = typical_wait(db).await?;
        let mut kept = self.lock();
        if kept.generation == generation {
            kept.reading = Some((std::time::Instant::now(), wait));
        }
        Ok(wait)
    }

    /// A decision was made: the next page reads the wait again.
    pub fn forget(&self) {
        let mut kept = self.lock();
        kept.reading = None;
        kept.generation = kept.generation.wrapping_add(1);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The typical wait for a decision: the median time from submission to decision of the rounds
/// decided in the last 30 days (an open round has no decision and is not counted); `None`
/// with fewer than [`TYPICAL_WAIT_MIN_DECISIONS`].
async fn typical_wait(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    let since = now_ms() - 30 * 24 * 3_600_000;
    let mut waits: Vec<i64> = sqlx::query_scalar(
        "SELECT decided_at - submitted_at FROM application_rounds \
         WHERE decided_at >= $1 AND decision IS NOT NULL",
    )
    .bind(since)
    .fetch_all(&db.pool)
    .await?;
    if waits.len() < TYPICAL_WAIT_MIN_DECISIONS {
        return Ok(None);
    }
    waits.sort_unstable();
    Ok(percentile(&waits, 50))
}

/// The `p`th percentile (0 to 100) of sorted values, between the two nearest ranks (as a
/// spreadsheet's PERCENTILE.INC): the median of an even count is the mean of the middle two.
/// The applicant's typical wait and the reviewers' metrics both use it.
pub fn percentile(sorted: &[i64], p: i64) -> Option<i64> {
    let last = sorted.len().checked_sub(1)?;
    // The rank, in hundredths.
    let rank = i128::from(p.clamp(0, 100)) * last as i128;
    let below = (rank / 100) as usize;
    let part = rank % 100;
    let a = i128::from(sorted[below]);
    let b = i128::from(sorted[(below + 1).min(last)]);
    Some((a + ((b - a) * part + 50).div_euclid(100)) as i64)
}
