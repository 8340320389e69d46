//! The team's rows: who is a member with which role and standing (active or blocked), and
//! invitations (a link's token is stored only as its SHA-256). Every change to a workspace's
//! team runs in a write transaction that first takes the team's lock (`lock_team`: an advisory
//! lock on PostgreSQL, the single writer on SQLite), so a check (the pending count, an existing
//! member, the actor's and the member's roles) and the write it allows cannot interleave with
//! another request's; each write is a conditional update whose row count is checked, and one
//! Owner per workspace is a unique index (`migrations/0008_one_owner.sql`). The mails sent per
//! hour are counted by one upsert that refuses to pass the limit. Answers are outcomes; the
//! server functions word them.

use super::members::{MemberStatus, TeamFilter};
use super::roles::{allows, TeamAction, TEAM_ROLES};
use crate::applications::events::{record_event, Note};
use crate::applications::MemberRole;
use crate::domain::{Email, Status};
use crate::server::crypto::{new_id, random_token, sha256_hex};
use crate::server::db::{Db, WriteTx};
use sqlx::Any;

/// How long an invitation link works.
pub const VALID_MS: i64 = 3 * 24 * 60 * 60 * 1000;
/// Invitations that may be pending (sent, not expired, withdrawn or accepted) at once.
pub const MAX_PENDING: i64 = 50;
/// Invitation mails a workspace may send per clock hour.
pub const MAILS_PER_HOUR: i64 = 30;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// The stored form of an invitation link's token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(&["workspace-invitation", token])
}

/// Serialises every change to the team of `workspace_id` until the transaction ends.
pub async fn lock_team(tx: &mut WriteTx, workspace_id: &str) -> Result<(), sqlx::Error> {
    tx.lock(&format!("workspace-team:{workspace_id}")).await
}

/// A workspace as one of its active members sees it: its name, the application's status, and
/// the member's role.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Team {
    pub workspace_id: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "String")]
    pub role: MemberRole,
}

/// `user_id`'s place on the team of `workspace_id`; `None` for anyone who is not an active
/// member (a stranger, an unknown id).
pub async fn team<'c>(
    conn: impl sqlx::Executor<'c, Database = Any>,
    workspace_id: &str,
    user_id: &str,
) -> Result<Option<Team>, sqlx::Error> {
    sqlx::query_as(
        "SELECT w.id AS workspace_id, w.name AS name, a.status AS status, m.role AS role \
         FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id \
         JOIN applications a ON a.id = w.id \
         WHERE m.workspace_id = $1 AND m.user_id = $2 AND m.status = 'active'",
    )
    .bind(workspace_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Where a membership stands (`workspace_members.status`): a blocked member keeps the row
/// and role but opens nothing of the workspace (every access check asks for `active`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Active,
    Blocked,
}

impl Standing {
    pub fn key(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Blocked => "blocked",
        }
    }
}

/// Stored standings decode by their exact key; anything else is an error, never a default.
impl TryFrom<String> for Standing {
    type Error = crate::domain::UnknownKey;

    fn try_from(key: String) -> Result<Self, Self::Error> {
        match key.as_str() {
            "active" => Ok(Standing::Active),
            "blocked" => Ok(Standing::Blocked),
            _ => Err(crate::domain::UnknownKey {
                what: "membership status",
                value: key,
            }),
        }
    }
}

impl From<Standing> for MemberStatus {
    fn from(s: Standing) -> Self {
        match s {
            Standing::Active => MemberStatus::Active,
            Standing::Blocked => MemberStatus::Blocked,
        }
    }
}

/// One line of the members page, as read.
#[derive(Clone, Debug)]
pub struct TeamLine {
    /// The invitation's id (`None` for a member).
    pub invitation_id: Option<String>,
    /// A member's account (`None` for an invitation): never sent to a browser.
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub email: String,
    pub role: MemberRole,
    pub status: MemberStatus,
    pub invited_by: Option<String>,
    /// When they joined, or when the invitation was (last) sent.
    pub at: i64,
    /// For an invitation: when its link stops (stopped) working.
    pub expires_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: String,
    username: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
    #[sqlx(try_from = "String")]
    standing: Standing,
    invited_by: Option<String>,
    added_at: i64,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: String,
    email: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
    invited_by: Option<String>,
    sent_at: i64,
    expires_at: i64,
}

