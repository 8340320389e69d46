//! The roles table (README, "Workspace team"), the one place every team check reads:
//!
//! | | Owner | Admin | Developer | Operator |
//! |---|---|---|---|---|
//! | see the workspace, its onboarding details and members | ✔ | ✔ | ✔ | ✔ |
//! | invite, resend, withdraw; change roles; block/unblock; remove (not the Owner) | ✔ | ✔ (not to/from Admin or Owner) | | |
//! | transfer ownership (to an active Admin, re-entering the password) | ✔ | | | |
//! | leave the workspace | (after transferring) | ✔ | ✔ | ✔ |
//!
//! An Applicant (a workspace not approved yet) sees it and does nothing else. Pure: the same
//! answer in the browser (which buttons to show) and on the server (which requests to refuse).

use crate::applications::MemberRole;

/// Something a member may try to do on their workspace's team. The role in an action is the
/// role of whoever it is done to (the invitation's, the member's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamAction {
    /// See the workspace, its onboarding details and its members.
    View,
    /// Invite someone as this role; resend or withdraw an invitation for this role.
    Invite(MemberRole),
    /// Give a member of role `from` the role `to`.
    ChangeRole { from: MemberRole, to: MemberRole },
    /// Block or unblock a member of this role.
    Block(MemberRole),
    /// Remove a member of this role from the workspace.
    Remove(MemberRole),
    /// Make an active Admin the Owner (the Owner becomes an Admin).
    TransferOwnership,
    /// Leave the workspace.
    Leave,
}

/// The roles the team is made of, in the order the table lists them.
pub const TEAM_ROLES: [MemberRole; 4] = [
    MemberRole::Owner,
    MemberRole::Admin,
    MemberRole::Developer,
    MemberRole::Operator,
];

/// Whether `actor`'s role on a workspace allows `action` there (the roles table).
pub fn allows(actor: MemberRole, action: TeamAction) -> bool {
    use MemberRole::*;
    // Whom an actor may invite, re-role, block or remove: never the Owner (ownership moves
    // only by transfer) nor an Applicant; an Admin only Developers and Operators.
    let manages = |target: MemberRole| match actor {
        Owner => matches!(target, Admin | Developer | Operator),
        Admin => matches!(target, Developer | Operator),
        Developer | Operator | Applicant => false,
    };
    match action {
        TeamAction::View => true,
        TeamAction::Invite(target) | TeamAction::Block(target) | TeamAction::Remove(target) => {
            manages(target)
        }
        TeamAction::ChangeRole { from, to } => from != to && manages(from) && manages(to),
        TeamAction::TransferOwnership => actor == Owner,
        // The Owner leaves only after transferring the ownership (as an Admin then).
        TeamAction::Leave => matches!(actor, Admin | Developer | Operator),
    }
}

/// The roles `actor` may invite people as, in the table's order (empty: no invite form).
pub fn invitable_by(actor: MemberRole) -> Vec<MemberRole> {
    TEAM_ROLES
        .into_iter()
        .filter(|r| allows(actor, TeamAction::Invite(*r)))
        .collect()
}

/// "a Developer", "an Admin" (in Chinese, the role's name alone).
pub fn with_article(role: MemberRole) -> String {
    let r = &crate::i18n::t().workspaces.roles;
    match role {
        MemberRole::Owner => r.an_owner,
        MemberRole::Admin => r.an_admin,
        MemberRole::Developer => r.a_developer,
        MemberRole::Operator => r.an_operator,
        MemberRole::Applicant => r.an_applicant,
    }
    .to_string()
}

