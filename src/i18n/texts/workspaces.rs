//! A workspace's team: members, invitations, roles, management.

#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct Workspaces {
    /// A workspace page refused after it was shown (removed or blocked meanwhile).
    pub no_access: &'static str,
    pub not_found: &'static str,
    pub back_to_console: &'static str,
    /// The members page before approval, and inviting then: `{workspace}`.
    pub invite_once_approved: &'static str,
    pub roles: WorkspaceRoles,
    pub members: WorkspaceMembers,
    pub invite: WorkspaceInvite,
    pub invitation: WorkspaceInvitation,
    pub manage: WorkspaceManage,
}

/// The roles' names with an article, where a sentence needs one ("as an Admin"; the plain
/// names are `review.application.member_*`), and what each may do.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct WorkspaceRoles {
    pub an_owner: &'static str,
    pub an_admin: &'static str,
    pub a_developer: &'static str,
    pub an_operator: &'static str,
    pub an_applicant: &'static str,
    pub describe_owner: &'static str,
    pub describe_admin: &'static str,
    pub describe_developer: &'static str,
    pub describe_operator: &'static str,
    pub describe_applicant: &'static str,
}

/// The members page: the list, its filters, each line's actions and their confirmations, the
/// notices after an action.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct WorkspaceMembers {
    pub status_active: &'static str,
    pub status_blocked: &'static str,
    pub status_invitation_sent: &'static str,
    pub status_invitation_expired: &'static str,
    /// The page's title, heading and breadcrumb's last step.
    pub title: &'static str,
    /// `{role}`: the viewer's role.
    pub your_role: &'static str,
    pub team: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    /// The status filter's label and the list's column.
    pub status: &'static str,
    pub all_statuses: &'static str,
    /// The role filter's label and the list's column.
    pub role: &'static str,
    pub all_roles: &'static str,
    pub apply: &'static str,
    pub clear: &'static str,
    pub empty_filtered_title: &'static str,
    pub empty_filtered_text: &'static str,
    pub empty_title: &'static str,
    pub empty_text: &'static str,
    pub col_member: &'static str,
    pub col_invited_by: &'static str,
    pub col_date: &'static str,
    pub col_actions: &'static str,
    /// Under the list: `{count}` lines (1).
    pub count_one: &'static str,
    /// Under the list: `{count}` lines (any other number).
    pub count_other: &'static str,
    /// Beside the viewer's own username.
    pub you: &'static str,
    /// A member's date: `{date}`.
    pub joined: &'static str,
    /// An invitation's dates: `{date}` sent, `{expires}`.
    pub sent_expires: &'static str,
    /// An expired invitation's dates: `{date}` sent, `{expires}`.
    pub sent_expired: &'static str,
    /// `{name}`: the member's username (also in every `*_summary`, `*_confirm` below).
    pub change_role_summary: &'static str,
    pub change_role: &'static str,
    pub new_role_for: &'static str,
    pub role_change_emailed: &'static str,
    pub save_role: &'static str,
    pub unblock_summary: &'static str,
    pub unblock: &'static str,
    /// `{name}`, `{workspace}`, `{role}` (with its article).
    pub unblock_confirm: &'static str,
    pub unblock_member: &'static str,
    pub block_summary: &'static str,
    pub block: &'static str,
    /// `{name}`, `{workspace}`.
    pub block_confirm: &'static str,
    pub block_member: &'static str,
    pub remove_summary: &'static str,
    pub remove: &'static str,
    /// `{name}`, `{workspace}`.
    pub remove_confirm: &'static str,
    pub remove_member: &'static str,
    pub transfer_summary: &'static str,
    pub make_owner: &'static str,
    /// `{name}` (twice), `{workspace}`.
    pub transfer_confirm: &'static str,
    pub your_password: &'static str,
    pub transfer_ownership: &'static str,
    pub leave_workspace: &'static str,
    /// `{workspace}`.
    pub leave_confirm: &'static str,
    /// `{workspace}`.
    pub leave_button: &'static str,
    /// `{workspace}`.
    pub owner_cannot_leave: &'static str,
    /// `{email}`: the invited address (also in the other invitation sentences below).
    pub resend_label: &'static str,
    pub resend: &'static str,
    pub resend_confirm: &'static str,
    pub resend_invitation: &'static str,
    pub withdraw_label: &'static str,
    pub withdraw: &'static str,
    pub withdraw_confirm: &'static str,
    pub withdraw_invitation: &'static str,
    /// After inviting without JavaScript: one invitation.
    pub invited_one: &'static str,
    /// After inviting without JavaScript: `{count}` invitations.
    pub invited_other: &'static str,
    pub resent: &'static str,
    pub withdrawn: &'static str,
    pub done_role_changed: &'static str,
    pub done_blocked: &'static str,
    pub done_unblocked: &'static str,
    pub done_removed: &'static str,
    pub done_transferred: &'static str,
}