/// `%` and `_` typed into the search match themselves.
fn like_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The members of a workspace (active and blocked), then its open invitations (sent or
/// expired; withdrawn and accepted ones are not listed), searched by e-mail or username and
/// filtered by status and role.
pub async fn lines(
    db: &Db,
    workspace_id: &str,
    filter: &TeamFilter,
    now: i64,
) -> Result<Vec<TeamLine>, sqlx::Error> {
    let pattern = like_pattern(&filter.search);
    let role = filter.role.map(|r| r.key()).unwrap_or_default();
    let mut lines = Vec::new();
    let wants = |s: MemberStatus| filter.status.is_none() || filter.status == Some(s);

    if wants(MemberStatus::Active) || wants(MemberStatus::Blocked) {
        let members: Vec<MemberRow> = sqlx::query_as(
            "SELECT m.user_id AS user_id, u.username AS username, u.email AS email, \
             m.role AS role, m.status AS standing, i.username AS invited_by, \
             m.added_at AS added_at \
             FROM workspace_members m JOIN users u ON u.id = m.user_id \
             LEFT JOIN users i ON i.id = m.invited_by \
             WHERE m.workspace_id = $1 \
             AND ($2 = '' OR m.role = $2) \
             AND ($3 = '%%' OR LOWER(u.email) LIKE $3 ESCAPE '\\' OR LOWER(u.username) LIKE $3 ESCAPE '\\') \
             ORDER BY m.added_at, u.username",
        )
        .bind(workspace_id)
        .bind(role)
        .bind(&pattern)
        .fetch_all(&db.pool)
        .await?;
        for m in members {
            let status = MemberStatus::from(m.standing);
            if !wants(status) {
                continue;
            }
            lines.push(TeamLine {
                invitation_id: None,
                user_id: Some(m.user_id),
                username: Some(m.username),
                email: m.email,
                role: m.role,
                status,
                invited_by: m.invited_by,
                at: m.added_at,
                expires_at: None,
            });
        }
    }

    if wants(MemberStatus::InvitationSent) || wants(MemberStatus::InvitationExpired) {
        let invitations: Vec<InvitationRow> = sqlx::query_as(
            "SELECT v.id AS id, v.email AS email, v.role AS role, i.username AS invited_by, \
             v.sent_at AS sent_at, v.expires_at AS expires_at \
             FROM workspace_invitations v LEFT JOIN users i ON i.id = v.invited_by \
             WHERE v.workspace_id = $1 AND v.state = 'pending' \
             AND ($2 = '' OR v.role = $2) \
             AND ($3 = '%%' OR LOWER(v.email) LIKE $3 ESCAPE '\\') \
             ORDER BY v.sent_at DESC, v.email",
        )
        .bind(workspace_id)
        .bind(role)
        .bind(&pattern)
        .fetch_all(&db.pool)
        .await?;
        for v in invitations {
            let status = if v.expires_at > now {
                MemberStatus::InvitationSent
            } else {
                MemberStatus::InvitationExpired
            };
            if !wants(status) {
                continue;
            }
            lines.push(TeamLine {
                invitation_id: Some(v.id),
                user_id: None,
                username: None,
                email: v.email,
                role: v.role,
                status,
                invited_by: v.invited_by,
                at: v.sent_at,
                expires_at: Some(v.expires_at),
            });
        }
    }
    Ok(lines)
}

/// An invitation to mail: to whom, as what, and the link's token (never stored).
pub struct ToMail {
    pub email: String,
    pub role: MemberRole,
    pub token: String,
    pub expires_at: i64,
}

/// What inviting came to. Nothing was written unless `Sent`.
pub enum Invited {
    /// Each address has an invitation now (new, or `renewed`: it had one, whose link no
    /// longer works); the caller mails them in the same transaction.
    Sent {
        new: Vec<ToMail>,
        renewed: Vec<ToMail>,
    },
    /// These addresses belong to members of the workspace already.
    AlreadyMembers(Vec<String>),
    /// These addresses have an invitation for a role the actor may not touch (an Admin
    /// inviting again someone invited as Admin).
    NotYours(Vec<String>),
    /// The pending invitations would pass `MAX_PENDING`; `pending` are open now.
    TooManyPending { pending: i64 },
    /// The mails would pass `MAILS_PER_HOUR`; the next hour starts in `wait_secs`.
    MailLimit { wait_secs: u64 },
}

/// The open invitation of an address, if any.
#[derive(sqlx::FromRow)]
struct Open {
    id: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
    expires_at: i64,
}

async fn open_invitation(
    tx: &mut WriteTx,
    workspace_id: &str,
    email: &str,
) -> Result<Option<Open>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, role, expires_at FROM workspace_invitations \
         WHERE workspace_id = $1 AND email = $2 AND state = 'pending'",
    )
    .bind(workspace_id)
    .bind(email)
    .fetch_optional(&mut ***tx)
    .await
}

