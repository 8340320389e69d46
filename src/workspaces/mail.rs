//! The team's mails, in the platform's style (`server::mail::templates`). The invitation: who
//! invites whom to which workspace as what, what the role means, and the link (single use, for
//! this address, until it expires); the same mail whether or not the address has an account.
//! And one to the member each team action affects: a new role, blocked, unblocked, removed,
//! made the Owner, or (to the one who left) left; each says who did it, by username.
//!
//! Each is written in its RECIPIENT's language (`lang`, the first parameter), not the
//! request's, so the role names and what they mean come from the catalogue's `mail`, not from
//! `roles` (which speaks the page's language).

use crate::applications::MemberRole;
use crate::i18n::{fill, Lang, Mails};
use crate::server::dates::format_date_in;
use crate::server::mail::templates::with_link;
use crate::server::mail::Mail;

/// A role's name: "Admin".
fn name(m: &'static Mails, role: MemberRole) -> &'static str {
    match role {
        MemberRole::Owner => m.role_owner,
        MemberRole::Admin => m.role_admin,
        MemberRole::Developer => m.role_developer,
        MemberRole::Operator => m.role_operator,
        MemberRole::Applicant => m.role_applicant,
    }
}

/// A role inside a sentence: "an Admin", "a Developer".
fn with_article(m: &'static Mails, role: MemberRole) -> &'static str {
    match role {
        MemberRole::Owner => m.an_owner,
        MemberRole::Admin => m.an_admin,
        MemberRole::Developer => m.a_developer,
        MemberRole::Operator => m.an_operator,
        MemberRole::Applicant => m.an_applicant,
    }
}

/// "Admin: Sees the workspace and manages ...".
fn role_line(m: &'static Mails, role: MemberRole) -> String {
    let meaning = match role {
        MemberRole::Owner => m.owner_means,
        MemberRole::Admin => m.admin_means,
        MemberRole::Developer => m.developer_means,
        MemberRole::Operator => m.operator_means,
        MemberRole::Applicant => m.applicant_means,
    };
    fill(
        m.role_line,
        &[("role", &name(m, role)), ("meaning", &meaning)],
    )
}

fn hello(m: &'static Mails, username: &str) -> String {
    fill(m.hello, &[("username", &username)])
}

/// To an invited address: the link is `<PUBLIC_URL>/invitations/<token>`.
pub fn invitation(
    lang: Lang,
    to: &str,
    inviter: &str,
    workspace: &str,
    role: MemberRole,
    link: &str,
    expires_at: i64,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(
            m.invitation_subject,
            &[("inviter", &inviter), ("workspace", &workspace)],
        ),
        vec![
            m.hello_anonymous.to_string(),
            fill(
                m.invitation_intro,
                &[
                    ("platform", &m.platform),
                    ("role", &with_article(m, role)),
                    ("inviter", &inviter),
                    ("workspace", &workspace),
                ],
            ),
            role_line(m, role),
            fill(
                m.invitation_terms,
                &[("date", &format_date_in(lang, expires_at)), ("email", &to)],
            ),
            m.invitation_ignore.to_string(),
        ],
        m.accept_invitation_label,
        link,
    )
}

/// To a member whose role `actor` changed from `from` to `role`.
#[allow(clippy::too_many_arguments)]
pub fn role_changed(
    lang: Lang,
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    from: MemberRole,
    role: MemberRole,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(
            m.role_changed_subject,
            &[("role", &name(m, role)), ("workspace", &workspace)],
        ),
        vec![
            hello(m, username),
            fill(
                m.role_changed_body,
                &[
                    ("platform", &m.platform),
                    ("from", &name(m, from)),
                    ("role", &name(m, role)),
                    ("actor", &actor),
                    ("workspace", &workspace),
                ],
            ),
            role_line(m, role),
        ],
        m.open_workspace_label,
        link,
    )
}

/// To a member `actor` blocked; the link is the CONSOLE (the workspace no longer opens).
pub fn blocked(
    lang: Lang,
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.blocked_subject, &[("workspace", &workspace)]),
        vec![
            hello(m, username),
            fill(
                m.blocked_body,
                &[
                    ("platform", &m.platform),
                    ("actor", &actor),
                    ("workspace", &workspace),
                ],
            ),
            m.blocked_ask_owner.to_string(),
        ],
        m.go_to_console_label,
        link,
    )
}

