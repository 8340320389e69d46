//! A workspace's team (issue 11): invitations (mail and link, single use, bound to the address,
//! 3 days, resend voids the old link, withdraw ends it), joining by signing up or signing in,
//! the members page (list, search, filters; the invite form only for the Owner and Admins),
//! the console listing every workspace with the user's role, the roles table on the server
//! (a Developer cannot invite, an Admin cannot invite an Admin), the limits (50 pending,
//! 30 mails an hour) under parallel requests, and strangers getting 404 everywhere.

mod common;
use common::*;
use futures::future::join_all;
use isv_portal::server::db::now_ms;
use isv_portal::workspaces::INVALID_LINK;
use serde_json::Value;
use std::time::Duration;

/// The mail limit counts per clock hour: a test that counts to it starts with a minute of the
/// hour left at least, so the hour cannot turn in the middle.
async fn away_from_the_hours_end() {
    let into_hour = now_ms() % 3_600_000;
    if into_hour > 3_540_000 {
        tokio::time::sleep(Duration::from_millis(
            (3_600_000 - into_hour + 1_000) as u64,
        ))
        .await;
    }
}

async fn pending_rows(app: &TestApp, id: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM workspace_invitations WHERE workspace_id = $1 AND state = 'pending'",
        id,
    )
    .await
}