/// Invitations that are pending now: sent, not expired, not withdrawn or accepted.
async fn pending_count(tx: &mut WriteTx, workspace_id: &str, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM workspace_invitations \
         WHERE workspace_id = $1 AND state = 'pending' AND expires_at > $2",
    )
    .bind(workspace_id)
    .bind(now)
    .fetch_one(&mut ***tx)
    .await
}

/// Counts `n` invitation mails in this clock hour, by one statement that refuses to pass
/// `MAILS_PER_HOUR`: `Some(wait_secs)` until the next hour when it would.
async fn count_mails(
    tx: &mut WriteTx,
    workspace_id: &str,
    n: i64,
    now: i64,
) -> Result<Option<u64>, sqlx::Error> {
    let hour = now / HOUR_MS;
    let counted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO invitation_mail_counts (workspace_id, window_hour, sent) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id, window_hour) DO UPDATE SET sent = invitation_mail_counts.sent + $3 \
         WHERE invitation_mail_counts.sent + $3 <= $4 \
         RETURNING sent",
    )
    .bind(workspace_id)
    .bind(hour)
    .bind(n)
    .bind(MAILS_PER_HOUR)
    .fetch_optional(&mut ***tx)
    .await?;
    // Earlier hours are of no use any more.
    sqlx::query("DELETE FROM invitation_mail_counts WHERE workspace_id = $1 AND window_hour < $2")
        .bind(workspace_id)
        .bind(hour)
        .execute(&mut ***tx)
        .await?;
    Ok(match counted {
        Some(_) => None,
        None => Some((((hour + 1) * HOUR_MS - now).max(1000) as u64).div_ceil(1000)),
    })
}

/// A new link for an invitation that is still open: the old one stops working.
async fn renew(
    tx: &mut WriteTx,
    id: &str,
    role: MemberRole,
    actor_id: &str,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = random_token();
    let expires_at = now + VALID_MS;
    let changed = sqlx::query(
        "UPDATE workspace_invitations SET token_hash = $1, role = $2, invited_by = $3, \
         sent_at = $4, expires_at = $5 WHERE id = $6 AND state = 'pending'",
    )
    .bind(token_hash(&token))
    .bind(role.key())
    .bind(actor_id)
    .bind(now)
    .bind(expires_at)
    .bind(id)
    .execute(&mut ***tx)
    .await?
    .rows_affected();
    if changed != 1 {
        // Under the team's lock an open invitation cannot end meanwhile: our bug.
        return Err(sqlx::Error::RowNotFound);
    }
    Ok((token, expires_at))
}