/// What a role means, in a sentence, for the invite form and the invitation page.
pub fn describe(role: MemberRole) -> &'static str {
    let r = &crate::i18n::t().workspaces.roles;
    match role {
        MemberRole::Owner => r.describe_owner,
        MemberRole::Admin => r.describe_admin,
        MemberRole::Developer => r.describe_developer,
        MemberRole::Operator => r.describe_operator,
        MemberRole::Applicant => r.describe_applicant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberRole::*;

    const EVERY_ROLE: [MemberRole; 5] = [Owner, Admin, Developer, Operator, Applicant];

    /// Every action of the table, with each role it may be done to.
    fn every_action() -> Vec<TeamAction> {
        let mut all = vec![
            TeamAction::View,
            TeamAction::TransferOwnership,
            TeamAction::Leave,
        ];
        for target in EVERY_ROLE {
            all.push(TeamAction::Invite(target));
            all.push(TeamAction::Block(target));
            all.push(TeamAction::Remove(target));
            for to in EVERY_ROLE {
                all.push(TeamAction::ChangeRole { from: target, to });
            }
        }
        all
    }

    /// The table, written out cell by cell: `allows` must agree with it everywhere, and
    /// nothing outside it is allowed.
    fn expected(actor: MemberRole, action: TeamAction) -> bool {
        let team_of_owner = [Admin, Developer, Operator];
        let team_of_admin = [Developer, Operator];
        match (actor, action) {
            // Row 1: everyone sees the workspace.
            (_, TeamAction::View) => true,
            // Row 2: invite, resend, withdraw; change roles; block/unblock; remove.
            (Owner, TeamAction::Invite(t) | TeamAction::Block(t) | TeamAction::Remove(t)) => {
                team_of_owner.contains(&t)
            }
            (Admin, TeamAction::Invite(t) | TeamAction::Block(t) | TeamAction::Remove(t)) => {
                team_of_admin.contains(&t)
            }
            (Owner, TeamAction::ChangeRole { from, to }) => {
                from != to && team_of_owner.contains(&from) && team_of_owner.contains(&to)
            }
            (Admin, TeamAction::ChangeRole { from, to }) => {
                from != to && team_of_admin.contains(&from) && team_of_admin.contains(&to)
            }
            // Row 3: transfer ownership.
            (Owner, TeamAction::TransferOwnership) => true,
            // Row 4: leave (the Owner only after transferring, i.e. as an Admin).
            (Admin | Developer | Operator, TeamAction::Leave) => true,
            _ => false,
        }
    }

    #[test]
    fn every_cell_of_the_roles_table_holds() {
        let mut checked = 0;
        for actor in EVERY_ROLE {
            for action in every_action() {
                assert_eq!(
                    allows(actor, action),
                    expected(actor, action),
                    "{actor:?} {action:?}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 5 * (3 + 5 * 3 + 25));
    }

    #[test]
    fn the_table_read_row_by_row() {
        // Seeing the workspace: every team role.
        for r in TEAM_ROLES {
            assert!(allows(r, TeamAction::View), "{r:?} sees the workspace");
        }
        // Inviting: the Owner anyone but an Owner; an Admin only Developers and Operators.
        assert!(allows(Owner, TeamAction::Invite(Admin)));
        assert!(allows(Owner, TeamAction::Invite(Developer)));
        assert!(allows(Owner, TeamAction::Invite(Operator)));
        assert!(!allows(Owner, TeamAction::Invite(Owner)));
        assert!(!allows(Admin, TeamAction::Invite(Admin)));
        assert!(!allows(Admin, TeamAction::Invite(Owner)));
        assert!(allows(Admin, TeamAction::Invite(Developer)));
        assert!(allows(Admin, TeamAction::Invite(Operator)));
        for r in [Developer, Operator, Applicant] {
            for t in EVERY_ROLE {
                assert!(!allows(r, TeamAction::Invite(t)), "{r:?} invites {t:?}");
            }
        }
        // Nobody touches the Owner, and an Admin not another Admin.
        for r in EVERY_ROLE {
            assert!(
                !allows(r, TeamAction::Remove(Owner)),
                "{r:?} removes the Owner"
            );
            assert!(
                !allows(r, TeamAction::Block(Owner)),
                "{r:?} blocks the Owner"
            );
            assert!(!allows(
                r,
                TeamAction::ChangeRole {
                    from: Owner,
                    to: Admin
                }
            ));
            assert!(!allows(
                r,
                TeamAction::ChangeRole {
                    from: Admin,
                    to: Owner
                }
            ));
        }
        assert!(!allows(Admin, TeamAction::Remove(Admin)));
        assert!(!allows(
            Admin,
            TeamAction::ChangeRole {
                from: Developer,
                to: Admin
            }
        ));
        assert!(!allows(
            Admin,
            TeamAction::ChangeRole {
                from: Admin,
                to: Developer
            }
        ));
        assert!(allows(
            Admin,
            TeamAction::ChangeRole {
                from: Developer,
                to: Operator
            }
        ));
        assert!(allows(
            Owner,
            TeamAction::ChangeRole {
                from: Developer,
                to: Admin
            }
        ));
        assert!(!allows(
            Owner,
            TeamAction::ChangeRole {
                from: Developer,
                to: Developer
            }
        ));
        // Transfer: the Owner alone. Leave: everyone but the Owner.
        assert!(allows(Owner, TeamAction::TransferOwnership));
        assert!(!allows(Admin, TeamAction::TransferOwnership));
        assert!(!allows(Owner, TeamAction::Leave));
        assert!(allows(Operator, TeamAction::Leave));
    }

    #[test]
    fn roles_take_their_article() {
        assert_eq!(with_article(Admin), "an Admin");
        assert_eq!(with_article(Operator), "an Operator");
        assert_eq!(with_article(Owner), "an Owner");
        assert_eq!(with_article(Developer), "a Developer");
    }

    #[test]
    fn the_invite_form_offers_the_roles_the_table_allows() {
        assert_eq!(invitable_by(Owner), [Admin, Developer, Operator]);
        assert_eq!(invitable_by(Admin), [Developer, Operator]);
        assert!(invitable_by(Developer).is_empty());
        assert!(invitable_by(Operator).is_empty());
        assert!(invitable_by(Applicant).is_empty());
    }
}
