//! The members page (`/workspaces/{id}/members`): the team (active and blocked members) and its
//! open invitations, searched by e-mail or username and filtered by status and role (a GET
//! form, so it works without JavaScript), for any active member; the invite form and each
//! invitation's Resend and Withdraw for the Owner and Admins; on each member's line the actions
//! the viewer may take on them (change role, block or unblock, remove, make Owner), each
//! confirmed first; and "Leave workspace" for everyone but the Owner. What is offered is what
//! the roles table allows, and the server refuses anything else (403 to a member, 404 to a
//! stranger or a blocked member, like every workspace page).

use super::invitations::{InviteForm, InviteMembers, ResendInvitation, WithdrawInvitation};
use super::management::{
    BlockMember, ChangeMemberRole, LeaveWorkspace, RemoveMember, TransferOwnership, UnblockMember,
    DONE_KEYS,
};
use super::roles::{allows, with_article, TeamAction, TEAM_ROLES};
use crate::applications::MemberRole;
use crate::error::{AppError, ErrorKind};
use crate::i18n::fill;
use crate::ui::form::{last_error, FormAlert, TwoActions};
use crate::ui::guard::ErrorView;
use crate::ui::moment::{in_sentence, with_moments, Moment, When};
use crate::ui::page::Loading;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// Where a line of the members page stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberStatus {
    /// A member of the workspace.
    Active,
    /// Invited; the link works.
    InvitationSent,
    /// Invited; the link no longer works (resend it for 3 more days).
    InvitationExpired,
    /// A member who was blocked: they open nothing of the workspace until unblocked.
    Blocked,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 4] = [
        MemberStatus::Active,
        MemberStatus::Blocked,
        MemberStatus::InvitationSent,
        MemberStatus::InvitationExpired,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Blocked => "blocked",
            MemberStatus::InvitationSent => "invited",
            MemberStatus::InvitationExpired => "expired",
        }
    }

    pub fn label(self) -> &'static str {
        let m = &crate::i18n::t().workspaces.members;
        match self {
            MemberStatus::Active => m.status_active,
            MemberStatus::Blocked => m.status_blocked,
            MemberStatus::InvitationSent => m.status_invitation_sent,
            MemberStatus::InvitationExpired => m.status_invitation_expired,
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The list's search and filters (an unknown value filters nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TeamFilter {
    /// Part of an e-mail address or username (at most 100 characters).
    pub search: String,
    pub status: Option<MemberStatus>,
    pub role: Option<MemberRole>,
}

/// One line of the list: a member or an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeamLine {
    /// The invitation's id (`None` for a member).
    pub invitation_id: Option<String>,
    /// A member's username (an invitation has none yet).
    pub username: Option<String>,
    pub email: String,
    pub role: MemberRole,
    pub status: MemberStatus,
    pub invited_by: Option<String>,
    /// When they joined, or when the invitation was (last) sent.
    pub date: Moment,
    /// When an invitation's link stops (stopped) working.
    pub expires: Option<Moment>,
    /// The viewer may resend and withdraw this invitation.
    pub can_manage: bool,
    /// This line is the viewer.
    pub you: bool,
    /// What the viewer may do to this member (nothing, for an invitation and for oneself).
    pub actions: MemberActions,
}

/// What a viewer may do to another member, as the roles table says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberActions {
    /// The roles the viewer may give them (empty: no role change).
    pub roles: Vec<MemberRole>,
    /// Block them (when active) or unblock them (when blocked).
    pub block: bool,
    pub remove: bool,
    /// Make them the Owner: the viewer is the Owner, they an active Admin.
    pub transfer: bool,
}

impl MemberActions {
    /// A `viewer` looking at another member of `role` and `status`.
    pub fn of(viewer: MemberRole, role: MemberRole, status: MemberStatus) -> Self {
        MemberActions {
            roles: TEAM_ROLES
                .into_iter()
                .filter(|to| {
                    allows(
                        viewer,
                        TeamAction::ChangeRole {
                            from: role,
                            to: *to,
                        },
                    )
                })
                .collect(),
            block: allows(viewer, TeamAction::Block(role)),
            remove: allows(viewer, TeamAction::Remove(role)),
            transfer: allows(viewer, TeamAction::TransferOwnership)
                && role == MemberRole::Admin
                && status == MemberStatus::Active,
        }
    }

    pub fn any(&self) -> bool {
        !self.roles.is_empty() || self.block || self.remove || self.transfer
    }
}

