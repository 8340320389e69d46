//! Managing the team's members, as the roles table allows: change a member's role, block and
//! unblock, remove, transfer the ownership (to an active Admin, the password re-entered), and
//! leave. One server function per action; each runs in one write transaction under the team's
//! lock, where the caller's role and the member's row are read again, the change is one
//! conditional write, and its history event and the mail to the member it affects go with it.
//! A stranger, an unknown workspace or member, and a blocked caller get 404; a member the table
//! does not allow gets 403; acting on oneself where that is not done gets 422. Members are named
//! by username (account ids never reach a browser).

use crate::error::AppError;
use leptos::prelude::*;

/// "Change role": `member` (a username) gets `role` (a role's key).
#[server(name = ChangeMemberRole, endpoint = "workspaces/change_role")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn change_member_role(
    workspace_id: String,
    member: String,
    role: String,
) -> Result<String, AppError> {
    ssr::change_role(&workspace_id, &member, &role).await
}

/// "Block": the member keeps their place but can open nothing of the workspace until unblocked.
#[server(name = BlockMember, endpoint = "workspaces/block")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn block_member(workspace_id: String, member: String) -> Result<String, AppError> {
    ssr::manage(&workspace_id, &member, ssr::Change::Block).await
}

/// "Unblock": the member opens the workspace again, with the role they had.
#[server(name = UnblockMember, endpoint = "workspaces/unblock")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn unblock_member(workspace_id: String, member: String) -> Result<String, AppError> {
    ssr::manage(&workspace_id, &member, ssr::Change::Unblock).await
}

/// "Remove": the member leaves the team at once (a new invitation brings them back).
#[server(name = RemoveMember, endpoint = "workspaces/remove")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn remove_member(workspace_id: String, member: String) -> Result<String, AppError> {
    ssr::manage(&workspace_id, &member, ssr::Change::Remove).await
}

/// "Transfer ownership": `member`, an active Admin, becomes the Owner and the Owner an Admin.
/// The Owner's password is asked for again (counted against the sign-in backoff).
#[server(name = TransferOwnership, endpoint = "workspaces/transfer")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn transfer_ownership(
    workspace_id: String,
    member: String,
    password: String,
) -> Result<String, AppError> {
    ssr::transfer(&workspace_id, &member, &password).await
}

/// "Leave workspace": the caller (Admin, Developer or Operator) leaves the team; the page goes
/// to the CONSOLE.
#[server(name = LeaveWorkspace, endpoint = "workspaces/leave")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %workspace_id))
)]
pub async fn leave_workspace(workspace_id: String) -> Result<String, AppError> {
    ssr::leave(&workspace_id).await
}