/// Invites `emails` (parsed, distinct, 1 to 10) as `role` on behalf of `actor`, whose place on
/// the team (`team`, read after `lock_team` in this transaction) allows it. An address that
/// has an open invitation gets a new link instead (the old one stops working).
pub async fn invite(
    tx: &mut WriteTx,
    team: &Team,
    actor_id: &str,
    emails: &[Email],
    role: MemberRole,
    now: i64,
) -> Result<Invited, sqlx::Error> {
    let ws = team.workspace_id.as_str();
    let mut members = Vec::new();
    let mut not_yours = Vec::new();
    // Each address: a member already, or its open invitation (renewed), or a new one.
    let mut plan: Vec<(&Email, Option<Open>)> = Vec::new();
    for email in emails {
        let member: Option<String> = sqlx::query_scalar(
            "SELECT m.user_id FROM workspace_members m JOIN users u ON u.id = m.user_id \
             WHERE m.workspace_id = $1 AND u.email = $2",
        )
        .bind(ws)
        .bind(email.as_str())
        .fetch_optional(&mut ***tx)
        .await?;
        if member.is_some() {
            members.push(email.to_string());
            continue;
        }
        let open = open_invitation(tx, ws, email.as_str()).await?;
        if let Some(o) = &open {
            if !allows(team.role, TeamAction::Invite(o.role)) {
                not_yours.push(email.to_string());
                continue;
            }
        }
        plan.push((email, open));
    }
    if !members.is_empty() {
        return Ok(Invited::AlreadyMembers(members));
    }
    if !not_yours.is_empty() {
        return Ok(Invited::NotYours(not_yours));
    }
    // An invitation renewed while still pending was counted already.
    let adds = plan
        .iter()
        .filter(|(_, open)| open.as_ref().is_none_or(|o| o.expires_at <= now))
        .count() as i64;
    let pending = pending_count(tx, ws, now).await?;
    if pending + adds > MAX_PENDING {
        return Ok(Invited::TooManyPending { pending });
    }
    if let Some(wait_secs) = count_mails(tx, ws, plan.len() as i64, now).await? {
        return Ok(Invited::MailLimit { wait_secs });
    }

    let (mut new, mut renewed) = (Vec::new(), Vec::new());
    for (email, open) in plan {
        match open {
            Some(o) => {
                let (token, expires_at) = renew(tx, &o.id, role, actor_id, now).await?;
                record_event(
                    tx,
                    ws,
                    "invitation_resent",
                    Some(actor_id),
                    &Note::InvitedAgain {
                        email: email.to_string(),
                        role,
                    },
                )
                .await?;
                renewed.push(ToMail {
                    email: email.to_string(),
                    role,
                    token,
                    expires_at,
                });
            }
            None => {
                let token = random_token();
                let expires_at = now + VALID_MS;
                sqlx::query(
                    "INSERT INTO workspace_invitations (id, workspace_id, email, role, token_hash, \
                     state, invited_by, created_at, sent_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7, $8)",
                )
                .bind(new_id())
                .bind(ws)
                .bind(email.as_str())
                .bind(role.key())
                .bind(token_hash(&token))
                .bind(actor_id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut ***tx)
                .await?;
                record_event(
                    tx,
                    ws,
                    "invited",
                    Some(actor_id),
                    &Note::Invited {
                        email: email.to_string(),
                        role,
                    },
                )
                .await?;
                new.push(ToMail {
                    email: email.to_string(),
                    role,
                    token,
                    expires_at,
                });
            }
        }
    }
    Ok(Invited::Sent { new, renewed })
}

/// What resending or withdrawing came to. Nothing was written unless `Done`.
pub enum Changed {
    /// Done; for a resend, the new link to mail.
    Done(Option<ToMail>),
    /// No open invitation of this workspace has that id (withdrawn or accepted meanwhile, or
    /// another workspace's).
    NotFound,
    /// The invitation is for a role the actor may not touch.
    NotYours,
    /// Resending an expired invitation would pass `MAX_PENDING`.
    TooManyPending {
        pending: i64,
    },
    MailLimit {
        wait_secs: u64,
    },
}

#[derive(sqlx::FromRow)]
struct Invitation {
    email: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
    expires_at: i64,
}

async fn open_by_id(
    tx: &mut WriteTx,
    workspace_id: &str,
    id: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT email, role, expires_at FROM workspace_invitations \
         WHERE id = $1 AND workspace_id = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(workspace_id)
    .fetch_optional(&mut ***tx)
    .await
}

/// "Resend": a new link with 3 more days; the old link stops working.
pub async fn resend(
    tx: &mut WriteTx,
    team: &Team,
    actor_id: &str,
    invitation_id: &str,
    now: i64,
) -> Result<Changed, sqlx::Error> {
    let ws = team.workspace_id.as_str();
    let Some(inv) = open_by_id(tx, ws, invitation_id).await? else {
        return Ok(Changed::NotFound);
    };
    if !allows(team.role, TeamAction::Invite(inv.role)) {
        return Ok(Changed::NotYours);
    }
    if inv.expires_at <= now {
        let pending = pending_count(tx, ws, now).await?;
        if pending + 1 > MAX_PENDING {
            return Ok(Changed::TooManyPending { pending });
        }
    }
    if let Some(wait_secs) = count_mails(tx, ws, 1, now).await? {
        return Ok(Changed::MailLimit { wait_secs });
    }
    let (token, expires_at) = renew(tx, invitation_id, inv.role, actor_id, now).await?;
    record_event(
        tx,
        ws,
        "invitation_resent",
        Some(actor_id),
        &Note::Resent {
            email: inv.email.clone(),
            role: inv.role,
        },
    )
    .await?;
    Ok(Changed::Done(Some(ToMail {
        email: inv.email,
        role: inv.role,
        token,
        expires_at,
    })))
}

