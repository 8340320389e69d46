//! A workspace's team (issue 11): the roles table every check reads (`roles`), invitations
//! (invite 1 to 10 addresses with one role, resend, withdraw, and the link's page where the
//! invited address joins), managing members (`management`: change a role, block and unblock,
//! remove, transfer the ownership, leave), and the members page. The workspace itself (its
//! application, members' rows, history) is `crate::applications`; the console lists the
//! workspaces a user belongs to.

mod invitations;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod management;
mod members;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod store;

pub use invitations::{
    mask, parse_addresses, InvitationLookup, InvitationPage, InvitationView, InviteMembers,
    InvitesSent, JoinWorkspace, ResendInvitation, Viewer, WithdrawInvitation, INVALID_LINK,
    MAX_AT_ONCE,
};
pub use management::{
    BlockMember, ChangeMemberRole, LeaveWorkspace, RemoveMember, TransferOwnership, UnblockMember,
};
pub use members::{
    InvitationActions, MemberActions, MemberStatus, MembersPage, TeamActions, TeamFilter, TeamLine,
    TeamView, WorkspaceTeam,
};
pub use roles::{allows, TeamAction};

use leptos::prelude::*;

/// A workspace page's "not found" (404 when rendered on the server): to a stranger, nothing
/// about the workspace; to someone whose open page showed it until a refetch was refused,
/// that they lost access (removed or blocked), since the live feed brought them here.
#[component]
pub fn WorkspaceNotFound(
    /// The page showed this workspace before (only ever true in the browser).
    had_access: bool,
) -> impl IntoView {
    let w = &crate::i18n::t().workspaces;
    let text = if had_access { w.no_access } else { w.not_found };
    view! {
        <crate::ui::page::NotFound text back_href="/console" back_label=w.back_to_console/>
    }
}