/// Inviting: the form, the addresses' errors, the refusals, the notice.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct WorkspaceInvite {
    pub title: &'static str,
    pub emails_label: &'static str,
    /// `{max}` addresses at once.
    pub emails_help: &'static str,
    pub role_label: &'static str,
    pub send: &'static str,
    pub sending: &'static str,
    pub enter_at_least_one: &'static str,
    /// `{address}`: what was typed.
    pub not_an_email: &'static str,
    /// `{max}`, `{count}` entered.
    pub at_most_at_once: &'static str,
    /// Between the addresses (or usernames) of a list.
    pub list_separator: &'static str,
    /// Between the last two roles of "Developer or Operator".
    pub or: &'static str,
    /// `{emails}`.
    pub sent_to: &'static str,
    /// `{emails}`.
    pub renewed: &'static str,
    pub managers_only: &'static str,
    /// `{workspace}`, `{max}` mails an hour, `{when}` (`minutes` or `seconds`).
    pub mail_limit: &'static str,
    /// `{count}`.
    pub minutes: &'static str,
    /// `{count}`.
    pub seconds: &'static str,
    /// `{workspace}`, `{pending}`, `{max}`.
    pub too_many_pending: &'static str,
    pub choose_role: &'static str,
    /// `{actor}`: the inviter's role with its article; `{roles}`: those they may invite as.
    pub invite_only_as: &'static str,
    /// `{email}`, `{workspace}`.
    pub already_member_of: &'static str,
    /// `{emails}`: one address.
    pub not_yours_one: &'static str,
    /// `{emails}`: several addresses.
    pub not_yours_other: &'static str,
    pub no_longer_open: &'static str,
    pub admin_invitation_owner_only: &'static str,
}

/// The invitation link's page, and joining.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct WorkspaceInvitation {
    /// Every unusable link (English: `workspaces::INVALID_LINK`, which tests compare).
    pub invalid_link: &'static str,
    /// The window title and the eyebrow.
    pub page_title: &'static str,
    pub not_valid_title: &'static str,
    pub go_home: &'static str,
    /// `{workspace}`, `{role}` (with its article), `{description}` (the role's, a sentence).
    pub what_joining_means: &'static str,
    /// `{workspace}`: the heading and the button.
    pub join: &'static str,
    /// `{inviter}`, `{email}` (masked), `{workspace}`, `{role}` (with its article).
    pub lead: &'static str,
    /// `{email}` (masked), `{signed_in_as}`.
    pub signed_in_as_other: &'static str,
    pub how_to_accept: &'static str,
    pub sign_in_other: &'static str,
    /// `{email}` (masked).
    pub signed_out: &'static str,
    pub sign_in: &'static str,
    pub create_account: &'static str,
    /// `{date}`.
    pub works_until: &'static str,
    /// Joining refused: `{invited}` (masked), `{email}` signed in.
    pub other_address: &'static str,
    pub already_member: &'static str,
}

/// Managing members: the refusals and what the page says when it was done. `{name}` is the
/// member's username, `{workspace}` the workspace's name, `{role}` a role with its article.
#[cfg_attr(feature = "ssr", derive(serde::Serialize))]
pub struct WorkspaceManage {
    pub not_a_member: &'static str,
    pub own_role_owner: &'static str,
    pub own_role: &'static str,
    pub block_yourself: &'static str,
    pub remove_yourself_owner: &'static str,
    pub remove_yourself: &'static str,
    pub owner_already: &'static str,
    pub role_already: &'static str,
    pub blocked_already: &'static str,
    pub not_blocked: &'static str,
    pub changed_meanwhile: &'static str,
    pub transfer_to_blocked: &'static str,
    pub transfer_to_non_admin: &'static str,
    pub transfer_owner_only: &'static str,
    pub ownership_by_transfer: &'static str,
    pub admin_gives_roles_only: &'static str,
    pub admin_manages_only: &'static str,
    pub owner_untouchable: &'static str,
    pub managers_only: &'static str,
    /// After a role change, and in its confirmation.
    pub is_role_now: &'static str,
    pub done_blocked: &'static str,
    pub done_unblocked: &'static str,
    pub done_removed: &'static str,
    pub done_transferred: &'static str,
    pub choose_new_role: &'static str,
    pub owner_leaves_after_transfer: &'static str,
    pub applicant_cannot_leave: &'static str,
    pub you_left: &'static str,
}