/// "Withdraw": the invitation ends; its link stops working.
pub async fn withdraw(
    tx: &mut WriteTx,
    team: &Team,
    actor_id: &str,
    invitation_id: &str,
    now: i64,
) -> Result<Changed, sqlx::Error> {
    let ws = team.workspace_id.as_str();
    let Some(inv) = open_by_id(tx, ws, invitation_id).await? else {
        return Ok(Changed::NotFound);
    };
    if !allows(team.role, TeamAction::Invite(inv.role)) {
        return Ok(Changed::NotYours);
    }
    let changed = sqlx::query(
        "UPDATE workspace_invitations SET state = 'withdrawn', ended_at = $1 \
         WHERE id = $2 AND workspace_id = $3 AND state = 'pending'",
    )
    .bind(now)
    .bind(invitation_id)
    .bind(ws)
    .execute(&mut ***tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(Changed::NotFound);
    }
    record_event(
        tx,
        ws,
        "invitation_withdrawn",
        Some(actor_id),
        &Note::Withdrawn {
            email: inv.email.clone(),
            role: inv.role,
        },
    )
    .await?;
    Ok(Changed::Done(None))
}

/// An invitation whose link works: pending and not expired.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LiveInvitation {
    pub workspace_id: String,
    pub workspace_name: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: MemberRole,
    pub invited_by: String,
    pub expires_at: i64,
}

/// The invitation behind a link, only while it works.
pub async fn live_invitation(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<LiveInvitation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.workspace_id AS workspace_id, w.name AS workspace_name, v.email AS email, \
         v.role AS role, u.username AS invited_by, v.expires_at AS expires_at \
         FROM workspace_invitations v JOIN workspaces w ON w.id = v.workspace_id \
         JOIN users u ON u.id = v.invited_by \
         WHERE v.token_hash = $1 AND v.state = 'pending' AND v.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}

/// What following an invitation link came to. Nothing was written unless `Joined`.
pub enum Joining {
    Joined {
        workspace_id: String,
        workspace_name: String,
        role: MemberRole,
    },
    /// The link works, but for another address (`email`, the invited one).
    OtherAddress { email: String },
    /// The account is a member of that workspace already.
    AlreadyMember { workspace_id: String },
    /// Unknown, expired, withdrawn or used.
    Invalid,
}

#[derive(sqlx::FromRow)]
struct Accepted {
    workspace_id: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
    invited_by: String,
}