/// The members page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub workspace_id: String,
    pub workspace_name: String,
    /// Only an approved workspace has a team to invite to.
    pub approved: bool,
    /// The viewer's role.
    pub my_role: MemberRole,
    /// The roles the viewer may invite people as (empty: no invite form).
    pub invitable: Vec<MemberRole>,
    pub lines: Vec<TeamLine>,
    /// A search or filter is applied.
    pub filtered: bool,
    /// The viewer may leave the team (everyone but the Owner, who transfers first).
    pub can_leave: bool,
}

/// The team of a workspace the caller is an active member of (anyone else: 404).
#[server(name = WorkspaceTeam, endpoint = "workspaces/members")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty, workspace = %id))
)]
pub async fn workspace_team(
    id: String,
    #[server(default)] q: String,
    #[server(default)] status: String,
    #[server(default)] role: String,
) -> Result<TeamView, AppError> {
    use super::roles::invitable_by;
    use super::store;
    use crate::domain::Status;
    use crate::server::db::now_ms;
    use crate::server::request::{state, OrInternal};
    use crate::ui::moment;
    let user = crate::accounts::require_user().await?;
    let st = state()?;
    let Some(team) = store::team(&st.db.pool, &id, &user.user_id)
        .await
        .or_internal("reading a team")?
    else {
        return Err(AppError::not_found());
    };
    let filter = TeamFilter {
        search: q.trim().chars().take(100).collect(),
        status: MemberStatus::parse(&status),
        role: MemberRole::parse(&role),
    };
    let now = now_ms();
    let approved = team.status == Status::Approved;
    let lines = store::lines(&st.db, &id, &filter, now)
        .await
        .or_internal("listing a team")?
        .into_iter()
        .map(|l| {
            let you = l.user_id.as_deref() == Some(user.user_id.as_str());
            let actions = if l.user_id.is_some() && !you {
                MemberActions::of(team.role, l.role, l.status)
            } else {
                MemberActions::default()
            };
            TeamLine {
                can_manage: approved
                    && l.invitation_id.is_some()
                    && allows(team.role, TeamAction::Invite(l.role)),
                you,
                actions,
                invitation_id: l.invitation_id,
                username: l.username,
                email: l.email,
                role: l.role,
                status: l.status,
                invited_by: l.invited_by,
                date: moment::at(l.at),
                expires: l.expires_at.map(moment::at),
            }
        })
        .collect();
    Ok(TeamView {
        can_leave: allows(team.role, TeamAction::Leave),
        invitable: if approved {
            invitable_by(team.role)
        } else {
            Vec::new()
        },
        workspace_id: team.workspace_id,
        workspace_name: team.name,
        approved,
        my_role: team.role,
        lines,
        filtered: filter != TeamFilter::default(),
    })
}

/// "Resend" and "Withdraw" on an invitation.
pub type InvitationActions = TwoActions<ResendInvitation, WithdrawInvitation>;

/// The actions on members, one server function each (made with the page, so their answers
/// outlive the re-render their changes cause), and the answer of the one sent last.
#[derive(Clone, Copy)]
pub struct TeamActions {
    pub change_role: ServerAction<ChangeMemberRole>,
    pub block: ServerAction<BlockMember>,
    pub unblock: ServerAction<UnblockMember>,
    pub remove: ServerAction<RemoveMember>,
    pub transfer: ServerAction<TransferOwnership>,
    pub leave: ServerAction<LeaveWorkspace>,
    /// The error of the action sent last (or the one a plain form post came back with).
    pub error: Signal<Option<AppError>>,
    /// The sentence of the action sent last, when it was done.
    pub done: Signal<Option<String>>,
}

impl Default for TeamActions {
    fn default() -> Self {
        Self::new()
    }
}