/// The query a plain form post (JavaScript off) is redirected back to the members page with,
/// per action; the page reads it as a fixed sentence (`crate::workspaces::members`).
pub const DONE_KEYS: [&str; 5] = [
    "role_changed",
    "blocked",
    "unblocked",
    "removed",
    "transferred",
];

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::accounts::{passwords, require_user};
    use crate::applications::MemberRole;
    use crate::i18n::fill;
    use crate::server::db::WriteTx;
    use crate::server::mail::{enqueue, Mail};
    use crate::server::request::{is_plain_form_post, state, AppState, OrInternal};
    use crate::workspaces::mail;
    use crate::workspaces::roles::{allows, with_article, TeamAction, TEAM_ROLES};
    pub use crate::workspaces::store::Change;
    use crate::workspaces::store::{self, Left, Managed, Member, Team};

    fn refused(message: impl Into<String>) -> AppError {
        AppError {
            message: message.into(),
            ..AppError::forbidden()
        }
    }

    /// The caller's place on the team, read under the team's lock (taken here) so that it
    /// holds until the transaction ends: anyone who is not an active member (a stranger, a
    /// blocked member, an unknown id) gets 404, as on every workspace page.
    async fn on_team(
        tx: &mut WriteTx,
        workspace_id: &str,
        user_id: &str,
    ) -> Result<Team, AppError> {
        store::lock_team(tx, workspace_id)
            .await
            .or_internal("locking a team")?;
        store::team(&mut ***tx, workspace_id, user_id)
            .await
            .or_internal("reading a team")?
            .ok_or_else(AppError::not_found)
    }

    /// Where a plain form post goes back to, and the query that says what was done.
    fn done_key(change: Change) -> &'static str {
        match change {
            Change::Role(_) => DONE_KEYS[0],
            Change::Block => DONE_KEYS[1],
            Change::Unblock => DONE_KEYS[2],
            Change::Remove => DONE_KEYS[3],
            Change::Transfer => DONE_KEYS[4],
        }
    }

    /// The answer of a change that was not made.
    fn refusal(team: &Team, change: Change, outcome: Managed) -> AppError {
        let m = &crate::i18n::t().workspaces.manage;
        let ws = &team.name;
        let in_ws = |sentence: &str| fill(sentence, &[("workspace", ws)]);
        match outcome {
            // Done is not a refusal; answered by the caller before this is asked.
            Managed::Done(_) => AppError::internal(),
            Managed::NoSuchMember => AppError {
                message: in_ws(m.not_a_member),
                ..AppError::not_found()
            },
            Managed::Yourself => AppError::invalid(match change {
                Change::Role(_) if team.role == MemberRole::Owner => in_ws(m.own_role_owner),
                Change::Role(_) => m.own_role.to_string(),
                Change::Block | Change::Unblock => m.block_yourself.to_string(),
                Change::Remove if team.role == MemberRole::Owner => in_ws(m.remove_yourself_owner),
                Change::Remove => m.remove_yourself.to_string(),
                Change::Transfer => in_ws(m.owner_already),
            }),
            Managed::NotAllowed(member) => refused(not_allowed(team, change, Some(&member))),
            Managed::Already(member) => {
                let name = &member.username;
                AppError::conflict(match change {
                    Change::Role(_) => fill(
                        m.role_already,
                        &[("role", &with_article(member.role)), ("name", name)],
                    ),
                    Change::Block => fill(m.blocked_already, &[("name", name)]),
                    Change::Unblock => fill(m.not_blocked, &[("name", name)]),
                    // Removing and transferring have no "already".
                    Change::Remove | Change::Transfer => {
                        fill(m.changed_meanwhile, &[("name", name)])
                    }
                })
            }
            Managed::NotAnActiveAdmin(member) => {
                AppError::invalid(if member.role == MemberRole::Admin {
                    fill(m.transfer_to_blocked, &[("name", &member.username)])
                } else {
                    fill(
                        m.transfer_to_non_admin,
                        &[
                            ("role", &with_article(member.role)),
                            ("name", &member.username),
                        ],
                    )
                })
            }
        }
    }

    /// Why the roles table refuses: who may do what, in one sentence. `member` is `None` when
    /// the caller may make this change to nobody (answered before any member is looked up).
    fn not_allowed(team: &Team, change: Change, member: Option<&Member>) -> String {
        use MemberRole::{Admin, Developer, Operator, Owner};
        let t = &crate::i18n::t().workspaces.manage;
        let ws = &team.name;
        match (team.role, change, member) {
            (_, Change::Transfer, _) => fill(t.transfer_owner_only, &[("workspace", ws)]),
            (Owner, Change::Role(Owner), _) => t.ownership_by_transfer.to_string(),
            (Admin, Change::Role(to), m)
                if m.is_none_or(|m| matches!(m.role, Developer | Operator)) =>
            {
                fill(t.admin_gives_roles_only, &[("role", &with_article(to))])
            }
            (Admin, _, Some(member)) => fill(
                t.admin_manages_only,
                &[
                    ("role", &with_article(member.role)),
                    ("name", &member.username),
                ],
            ),
            (Owner, _, Some(member)) => fill(
                t.owner_untouchable,
                &[
                    ("role", &with_article(member.role)),
                    ("name", &member.username),
                    ("workspace", ws),
                ],
            ),
            _ => fill(t.managers_only, &[("workspace", ws)]),
        }
    }

    /// The roles table lets the caller make `change` to somebody (to whom, the member's row
    /// decides). A caller it lets do this to nobody learns nothing about the member named.
    fn may_to_anyone(team: &Team, change: Change) -> bool {
        TEAM_ROLES
            .into_iter()
            .any(|role| allows(team.role, change.action(role)))
    }

    /// What the page says after the change.
    fn done_sentence(team: &Team, change: Change, member: &Member) -> String {
        let m = &crate::i18n::t().workspaces.manage;
        let (name, ws) = (&member.username, &team.name);
        let said = |sentence: &str| fill(sentence, &[("name", name), ("workspace", ws)]);
        match change {
            Change::Role(to) => fill(
                m.is_role_now,
                &[("role", &with_article(to)), ("name", name)],
            ),
            Change::Block => said(m.done_blocked),
            Change::Unblock => said(m.done_unblocked),
            Change::Remove => said(m.done_removed),
            Change::Transfer => said(m.done_transferred),
        }
    }

    /// The mail to the member a change affects.
    fn mail_for(st: &AppState, team: &Team, actor: &str, change: Change, member: &Member) -> Mail {
        let base = &st.config.public_url;
        let (to, name, ws) = (&member.email, &member.username, &team.name);
        let workspace = format!("{base}/workspaces/{}", team.workspace_id);
        let console = format!("{base}/console");
        // In the member's language, whatever the actor reads.
        let lang = member.language;
        match change {
            Change::Role(role) => {
                mail::role_changed(lang, to, name, actor, ws, member.role, role, &workspace)
            }
            Change::Block => mail::blocked(lang, to, name, actor, ws, &console),
            Change::Unblock => mail::unblocked(lang, to, name, actor, ws, member.role, &workspace),
            Change::Remove => mail::removed(lang, to, name, actor, ws, &console),
            Change::Transfer => {
                mail::ownership_received(lang, to, name, actor, ws, &format!("{workspace}/members"))
            }
        }
    }

    /// After the commit: the mail worker and the open pages.
    fn committed(st: &AppState) {
        st.mail_ready.notify_one();
        st.feed.wake();
    }

    pub async fn change_role(
        workspace_id: &str,
        member: &str,
        role: &str,
    ) -> Result<String, AppError> {
        require_user().await?;
        // Only a team role can be given; whether this one may, the roles table says.
        let Some(role) = MemberRole::parse(role).filter(|r| *r != MemberRole::Applicant) else {
            return Err(AppError::field(
                "role",
                crate::i18n::t().workspaces.manage.choose_new_role,
            ));
        };
        manage(workspace_id, member, Change::Role(role)).await
    }

    pub async fn manage(
        workspace_id: &str,
        member: &str,
        change: Change,
    ) -> Result<String, AppError> {
        let user = require_user().await?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let team = on_team(&mut tx, workspace_id, &user.user_id).await?;
        if !may_to_anyone(&team, change) {
            return Err(refused(not_allowed(&team, change, None)));
        }
        let outcome = store::manage(
            &mut tx,
            &team,
            &user.user_id,
            &user.username,
            member,
            change,
        )
        .await
        .or_internal("changing a team")?;
        // Every refusal returns before the commit: dropping the transaction writes nothing.
        let member = match outcome {
            Managed::Done(member) => member,
            other => return Err(refusal(&team, change, other)),
        };
        enqueue(
            &mut tx,
            mail_for(&st, &team, &user.username, change, &member),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        committed(&st);
        tracing::info!(
            kind = change.kind(),
            role = member.role.key(),
            "team changed"
        );
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "/workspaces/{workspace_id}/members?{}=1",
                done_key(change)
            ));
        }
        Ok(done_sentence(&team, change, &member))
    }

    pub async fn transfer(
        workspace_id: &str,
        member: &str,
        password: &str,
    ) -> Result<String, AppError> {
        let user = require_user().await?;
        let st = state()?;
        // Anyone but the Owner is answered before a password is tried (and counted); the
        // answer is read again under the lock below.
        let Some(team) = store::team(&st.db.pool, workspace_id, &user.user_id)
            .await
            .or_internal("reading a team")?
        else {
            return Err(AppError::not_found());
        };
        if !allows(team.role, TeamAction::TransferOwnership) {
            return Err(refused(fill(
                crate::i18n::t().workspaces.manage.transfer_owner_only,
                &[("workspace", &team.name)],
            )));
        }
        // The panel of this member opens again with the answer (JavaScript off too).
        let keep = |e: AppError| e.keep("member", member);
        let proved = passwords::prove_current_password(
            &st,
            &user,
            password,
            "password",
            "transfer_ownership",
        )
        .await
        .map_err(keep)?;

        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let decided = match on_team(&mut tx, workspace_id, &user.user_id).await {
            Ok(team) => store::manage(
                &mut tx,
                &team,
                &user.user_id,
                &user.username,
                member,
                Change::Transfer,
            )
            .await
            .or_internal("transferring ownership")?
            .into_done()
            .map(|m| (team.clone(), m))
            .map_err(|other| refusal(&team, Change::Transfer, other)),
            Err(e) => Err(e),
        };
        let (team, member) = match decided {
            Ok(done) => done,
            Err(e) => {
                drop(tx);
                // The password was right and nothing was done: this try does not count.
                proved.give_back(&st.db).await?;
                return Err(keep(e));
            }
        };
        enqueue(
            &mut tx,
            mail_for(&st, &team, &user.username, Change::Transfer, &member),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        committed(&st);
        tracing::info!("ownership transferred");
        proved.clear(&st.db).await?;
        if is_plain_form_post() {
            leptos_axum::redirect(&format!(
                "/workspaces/{workspace_id}/members?{}=1",
                done_key(Change::Transfer)
            ));
        }
        Ok(done_sentence(&team, Change::Transfer, &member))
    }

    pub async fn leave(workspace_id: &str) -> Result<String, AppError> {
        let user = require_user().await?;
        let st = state()?;
        let mut tx = st.db.begin_write().await.or_internal("begin")?;
        let team = on_team(&mut tx, workspace_id, &user.user_id).await?;
        match store::leave(&mut tx, &team, &user.user_id, &user.username)
            .await
            .or_internal("leaving a team")?
        {
            Left::Left => {}
            Left::NotAllowed(MemberRole::Owner) => {
                return Err(AppError::invalid(fill(
                    crate::i18n::t()
                        .workspaces
                        .manage
                        .owner_leaves_after_transfer,
                    &[("workspace", &team.name)],
                )))
            }
            Left::NotAllowed(_) => {
                return Err(AppError::invalid(fill(
                    crate::i18n::t().workspaces.manage.applicant_cannot_leave,
                    &[("workspace", &team.name)],
                )))
            }
        }
        enqueue(
            &mut tx,
            mail::left(
                user.lang,
                &user.email,
                &user.username,
                &team.name,
                team.role,
                &format!("{}/console", st.config.public_url),
            ),
        )
        .await
        .or_internal("queueing mail")?;
        tx.commit().await.or_internal("commit")?;
        committed(&st);
        tracing::info!(role = team.role.key(), "left a team");
        // Nothing of the workspace is theirs to see any more, with JavaScript or without.
        leptos_axum::redirect("/console");
        Ok(fill(
            crate::i18n::t().workspaces.manage.you_left,
            &[("workspace", &team.name)],
        ))
    }
}