/// Joins the workspace with the invitation behind `token`: one conditional update spends the
/// invitation (pending, not expired, for `user_email`), so of parallel joins exactly one
/// makes the membership.
pub async fn join(
    tx: &mut WriteTx,
    token: &str,
    user_id: &str,
    username: &str,
    user_email: &str,
    now: i64,
) -> Result<Joining, sqlx::Error> {
    let hash = token_hash(token);
    // The joiner's account is held until the transaction ends (a deletion in progress is
    // waited for), and a deleted account joins nothing.
    let live = sqlx::query(
        "UPDATE users SET deleted_at = deleted_at WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user_id)
    .execute(&mut ***tx)
    .await?
    .rows_affected();
    if live != 1 {
        return Ok(Joining::Invalid);
    }
    let workspace: Option<String> =
        sqlx::query_scalar("SELECT workspace_id FROM workspace_invitations WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut ***tx)
            .await?;
    let Some(workspace_id) = workspace else {
        return Ok(Joining::Invalid);
    };
    lock_team(tx, &workspace_id).await?;
    let accepted: Option<Accepted> = sqlx::query_as(
        "UPDATE workspace_invitations SET state = 'accepted', accepted_by = $1, ended_at = $2 \
         WHERE token_hash = $3 AND state = 'pending' AND expires_at > $2 AND email = $4 \
         RETURNING workspace_id, role, invited_by",
    )
    .bind(user_id)
    .bind(now)
    .bind(&hash)
    .bind(user_email)
    .fetch_optional(&mut ***tx)
    .await?;
    let Some(accepted) = accepted else {
        // Only to word the refusal: the update above decided.
        let email: Option<String> = sqlx::query_scalar(
            "SELECT email FROM workspace_invitations \
             WHERE token_hash = $1 AND state = 'pending' AND expires_at > $2",
        )
        .bind(&hash)
        .bind(now)
        .fetch_optional(&mut ***tx)
        .await?;
        return Ok(match email {
            Some(email) if email != user_email => Joining::OtherAddress { email },
            _ => Joining::Invalid,
        });
    };
    let added = sqlx::query(
        "INSERT INTO workspace_members (workspace_id, user_id, role, added_at, status, invited_by) \
         VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT (workspace_id, user_id) DO NOTHING",
    )
    .bind(&accepted.workspace_id)
    .bind(user_id)
    .bind(accepted.role.key())
    .bind(now)
    .bind(&accepted.invited_by)
    .execute(&mut ***tx)
    .await?
    .rows_affected();
    if added != 1 {
        return Ok(Joining::AlreadyMember {
            workspace_id: accepted.workspace_id,
        });
    }
    record_event(
        tx,
        &accepted.workspace_id,
        "member_joined",
        Some(user_id),
        &Note::Joined {
            username: username.to_string(),
            role: accepted.role,
            email: user_email.to_string(),
        },
    )
    .await?;
    let workspace_name: String = sqlx::query_scalar("SELECT name FROM workspaces WHERE id = $1")
        .bind(&accepted.workspace_id)
        .fetch_one(&mut ***tx)
        .await?;
    Ok(Joining::Joined {
        workspace_id: accepted.workspace_id,
        workspace_name,
        role: accepted.role,
    })
}

/// One of an account's memberships.
#[derive(sqlx::FromRow)]
struct Membership {
    workspace_id: String,
    #[sqlx(try_from = "String")]
    role: MemberRole,
}

/// What deleting an account does to its teams.
#[derive(Debug, PartialEq, Eq)]
pub enum Leaving {
    /// The account left every team it was in, and its workspaces' open invitations ended.
    Left,
    /// It owns this workspace, which has other members: nothing was written.
    OwnsATeam { workspace: String },
}

/// The teams of an account being deleted (its row already held by the deletion): every team
/// it is in is locked, in one order, so no join or invitation runs meanwhile; an Owner of a
/// workspace with other members is refused; otherwise the open invitations of the
/// workspaces it owns are withdrawn (no one can join a team whose Owner is gone) and it
/// leaves every team it does not own, with the event in each team's history.
pub async fn leave_all_for_deletion(
    tx: &mut WriteTx,
    user_id: &str,
    now: i64,
) -> Result<Leaving, sqlx::Error> {
    let teams: Vec<Membership> = sqlx::query_as(
        "SELECT workspace_id, role FROM workspace_members WHERE user_id = $1 ORDER BY workspace_id",
    )
    .bind(user_id)
    .fetch_all(&mut ***tx)
    .await?;
    for team in &teams {
        lock_team(tx, &team.workspace_id).await?;
    }
    // Read again under the locks: a transfer that committed meanwhile changed a role.
    let teams: Vec<Membership> = sqlx::query_as(
        "SELECT workspace_id, role FROM workspace_members WHERE user_id = $1 ORDER BY workspace_id",
    )
    .bind(user_id)
    .fetch_all(&mut ***tx)
    .await?;
    let owner = MemberRole::Owner.key();
    let blocking: Option<String> = sqlx::query_scalar(
        "SELECT w.name FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id \
         WHERE m.user_id = $1 AND m.role = $2 AND EXISTS (SELECT 1 FROM workspace_members o \
         WHERE o.workspace_id = m.workspace_id AND o.user_id <> $1) \
         ORDER BY w.name, w.id LIMIT 1",
    )
    .bind(user_id)
    .bind(owner)
    .fetch_optional(&mut ***tx)
    .await?;
    if let Some(workspace) = blocking {
        return Ok(Leaving::OwnsATeam { workspace });
    }
    sqlx::query(
        "UPDATE workspace_invitations SET state = 'withdrawn', ended_at = $2 \
         WHERE state = 'pending' AND workspace_id IN \
         (SELECT workspace_id FROM workspace_members WHERE user_id = $1 AND role = $3)",
    )
    .bind(user_id)
    .bind(now)
    .bind(owner)
    .execute(&mut ***tx)
    .await?;
    for Membership { workspace_id, role } in &teams {
        if matches!(role, MemberRole::Owner | MemberRole::Applicant) {
            continue;
        }
        sqlx::query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .execute(&mut ***tx)
            .await?;
        record_event(tx, workspace_id, "member_left", None, &Note::LeftByDeletion).await?;
    }
    Ok(Leaving::Left)
}

/// A member as a team action reads them, under the team's lock.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Member {
    pub user_id: String,
    pub username: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub role: MemberRole,
    #[sqlx(try_from = "String")]
    pub standing: Standing,
    /// Their account's language: mail about a change to their place is in it.
    #[sqlx(try_from = "String")]
    pub language: crate::i18n::Lang,
}

/// The member of `workspace_id` whose username is `username` (any case), if any.
async fn member_named(
    tx: &mut WriteTx,
    workspace_id: &str,
    username: &str,
) -> Result<Option<Member>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.user_id AS user_id, u.username AS username, u.email AS email, m.role AS role, \
         m.status AS standing, u.language AS language \
         FROM workspace_members m JOIN users u ON u.id = m.user_id \
         WHERE m.workspace_id = $1 AND u.username_key = $2",
    )
    .bind(workspace_id)
    .bind(username.trim().to_ascii_lowercase())
    .fetch_optional(&mut ***tx)
    .await
}