/// To a member `actor` unblocked: their role is `role` again.
pub fn unblocked(
    lang: Lang,
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    role: MemberRole,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.unblocked_subject, &[("workspace", &workspace)]),
        vec![
            hello(m, username),
            fill(
                m.unblocked_body,
                &[
                    ("platform", &m.platform),
                    ("role", &with_article(m, role)),
                    ("actor", &actor),
                    ("workspace", &workspace),
                ],
            ),
        ],
        m.open_workspace_label,
        link,
    )
}

/// To a member `actor` removed; the link is the CONSOLE.
pub fn removed(
    lang: Lang,
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.removed_subject, &[("workspace", &workspace)]),
        vec![
            hello(m, username),
            fill(
                m.removed_body,
                &[
                    ("platform", &m.platform),
                    ("actor", &actor),
                    ("workspace", &workspace),
                ],
            ),
        ],
        m.go_to_console_label,
        link,
    )
}

/// To the Admin `actor` (the Owner until now, an Admin from now on) made the Owner.
pub fn ownership_received(
    lang: Lang,
    to: &str,
    username: &str,
    actor: &str,
    workspace: &str,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.ownership_subject, &[("workspace", &workspace)]),
        vec![
            hello(m, username),
            fill(
                m.ownership_body,
                &[
                    ("platform", &m.platform),
                    ("actor", &actor),
                    ("workspace", &workspace),
                ],
            ),
            role_line(m, MemberRole::Owner),
        ],
        m.open_members_label,
        link,
    )
}

/// To the member who left (`role` was theirs): a record of it, in case it was not them.
pub fn left(
    lang: Lang,
    to: &str,
    username: &str,
    workspace: &str,
    role: MemberRole,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.left_subject, &[("workspace", &workspace)]),
        vec![
            hello(m, username),
            fill(
                m.left_body,
                &[
                    ("platform", &m.platform),
                    ("role", &with_article(m, role)),
                    ("workspace", &workspace),
                ],
            ),
            m.left_not_you.to_string(),
        ],
        m.go_to_console_label,
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
            Lang::En,
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
            Lang::En,
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
        let m = blocked(
            Lang::En,
            "ivy@example.com",
            "ivydev",
            "ownerann",
            "Acme",
            link,
        );
        assert!(
            m.text
                .contains("ownerann blocked you on the workspace Acme"),
            "{}",
            m.text
        );
        let m = unblocked(
            Lang::En,
            "ivy@example.com",
            "ivydev",
            "ownerann",
            "Acme",
            MemberRole::Admin,
            link,
        );
        assert!(m.text.contains("as an Admin"), "{}", m.text);
        let m = removed(
            Lang::En,
            "ivy@example.com",
            "ivydev",
            "ownerann",
            "Acme",
            link,
        );
        assert_eq!(m.subject, "You were removed from Acme");
        let m = ownership_received(
            Lang::En,
            "liz@example.com",
            "lizadmin",
            "ownerann",
            "Acme",
            link,
        );
        assert!(
            m.subject.contains("You are now the Owner of Acme")
                && m.text.contains("ownerann is an Admin now"),
            "{}",
            m.text
        );
        let m = left(
            Lang::En,
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

    /// In every language, each team mail fills every placeholder, and its HTML says its
    /// language.
    #[test]
    fn every_language_writes_every_team_mail_whole() {
        let link = "http://127.0.0.1:3000/workspaces/w1";
        let (to, name, actor, ws) = ("ivy@example.com", "ivydev", "ownerann", "Acme");
        for lang in Lang::ALL {
            let (dev, op) = (MemberRole::Developer, MemberRole::Operator);
            let mails = [
                invitation(
                    lang,
                    to,
                    actor,
                    ws,
                    MemberRole::Admin,
                    link,
                    1_741_183_620_000,
                ),
                role_changed(lang, to, name, actor, ws, dev, op, link),
                blocked(lang, to, name, actor, ws, link),
                unblocked(lang, to, name, actor, ws, dev, link),
                removed(lang, to, name, actor, ws, link),
                ownership_received(lang, to, name, actor, ws, link),
                left(lang, to, name, ws, op, link),
            ];
            for m in mails {
                for part in [&m.subject, &m.text, &m.html] {
                    let whole = !part.contains('{') && !part.contains('}');
                    assert!(whole, "{lang:?}: {part}");
                }
                assert!(
                    m.text.contains(ws) && m.text.contains(link),
                    "{lang:?}: {}",
                    m.text
                );
                assert!(
                    m.html.contains(&format!("<html lang=\"{}\">", lang.tag())),
                    "{lang:?}: {}",
                    m.html
                );
            }
        }
    }
}
