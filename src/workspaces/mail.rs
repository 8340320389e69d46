//! The team's mails, in the platform's style (`server::mail::templates`). The invitation: who
//! invites whom to which workspace as what, what the role means, and the link (single use, for
//! this address, until it expires); the same mail whether or not the address has an account.
//! And one to the member each team action affects: a new role, blocked, unblocked, removed,
//! made the Owner, or (to the one who left) left; each says who did it, by username.

use super::roles::{describe, with_article};
use crate::applications::MemberRole;
use crate::server::dates::format_date;
use crate::server::mail::templates::{with_link, PLATFORM};
use crate::server::mail::Mail;

/// To an invited address: the link is `<PUBLIC_URL>/invitations/<token>`.
pub fn invitation(
    to: &str,
    inviter: &str,
    workspace: &str,
    role: MemberRole,
    link: &str,
    expires_at: i64,
) -> Mail {
    with_link(
        to,
        format!("{inviter} invited you to join {workspace}"),
        vec![
            "Hello,".to_string(),
            format!(
                "{inviter} invited you to join the workspace {workspace} on {PLATFORM} as {}.",
                with_article(role)
            ),
            format!("{}: {}", role.label(), describe(role)),
            format!(
                "The invitation is for this email address ({to}) and can be used once, until {}. \
                 If you do not have an account yet, the link lets you create one with this address.",
                format_date(expires_at)
            ),
            "If you did not expect this invitation, you can ignore this email.".to_string(),
        ],
        "Accept the invitation",
        link,
    )
}

/// To a member whose role `actor` changed from `from` to `role`.
pub fn role_changed(
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    from: MemberRole,
    role: MemberRole,
    link: &str,
) -> Mail {
    with_link(
        to,
        format!("Your role on {workspace} is now {}", role.label()),
        vec![
            format!("Hello {username},"),
            format!(
                "{actor} changed your role on the workspace {workspace} on {PLATFORM} from {} to {}.",
                from.label(),
                role.label()
            ),
            format!("{}: {}", role.label(), describe(role)),
        ],
        "Open the workspace",
        link,
    )
}

/// To a member `actor` blocked; the link is the CONSOLE (the workspace no longer opens).
pub fn blocked(to: &str, username: &str, actor: &str, workspace: &str, link: &str) -> Mail {
    with_link(
        to,
        format!("You were blocked on {workspace}"),
        vec![
            format!("Hello {username},"),
            format!(
                "{actor} blocked you on the workspace {workspace} on {PLATFORM}. You cannot open it until the Owner or an Admin unblocks you."
            ),
            "If you think this is a mistake, ask the workspace's Owner.".to_string(),
        ],
        "Go to your console",
        link,
    )
}

/// To a member `actor` unblocked: their role is `role` again.
pub fn unblocked(
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    role: MemberRole,
    link: &str,
) -> Mail {
    with_link(
        to,
        format!("You were unblocked on {workspace}"),
        vec![
            format!("Hello {username},"),
            format!(
                "{actor} unblocked you on the workspace {workspace} on {PLATFORM}. You can open it again, as {}.",
                with_article(role)
            ),
        ],
        "Open the workspace",
        link,
    )
}

/// To a member `actor` removed; the link is the CONSOLE.
pub fn removed(to: &str, username: &str, actor: &str, workspace: &str, link: &str) -> Mail {
    with_link(
        to,
        format!("You were removed from {workspace}"),
        vec![
            format!("Hello {username},"),
            format!(
                "{actor} removed you from the workspace {workspace} on {PLATFORM}. You can no longer open it; to join again, you need a new invitation."
            ),
        ],
        "Go to your console",
        link,
    )
}

/// To the Admin `actor` (the Owner until now, an Admin from now on) made the Owner.
pub fn ownership_received(
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    link: &str,
) -> Mail {
    with_link(
        to,
        format!("You are now the Owner of {workspace}"),
        vec![
            format!("Hello {username},"),
            format!(
                "{actor} transferred the ownership of the workspace {workspace} on {PLATFORM} to you. {actor} is an Admin now."
            ),
            format!("{}: {}", MemberRole::Owner.label(), describe(MemberRole::Owner)),
        ],
        "Open the members page",
        link,
    )
}

/// To the member who left (`role` was theirs): a record of it, in case it was not them.
pub fn left(to: &str, username: &str, workspace: &str, role: MemberRole, link: &str) -> Mail {
    with_link(
        to,
        format!("You left {workspace}"),
        vec![
            format!("Hello {username},"),
            format!(
                "You left the workspace {workspace} on {PLATFORM}, where you were {}. You can no longer open it; to join again, you need a new invitation.",
                with_article(role)
            ),
            "If you did not do this, someone signed in as you did: change your password on your account page.".to_string(),
        ],
        "Go to your console",
        link,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_names_the_workspace_the_role_and_the_link() {
        let link = "http://127.0.0.1:3000/invitations/abc_DEF-123";
        let m = invitation(
            "ann@example.com",
            "bob",
            "Acme <Apps>",
            MemberRole::Admin,
            link,
            1_741_183_620_000,
        );
        assert_eq!(m.to, "ann@example.com");
        assert!(
            m.subject.contains("bob invited you to join Acme <Apps>"),
            "{}",
            m.subject
        );
        assert!(m.text.contains("as an Admin"), "{}", m.text);
        assert!(m.text.contains(link), "{}", m.text);
        assert!(m.text.contains("05 Mar 2025, 14:07 UTC"), "{}", m.text);
        // The HTML escapes what the applicant typed.
        assert!(m.html.contains("Acme &lt;Apps&gt;") && !m.html.contains("<Apps>"));
        assert!(m.html.contains(&format!("href=\"{link}\"")), "{}", m.html);
    }

    #[test]
    fn each_team_mail_names_who_did_what_on_which_workspace() {
        let link = "http://127.0.0.1:3000/workspaces/w1";
        let m = role_changed(
            "ivy@example.com",
            "ivydev",
            "ownerann",
            "Acme",
            MemberRole::Developer,
            MemberRole::Operator,
            link,
        );
        assert_eq!(m.subject, "Your role on Acme is now Operator");
        assert!(
            m.text
                .contains("ownerann changed your role on the workspace Acme")
                && m.text.contains("from Developer to Operator")
                && m.text.contains(link),
            "{}",
            m.text
        );
        let m = blocked("ivy@example.com", "ivydev", "ownerann", "Acme", link);
        assert!(
            m.text
                .contains("ownerann blocked you on the workspace Acme"),
            "{}",
            m.text
        );
        let m = unblocked(
            "ivy@example.com",
            "ivydev",
            "ownerann",
            "Acme",
            MemberRole::Admin,
            link,
        );
        assert!(m.text.contains("as an Admin"), "{}", m.text);
        let m = removed("ivy@example.com", "ivydev", "ownerann", "Acme", link);
        assert_eq!(m.subject, "You were removed from Acme");
        let m = ownership_received("liz@example.com", "lizadmin", "ownerann", "Acme", link);
        assert!(
            m.subject.contains("You are now the Owner of Acme")
                && m.text.contains("ownerann is an Admin now"),
            "{}",
            m.text
        );
        let m = left(
            "ivy@example.com",
            "ivydev",
            "Acme",
            MemberRole::Developer,
            link,
        );
        assert!(m.text.contains("where you were a Developer"), "{}", m.text);
        // None names an address but the one it goes to.
        assert!(!m.text.contains("ownerann@"));
    }
}