/// What one member does to another's place on the team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Give them this role.
    Role(MemberRole),
    Block,
    Unblock,
    Remove,
    /// Make them (an active Admin) the Owner; the Owner becomes an Admin.
    Transfer,
}

impl Change {
    /// The roles table's action for making this change to a member of `role`.
    pub fn action(self, role: MemberRole) -> TeamAction {
        match self {
            Change::Role(to) => TeamAction::ChangeRole { from: role, to },
            Change::Block | Change::Unblock => TeamAction::Block(role),
            Change::Remove => TeamAction::Remove(role),
            Change::Transfer => TeamAction::TransferOwnership,
        }
    }

    /// Its kind in the workspace's history (and the live feed).
    pub fn kind(self) -> &'static str {
        match self {
            Change::Role(_) => "member_role_changed",
            Change::Block => "member_blocked",
            Change::Unblock => "member_unblocked",
            Change::Remove => "member_removed",
            Change::Transfer => "ownership_transferred",
        }
    }
}

/// What a change to a member came to. Nothing was written unless `Done`.
#[derive(Debug)]
pub enum Managed {
    /// Done; the member as they were before it.
    Done(Member),
    /// No member of this workspace has that username.
    NoSuchMember,
    /// The member is the actor, and this is not done to oneself.
    Yourself,
    /// The roles table does not allow the actor this change to this member.
    NotAllowed(Member),
    /// Nothing to change: the member has that role, or that standing, already.
    Already(Member),
    /// Ownership goes to an active Admin only, and this member is not one.
    NotAnActiveAdmin(Member),
}

impl Managed {
    /// The member a change was made to, or why it was not made.
    pub fn into_done(self) -> Result<Member, Managed> {
        match self {
            Managed::Done(member) => Ok(member),
            other => Err(other),
        }
    }
}