impl TeamActions {
    pub fn new() -> Self {
        let change_role = ServerAction::<ChangeMemberRole>::new();
        let block = ServerAction::<BlockMember>::new();
        let unblock = ServerAction::<UnblockMember>::new();
        let remove = ServerAction::<RemoveMember>::new();
        let transfer = ServerAction::<TransferOwnership>::new();
        let leave = ServerAction::<LeaveWorkspace>::new();
        let pending: [Signal<bool>; 6] = [
            change_role.pending().into(),
            block.pending().into(),
            unblock.pending().into(),
            remove.pending().into(),
            transfer.pending().into(),
            leave.pending().into(),
        ];
        let errors = [
            last_error(change_role.value()),
            last_error(block.value()),
            last_error(unblock.value()),
            last_error(remove.value()),
            last_error(transfer.value()),
            last_error(leave.value()),
        ];
        let dones = [
            done_of(change_role.value()),
            done_of(block.value()),
            done_of(unblock.value()),
            done_of(remove.value()),
            done_of(transfer.value()),
            done_of(leave.value()),
        ];
        // Which was sent last (in the browser); `None` before any: then at most one of them
        // has an answer, carried back to a form posted without JavaScript.
        let last = RwSignal::new(None::<usize>);
        for (n, p) in pending.into_iter().enumerate() {
            Effect::new(move |_| {
                if p.get() {
                    last.set(Some(n));
                }
            });
        }
        let error = Signal::derive(move || match last.get() {
            Some(n) => errors[n].get(),
            None => errors.iter().find_map(|e| e.get()),
        });
        let done = Signal::derive(move || match last.get() {
            Some(n) => dones[n].get(),
            None => dones.iter().find_map(|d| d.get()),
        });
        Self {
            change_role,
            block,
            unblock,
            remove,
            transfer,
            leave,
            error,
            done,
        }
    }

    /// One of them is on its way.
    pub fn pending(self) -> bool {
        self.change_role.pending().get()
            || self.block.pending().get()
            || self.unblock.pending().get()
            || self.remove.pending().get()
            || self.transfer.pending().get()
            || self.leave.pending().get()
    }

    /// Subscribes the caller to each completion of the actions that change the team; not
    /// `leave`, after which the page goes to the CONSOLE.
    fn track_changes(self) {
        self.change_role.version().track();
        self.block.version().track();
        self.unblock.version().track();
        self.remove.version().track();
        self.transfer.version().track();
    }

    /// Forgets their answers (another action on the page was sent).
    fn forget(self) {
        self.change_role.value().set(None);
        self.block.value().set(None);
        self.unblock.value().set(None);
        self.remove.value().set(None);
        self.transfer.value().set(None);
        self.leave.value().set(None);
    }
}

