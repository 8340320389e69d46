//! Managing a workspace's team (issue 11): the roles table on the server cell by cell (change a
//! role, block, remove; transfer; leave), a blocked member shut out like a stranger until
//! unblocked, a removed member losing access at once (an open event stream too), the transfer
//! of ownership with the password re-entered, one Owner under parallel transfers and role
//! changes (a unique index), leaving, each action's history event and mail, the members page
//! offering what the table allows, and the forms without JavaScript.

mod common;
use common::sse::EventStream;
use common::*;
use futures::future::{join_all, LocalBoxFuture};
use futures::FutureExt;
use reqwest::Response;
use serde_json::Value;
use std::time::Duration;

const WRONG_PASSWORD: &str = "Your current password is not right.";
/// The history kinds of the member actions on others.
const MANAGING: &str =
    "('member_role_changed', 'member_blocked', 'member_unblocked', 'member_removed')";

impl TestApp {
    async fn change_role(&self, workspace: &str, member: &str, role: &str) -> Response {
        self.call(
            "workspaces/change_role",
            &[
                ("workspace_id", workspace),
                ("member", member),
                ("role", role),
            ],
        )
        .await
    }

    async fn block(&self, workspace: &str, member: &str) -> Response {
        self.call(
            "workspaces/block",
            &[("workspace_id", workspace), ("member", member)],
        )
        .await
    }

    async fn unblock(&self, workspace: &str, member: &str) -> Response {
        self.call(
            "workspaces/unblock",
            &[("workspace_id", workspace), ("member", member)],
        )
        .await
    }

    async fn remove(&self, workspace: &str, member: &str) -> Response {
        self.call(
            "workspaces/remove",
            &[("workspace_id", workspace), ("member", member)],
        )
        .await
    }

    async fn transfer(&self, workspace: &str, member: &str, password: &str) -> Response {
        self.call(
            "workspaces/transfer",
            &[
                ("workspace_id", workspace),
                ("member", member),
                ("password", password),
            ],
        )
        .await
    }

    async fn leave(&self, workspace: &str) -> Response {
        self.call("workspaces/leave", &[("workspace_id", workspace)])
            .await
    }
}