/// Makes `change` to the member named `username` on behalf of the actor, whose place on the
/// team (`team`) was read after `lock_team` in this transaction; the member's row is read here,
/// under the same lock. Each write is a conditional update over what was read, its row count
/// checked; the event goes into the workspace's history with it. A transfer demotes the Owner
/// before it promotes the Admin, so the one-Owner index never sees two.
pub async fn manage(
    tx: &mut WriteTx,
    team: &Team,
    actor_id: &str,
    actor_name: &str,
    username: &str,
    change: Change,
) -> Result<Managed, sqlx::Error> {
    let ws = team.workspace_id.as_str();
    let Some(member) = member_named(tx, ws, username).await? else {
        return Ok(Managed::NoSuchMember);
    };
    if member.user_id == actor_id {
        return Ok(Managed::Yourself);
    }
    // The same role again is no change; whether it is "already" or "not yours" depends on
    // whether the actor may change this member's role at all.
    if let Change::Role(to) = change {
        if to == member.role {
            let manages = TEAM_ROLES.into_iter().any(|r| {
                allows(
                    team.role,
                    TeamAction::ChangeRole {
                        from: member.role,
                        to: r,
                    },
                )
            });
            return Ok(if manages {
                Managed::Already(member)
            } else {
                Managed::NotAllowed(member)
            });
        }
    }
    if !allows(team.role, change.action(member.role)) {
        return Ok(Managed::NotAllowed(member));
    }
    match change {
        Change::Block if member.standing == Standing::Blocked => {
            return Ok(Managed::Already(member))
        }
        Change::Unblock if member.standing == Standing::Active => {
            return Ok(Managed::Already(member))
        }
        Change::Transfer
            if member.role != MemberRole::Admin || member.standing != Standing::Active =>
        {
            return Ok(Managed::NotAnActiveAdmin(member))
        }
        _ => {}
    }
    let name = member.username.as_str();
    let role = member.role;
    let note = match change {
        Change::Role(to) => {
            let changed = sqlx::query(
                "UPDATE workspace_members SET role = $1 \
                 WHERE workspace_id = $2 AND user_id = $3 AND role = $4",
            )
            .bind(to.key())
            .bind(ws)
            .bind(&member.user_id)
            .bind(role.key())
            .execute(&mut ***tx)
            .await?
            .rows_affected();
            expect_one(changed)?;
            Note::RoleChanged {
                actor: actor_name.to_string(),
                name: name.to_string(),
                old: role,
                new: to,
            }
        }
        Change::Block | Change::Unblock => {
            let (from, to) = if change == Change::Block {
                (Standing::Active, Standing::Blocked)
            } else {
                (Standing::Blocked, Standing::Active)
            };
            let changed = sqlx::query(
                "UPDATE workspace_members SET status = $1 \
                 WHERE workspace_id = $2 AND user_id = $3 AND role = $4 AND status = $5",
            )
            .bind(to.key())
            .bind(ws)
            .bind(&member.user_id)
            .bind(role.key())
            .bind(from.key())
            .execute(&mut ***tx)
            .await?
            .rows_affected();
            expect_one(changed)?;
            let (actor, name) = (actor_name.to_string(), name.to_string());
            if change == Change::Block {
                Note::Blocked { actor, name, role }
            } else {
                Note::Unblocked { actor, name, role }
            }
        }
        Change::Remove => {
            let removed = sqlx::query(
                "DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2 AND role = $3",
            )
            .bind(ws)
            .bind(&member.user_id)
            .bind(role.key())
            .execute(&mut ***tx)
            .await?
            .rows_affected();
            expect_one(removed)?;
            Note::Removed {
                actor: actor_name.to_string(),
                name: name.to_string(),
                role,
            }
        }
        Change::Transfer => {
            // Demote first: the one-Owner index would refuse the promotion otherwise.
            let demoted = sqlx::query(
                "UPDATE workspace_members SET role = $1 \
                 WHERE workspace_id = $2 AND user_id = $3 AND role = $4 AND status = 'active'",
            )
            .bind(MemberRole::Admin.key())
            .bind(ws)
            .bind(actor_id)
            .bind(MemberRole::Owner.key())
            .execute(&mut ***tx)
            .await?
            .rows_affected();
            expect_one(demoted)?;
            let promoted = sqlx::query(
                "UPDATE workspace_members SET role = $1 \
                 WHERE workspace_id = $2 AND user_id = $3 AND role = $4 AND status = 'active'",
            )
            .bind(MemberRole::Owner.key())
            .bind(ws)
            .bind(&member.user_id)
            .bind(MemberRole::Admin.key())
            .execute(&mut ***tx)
            .await?
            .rows_affected();
            expect_one(promoted)?;
            Note::Transferred {
                actor: actor_name.to_string(),
                name: name.to_string(),
            }
        }
    };
    record_event(tx, ws, change.kind(), Some(actor_id), &note).await?;
    Ok(Managed::Done(member))
}

/// What leaving came to. Nothing was written unless `Left`.
#[derive(Debug, PartialEq, Eq)]
pub enum Left {
    Left,
    /// The roles table does not let this role leave (the Owner transfers first; an Applicant
    /// has a workspace under review).
    NotAllowed(MemberRole),
}

/// The actor (`team`, read after `lock_team` in this transaction) leaves the team: their row
/// goes, by a conditional delete over the role read, with the event in the history.
pub async fn leave(
    tx: &mut WriteTx,
    team: &Team,
    user_id: &str,
    username: &str,
) -> Result<Left, sqlx::Error> {
    if !allows(team.role, TeamAction::Leave) {
        return Ok(Left::NotAllowed(team.role));
    }
    let ws = team.workspace_id.as_str();
    let left = sqlx::query(
        "DELETE FROM workspace_members \
         WHERE workspace_id = $1 AND user_id = $2 AND role = $3 AND status = 'active'",
    )
    .bind(ws)
    .bind(user_id)
    .bind(team.role.key())
    .execute(&mut ***tx)
    .await?
    .rows_affected();
    expect_one(left)?;
    record_event(
        tx,
        ws,
        "member_left",
        Some(user_id),
        &Note::Left {
            username: username.to_string(),
            role: team.role,
        },
    )
    .await?;
    Ok(Left::Left)
}

/// A conditional write over a row read under the team's lock changes exactly that row; anything
/// else is our bug, and the transaction is dropped.
fn expect_one(rows: u64) -> Result<(), sqlx::Error> {
    if rows == 1 {
        Ok(())
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}