/// The sentence of a team action that was done.
fn done_of<S>(value: S) -> Signal<Option<String>>
where
    S: Get<Value = Option<Result<String, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || match value.get() {
        Some(Ok(said)) => Some(said),
        _ => None,
    })
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let w = &crate::i18n::t().workspaces;
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let filter = move || {
        query.with(|q| {
            (
                q.get("q").unwrap_or_default(),
                q.get("status").unwrap_or_default(),
                q.get("role").unwrap_or_default(),
            )
        })
    };
    let invite = ServerAction::<InviteMembers>::new();
    let actions = InvitationActions::new();
    let team_actions = TeamActions::new();
    // One notice at a time: sending an invitation's action forgets the members' last answer,
    // and the other way round.
    Effect::new(move |_| {
        if invite.pending().get() || actions.pending() {
            team_actions.forget();
        }
    });
    Effect::new(move |_| {
        if invite.pending().get() {
            actions.first.value().set(None);
            actions.second.value().set(None);
        }
    });
    Effect::new(move |_| {
        if actions.pending() {
            invite.value().set(None);
        }
    });
    Effect::new(move |_| {
        if team_actions.pending() {
            invite.value().set(None);
            actions.first.value().set(None);
            actions.second.value().set(None);
        }
    });
    // The page is drawn from `team`, fetched when the address changes and when `redraw` moves.
    // After an action here, or when the live feed reports a change to this workspace (see
    // `crate::live`), the team is fetched again and only its lines are applied (`lines`), in
    // place: a line that did not change keeps its elements, so an open confirmation, a typed
    // password and the focus survive another admin's change. What the page offers around the
    // list (the viewer's role, the invite form, leaving) changing, or access lost, redraws it.
    let redraw = RwSignal::new(0u32);
    let team = Resource::new(
        move || (id(), filter(), redraw.get()),
        |(id, (q, status, role), _)| workspace_team(id, q, status, role),
    );
    let lines = RwSignal::new(None::<Vec<TeamLine>>);
    // The drawn page: for which workspace and filters, and its view without its lines (to tell
    // a refetch that changes only lines).
    let drawn = StoredValue::new(None::<(Asked, TeamView)>);
    let asked_for = move || untrack(|| (id(), filter()));
    let refresh = crate::live::use_application_refresh(id);
    let asked = StoredValue::new(0u64);
    Effect::new(move |first_run: Option<()>| {
        refresh.track();
        invite.version().track();
        actions.version();
        team_actions.track_changes();
        if first_run.is_none() {
            return;
        }
        // Only the answer to the newest request is applied, and only to the page it was asked
        // for (the filters or the workspace may have changed meanwhile).
        asked.update_value(|n| *n += 1);
        let ask = asked.get_value();
        let key = asked_for();
        let (id, (q, status, role)) = key.clone();
        leptos::task::spawn_local(async move {
            let answer = workspace_team(id, q, status, role).await;
            let left = matches!(team_actions.leave.value().get_untracked(), Some(Ok(_)));
            if asked.get_value() != ask || asked_for() != key || left {
                return;
            }
            match answer {
                Ok(mut t) => {
                    let fetched = std::mem::take(&mut t.lines);
                    if drawn.with_value(|d| d.as_ref() == Some(&(key, t))) {
                        lines.set(Some(fetched));
                    } else {
                        redraw.update(|n| *n += 1);
                    }
                }
                Err(_) => redraw.update(|n| *n += 1),
            }
        });
    });
    view! {
        <Title text=w.members.title/>
        <section class="panel panel--wide team" aria-labelledby="members-title">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let answer = team.await;
                    let key = asked_for();
                    match answer {
                        Ok(mut t) => {
                            let first = std::mem::take(&mut t.lines);
                            drawn.set_value(Some((key, t.clone())));
                            *lines.write_untracked() = None;
                            let shown = Memo::new(move |_| lines.get().unwrap_or_else(|| first.clone()));
                            EitherOf3::A(view! { <Team t shown invite actions team_actions/> })
                        }
                        Err(e) if e.kind == ErrorKind::NotFound => {
                            // This workspace's team was on the page until now: access was lost.
                            let had_access = drawn.with_value(|d| d.as_ref().is_some_and(|(k, _)| k.0 == key.0));
                            EitherOf3::B(view! { <super::WorkspaceNotFound had_access/> })
                        }
                        Err(e) => EitherOf3::C(view! { <ErrorView error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A members page as asked for: the workspace, and the search and filters (q, status, role).
type Asked = (String, (String, String, String));

/// What the last action did, from its answer (JavaScript on; followed, since the page is not
/// redrawn after an action) or from the query of the page a plain form post was redirected to
/// (fixed sentences only: the query is anyone's to write).
fn notice(
    invite: ServerAction<InviteMembers>,
    actions: InvitationActions,
    team_actions: TeamActions,
    query: Memo<leptos_router::params::ParamsMap>,
) -> Option<String> {
    let m = &crate::i18n::t().workspaces.members;
    if let Some(said) = team_actions.done.get() {
        return Some(said);
    }
    if let Some(Ok(sent)) = invite.value().get() {
        return Some(sent.sentence());
    }
    if let Some(Ok(())) = actions.first.value().get() {
        return Some(m.resent.to_string());
    }
    if let Some(Ok(())) = actions.second.value().get() {
        return Some(m.withdrawn.to_string());
    }
    query.with_untracked(|q| {
        if let Some(n) = q.get("invited").and_then(|n| n.parse::<u32>().ok()) {
            Some(if n == 1 {
                m.invited_one.to_string()
            } else {
                fill(m.invited_other, &[("count", &n)])
            })
        } else if q.get("resent").is_some() {
            Some(m.resent.to_string())
        } else if q.get("withdrawn").is_some() {
            Some(m.withdrawn.to_string())
        } else {
            // What each team action's `DONE_KEYS` query says (same order).
            let done_said = [
                m.done_role_changed,
                m.done_blocked,
                m.done_unblocked,
                m.done_removed,
                m.done_transferred,
            ];
            DONE_KEYS
                .into_iter()
                .zip(done_said)
                .find(|(key, _)| q.get(key).is_some())
                .map(|(_, said)| said.to_string())
        }
    })
}

#[component]
fn Team(
    t: TeamView,
    /// The lines shown: those `t` came with, then each refetch's (see `MembersPage`).
    shown: Memo<Vec<TeamLine>>,
    invite: ServerAction<InviteMembers>,
    actions: InvitationActions,
    team_actions: TeamActions,
) -> impl IntoView {
    let TeamView {
        workspace_id,
        workspace_name,
        approved,
        my_role,
        invitable,
        lines: _,
        filtered,
        can_leave,
    } = t;
    let (w, frame) = (&crate::i18n::t().workspaces, &crate::i18n::t().frame);
    let query = use_query_map();
    let said = move || notice(invite, actions, team_actions, query);
    let base = format!("/workspaces/{workspace_id}/members");
    let clear = filtered.then(|| {
        let href = base.clone();
        view! { <a class="btn btn--ghost" href=href>{w.members.clear}</a> }
    });
    let (q, status, role) = query.with_untracked(|q| {
        (
            q.get("q").unwrap_or_default(),
            q.get("status").unwrap_or_default(),
            q.get("role").unwrap_or_default(),
        )
    });
    let option = |value: &'static str, label: &'static str, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let status_options = MemberStatus::ALL
        .into_iter()
        .map(|s| option(s.key(), s.label(), &status))
        .collect_view();
    let role_options = MemberRole::ALL
        .into_iter()
        .map(|r| option(r.key(), r.label(), &role))
        .collect_view();
    let before_approval = (!approved).then(|| {
        view! {
            <p class="alert alert--info" role="status">
                {fill(w.invite_once_approved, &[("workspace", &workspace_name)])}
            </p>
        }
    });
    let form = (!invitable.is_empty()).then(|| {
        view! { <InviteForm workspace_id=workspace_id.clone() roles=invitable.clone() action=invite/> }
    });
    let leaving = view! {
        <Leave workspace_id=workspace_id.clone() workspace_name=workspace_name.clone()
            my_role can_leave team_actions/>
    };
    let empty = Memo::new(move |_| shown.with(Vec::is_empty));
    let list_of = (workspace_id.clone(), workspace_name.clone());
    let count = move || {
        let n = shown.with(Vec::len);
        if n == 1 {
            fill(w.members.count_one, &[("count", &n)])
        } else {
            fill(w.members.count_other, &[("count", &n)])
        }
    };
    view! {
        <p class="breadcrumb"><a href="/console">{frame.console_nav}</a> " / "
            <a href=format!("/workspaces/{workspace_id}")>{workspace_name.clone()}</a> " / " {w.members.title}</p>
        <div class="panel__head">
            <h1 id="members-title">{w.members.title}</h1>
            <span class="badge badge--role">{fill(w.members.your_role, &[("role", &my_role.label())])}</span>
        </div>
        {move || said().map(|s| view! { <p class="alert alert--success" role="status">{s}</p> })}
        {before_approval}
        {form}
        <h2 id="team-list-title">{w.members.team}</h2>
        <Form method="GET" action=base attr:class="filters" attr:role="search">
            <div class="field field--inline field--grow">
                <label for="filter-q" class="field__label">{w.members.search}</label>
                <input id="filter-q" name="q" type="search" value=q placeholder=w.members.search_placeholder maxlength="100"/>
            </div>
            <div class="field field--inline">
                <label for="filter-status" class="field__label">{w.members.status}</label>
                <select id="filter-status" name="status">
                    <option value="">{w.members.all_statuses}</option>
                    {status_options}
                </select>
            </div>
            <div class="field field--inline">
                <label for="filter-role" class="field__label">{w.members.role}</label>
                <select id="filter-role" name="role">
                    <option value="">{w.members.all_roles}</option>
                    {role_options}
                </select>
            </div>
            <button type="submit" class="btn btn--secondary">{w.members.apply}</button>
            {clear}
        </Form>
        <FormAlert error=actions.error/>
        <FormAlert error=team_actions.error/>
        {move || if empty.get() {
            Either::Left(view! {
                <div class="empty-state">
                    <h2>{if filtered { w.members.empty_filtered_title } else { w.members.empty_title }}</h2>
                    <p>{if filtered { w.members.empty_filtered_text } else { w.members.empty_text }}</p>
                </div>
            })
        } else {
            let (workspace_id, workspace_name) = list_of.clone();
            Either::Right(view! {
                <div class="table-wrap">
                    <table class="team-table" aria-labelledby="team-list-title">
                        <thead>
                            <tr>
                                <th scope="col">{w.members.col_member}</th>
                                <th scope="col">{w.members.role}</th>
                                <th scope="col">{w.members.status}</th>
                                <th scope="col">{w.members.col_invited_by}</th>
                                <th scope="col">{w.members.col_date}</th>
                                <th scope="col"><span class="visually-hidden">{w.members.col_actions}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            // Keyed by the whole line: an unchanged line is left as it is.
                            <For each=move || shown.get() key=|line| line.clone() children=move |line| view! {
                                <Line line workspace_id=workspace_id.clone()
                                    workspace_name=workspace_name.clone() actions team_actions/>
                            }/>
                        </tbody>
                    </table>
                </div>
                <p class="muted">{count}</p>
            })
        }}
        {leaving}
    }
}

#[component]
fn Line(
    line: TeamLine,
    workspace_id: String,
    workspace_name: String,
    actions: InvitationActions,
    team_actions: TeamActions,
) -> impl IntoView {
    let TeamLine {
        invitation_id,
        username,
        email,
        role,
        status,
        invited_by,
        date,
        expires,
        can_manage,
        you,
        actions: can,
    } = line;
    let w = &crate::i18n::t().workspaces;
    let who = match username.clone() {
        Some(name) => Either::Left(view! {
            <span class="team-table__name">{name}</span>
            {you.then(|| view! { <span class="team-table__you">{w.members.you}</span> })}
            <span class="team-table__email">{email.clone()}</span>
        }),
        None => Either::Right(view! { <span class="team-table__name">{email.clone()}</span> }),
    };
    let when = match (status, expires) {
        (MemberStatus::Active | MemberStatus::Blocked, _) => {
            EitherOf3::A(in_sentence(w.members.joined, "date", date, &[]))
        }
        (MemberStatus::InvitationSent, Some(e)) => EitherOf3::B(with_moments(
            w.members.sent_expires,
            vec![("date", date), ("expires", e)],
            &[],
        )),
        (MemberStatus::InvitationExpired, Some(e)) => EitherOf3::B(with_moments(
            w.members.sent_expired,
            vec![("date", date), ("expires", e)],
            &[],
        )),
        (_, None) => EitherOf3::C(view! { <When at=date/> }),
    };
    let manage = match (invitation_id, username) {
        (Some(invitation_id), _) if can_manage => Some(Either::Left(view! {
            <InvitationButtons workspace_id invitation_id email=email.clone() actions/>
        })),
        (None, Some(name)) if can.any() => Some(Either::Right(view! {
            <MemberButtons workspace_id workspace_name name role status can team_actions/>
        })),
        _ => None,
    };
    view! {
        <tr>
            <th scope="row">{who}</th>
            <td>{role.label()}</td>
            <td><span class=format!("badge badge--member-{}", status.key())>{status.label()}</span></td>
            <td>{invited_by.unwrap_or_else(|| "—".to_string())}</td>
            <td>{when}</td>
            <td><div class="team-table__actions">{manage}</div></td>
        </tr>
    }
}

/// The hidden fields every member action's form sends: the workspace and the member.
fn member_fields(workspace_id: String, member: String) -> impl IntoView {
    view! {
        <input type="hidden" name="workspace_id" value=workspace_id/>
        <input type="hidden" name="member" value=member/>
    }
}

/// On a member's line: change role, block or unblock, remove, make Owner, as `can` says; each
/// confirmed first (a disclosure, so it works without JavaScript). Making someone the Owner
/// asks for the viewer's password; a refusal opens that panel again with its answer.
#[component]
fn MemberButtons(
    workspace_id: String,
    workspace_name: String,
    /// The member's username.
    name: String,
    role: MemberRole,
    status: MemberStatus,
    can: MemberActions,
    team_actions: TeamActions,
) -> impl IntoView {
    let w = &crate::i18n::t().workspaces;
    let busy = move || team_actions.pending();

    let change_role = (!can.roles.is_empty()).then(|| {
        let fields = member_fields(workspace_id.clone(), name.clone());
        let summary = fill(w.members.change_role_summary, &[("name", &name)]);
        let now = fill(w.manage.is_role_now, &[("role", &with_article(role)), ("name", &name)]);
        let (select_for, select_id) = (format!("role-for-{name}"), format!("role-for-{name}"));
        let label = fill(w.members.new_role_for, &[("name", &name)]);
        let options = can
            .roles
            .iter()
            .map(|r| view! { <option value=r.key()>{r.label()}</option> })
            .collect_view();
        view! {
            <details class="confirm">
                <summary class="btn btn--ghost btn--small" aria-label=summary>{w.members.change_role}</summary>
                <div class="confirm__panel">
                    <ActionForm action=team_actions.change_role>
                        {fields}
                        <p>{now}</p>
                        <label for=select_for class="field__label">{label}</label>
                        <select id=select_id name="role">{options}</select>
                        <p class="muted">{w.members.role_change_emailed}</p>
                        <button type="submit" class="btn btn--primary btn--small" disabled=busy>{w.members.save_role}</button>
                    </ActionForm>
                </div>
            </details>
        }
    });

    let block = can.block.then(|| {
        let fields = member_fields(workspace_id.clone(), name.clone());
        if status == MemberStatus::Blocked {
            let summary = fill(w.members.unblock_summary, &[("name", &name)]);
            let text = fill(
                w.members.unblock_confirm,
                &[
                    ("role", &with_article(role)),
                    ("name", &name),
                    ("workspace", &workspace_name),
                ],
            );
            Either::Left(view! {
                <details class="confirm">
                    <summary class="btn btn--ghost btn--small" aria-label=summary>{w.members.unblock}</summary>
                    <div class="confirm__panel">
                        <p>{text}</p>
                        <ActionForm action=team_actions.unblock>
                            {fields}
                            <button type="submit" class="btn btn--primary btn--small" disabled=busy>{w.members.unblock_member}</button>
                        </ActionForm>
                    </div>
                </details>
            })
        } else {
            let summary = fill(w.members.block_summary, &[("name", &name)]);
            let text = fill(
                w.members.block_confirm,
                &[("name", &name), ("workspace", &workspace_name)],
            );
            Either::Right(view! {
                <details class="confirm">
                    <summary class="btn btn--ghost btn--small" aria-label=summary>{w.members.block}</summary>
                    <div class="confirm__panel">
                        <p>{text}</p>
                        <ActionForm action=team_actions.block>
                            {fields}
                            <button type="submit" class="btn btn--danger btn--small" disabled=busy>{w.members.block_member}</button>
                        </ActionForm>
                    </div>
                </details>
            })
        }
    });

    let remove = can.remove.then(|| {
        let fields = member_fields(workspace_id.clone(), name.clone());
        let summary = fill(w.members.remove_summary, &[("name", &name)]);
        let text = fill(
            w.members.remove_confirm,
            &[("name", &name), ("workspace", &workspace_name)],
        );
        view! {
            <details class="confirm">
                <summary class="btn btn--ghost btn--small" aria-label=summary>{w.members.remove}</summary>
                <div class="confirm__panel">
                    <p>{text}</p>
                    <ActionForm action=team_actions.remove>
                        {fields}
                        <button type="submit" class="btn btn--danger btn--small" disabled=busy>{w.members.remove_member}</button>
                    </ActionForm>
                </div>
            </details>
        }
    });

    let transfer = can.transfer.then(|| {
        let fields = member_fields(workspace_id.clone(), name.clone());
        let summary = fill(w.members.transfer_summary, &[("name", &name)]);
        let text = fill(
            w.members.transfer_confirm,
            &[("name", &name), ("workspace", &workspace_name)],
        );
        let password_id = format!("password-for-{name}");
        let (label_for, error_id, described_by) = (
            password_id.clone(),
            format!("{password_id}-error"),
            format!("{password_id}-error"),
        );
        // The answer of a transfer to this member (a wrong password, say) opens its panel,
        // with JavaScript or without.
        let member = name.clone();
        let mine = Signal::derive(move || {
            team_actions
                .error
                .get()
                .filter(|e| e.kept_value("member").as_deref() == Some(member.as_str()))
        });
        let answer = Signal::derive(move || {
            mine.get()
                .map(|e| e.field_message("password").unwrap_or(e.message))
        });
        view! {
            <details class="confirm" open=move || mine.get().is_some()>
                <summary class="btn btn--ghost btn--small" aria-label=summary>{w.members.make_owner}</summary>
                <div class="confirm__panel">
                    <p>{text}</p>
                    <ActionForm action=team_actions.transfer>
                        {fields}
                        <div class="field" class:field--invalid=move || answer.get().is_some()>
                            <label for=label_for class="field__label">{w.members.your_password}</label>
                            <input id=password_id type="password" name="password" autocomplete="current-password"
                                aria-describedby=described_by
                                aria-invalid=move || answer.get().is_some().then_some("true")/>
                            <p id=error_id class="field__error" role="alert">{move || answer.get()}</p>
                        </div>
                        <button type="submit" class="btn btn--danger btn--small" disabled=busy>{w.members.transfer_ownership}</button>
                    </ActionForm>
                </div>
            </details>
        }
    });

    view! { {change_role} {block} {remove} {transfer} }
}

/// "Leave workspace" (confirmed first) for an Admin, Developer or Operator; the Owner is told
/// how to leave: transfer the ownership first.
#[component]
fn Leave(
    workspace_id: String,
    workspace_name: String,
    my_role: MemberRole,
    can_leave: bool,
    team_actions: TeamActions,
) -> impl IntoView {
    let w = &crate::i18n::t().workspaces;
    if can_leave {
        let text = fill(w.members.leave_confirm, &[("workspace", &workspace_name)]);
        let button = fill(w.members.leave_button, &[("workspace", &workspace_name)]);
        Some(Either::Left(view! {
            <div class="team-leave">
                <details class="confirm">
                    <summary class="btn btn--secondary">{w.members.leave_workspace}</summary>
                    <div class="confirm__panel">
                        <p>{text}</p>
                        <ActionForm action=team_actions.leave>
                            <input type="hidden" name="workspace_id" value=workspace_id/>
                            <button type="submit" class="btn btn--danger btn--small"
                                disabled=move || team_actions.pending()>{button}</button>
                        </ActionForm>
                    </div>
                </details>
            </div>
        }))
    } else if my_role == MemberRole::Owner {
        Some(Either::Right(view! {
            <p class="team-leave muted">
                {fill(w.members.owner_cannot_leave, &[("workspace", &workspace_name)])}
            </p>
        }))
    } else {
        None
    }
}

/// Resend and Withdraw, each confirmed first (a disclosure, so it works without JavaScript).
#[component]
fn InvitationButtons(
    workspace_id: String,
    invitation_id: String,
    email: String,
    actions: InvitationActions,
) -> impl IntoView {
    let w = &crate::i18n::t().workspaces;
    let (resend_workspace, resend_invitation) = (workspace_id.clone(), invitation_id.clone());
    let (resend_label, withdraw_label) = (
        fill(w.members.resend_label, &[("email", &email)]),
        fill(w.members.withdraw_label, &[("email", &email)]),
    );
    let resend_text = fill(w.members.resend_confirm, &[("email", &email)]);
    let withdraw_text = fill(w.members.withdraw_confirm, &[("email", &email)]);
    view! {
        <details class="confirm">
            <summary class="btn btn--ghost btn--small" aria-label=resend_label>{w.members.resend}</summary>
            <div class="confirm__panel">
                <p>{resend_text}</p>
                <ActionForm action=actions.first>
                    <input type="hidden" name="workspace_id" value=resend_workspace/>
                    <input type="hidden" name="invitation_id" value=resend_invitation/>
                    <button type="submit" class="btn btn--primary btn--small"
                        disabled=move || actions.pending()>{w.members.resend_invitation}</button>
                </ActionForm>
            </div>
        </details>
        <details class="confirm">
            <summary class="btn btn--ghost btn--small" aria-label=withdraw_label>{w.members.withdraw}</summary>
            <div class="confirm__panel">
                <p>{withdraw_text}</p>
                <ActionForm action=actions.second>
                    <input type="hidden" name="workspace_id" value=workspace_id/>
                    <input type="hidden" name="invitation_id" value=invitation_id/>
                    <button type="submit" class="btn btn--danger btn--small"
                        disabled=move || actions.pending()>{w.members.withdraw_invitation}</button>
                </ActionForm>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberRole::*;

    #[test]
    fn a_line_offers_what_the_roles_table_allows() {
        let none = MemberActions::default();
        // The Owner: any other role for Admins, Developers and Operators; Make Owner on an
        // active Admin only; nothing on the Owner.
        let admin = MemberActions::of(Owner, Admin, MemberStatus::Active);
        assert_eq!(admin.roles, [Developer, Operator]);
        assert!(admin.block && admin.remove && admin.transfer);
        assert!(!MemberActions::of(Owner, Admin, MemberStatus::Blocked).transfer);
        let dev = MemberActions::of(Owner, Developer, MemberStatus::Active);
        assert_eq!(dev.roles, [Admin, Operator]);
        assert!(dev.block && dev.remove && !dev.transfer);
        assert_eq!(MemberActions::of(Owner, Owner, MemberStatus::Active), none);
        // An Admin: Developers and Operators, between those two roles only.
        let op = MemberActions::of(Admin, Operator, MemberStatus::Blocked);
        assert_eq!(op.roles, [Developer]);
        assert!(op.block && op.remove && !op.transfer);
        assert_eq!(MemberActions::of(Admin, Admin, MemberStatus::Active), none);
        assert_eq!(MemberActions::of(Admin, Owner, MemberStatus::Active), none);
        // Developers and Operators: nothing.
        for viewer in [Developer, Operator, Applicant] {
            for role in [Owner, Admin, Developer, Operator] {
                let got = MemberActions::of(viewer, role, MemberStatus::Active);
                assert!(!got.any(), "{viewer:?} on {role:?}: {got:?}");
            }
        }
    }

    #[test]
    fn statuses_have_keys_for_the_filter() {
        for s in MemberStatus::ALL {
            assert_eq!(MemberStatus::parse(s.key()), Some(s));
        }
        assert_eq!(MemberStatus::parse("blocked"), Some(MemberStatus::Blocked));
        assert_eq!(MemberStatus::Blocked.label(), "Blocked");
    }
}