both_databases! {
    async fn a_member_who_deletes_their_account_leaves_and_an_owners_deletion_ends_the_invitations(app) {
        let (owner, id) = approved_workspace(&app).await;
        let dev = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        // Someone whose address holds ivy's: it must come through ivy's deletion untouched.
        assert_eq!(owner.invite(&id, "xivy@example.com", "operator").await.status(), 200);
        // The Owner has a member: refused.
        let r = owner.call("account/delete", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 422);
        // The member deletes their account: they leave, and their address is gone from the
        // team's history and invitations.
        assert_eq!(dev.call("account/delete", &[("password", GOOD_PASSWORD)]).await.status(), 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1", &id).await, 1);
        // The history no longer names the address, in its words or in the parts it is worded
        // from; the longer address that holds it stays as it was.
        let rows: Vec<(String, Option<String>)> = sqlx::query_as("SELECT note, params FROM application_events WHERE application_id = $1")
            .bind(&id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        // ivy's address appears nowhere but inside xivy's.
        let alone = |text: &str| text.replace("xivy@example.com", "").contains("ivy@example.com");
        for (note, params) in &rows {
            for text in [Some(note), params.as_ref()].into_iter().flatten() {
                assert!(!alone(text), "{text}");
            }
        }
        assert_eq!(rows.iter().filter(|(n, p)| n.contains("xivy@example.com") && p.as_deref().is_some_and(|p| p.contains("\"xivy@example.com\""))).count(), 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_invitations WHERE email = $1", "ivy@example.com").await, 0);
        let history = owner.html(&format!("/workspaces/{id}")).await.1;
        assert!(history.contains("A member left"));
        assert!(!alone(&history), "the page shows no trace of the address");
        assert!(history.contains("xivy@example.com"));

        // An open invitation, then the Owner deletes their account: the link no longer works.
        assert_eq!(owner.invite(&id, "jack@example.com", "operator").await.status(), 200);
        let token = token_in_mail(&app, "jack@example.com", 1).await;
        assert_eq!(owner.call("account/delete", &[("password", GOOD_PASSWORD)]).await.status(), 200);
        assert_eq!(pending_rows(&app, &id).await, 0);
        let jack = app.another_browser();
        jack.sign_up("jack@example.com", "jackop", GOOD_PASSWORD).await;
        assert_eq!(jack.join(&token).await.status(), 404);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1", &id).await, 1, "only the deleted Owner's row");
    }

    async fn an_owners_deletion_and_joins_at_the_same_time_never_leave_members_without_an_owner(app) {
        let (owner, id) = approved_workspace(&app).await;
        let mut joiners = Vec::new();
        for n in 0..5 {
            let email = format!("p{n}@example.com");
            assert_eq!(owner.invite(&id, &email, "operator").await.status(), 200);
            let token = token_in_mail(&app, &email, 1).await;
            let person = app.another_browser();
            person.sign_up(&email, &format!("person{n}"), GOOD_PASSWORD).await;
            joiners.push((person, token));
        }
        let deletion = owner.call("account/delete", &[("password", GOOD_PASSWORD)]);
        let joins = join_all(joiners.iter().map(|(p, t)| p.join(t)));
        let (deleted, joined) = tokio::join!(deletion, joins);
        let joined = joined.iter().filter(|r| r.status() == 200).count() as i64;
        let deleted = deleted.status() == 200;
        let members = count(&app, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1", &id).await;
        assert_eq!(members, 1 + joined, "every 200 joined");
        assert!(
            !(deleted && joined > 0),
            "the Owner's account was deleted while {joined} joined: a team without an Owner"
        );
    }

    async fn a_members_open_stream_hears_the_team_and_a_strangers_does_not(app) {
        let (owner, id) = approved_workspace(&app).await;
        let dev = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        let stranger = app.another_browser();
        let draft = stranger.applicant("sam@example.com", "samstranger").await;
        let mut heard = dev.events(None).await;
        let mut not_heard = stranger.events(None).await;
        assert_eq!(owner.invite(&id, "jack@example.com", "operator").await.status(), 200);
        let event = heard
            .next_within(Duration::from_secs(10))
            .await
            .expect("the member's stream hears the invitation");
        assert_eq!((event.kind(), event.application()), ("invited", id.as_str()));
        // The stranger's stream works (it hears its own submission next), and heard nothing of
        // the workspace before it.
        assert_eq!(stranger.save("submit", &draft, VALID, None).await.status(), 200);
        let first = not_heard
            .next_within(Duration::from_secs(10))
            .await
            .expect("the stranger's stream hears its own submission");
        assert_eq!((first.kind(), first.application()), ("submitted", draft.as_str()));

        // Joined after its stream opened: heard once the stream rechecks (every 200 ms here).
        let late_joiner = app.another_browser();
        late_joiner.sign_up("kim@example.com", "kimop", GOOD_PASSWORD).await;
        let mut late = late_joiner.events(None).await;
        assert_eq!(owner.invite(&id, "kim@example.com", "operator").await.status(), 200);
        // Mail 1 was the sign-up code.
        let token = token_in_mail(&app, "kim@example.com", 2).await;
        assert_eq!(late_joiner.join(&token).await.status(), 200);
        // Invitations until one is heard (each a new event), for up to 10 seconds.
        let mut heard_one = false;
        for n in 0..20 {
            let to = format!("lee{n}@example.com");
            assert_eq!(owner.invite(&id, &to, "operator").await.status(), 200);
            if let Some(e) = late.next_within(Duration::from_millis(500)).await {
                assert_eq!(e.application(), id.as_str());
                heard_one = true;
                break;
            }
        }
        assert!(heard_one, "a new member's open stream hears the team");
    }

    async fn the_owner_invites_two_people_who_each_get_a_mail_with_a_link(app) {
        let (owner, id) = approved_workspace(&app).await;
        let r = owner.invite(&id, "ann@example.com\nBob@Example.com", "developer").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let sent: Value = r.json().await.unwrap();
        assert_eq!(sent["sent"], serde_json::json!(["ann@example.com", "bob@example.com"]));

        for to in ["ann@example.com", "bob@example.com"] {
            let mails = app.smtp.wait_for(to, 1).await;
            let mail = &mails[0];
            assert!(mail.subject().contains(&format!("{OWNER} invited you to join {COMPANY}")), "{}", mail.subject());
            assert!(mail.text().contains("as a Developer"), "{}", mail.text());
            token_in_mail(&app, to, 1).await;
        }
        let ann = token_in_mail(&app, "ann@example.com", 1).await;
        let bob = token_in_mail(&app, "bob@example.com", 1).await;
        assert_ne!(ann, bob);

        let team = owner.team(&id, &[]).await;
        let mut got = lines(&team);
        got.sort();
        assert_eq!(got, [
            ("ann@example.com".to_string(), "InvitationSent".to_string(), "Developer".to_string()),
            ("bob@example.com".to_string(), "InvitationSent".to_string(), "Developer".to_string()),
            (OWNER_EMAIL.to_string(), "Active".to_string(), "Owner".to_string()),
        ]);
        let line = team["lines"].as_array().unwrap().iter().find(|l| l["email"] == "ann@example.com").unwrap();
        assert_eq!(line["invited_by"], OWNER);
        assert_eq!(line["can_manage"], true);
        assert_eq!(team["invitable"], serde_json::json!(["Admin", "Developer", "Operator"]));

        // The page says it too, and offers the form to the Owner.
        let (status, html) = owner.html(&format!("/workspaces/{id}/members")).await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("badge badge--member-invited\">Invitation sent<").count(), 2, "{html}");
        assert!(html.contains("Send invitations") && html.contains("Resend invitation"));

        // The history names who invited whom, as what.
        let w: Value = owner.call("console/workspace", &[("id", &id)]).await.json().await.unwrap();
        let invited: Vec<(String, String)> = w["history"].as_array().unwrap().iter()
            .filter(|h| h["kind"] == "invited")
            .map(|h| (h["note"].as_str().unwrap().to_string(), h["actor"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(invited, [
            ("Invited ann@example.com as Developer".to_string(), OWNER.to_string()),
            ("Invited bob@example.com as Developer".to_string(), OWNER.to_string()),
        ]);

        // Only the token's hash is stored with the invitation.
        let stored: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, email, token_hash FROM workspace_invitations ORDER BY email",
        )
        .fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(stored.len(), 2);
        for (row, token) in stored.iter().zip([&ann, &bob]) {
            assert!(!row.0.contains(token.as_str()) && !row.2.contains(token.as_str()), "the raw token is stored");
            assert_eq!(row.2, isv_portal::workspaces::store::token_hash(token));
        }
        // Nor does the outbox keep the link once the mail is delivered: a sent mail's body
        // is dropped (its recipient and subject stay for the record).
        let mut bodies: Vec<(String, String, String)> = Vec::new();
        for _ in 0..500 {
            bodies = sqlx::query_as(
                "SELECT status, text_body, html_body FROM outbox \
                 WHERE recipient IN ('ann@example.com', 'bob@example.com')",
            )
            .fetch_all(&app.db.pool).await.unwrap();
            if bodies.iter().all(|(status, ..)| status == "sent") { break; }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(bodies.len(), 2);
        for (status, text, html) in &bodies {
            assert_eq!(status, "sent");
            assert!(text.is_empty() && html.is_empty(), "a sent mail's body stays: {text}");
        }
        for token in [&ann, &bob] {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM outbox WHERE text_body LIKE $1 OR html_body LIKE $1",
            )
            .bind(format!("%{token}%"))
            .fetch_one(&app.db.pool).await.unwrap();
            assert_eq!(n, 0, "the outbox keeps an invitation link");
        }
    }

    async fn an_invited_person_signs_up_with_the_address_and_joins_with_the_role(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "carol@example.com", "operator").await.status(), 200);
        let token = token_in_mail(&app, "carol@example.com", 1).await;
        let link = format!("/invitations/{token}");

        // Signed out: what it is, and the ways in, carrying the way back and the address.
        let carol = app.another_browser();
        let (status, html) = carol.html(&link).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("Join {COMPANY}")) && html.contains("an Operator"), "{html}");
        assert!(html.contains(&format!("/signin?next=/invitations/{token}")), "{html}");
        assert!(html.contains("/signup?email=carol%40example.com"), "{html}");
        assert!(html.matches(&format!("next=/invitations/{token}")).count() >= 2, "both links lead back: {html}");
        assert!(html.contains("To join, sign in with c***@example.com"), "{html}");

        // The sign-up form has the address filled in and keeps where to go next.
        let (_, form) = carol.html(&format!("/signup?email=carol%40example.com&next=/invitations/{token}")).await;
        assert!(form.contains("value=\"carol@example.com\""), "{form}");
        assert!(form.contains(&format!("value=\"/invitations/{token}\"")), "{form}");

        // The e-mailed code is still required.
        let r = carol.call("accounts/sign_up", &[
            ("email", "carol@example.com"), ("code", "123456"), ("username", "carolyn"),
            ("password", GOOD_PASSWORD), ("terms", "yes"), ("next", link.as_str()),
        ]).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "code").is_some());
        assert_eq!(carol.send_signup_code("carol@example.com").await.status(), 200);
        let code = app.smtp.code_for("carol@example.com", 2).await;
        let r = carol.call("accounts/sign_up", &[
            ("email", "carol@example.com"), ("code", code.as_str()), ("username", "carolyn"),
            ("password", GOOD_PASSWORD), ("terms", "yes"), ("next", link.as_str()),
        ]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(r.headers()["location"], link.as_str(), "back to the invitation");

        // Signed in with the invited address: one click.
        let (status, html) = carol.html(&link).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("Join {COMPANY}")) && html.contains(&format!("Joining {COMPANY} makes you an Operator:")), "{html}");
        let r = carol.join(&token).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(r.headers()["location"], format!("/workspaces/{id}").as_str());
        let joined: String = r.json().await.unwrap();
        assert_eq!(joined, id);

        let (role, invited_by): (String, Option<String>) = sqlx::query_as(
            "SELECT m.role, i.username FROM workspace_members m JOIN users u ON u.id = m.user_id \
             LEFT JOIN users i ON i.id = m.invited_by WHERE m.workspace_id = $1 AND u.email = 'carol@example.com'",
        )
        .bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!((role.as_str(), invited_by.as_deref()), ("operator", Some(OWNER)));

        // The console lists it with her role; the workspace and its onboarding details open.
        assert_eq!(carol.console_cards().await, [(id.clone(), Value::from("Operator"))]);
        let (_, console) = carol.html("/console").await;
        assert!(console.contains(COMPANY) && console.contains("Your role: Operator"), "{console}");
        let (status, page) = carol.html(&format!("/workspaces/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Your role: Operator") && page.contains(&format!("/workspaces/{id}/members")), "{page}");
        assert_eq!(carol.html(&format!("/workspaces/{id}/onboarding")).await.0, 200);
        // Her history names the team, never the reviewer.
        let w: Value = carol.call("console/workspace", &[("id", &id)]).await.json().await.unwrap();
        let history: Vec<(String, String)> = w["history"].as_array().unwrap().iter()
            .map(|h| (h["note"].as_str().unwrap().to_string(), h["actor"].as_str().unwrap_or_default().to_string()))
            .collect();
        assert!(history.contains(&("Approved".to_string(), "a reviewer".to_string())), "{history:?}");
        assert!(history.contains(&("Invited carol@example.com as Operator".to_string(), OWNER.to_string())), "{history:?}");
        assert!(history.iter().any(|(n, a)| n.starts_with("carolyn joined as Operator") && a == "carolyn"), "{history:?}");
        assert!(!w.to_string().contains("rita"), "the reviewer is not named: {w}");

        // The Owner's console says Owner; the list shows her active.
        assert_eq!(owner.console_cards().await, [(id.clone(), Value::from("Owner"))]);
        let (_, console) = owner.html("/console").await;
        assert!(console.contains("Your role: Owner"));
        let team = owner.team(&id, &[("status", "active")]).await;
        let mut got = lines(&team);
        got.sort();
        assert_eq!(got, [
            ("carol@example.com".to_string(), "Active".to_string(), "Operator".to_string()),
            (OWNER_EMAIL.to_string(), "Active".to_string(), "Owner".to_string()),
        ]);
    }

    async fn a_link_is_bound_to_its_address_and_works_once(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "dan@example.com", "developer").await.status(), 200);
        let token = token_in_mail(&app, "dan@example.com", 1).await;
        let link = format!("/invitations/{token}");

        // Signed in with another address: told so, with a way out, and refused.
        let eve = app.another_browser();
        eve.sign_up("eve@example.com", "evelyn", GOOD_PASSWORD).await;
        let (status, html) = eve.html(&link).await;
        assert_eq!(status, 200);
        assert!(html.contains("This invitation is for d***@example.com; you are signed in as eve@example.com."), "{html}");
        assert!(html.contains("/api/session/sign_out") && html.contains("class=\"btn btn--secondary\">Sign out<"), "{html}");
        let r = eve.join(&token).await;
        assert_eq!(r.status(), 403);
        let e = error_of(r).await;
        assert!(e["message"].as_str().unwrap().contains("This invitation is for d***@example.com; you are signed in as eve@example.com"), "{e}");
        assert!(!e.to_string().contains("dan@example.com"));
        assert_eq!(eve.call("console/workspace", &[("id", &id)]).await.status(), 404, "not a member");

        // The invited address joins, once.
        let dan = app.another_browser();
        dan.sign_up("dan@example.com", "danny", GOOD_PASSWORD).await;
        assert_eq!(dan.join(&token).await.status(), 200);
        let again = dan.join(&token).await;
        assert_eq!(again.status(), 404);
        assert_eq!(error_of(again).await["message"], INVALID_LINK);
        let (status, html) = dan.html(&link).await;
        assert_eq!(status, 404);
        assert!(html.contains(INVALID_LINK) && !html.contains(COMPANY), "{html}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1", &id).await, 2);

        // An unknown token reads the same, signed in or out.
        for client in [&dan, &app.another_browser()] {
            let (status, html) = client.html("/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
            assert_eq!(status, 404);
            assert!(html.contains(INVALID_LINK), "{html}");
        }
    }

    async fn twenty_parallel_joins_make_one_membership(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "fred@example.com", "developer").await.status(), 200);
        let token = token_in_mail(&app, "fred@example.com", 1).await;
        let fred = app.another_browser();
        fred.sign_up("fred@example.com", "freddie", GOOD_PASSWORD).await;
        let answers = join_all((0..20).map(|_| fred.join(&token))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 200 || *s == 404), "{statuses:?}");
        let members = count(&app, "SELECT COUNT(*) FROM workspace_members m JOIN users u ON u.id = m.user_id WHERE u.email = $1", "fred@example.com").await;
        assert_eq!(members, 1);
        let joined = count(&app, "SELECT COUNT(*) FROM application_events WHERE kind = 'member_joined' AND application_id = $1", &id).await;
        assert_eq!(joined, 1);
    }

    async fn an_expired_link_is_not_valid_and_the_list_says_expired(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "gina@example.com", "developer").await.status(), 200);
        let token = token_in_mail(&app, "gina@example.com", 1).await;
        // Three days and a moment later.
        sqlx::query("UPDATE workspace_invitations SET expires_at = $1")
            .bind(now_ms() - 1)
            .execute(&app.db.pool).await.unwrap();

        let visitor = app.another_browser();
        let (status, html) = visitor.html(&format!("/invitations/{token}")).await;
        assert_eq!(status, 404);
        assert!(html.contains(INVALID_LINK) && !html.contains(COMPANY), "no workspace named: {html}");
        let gina = app.another_browser();
        gina.sign_up("gina@example.com", "ginny", GOOD_PASSWORD).await;
        assert_eq!(gina.join(&token).await.status(), 404);

        let team = owner.team(&id, &[]).await;
        assert!(lines(&team).contains(&("gina@example.com".to_string(), "InvitationExpired".to_string(), "Developer".to_string())));
        let (_, html) = owner.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains("badge badge--member-expired\">Invitation expired<"), "{html}");
        let expired = owner.team(&id, &[("status", "expired")]).await;
        assert_eq!(lines(&expired).len(), 1);

        // A resend gives 3 more days and a link that works.
        let r = owner.resend(&id, &invitation_id(&team, "gina@example.com")).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let fresh = token_in_mail(&app, "gina@example.com", 3).await;
        assert_eq!(gina.join(&fresh).await.status(), 200);
    }

    async fn resend_voids_the_old_link_and_withdraw_voids_it(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "hank@example.com", "developer").await.status(), 200);
        let first = token_in_mail(&app, "hank@example.com", 1).await;
        let invitation = invitation_id(&owner.team(&id, &[]).await, "hank@example.com");
        let before: i64 = sqlx::query_scalar("SELECT expires_at FROM workspace_invitations").fetch_one(&app.db.pool).await.unwrap();

        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let r = owner.resend(&id, &invitation).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let second = token_in_mail(&app, "hank@example.com", 2).await;
        assert_ne!(first, second);
        let after: i64 = sqlx::query_scalar("SELECT expires_at FROM workspace_invitations").fetch_one(&app.db.pool).await.unwrap();
        assert!(after > before && after >= now_ms() + 3 * 24 * 3600 * 1000 - 60_000, "3 more days");
        let visitor = app.another_browser();
        assert_eq!(visitor.html(&format!("/invitations/{first}")).await.0, 404, "the old link stopped working");
        assert_eq!(visitor.html(&format!("/invitations/{second}")).await.0, 200);

        let r = owner.withdraw(&id, &invitation).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(visitor.html(&format!("/invitations/{second}")).await.0, 404, "withdrawn");
        let hank = app.another_browser();
        hank.sign_up("hank@example.com", "hankster", GOOD_PASSWORD).await;
        assert_eq!(hank.join(&second).await.status(), 404);
        assert!(!lines(&owner.team(&id, &[]).await).iter().any(|l| l.0 == "hank@example.com"), "withdrawn ones are not listed");
        // Nothing left to withdraw or resend.
        assert_eq!(owner.withdraw(&id, &invitation).await.status(), 404);
        assert_eq!(owner.resend(&id, &invitation).await.status(), 404);

        let notes: Vec<String> = owner.call("console/workspace", &[("id", &id)]).await.json::<Value>().await.unwrap()["history"]
            .as_array().unwrap().iter().map(|h| h["note"].as_str().unwrap().to_string()).collect();
        assert!(notes.iter().any(|n| n.starts_with("Resent the invitation to hank@example.com")), "{notes:?}");
        assert!(notes.iter().any(|n| n.starts_with("Withdrew the invitation to hank@example.com")), "{notes:?}");
    }

    async fn a_developer_cannot_invite_and_does_not_see_the_form(app) {
        let (owner, id) = approved_workspace(&app).await;
        let dev = member(&app, &owner, &id, "ivy@example.com", "ivydev", "developer").await;
        assert_eq!(owner.invite(&id, "jack@example.com", "operator").await.status(), 200);
        let jack = invitation_id(&owner.team(&id, &[]).await, "jack@example.com");

        let r = dev.invite(&id, "kim@example.com", "operator").await;
        assert_eq!(r.status(), 403);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("Only the Owner and Admins"));
        assert_eq!(dev.resend(&id, &jack).await.status(), 403);
        assert_eq!(dev.withdraw(&id, &jack).await.status(), 403);
        assert!(app.smtp.to("kim@example.com").is_empty());
        assert_eq!(pending_rows(&app, &id).await, 1, "only the Owner's invitation");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", "jack@example.com").await,
            1,
            "not resent"
        );

        // A Developer sees the team, without the form or the buttons.
        let team = dev.team(&id, &[]).await;
        assert_eq!(team["my_role"], "Developer");
        assert_eq!(team["invitable"], serde_json::json!([]));
        assert!(team["lines"].as_array().unwrap().iter().all(|l| l["can_manage"] == false));
        let (status, html) = dev.html(&format!("/workspaces/{id}/members")).await;
        assert_eq!(status, 200);
        assert!(html.contains("jack@example.com") && html.contains("Your role: Developer"), "{html}");
        assert!(!html.contains("Send invitations") && !html.contains("Resend invitation") && !html.contains("Withdraw invitation"), "{html}");
    }

    async fn an_admin_invites_developers_and_operators_but_not_admins(app) {
        let (owner, id) = approved_workspace(&app).await;
        let admin = member(&app, &owner, &id, "liz@example.com", "lizadmin", "admin").await;
        assert_eq!(admin.team(&id, &[]).await["invitable"], serde_json::json!(["Developer", "Operator"]));

        let r = admin.invite(&id, "max@example.com", "admin").await;
        assert_eq!(r.status(), 403);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("As an Admin you can invite people as Developer or Operator only."));
        assert!(admin.invite(&id, "max@example.com", "owner").await.status() == 403, "nobody invites an Owner");
        assert_eq!(owner.invite(&id, "max@example.com", "owner").await.status(), 403);
        assert!(app.smtp.to("max@example.com").is_empty());
        assert_eq!(admin.invite(&id, "max@example.com", "developer").await.status(), 200);

        // An Admin's invitation is the Owner's to resend, withdraw or change.
        assert_eq!(owner.invite(&id, "ned@example.com", "admin").await.status(), 200);
        let team = admin.team(&id, &[]).await;
        let ned = invitation_id(&team, "ned@example.com");
        let line = team["lines"].as_array().unwrap().iter().find(|l| l["email"] == "ned@example.com").unwrap().clone();
        assert_eq!(line["can_manage"], false);
        assert_eq!(admin.resend(&id, &ned).await.status(), 403);
        assert_eq!(admin.withdraw(&id, &ned).await.status(), 403);
        assert_eq!(admin.invite(&id, "ned@example.com", "developer").await.status(), 403);
        let role: String = sqlx::query_scalar("SELECT role FROM workspace_invitations WHERE email = 'ned@example.com'").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(role, "admin", "unchanged");
        let (_, html) = admin.html(&format!("/workspaces/{id}/members")).await;
        assert!(html.contains("Send invitations"), "{html}");
        assert!(html.contains("type=\"radio\" name=\"role\" value=\"developer\""), "{html}");
        assert!(!html.contains("type=\"radio\" name=\"role\" value=\"admin\""), "{html}");
    }

    async fn a_workspace_not_approved_cannot_invite(app) {
        let (applicant, id) = app.submitted(OWNER_EMAIL, OWNER).await;
        let r = applicant.invite(&id, "ann@example.com", "developer").await;
        assert_eq!(r.status(), 422);
        let message = format!("You can invite team members once {COMPANY} is approved.");
        assert_eq!(error_of(r).await["message"], message.as_str());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_invitations WHERE workspace_id = $1", &id).await, 0);
        assert!(app.smtp.to("ann@example.com").is_empty());
        let (status, html) = applicant.html(&format!("/workspaces/{id}/members")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&message) && !html.contains("Send invitations"), "{html}");
        let team = applicant.team(&id, &[]).await;
        assert_eq!(team["my_role"], "Applicant");
    }

    async fn inviting_a_member_says_so_and_inviting_again_renews(app) {
        let (owner, id) = approved_workspace(&app).await;
        let r = owner.invite(&id, &format!("new@example.com, {OWNER_EMAIL}"), "developer").await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert_eq!(field_message(&e, "emails").as_deref(), Some(format!("{OWNER_EMAIL} is already a member of {COMPANY}.").as_str()));
        assert_eq!(pending_rows(&app, &id).await, 0, "nothing sent");
        assert!(app.smtp.to("new@example.com").is_empty());

        // Every bad address is named, and nothing is sent.
        let r = owner.invite(&id, "ok@example.com\nnot-an-address\nbad@", "developer").await;
        assert_eq!(r.status(), 422);
        let m = field_message(&error_of(r).await, "emails").unwrap();
        assert!(m.contains("\"not-an-address\" is not an email address.") && m.contains("\"bad@\""), "{m}");
        let eleven: Vec<String> = (0..11).map(|i| format!("p{i}@example.com")).collect();
        assert_eq!(owner.invite(&id, &eleven.join(","), "developer").await.status(), 422);
        assert_eq!(owner.call("workspaces/invite", &[("workspace_id", id.as_str()), ("emails", "ok@example.com")]).await.status(), 422, "no role");
        assert_eq!(pending_rows(&app, &id).await, 0);

        // Inviting an address again renews its invitation: one open, the new role, the old link void.
        assert_eq!(owner.invite(&id, "olga@example.com", "developer").await.status(), 200);
        let old = token_in_mail(&app, "olga@example.com", 1).await;
        let r = owner.invite(&id, "olga@example.com", "operator").await;
        assert_eq!(r.status(), 200);
        let sent: Value = r.json().await.unwrap();
        assert_eq!(sent["renewed"], serde_json::json!(["olga@example.com"]));
        let new = token_in_mail(&app, "olga@example.com", 2).await;
        assert_ne!(old, new);
        assert_eq!(pending_rows(&app, &id).await, 1);
        assert_eq!(owner.another_browser().html(&format!("/invitations/{old}")).await.0, 404);
        let (_, html) = owner.another_browser().html(&format!("/invitations/{new}")).await;
        assert!(html.contains("an Operator"), "{html}");

        // An address with an account and one without get the same answer and the same mail.
        let pat = app.another_browser();
        pat.sign_up("pat@example.com", "patty", GOOD_PASSWORD).await;
        let r = owner.invite(&id, "pat@example.com\nquinn@example.com", "developer").await;
        assert_eq!(r.status(), 200);
        let sent: Value = r.json().await.unwrap();
        assert_eq!(sent["sent"], serde_json::json!(["pat@example.com", "quinn@example.com"]));
        let to_pat = app.smtp.wait_for("pat@example.com", 2).await[1].subject();
        let to_quinn = app.smtp.wait_for("quinn@example.com", 1).await[0].subject();
        assert_eq!(to_pat, to_quinn);
    }

    async fn the_list_is_searched_by_email_or_username_and_filtered(app) {
        let (owner, id) = approved_workspace(&app).await;
        member(&app, &owner, &id, "rose@example.com", "rosebud", "operator").await;
        assert_eq!(owner.invite(&id, "sam@example.com\ntess@example.com", "developer").await.status(), 200);

        let emails = |team: &Value| { let mut e: Vec<String> = lines(team).into_iter().map(|l| l.0).collect(); e.sort(); e };
        assert_eq!(emails(&owner.team(&id, &[("q", "ROSEBUD")]).await), ["rose@example.com"], "by username");
        assert_eq!(emails(&owner.team(&id, &[("q", "sam@")]).await), ["sam@example.com"], "by e-mail");
        assert_eq!(emails(&owner.team(&id, &[("role", "developer")]).await), ["sam@example.com", "tess@example.com"]);
        assert_eq!(emails(&owner.team(&id, &[("status", "active")]).await), [OWNER_EMAIL, "rose@example.com"]);
        assert_eq!(emails(&owner.team(&id, &[("status", "invited"), ("q", "tess")]).await), ["tess@example.com"]);
        assert!(emails(&owner.team(&id, &[("q", "%")]).await).is_empty(), "% matches itself");
        assert_eq!(owner.team(&id, &[("q", "x")]).await["filtered"], true);

        // The page's GET form, without JavaScript.
        let (status, html) = owner.html(&format!("/workspaces/{id}/members?q=tess&status=invited&role=")).await;
        assert_eq!(status, 200);
        assert!(html.contains("tess@example.com") && !html.contains("sam@example.com") && !html.contains("rose@example.com"), "{html}");
        let (_, html) = owner.html(&format!("/workspaces/{id}/members?q=nobody-here")).await;
        assert!(html.contains("No members match these filters"), "{html}");
    }

    async fn the_limits_hold_fifty_pending_and_thirty_mails_an_hour(app) {
        away_from_the_hours_end().await;
        let (owner, id) = approved_workspace(&app).await;
        let batch = |from: usize| (from..from + 10).map(|i| format!("p{i}@example.com")).collect::<Vec<_>>().join("\n");
        for from in [0, 10, 20] {
            assert_eq!(owner.invite(&id, &batch(from), "developer").await.status(), 200);
        }
        // The 31st mail in the hour waits, with how long.
        let r = owner.invite(&id, "p30@example.com", "developer").await;
        assert_eq!(r.status(), 429);
        let e = error_of(r).await;
        assert!(e["message"].as_str().unwrap().contains("has sent 30 invitations this hour"), "{e}");
        assert!(e["retry_after"].as_u64().unwrap() >= 1 && e["retry_after"].as_u64().unwrap() <= 3600);
        assert_eq!(pending_rows(&app, &id).await, 30);

        // An hour later: 20 more make 50 pending, and the 51st is refused.
        sqlx::query("UPDATE invitation_mail_counts SET window_hour = window_hour - 1").execute(&app.db.pool).await.unwrap();
        for from in [30, 40] {
            assert_eq!(owner.invite(&id, &batch(from), "developer").await.status(), 200);
        }
        assert_eq!(pending_rows(&app, &id).await, 50);
        let r = owner.invite(&id, "p50@example.com", "developer").await;
        assert_eq!(r.status(), 422);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("at most 50 can be pending"));
        assert_eq!(pending_rows(&app, &id).await, 50);
        assert!(app.smtp.to("p50@example.com").is_empty());
        // Withdrawing one makes room.
        let one = invitation_id(&owner.team(&id, &[("q", "p0@")]).await, "p0@example.com");
        assert_eq!(owner.withdraw(&id, &one).await.status(), 200);
        assert_eq!(owner.invite(&id, "p50@example.com", "developer").await.status(), 200);
        assert_eq!(pending_rows(&app, &id).await, 50);
    }

    async fn fifty_parallel_invitations_never_pass_thirty_mails_an_hour(app) {
        away_from_the_hours_end().await;
        let (owner, id) = approved_workspace(&app).await;
        let emails: Vec<String> = (0..50).map(|i| format!("burst{i}@example.com")).collect();
        let answers = join_all(emails.iter().map(|e| owner.invite(&id, e, "operator"))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        if let Some(r) = answers.into_iter().find(|r| r.status().as_u16() >= 500) {
            panic!("a server error: {}", r.text().await.unwrap_or_default());
        }
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 30, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20, "{statuses:?}");
        assert_eq!(pending_rows(&app, &id).await, 30);
        let sent: i64 = sqlx::query_scalar("SELECT CAST(SUM(sent) AS BIGINT) FROM invitation_mail_counts WHERE workspace_id = $1")
            .bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(sent, 30);
        let mails = count(&app, "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1", &format!("%invited you to join {COMPANY}%")).await;
        assert_eq!(mails, 30);
        assert_eq!(owner.invite(&id, "late@example.com", "operator").await.status(), 429);
    }

    async fn parallel_invitations_never_pass_fifty_pending(app) {
        away_from_the_hours_end().await;
        let (owner, id) = approved_workspace(&app).await;
        // 45 pending already (made directly: the mail limit would stop them within the hour).
        let owner_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(OWNER_EMAIL).fetch_one(&app.db.pool).await.unwrap();
        let now = now_ms();
        for i in 0..45 {
            sqlx::query(
                "INSERT INTO workspace_invitations (id, workspace_id, email, role, token_hash, state, \
                 invited_by, created_at, sent_at, expires_at) VALUES ($1, $2, $3, 'developer', $4, 'pending', $5, $6, $6, $7)",
            )
            .bind(format!("seed{i}"))
            .bind(&id)
            .bind(format!("seed{i}@example.com"))
            .bind(format!("hash{i}"))
            .bind(&owner_id)
            .bind(now)
            .bind(now + 3_600_000)
            .execute(&app.db.pool).await.unwrap();
        }
        let emails: Vec<String> = (0..20).map(|i| format!("rush{i}@example.com")).collect();
        let answers = join_all(emails.iter().map(|e| owner.invite(&id, e, "developer"))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 15, "{statuses:?}");
        assert_eq!(pending_rows(&app, &id).await, 50);
    }

    async fn a_stranger_gets_not_found_everywhere(app) {
        let (owner, id) = approved_workspace(&app).await;
        assert_eq!(owner.invite(&id, "uma@example.com", "developer").await.status(), 200);
        let invitation = invitation_id(&owner.team(&id, &[]).await, "uma@example.com");
        // A stranger with a workspace of their own.
        let stranger = app.another_browser();
        let theirs = stranger.applicant("vic@example.com", "victor").await;
        assert_eq!(stranger.save("submit", &theirs, VALID, None).await.status(), 200);

        let (status, html) = stranger.html(&format!("/workspaces/{id}/members")).await;
        assert_eq!(status, 404);
        assert!(!html.contains("uma@example.com"));
        assert_eq!(stranger.html(&format!("/workspaces/{id}")).await.0, 404);
        assert_eq!(stranger.call("workspaces/members", &[("id", id.as_str())]).await.status(), 404);
        assert_eq!(stranger.invite(&id, "spam@example.com", "developer").await.status(), 404);
        assert_eq!(stranger.resend(&id, &invitation).await.status(), 404);
        assert_eq!(stranger.withdraw(&id, &invitation).await.status(), 404);
        // The Owner with the stranger's workspace id finds nothing either.
        assert_eq!(owner.resend(&theirs, &invitation).await.status(), 404);
        assert_eq!(app.smtp.to("uma@example.com").len(), 1, "nothing resent");
        assert_eq!(pending_rows(&app, &id).await, 1, "nothing withdrawn");
        assert!(app.smtp.to("spam@example.com").is_empty());
        assert!(!stranger.console_cards().await.iter().any(|(w, _)| *w == id));

        // Signed out: 401 from the functions, and the page goes through sign-in.
        let nobody = app.another_browser();
        assert_eq!(nobody.invite(&id, "spam@example.com", "developer").await.status(), 401);
        assert_eq!(nobody.join("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await.status(), 401);
        let r = nobody.client.get(app.url(&format!("/workspaces/{id}/members"))).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("/signin?next=/workspaces/{id}/members").as_str());
    }

    async fn without_javascript_the_forms_post_and_come_back(app) {
        let (owner, id) = approved_workspace(&app).await;
        let members = format!("/workspaces/{id}/members");
        let r = owner.post_form("workspaces/invite", &members, &[("workspace_id", id.as_str()), ("emails", "wes@example.com"), ("role", "developer")]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("{members}?invited=1").as_str());
        let (_, html) = owner.html(&format!("{members}?invited=1")).await;
        assert!(html.contains("1 invitation was sent."), "{html}");

        // A refusal comes back to the form with the sentence and what was typed.
        let r = owner.post_form("workspaces/invite", &members, &[("workspace_id", id.as_str()), ("emails", "nope"), ("role", "developer")]).await;
        assert_eq!(r.status(), 302);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.contains("__err="), "{back}");
        let back = if back.starts_with('/') { app.url(&back) } else { back };
        let html = owner.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("is not an email address."), "{html}");

        let invitation = invitation_id(&owner.team(&id, &[]).await, "wes@example.com");
        let r = owner.post_form("workspaces/resend", &members, &[("workspace_id", id.as_str()), ("invitation_id", invitation.as_str())]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("{members}?resent=1").as_str());
        let token = token_in_mail(&app, "wes@example.com", 2).await;

        let wes = app.another_browser();
        wes.sign_up("wes@example.com", "wesley", GOOD_PASSWORD).await;
        let r = wes.post_form("workspaces/join", &format!("/invitations/{token}"), &[("token", token.as_str())]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("/workspaces/{id}").as_str());
        assert_eq!(wes.console_cards().await, [(id.clone(), Value::from("Developer"))]);

        // Sign-up's "Send code" without JavaScript keeps where to go next.
        let next = "/invitations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let r = app.another_browser().post_form("accounts/send_sign_up_code", "/signup", &[("email", "xena@example.com"), ("next", next)]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("/signup?sent=1&email=xena%40example.com&next={next}").as_str());
    }
}