/// An answer's status and body (for the assertion's message).
async fn answer(r: Response) -> (u16, String) {
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// The error sentence of a refusal.
async fn refusal(r: Response) -> (u16, String) {
    let status = r.status().as_u16();
    let e = error_of(r).await;
    (
        status,
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// A member's (role, status) on the workspace, from the database; `None` if not a member.
async fn membership(app: &TestApp, id: &str, username: &str) -> Option<(String, String)> {
    sqlx::query_as(
        "SELECT m.role, m.status FROM workspace_members m JOIN users u ON u.id = m.user_id \
         WHERE m.workspace_id = $1 AND u.username = $2",
    )
    .bind(id)
    .bind(username)
    .fetch_optional(&app.db.pool)
    .await
    .unwrap()
}

fn is(role: &str, status: &str) -> Option<(String, String)> {
    Some((role.to_string(), status.to_string()))
}

/// The notes of the workspace's history events of `kind`, oldest first.
async fn notes(app: &TestApp, id: &str, kind: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT note FROM application_events WHERE application_id = $1 AND kind = $2 ORDER BY seq",
    )
    .bind(id)
    .bind(kind)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Mails queued to `to` whose subject starts with `subject` (the outbox: what was decided).
async fn mails(app: &TestApp, to: &str, subject: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND subject LIKE $2 || '%'",
    )
    .bind(to)
    .bind(subject)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

async fn owners(app: &TestApp, id: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1 AND role = 'owner'",
        id,
    )
    .await
}

/// The tries counted against an account's sign-in budget.
async fn tries(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COALESCE(MAX(t.failures), 0) FROM users u \
         LEFT JOIN login_throttle t ON t.throttle_key = 'account:' || u.id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// A line of the members page's data, by username.
fn line_of(team: &Value, username: &str) -> Value {
    team["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["username"] == username)
        .unwrap_or_else(|| panic!("no line for {username} in {team}"))
        .clone()
}

/// The next event of an open stream is `kind`, on the workspace `id`.
async fn hears(stream: &mut EventStream, kind: &str, id: &str) {
    let e = stream
        .next_within(Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("{kind} was not heard"));
    assert_eq!((e.kind(), e.application()), (kind, id));
}

/// A member's pages and server functions all answer "not found", and the console lists no card.
async fn shut_out(person: &TestApp, id: &str) {
    for path in [
        format!("/workspaces/{id}"),
        format!("/workspaces/{id}/members"),
        format!("/workspaces/{id}/onboarding"),
    ] {
        assert_eq!(person.html(&path).await.0, 404, "{path}");
    }
    assert_eq!(
        person
            .call("console/workspace", &[("id", id)])
            .await
            .status(),
        404
    );
    assert_eq!(
        person
            .call("workspaces/members", &[("id", id)])
            .await
            .status(),
        404
    );
    assert!(
        !person.console_cards().await.iter().any(|(w, _)| w == id),
        "the console no longer lists it"
    );
}

both_databases! {
    async fn the_roles_table_holds_cell_by_cell_over_http(app) {
        let (owner, id) = approved_workspace(&app).await;
        let admin = member(&app, &owner, &id, "amy@example.com", "amyadmin", "admin").await;
        member(&app, &owner, &id, "abe@example.com", "abeadmin", "admin").await;
        let dev = member(&app, &owner, &id, "dee@example.com", "deedev", "developer").await;
        member(&app, &owner, &id, "dan@example.com", "dandev", "developer").await;
        let op = member(&app, &owner, &id, "oli@example.com", "oliop", "operator").await;
        member(&app, &owner, &id, "ora@example.com", "oraop", "operator").await;

        let actors = [("Owner", &owner), ("Admin", &admin), ("Developer", &dev), ("Operator", &op)];
        // Each target: its role, who has it (never the actor, but for the Owner acting on the
        // Owner), its role's key, and another role to change it to.
        let targets = [
            ("Admin", "abeadmin", "admin", "developer"),
            ("Developer", "dandev", "developer", "operator"),
            ("Operator", "oraop", "operator", "developer"),
            ("Owner", OWNER, "owner", "admin"),
        ];
        let expected = |actor: &str, target: &str| -> u16 {
            match (actor, target) {
                ("Owner", "Owner") => 422,
                ("Owner", _) => 200,
                ("Admin", "Developer" | "Operator") => 200,
                _ => 403,
            }
        };
        // Changes made (each one history event and one mail), reverting ones included.
        let mut done = 0;
        let mut victims = 0;
        for (actor_role, actor) in actors {
            for (target_role, target, key, other) in targets {
                let want = expected(actor_role, target_role);
                let cell = format!("{actor_role} on {target_role}");

                let (status, body) = answer(actor.change_role(&id, target, other).await).await;
                assert_eq!(status, want, "{cell}: change role: {body}");
                if want == 200 {
                    assert_eq!(owner.change_role(&id, target, key).await.status(), 200, "{cell}: back");
                    done += 2;
                }

                let (status, body) = answer(actor.block(&id, target).await).await;
                assert_eq!(status, want, "{cell}: block: {body}");
                if want == 200 {
                    assert_eq!(owner.unblock(&id, target).await.status(), 200, "{cell}: unblock");
                    done += 2;
                } else {
                    assert_eq!(answer(actor.unblock(&id, target).await).await.0, want, "{cell}: unblock");
                }

                if want == 200 {
                    // Removing is for good: a member of that role joins to be removed.
                    victims += 1;
                    let name = format!("victim{victims}");
                    member(&app, &owner, &id, &format!("{name}@example.com"), &name, key).await;
                    let (status, body) = answer(actor.remove(&id, &name).await).await;
                    assert_eq!(status, 200, "{cell}: remove: {body}");
                    assert_eq!(membership(&app, &id, &name).await, None, "{cell}: removed");
                    done += 1;
                } else {
                    let (status, body) = answer(actor.remove(&id, target).await).await;
                    assert_eq!(status, want, "{cell}: remove: {body}");
                }
            }
        }
        assert_eq!(victims, 5);

        // The cells within a row: an Admin gives Developer and Operator only; nobody gives Owner.
        let (status, message) = refusal(admin.change_role(&id, "dandev", "admin").await).await;
        assert_eq!(status, 403);
        assert_eq!(message, "As an Admin you can make members Developers or Operators only, not an Admin.");
        assert_eq!(admin.change_role(&id, "dandev", "owner").await.status(), 403);
        let (status, message) = refusal(owner.change_role(&id, "dandev", "owner").await).await;
        assert_eq!((status, message.as_str()), (403, "Ownership moves only by a transfer, to an active Admin."));
        let (status, message) = refusal(admin.block(&id, OWNER).await).await;
        assert_eq!(status, 403);
        assert_eq!(message, format!("As an Admin you can manage Developers and Operators only; {OWNER} is an Owner."));
        let (status, message) = refusal(dev.remove(&id, "oraop").await).await;
        assert_eq!(status, 403);
        assert!(message.starts_with("Only the Owner and Admins of"), "{message}");

        // Acting on oneself: 422, with a sentence, for whom the table lets manage others.
        let (status, message) = refusal(admin.block(&id, "amyadmin").await).await;
        assert_eq!((status, message.as_str()), (422, "You cannot block or unblock yourself."));
        let (status, message) = refusal(admin.change_role(&id, "amyadmin", "operator").await).await;
        assert_eq!((status, message.as_str()), (422, "You cannot change your own role."));
        let (status, message) = refusal(admin.remove(&id, "amyadmin").await).await;
        assert_eq!(status, 422);
        assert!(message.contains("Leave workspace"), "{message}");
        // An unknown username: 404 to an Admin, who may manage members.
        assert_eq!(refusal(admin.block(&id, "nobodyhere").await).await.0, 404);
        // A Developer or Operator manages nobody: 403 before anything about the member named
        // is looked up, whether that is themselves, a stranger or nobody at all.
        for (who, me) in [(&dev, "deedev"), (&op, "oraop")] {
            for name in [me, "nobodyhere", OWNER] {
                for r in [
                    who.block(&id, name).await,
                    who.unblock(&id, name).await,
                    who.remove(&id, name).await,
                    who.change_role(&id, name, "operator").await,
                ] {
                    let (status, message) = refusal(r).await;
                    assert_eq!(status, 403, "{me} on {name}: {message}");
                    assert!(message.starts_with("Only the Owner and Admins of"), "{message}");
                }
            }
        }

        // Transfer: the Owner's alone; nobody else is asked for a password (nothing counted).
        for (who, email) in [(&admin, "amy@example.com"), (&dev, "dee@example.com"), (&op, "oli@example.com")] {
            let (status, message) = refusal(who.transfer(&id, "abeadmin", GOOD_PASSWORD).await).await;
            assert_eq!(status, 403);
            assert_eq!(message, format!("Only the Owner of {COMPANY} can transfer its ownership."));
            assert_eq!(tries(&app, email).await, 0, "{email}: no password tried");
        }
        // Leave: everyone but the Owner (the Owner: 422, told to transfer first).
        assert_eq!(owner.leave(&id).await.status(), 422);

        // Every refusal wrote nothing: the team is as it was, and each change made (and undone)
        // is one history event and one mail.
        for (name, role) in [
            (OWNER, "owner"), ("amyadmin", "admin"), ("abeadmin", "admin"), ("deedev", "developer"),
            ("dandev", "developer"), ("oliop", "operator"), ("oraop", "operator"),
        ] {
            assert_eq!(membership(&app, &id, name).await, is(role, "active"), "{name}");
        }
        let events = count(&app, &format!("SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind IN {MANAGING}"), &id).await;
        assert_eq!(events, done);
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Your role on %' OR subject LIKE 'You were blocked on %' \
             OR subject LIKE 'You were unblocked on %' OR subject LIKE 'You were removed from %'",
        )
        .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(sent, done);
        assert_eq!(owners(&app, &id).await, 1);
    }

    async fn a_role_change_is_recorded_mailed_and_seen(app) {
        let (owner, id) = approved_workspace(&app).await;
        let ivy = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        let r = owner.change_role(&id, "ivydev", "operator").await;
        assert_eq!(r.status(), 200);
        let said: String = r.json().await.unwrap();
        assert_eq!(said, "ivydev is an Operator now.");
        assert_eq!(membership(&app, &id, "ivydev").await, is("operator", "active"));
        assert_eq!(
            notes(&app, &id, "member_role_changed").await,
            [format!("{OWNER} changed ivydev's role from Developer to Operator")]
        );
        assert_eq!(mails(&app, "ivy@example.com", &format!("Your role on {COMPANY} is now Operator")).await, 1);
        let mail = app.smtp.wait_for("ivy@example.com", 3).await.into_iter()
            .find(|m| m.text().contains("changed your role")).expect("the role mail");
        assert!(mail.text().contains(&format!("{OWNER} changed your role on the workspace {COMPANY}")), "{}", mail.text());
        assert!(!mail.text().contains(OWNER_EMAIL), "usernames, not addresses");
        assert_eq!(ivy.console_cards().await, [(id.clone(), Value::from("Operator"))]);
        // The member's history says it too, naming who did it.
        let w: Value = ivy.call("console/workspace", &[("id", &id)]).await.json().await.unwrap();
        let entry = w["history"].as_array().unwrap().iter()
            .find(|h| h["kind"] == "member_role_changed").unwrap().clone();
        assert_eq!(entry["actor"], OWNER);

        // The same role again, an unknown role, the Applicant's: nothing changes.
        let (status, message) = refusal(owner.change_role(&id, "ivydev", "operator").await).await;
        assert_eq!((status, message.as_str()), (409, "ivydev is an Operator already."));
        for role in ["applicant", "boss", ""] {
            let r = owner.change_role(&id, "ivydev", role).await;
            assert_eq!(r.status(), 422, "{role:?}");
            assert!(field_message(&error_of(r).await, "role").is_some());
        }
        // No argument: a request that cannot be read.
        let r = owner.call("workspaces/change_role", &[("workspace_id", id.as_str()), ("member", "ivydev")]).await;
        assert_eq!(r.status(), 400);
        assert_eq!(membership(&app, &id, "ivydev").await, is("operator", "active"));
        assert_eq!(notes(&app, &id, "member_role_changed").await.len(), 1);
    }

    async fn a_blocked_member_is_shut_out_like_a_stranger_until_unblocked(app) {
        let (owner, id) = approved_workspace(&app).await;
        let ivy = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        assert_eq!(ivy.html(&format!("/workspaces/{id}")).await.0, 200);

        let r = owner.block(&id, "ivydev").await;
        assert_eq!(r.status(), 200);
        let said: String = r.json().await.unwrap();
        assert_eq!(said, format!("ivydev is blocked: they cannot open {COMPANY} until they are unblocked."));
        assert_eq!(membership(&app, &id, "ivydev").await, is("developer", "blocked"));
        shut_out(&ivy, &id).await;
        // Nor can a blocked member act: every team function answers 404.
        assert_eq!(ivy.leave(&id).await.status(), 404);
        assert_eq!(ivy.block(&id, OWNER).await.status(), 404);
        assert_eq!(ivy.invite(&id, "pal@example.com", "developer").await.status(), 404);

        // The team sees them as Blocked; the filter finds them; they are still a member.
        let team = owner.team(&id, &[]).await;
        assert!(lines(&team).contains(&("ivy@example.com".to_string(), "Blocked".to_string(), "Developer".to_string())));
        let blocked = owner.team(&id, &[("status", "blocked")]).await;
        assert_eq!(lines(&blocked).len(), 1);
        assert!(owner.team(&id, &[("status", "active")]).await.to_string().contains(OWNER_EMAIL));
        assert!(!lines(&owner.team(&id, &[("status", "active")]).await).iter().any(|l| l.0 == "ivy@example.com"));
        let (_, html) = owner.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains("badge badge--member-blocked\">Blocked<"), "{html}");
        assert!(html.contains("Unblock member") && html.contains("aria-label=\"Unblock ivydev\""), "{html}");
        let r = owner.invite(&id, "ivy@example.com", "developer").await;
        assert_eq!(r.status(), 422, "a blocked member is a member");

        let (status, message) = refusal(owner.block(&id, "ivydev").await).await;
        assert_eq!((status, message.as_str()), (409, "ivydev is blocked already."));

        let r = owner.unblock(&id, "ivydev").await;
        assert_eq!(r.status(), 200);
        assert_eq!(membership(&app, &id, "ivydev").await, is("developer", "active"));
        assert_eq!(ivy.html(&format!("/workspaces/{id}")).await.0, 200);
        assert_eq!(ivy.html(&format!("/workspaces/{id}/members")).await.0, 200);
        assert_eq!(ivy.call("console/workspace", &[("id", &id)]).await.status(), 200);
        assert_eq!(ivy.console_cards().await, [(id.clone(), Value::from("Developer"))]);
        assert_eq!(refusal(owner.unblock(&id, "ivydev").await).await.0, 409);

        // One event and one mail each, to the member, naming who did it.
        assert_eq!(notes(&app, &id, "member_blocked").await, [format!("{OWNER} blocked ivydev (Developer)")]);
        assert_eq!(notes(&app, &id, "member_unblocked").await, [format!("{OWNER} unblocked ivydev (Developer)")]);
        assert_eq!(mails(&app, "ivy@example.com", &format!("You were blocked on {COMPANY}")).await, 1);
        assert_eq!(mails(&app, "ivy@example.com", &format!("You were unblocked on {COMPANY}")).await, 1);
    }

    async fn a_removed_member_loses_access_at_once(app) {
        let (owner, id) = approved_workspace(&app).await;
        let ivy = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        let admin = member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;

        // An Admin removes a Developer.
        let r = admin.remove(&id, "ivydev").await;
        assert_eq!(r.status(), 200);
        assert_eq!(membership(&app, &id, "ivydev").await, None, "the membership row is gone");
        shut_out(&ivy, &id).await;
        assert_eq!(notes(&app, &id, "member_removed").await, ["lizadmin removed ivydev (Developer) from the team"]);
        assert_eq!(mails(&app, "ivy@example.com", &format!("You were removed from {COMPANY}")).await, 1);
        assert!(!lines(&owner.team(&id, &[]).await).iter().any(|l| l.0 == "ivy@example.com"));

        // Nobody left to remove; another workspace's id, or a name that is no member: 404.
        assert_eq!(admin.remove(&id, "ivydev").await.status(), 404);
        assert_eq!(owner.remove(&id, "nobody-at-all").await.status(), 404);
        let stranger = app.another_browser();
        let theirs = stranger.applicant("sam@example.com", "samstranger").await;
        assert_eq!(stranger.save("submit", &theirs, VALID, None).await.status(), 200);
        assert_eq!(owner.remove(&theirs, "samstranger").await.status(), 404);
        assert_eq!(stranger.remove(&id, "lizadmin").await.status(), 404);
        assert_eq!(stranger.transfer(&id, "lizadmin", GOOD_PASSWORD).await.status(), 404);
        assert_eq!(stranger.leave(&id).await.status(), 404);
        assert_eq!(membership(&app, &id, "lizadmin").await, is("admin", "active"));
        // Signed out: 401.
        assert_eq!(app.another_browser().block(&id, "lizadmin").await.status(), 401);

        // A new invitation brings them back (her mails: the invitation, her code, the removal).
        app.smtp.wait_for("ivy@example.com", 3).await;
        assert_eq!(owner.invite(&id, "ivy@example.com", "operator").await.status(), 200);
        let token = token_in_mail(&app, "ivy@example.com", 4).await;
        assert_eq!(ivy.join(&token).await.status(), 200);
        assert_eq!(membership(&app, &id, "ivydev").await, is("operator", "active"));
    }

    async fn a_removed_members_open_stream_hears_no_more_of_the_workspace(app) {
        let (owner, id) = approved_workspace(&app).await;
        let ivy = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        let mut stream = ivy.events(None).await;
        // The stream hears the team while she is a member.
        assert_eq!(owner.invite(&id, "jack@example.com", "operator").await.status(), 200);
        let heard = stream.next_within(Duration::from_secs(10)).await.expect("a member hears the team");
        assert_eq!(heard.application(), id.as_str());

        assert_eq!(owner.remove(&id, "ivydev").await.status(), 200);
        // At once, not at the stream's next recheck: the removal itself reaches the open page
        // (it tells her), and nothing of the workspace after it; her own application's do.
        assert_eq!(owner.invite(&id, "kim@example.com", "operator").await.status(), 200);
        assert_eq!(owner.invite(&id, "lee@example.com", "developer").await.status(), 200);
        assert_eq!(ivy.choose_role("isv").await.status(), 200);
        let own = ivy.draft().await["id"].as_str().unwrap().to_string();
        assert_eq!(ivy.save("submit", &own, VALID, None).await.status(), 200);
        loop {
            let e = stream.next_within(Duration::from_secs(10)).await.expect("her own submission is heard");
            if e.application() == id.as_str() && e.kind() == "member_removed" {
                continue;
            }
            assert_ne!(e.application(), id.as_str(), "heard {} of the workspace she left", e.kind());
            if e.application() == own {
                assert_eq!(e.kind(), "submitted");
                break;
            }
        }
    }

    async fn a_former_owner_removed_after_a_transfer_loses_access_too(app) {
        // The applicant stays the application's author (`applications.user_id`) after handing
        // the workspace over; once removed, that gives no access to the workspace either.
        let (owner, id) = approved_workspace(&app).await;
        let liz = member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        let mut stream = owner.events(None).await;
        assert_eq!(owner.transfer(&id, "lizadmin", GOOD_PASSWORD).await.status(), 200);
        assert_eq!(liz.remove(&id, OWNER).await.status(), 200);
        assert_eq!(membership(&app, &id, OWNER).await, None);
        shut_out(&owner, &id).await;
        assert_eq!(owner.call("console/application", &[("id", &id)]).await.status(), 404, "nor as its applicant");

        while stream.next_within(Duration::from_secs(2)).await.is_some() {}
        assert_eq!(liz.invite(&id, "kim@example.com", "operator").await.status(), 200);
        // A new application of their own is heard; nothing of the workspace before it.
        assert_eq!(owner.choose_role("isv").await.status(), 200);
        let own = owner.draft().await["id"].as_str().unwrap().to_string();
        assert_ne!(own, id);
        assert_eq!(owner.save("submit", &own, VALID, None).await.status(), 200);
        loop {
            let e = stream.next_within(Duration::from_secs(10)).await.expect("their own submission is heard");
            assert_ne!(e.application(), id.as_str(), "heard {} of the workspace they were removed from", e.kind());
            if e.application() == own {
                break;
            }
        }
    }

    async fn the_owner_transfers_ownership_to_an_active_admin_with_the_password(app) {
        let (owner, id) = approved_workspace(&app).await;
        let liz = member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        member(&app, &owner, &id, "max@example.com", "maxadmin", "admin").await;

        // A wrong password: refused on its field, counted against the Owner's sign-in budget.
        let r = owner.transfer(&id, "lizadmin", "not my password at all").await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert_eq!(field_message(&e, "password").as_deref(), Some(WRONG_PASSWORD));
        assert_eq!(tries(&app, OWNER_EMAIL).await, 1, "counted");
        assert_eq!(membership(&app, &id, OWNER).await, is("owner", "active"));

        // To a Developer, to a blocked Admin, to oneself: refused, and a right password given
        // back (not counted).
        let (status, message) = refusal(owner.transfer(&id, "ivydev", GOOD_PASSWORD).await).await;
        assert_eq!((status, message.as_str()), (422, "Ownership goes to an Admin only, and ivydev is a Developer. Make them an Admin first."));
        assert_eq!(owner.block(&id, "maxadmin").await.status(), 200);
        let (status, message) = refusal(owner.transfer(&id, "maxadmin", GOOD_PASSWORD).await).await;
        assert_eq!(status, 422);
        assert!(message.contains("maxadmin is blocked"), "{message}");
        let (status, message) = refusal(owner.transfer(&id, OWNER, GOOD_PASSWORD).await).await;
        assert_eq!((status, message), (422, format!("You are the Owner of {COMPANY} already.")));
        assert_eq!(tries(&app, OWNER_EMAIL).await, 1, "right passwords are given back");
        assert_eq!(owners(&app, &id).await, 1);
        assert_eq!(membership(&app, &id, OWNER).await, is("owner", "active"));
        assert_eq!(membership(&app, &id, "ivydev").await, is("developer", "active"));

        // The Admin is offered to the Owner; the transfer swaps them.
        let team = owner.team(&id, &[]).await;
        assert_eq!(line_of(&team, "lizadmin")["actions"]["transfer"], true);
        assert_eq!(line_of(&team, "ivydev")["actions"]["transfer"], false);
        assert_eq!(line_of(&team, "maxadmin")["actions"]["transfer"], false, "blocked");
        let r = owner.transfer(&id, "lizadmin", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        let said: String = r.json().await.unwrap();
        assert_eq!(said, format!("lizadmin is the Owner of {COMPANY} now; you are an Admin."));
        assert_eq!(membership(&app, &id, "lizadmin").await, is("owner", "active"));
        assert_eq!(membership(&app, &id, OWNER).await, is("admin", "active"));
        assert_eq!(owners(&app, &id).await, 1);
        assert_eq!(tries(&app, OWNER_EMAIL).await, 0, "done: the wait ends, as after a sign-in");
        assert_eq!(
            notes(&app, &id, "ownership_transferred").await,
            [format!("{OWNER} transferred the ownership to lizadmin; {OWNER} is an Admin now")]
        );
        assert_eq!(mails(&app, "liz@example.com", &format!("You are now the Owner of {COMPANY}")).await, 1);
        assert_eq!(liz.console_cards().await, [(id.clone(), Value::from("Owner"))]);
        assert_eq!(owner.console_cards().await, [(id.clone(), Value::from("Admin"))]);

        // The old Owner is an Admin now: no more transfers, nor managing Admins; and may leave.
        assert_eq!(owner.transfer(&id, "lizadmin", GOOD_PASSWORD).await.status(), 403);
        assert_eq!(owner.unblock(&id, "maxadmin").await.status(), 403);
        assert_eq!(owner.team(&id, &[]).await["can_leave"], true);
        assert_eq!(liz.team(&id, &[]).await["can_leave"], false);
        assert_eq!(liz.unblock(&id, "maxadmin").await.status(), 200);
    }

    async fn parallel_transfers_and_role_changes_leave_exactly_one_owner(app) {
        let (owner, id) = approved_workspace(&app).await;
        let mut admins = Vec::new();
        for n in 0..4 {
            let name = format!("admin{n}");
            admins.push((member(&app, &owner, &id, &format!("{name}@example.com"), &name, "admin").await, name));
        }
        // Per Admin, in this order: the Owner transfers to them, makes them a Developer, an
        // Operator; they transfer to the next Admin, and make the next one a Developer.
        let mut calls: Vec<LocalBoxFuture<'_, Response>> = Vec::new();
        for (n, (client, name)) in admins.iter().enumerate() {
            let next = &admins[(n + 1) % admins.len()].1;
            calls.push(owner.transfer(&id, name, GOOD_PASSWORD).boxed_local());
            calls.push(owner.change_role(&id, name, "developer").boxed_local());
            calls.push(owner.change_role(&id, name, "operator").boxed_local());
            calls.push(client.transfer(&id, next, GOOD_PASSWORD).boxed_local());
            calls.push(client.change_role(&id, next, "developer").boxed_local());
        }
        assert_eq!(calls.len(), 20);
        let answers = join_all(calls).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert!(statuses.iter().all(|s| [200, 403, 409, 422, 429].contains(s)), "{statuses:?}");

        assert_eq!(owners(&app, &id).await, 1, "{statuses:?}");
        let transfers = statuses.iter().enumerate().filter(|(i, s)| (i % 5 == 0 || i % 5 == 3) && **s == 200).count();
        assert_eq!(notes(&app, &id, "ownership_transferred").await.len(), transfers, "{statuses:?}");
        let changes = statuses.iter().enumerate().filter(|(i, s)| !(i % 5 == 0 || i % 5 == 3) && **s == 200).count();
        assert_eq!(notes(&app, &id, "member_role_changed").await.len(), changes, "{statuses:?}");

        // The index itself refuses a second Owner, and leaves the team with one.
        let second = sqlx::query(
            "UPDATE workspace_members SET role = 'owner' WHERE workspace_id = $1 AND role <> 'owner'",
        )
        .bind(&id)
        .execute(&app.db.pool)
        .await;
        assert!(second.is_err(), "a second Owner was stored");
        assert_eq!(owners(&app, &id).await, 1);
    }

    async fn a_developer_leaves_and_the_owner_is_told_to_transfer_first(app) {
        let (owner, id) = approved_workspace(&app).await;
        let ivy = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        let (_, html) = ivy.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains("Leave workspace") && html.contains(&format!("Leave {COMPANY}")), "{html}");

        let r = ivy.leave(&id).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["location"], "/console");
        assert_eq!(membership(&app, &id, "ivydev").await, None);
        shut_out(&ivy, &id).await;
        assert_eq!(notes(&app, &id, "member_left").await, ["ivydev left the team (Developer)"]);
        assert_eq!(mails(&app, "ivy@example.com", &format!("You left {COMPANY}")).await, 1);
        assert_eq!(ivy.leave(&id).await.status(), 404, "once");

        let (status, message) = refusal(owner.leave(&id).await).await;
        assert_eq!(status, 422);
        assert!(message.starts_with(&format!("You own {COMPANY}. Make an Admin its Owner first")), "{message}");
        assert_eq!(membership(&app, &id, OWNER).await, is("owner", "active"));
        assert_eq!(notes(&app, &id, "member_left").await.len(), 1);
        let (_, html) = owner.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains(&format!("You own {COMPANY}. To leave it, first make an Admin its Owner")), "{html}");
        assert!(!html.contains(&format!("Leave {COMPANY}")), "{html}");
    }

    async fn the_members_page_offers_what_the_roles_table_allows(app) {
        let (owner, id) = approved_workspace(&app).await;
        let admin = member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        member(&app, &owner, &id, "max@example.com", "maxadmin", "admin").await;
        let dev = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;

        // The Owner: every action on the Admins and the Developer, Make Owner on active Admins.
        let team = owner.team(&id, &[]).await;
        let ivy = line_of(&team, "ivydev");
        assert_eq!(ivy["actions"]["roles"], serde_json::json!(["Admin", "Operator"]));
        assert_eq!((ivy["actions"]["block"].clone(), ivy["actions"]["remove"].clone(), ivy["actions"]["transfer"].clone()), (Value::from(true), Value::from(true), Value::from(false)));
        assert_eq!(line_of(&team, "lizadmin")["actions"]["roles"], serde_json::json!(["Developer", "Operator"]));
        let me = line_of(&team, OWNER);
        assert_eq!(me["you"], true);
        assert_eq!(me["actions"]["roles"], serde_json::json!([]));
        assert_eq!(team["can_leave"], false);
        let (_, html) = owner.html(&format!("/workspaces/{id}/members")).await;
        for label in ["Change the role of ivydev", "Block ivydev", "Remove ivydev", "Make lizadmin the Owner", "Block lizadmin"] {
            assert!(html.contains(&format!("aria-label=\"{label}\"")), "{label}: {html}");
        }
        assert!(!html.contains("Make ivydev the Owner") && !html.contains(&format!("Block {OWNER}")), "{html}");
        assert!(html.contains("name=\"password\"") && html.contains("Transfer ownership"), "{html}");
        assert!(html.contains("team-table__you"), "{html}");

        // An Admin: the Developer only, never the Owner or another Admin; may leave.
        let team = admin.team(&id, &[]).await;
        assert_eq!(line_of(&team, "ivydev")["actions"]["roles"], serde_json::json!(["Operator"]));
        assert_eq!(line_of(&team, "maxadmin")["actions"], serde_json::json!({"roles": [], "block": false, "remove": false, "transfer": false}));
        assert_eq!(line_of(&team, OWNER)["actions"]["block"], false);
        assert_eq!(team["can_leave"], true);
        let (_, html) = admin.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains("aria-label=\"Block ivydev\"") && !html.contains("aria-label=\"Block maxadmin\""), "{html}");
        assert!(!html.contains("Transfer ownership") && html.contains("Leave workspace"), "{html}");

        // A Developer: nothing but leaving.
        let team = dev.team(&id, &[]).await;
        assert!(team["lines"].as_array().unwrap().iter().all(|l| l["actions"]["roles"] == serde_json::json!([]) && l["actions"]["block"] == false && l["actions"]["remove"] == false));
        let (_, html) = dev.html(&format!("/workspaces/{id}/members")).await;
        assert!(!html.contains("Block member") && !html.contains("Remove member") && !html.contains("Save role"), "{html}");
        assert!(html.contains("Leave workspace"), "{html}");
    }

    async fn an_open_stream_of_another_member_hears_each_team_action(app) {
        let (owner, id) = approved_workspace(&app).await;
        let watcher = member(&app, &owner, &id, "wes@example.com", "wesdev", "developer").await;
        member(&app, &owner, &id, "ivy@example.com", "ivyop", "operator").await;
        member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        let leaver = member(&app, &owner, &id, "lou@example.com", "loudev", "developer").await;
        let mut stream = watcher.events(None).await;
        assert_eq!(owner.change_role(&id, "ivyop", "developer").await.status(), 200);
        hears(&mut stream, "member_role_changed", &id).await;
        assert_eq!(owner.block(&id, "ivyop").await.status(), 200);
        hears(&mut stream, "member_blocked", &id).await;
        assert_eq!(owner.unblock(&id, "ivyop").await.status(), 200);
        hears(&mut stream, "member_unblocked", &id).await;
        assert_eq!(owner.remove(&id, "ivyop").await.status(), 200);
        hears(&mut stream, "member_removed", &id).await;
        assert_eq!(leaver.leave(&id).await.status(), 200);
        hears(&mut stream, "member_left", &id).await;
        assert_eq!(owner.transfer(&id, "lizadmin", GOOD_PASSWORD).await.status(), 200);
        hears(&mut stream, "ownership_transferred", &id).await;
    }

    async fn without_javascript_the_member_forms_post_and_come_back(app) {
        let (owner, id) = approved_workspace(&app).await;
        member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        let lou = member(&app, &owner, &id, "lou@example.com", "loudev", "developer").await;
        let members = format!("/workspaces/{id}/members");
        for (endpoint, extra, key, said) in [
            ("workspaces/change_role", vec![("member", "ivydev"), ("role", "operator")], "role_changed", "The role was changed; the member was emailed about it."),
            ("workspaces/block", vec![("member", "ivydev")], "blocked", "The member was blocked: they cannot open this workspace until they are unblocked."),
            ("workspaces/unblock", vec![("member", "ivydev")], "unblocked", "The member was unblocked and can open this workspace again."),
            ("workspaces/remove", vec![("member", "ivydev")], "removed", "The member was removed from the team."),
        ] {
            let mut fields = vec![("workspace_id", id.as_str())];
            fields.extend_from_slice(&extra);
            let r = owner.post_form(endpoint, &members, &fields).await;
            assert_eq!(r.status(), 302, "{endpoint}");
            let to = format!("{members}?{key}=1");
            assert_eq!(r.headers()["location"], to.as_str(), "{endpoint}");
            let (_, html) = owner.html(&to).await;
            assert!(html.contains(said), "{endpoint}: {html}");
        }
        assert_eq!(membership(&app, &id, "ivydev").await, None);

        // A wrong password comes back to the page, with the answer in that member's panel.
        let r = owner.post_form("workspaces/transfer", &members, &[("workspace_id", id.as_str()), ("member", "lizadmin"), ("password", "not my password at all")]).await;
        assert_eq!(r.status(), 302);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.contains("__err="), "{back}");
        assert!(!back.contains("not my password"), "the password is not carried back: {back}");
        let back = if back.starts_with('/') { app.url(&back) } else { back };
        let html = owner.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(html.contains(WRONG_PASSWORD), "{html}");
        assert_eq!(membership(&app, &id, OWNER).await, is("owner", "active"));

        let r = owner.post_form("workspaces/transfer", &members, &[("workspace_id", id.as_str()), ("member", "lizadmin"), ("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("{members}?transferred=1").as_str());
        assert_eq!(membership(&app, &id, "lizadmin").await, is("owner", "active"));
        let (_, html) = owner.html(&format!("{members}?transferred=1")).await;
        assert!(html.contains("The ownership was transferred; you are an Admin now."), "{html}");

        // Leaving goes to the console.
        let r = lou.post_form("workspaces/leave", &members, &[("workspace_id", id.as_str())]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/console");
        assert_eq!(membership(&app, &id, "loudev").await, None);
    }
}
