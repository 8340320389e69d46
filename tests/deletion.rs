//! "Delete my account" on the account page: the password first (counted like a sign-in), an
//! Owner of a team refused with the way out, and otherwise a tombstone: signed out everywhere,
//! the old names free, drafts gone (also one started after a rejection), submitted applications
//! (approved, rejected, or sent back for changes) kept for the reviewers under a replaced
//! e-mail, a notice mailed to the old address.

mod common;
use common::*;

const WRONG: &str = "Your current password is not right.";
const ACME: &str = "Acme Mini Apps Pte. Ltd.";

async fn delete(client: &TestApp, password: &str) -> reqwest::Response {
    client
        .call("account/delete", &[("password", password)])
        .await
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    id
}

/// The users row by id: e-mail, username, username key, password hash, whether deleted.
async fn user_row(app: &TestApp, id: &str) -> (String, String, String, String, bool) {
    let (email, username, key, hash, deleted_at): (String, String, String, String, Option<i64>) =
        sqlx::query_as(
            "SELECT email, username, username_key, password_hash, deleted_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (email, username, key, hash, deleted_at.is_some())
}

/// Queued deletion notices to `to` (the outbox: what the portal decided to send).
async fn notices_queued(app: &TestApp, to: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND subject LIKE '%account was deleted%'",
    )
    .bind(to)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    n
}

/// The deletion notice as `to` received it: (subject, text). Waits up to 10 s.
async fn notice_received(app: &TestApp, to: &str) -> (String, String) {
    for _ in 0..200 {
        if let Some(m) = app
            .smtp
            .to(to)
            .into_iter()
            .find(|m| m.subject().contains("account was deleted"))
        {
            return (m.subject(), m.text());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "{to} got no deletion notice: {:?}",
        app.smtp
            .to(to)
            .iter()
            .map(|m| m.subject())
            .collect::<Vec<_>>()
    );
}

/// A page as a browser loads it: (status, body).
async fn page(client: &TestApp, path: &str) -> (u16, String) {
    let r = client
        .client
        .get(client.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A user signed up on its own client whose approved application (with a logo) makes it the
/// Owner of a workspace; returns (client, application id, reviewer).
async fn owner(app: &TestApp) -> (TestApp, String, TestApp) {
    let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
    let ann = app.another_browser();
    let id = ann.applicant("ann@example.com", "annlee").await;
    let r = ann
        .save(
            "save",
            &id,
            &[],
            Some(("logo.png", png(128, 128), "image/png")),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = ann.save("submit", &id, VALID, None).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = reviewer
        .call("review/approve", &[("id", &id), ("round", "1")])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (ann, id, reviewer)
}

both_databases! {
    async fn the_account_page_says_what_deleting_does_before_asking_for_the_password(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let (status, html) = page(&app, "/account").await;
        assert_eq!(status, 200);
        for text in [
            r#"id="delete-title""#,
            "Delete my account",
            "signs you out on every device",
            "deletes your drafts",
            "with your email address replaced",
            "This cannot be undone.",
            "btn btn--danger",
        ] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
        let said = html.find("This cannot be undone.").unwrap();
        let asked = html.find(r#"name="password""#).expect("the password field");
        assert!(said < asked, "what happens is said before the password is asked for");
    }

    async fn a_wrong_password_is_refused_counted_against_the_account_and_changes_nothing(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let id = user_id(&app, "ann@example.com").await;
        let r = delete(&app, "").await;
        assert_eq!(r.status(), 422);
        assert_eq!(field_message(&error_of(r).await, "password").as_deref(), Some("Enter your current password."));
        // The account's five free tries, then a wait: the sixth is not even checked.
        for i in 0..5 {
            let r = delete(&app, &format!("wrong guess number {i}")).await;
            assert_eq!(r.status(), 422, "try {i}");
            assert_eq!(field_message(&error_of(r).await, "password").as_deref(), Some(WRONG));
        }
        let r = delete(&app, GOOD_PASSWORD).await;
        assert_eq!(r.status(), 429, "even the right password waits");
        let err = error_of(r).await;
        assert!(err["retry_after"].as_u64().unwrap() >= 1, "{err}");
        assert!(err["message"].as_str().unwrap().contains("Try again in"), "{err}");

        let (email, username, _, _, deleted) = user_row(&app, &id).await;
        assert_eq!((email.as_str(), username.as_str(), deleted), ("ann@example.com", "annlee", false));
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"), "still signed in");
        assert_eq!(notices_queued(&app, "ann@example.com").await, 0);
        // It is the account's sign-in budget: signing in waits too.
        assert_eq!(app.another_browser().sign_in("annlee", GOOD_PASSWORD).await.status(), 429);
    }

    async fn deleting_signs_out_everywhere_leaves_nothing_to_sign_in_with_and_mails_the_old_address(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        assert_eq!(phone.sign_in("annlee", GOOD_PASSWORD).await.status(), 200);
        // Both sessions answered a moment ago (kept in the portal's memory).
        assert_eq!(phone.whoami().await.as_deref(), Some("annlee"));
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
        let id = user_id(&app, "ann@example.com").await;

        let r = delete(&app, GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200, "{:?}", r.headers());
        let cleared = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cleared.starts_with("isv_session=;") && cleared.contains("Max-Age=0"), "{cleared}");

        // This browser and the other device are signed out, and no session is left.
        let r = app.client.get(app.url("/account")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/signin?next=/account");
        assert_eq!(phone.whoami().await, None, "the other device's session ended on the server");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", &id).await, 0);

        // The row is a tombstone: nothing of the person, nothing to sign in with.
        let (email, username, key, hash, deleted) = user_row(&app, &id).await;
        assert!(deleted);
        assert_eq!(email, format!("deleted-{id}@deleted.invalid"));
        let tombstone = format!("deleted:{id}");
        assert_eq!((username.as_str(), key.as_str()), (tombstone.as_str(), tombstone.as_str()));
        assert!(!isv_portal::server::crypto::verify_password(GOOD_PASSWORD.into(), Some(hash)).await);
        let stranger = app.another_browser();
        for login in ["ann@example.com", "annlee", email.as_str()] {
            let r = stranger.sign_in(login, GOOD_PASSWORD).await;
            assert_eq!(r.status(), 422, "{login}");
            assert_eq!(error_of(r).await["message"], "Incorrect email, username or password.", "like an unknown account: {login}");
        }
        let (subject, text) = notice_received(&app, "ann@example.com").await;
        assert_eq!(subject, "Your Mini Program Platform account was deleted");
        for words in ["Hello annlee,", "every signed-in device was signed out", "Your drafts were deleted.", "with your email address replaced"] {
            assert!(text.contains(words), "{words}: {text}");
        }
        assert!(!text.contains(GOOD_PASSWORD));
        assert_eq!(notices_queued(&app, "ann@example.com").await, 1);
        assert!(app.smtp.to(&email).is_empty(), "nothing goes to the replaced address");
    }

    async fn submitted_applications_stay_for_the_reviewers_with_the_email_replaced_and_drafts_go(app) {
        let (ann, id, reviewer) = owner(&app).await;
        let ann_id = user_id(&app, "ann@example.com").await;
        let kept_logo = reviewer.call("review/application", &[("id", &id)]).await.json::<serde_json::Value>().await.unwrap()["app"]["logo_url"]
            .as_str().unwrap().to_string();
        // After approval the account may start another application: a draft, with a logo.
        assert_eq!(ann.choose_role("merchant").await.status(), 200);
        let draft = ann.draft().await["id"].as_str().unwrap().to_string();
        assert_ne!(draft, id);
        let r = ann.save("save", &draft, &[("company_name", "Draft Only Ltd")], Some(("logo.png", png(256, 256), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM logos WHERE user_id = $1", &ann_id).await, 2);
        let events_before = count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1", &id).await;

        // The sole Owner of a workspace (no other members) may delete the account.
        let r = delete(&ann, GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let replaced = format!("deleted-{ann_id}@deleted.invalid");

        // Gone: the draft, its history and its logo; acceptances; the codes of the old address.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1", &draft).await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1", &draft).await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM logos WHERE user_id = $1", &ann_id).await, 1, "only the submitted logo stays");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM acceptances WHERE user_id = $1", &ann_id).await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM verification_codes WHERE email = $1", "ann@example.com").await, 0);
        // Kept: the submitted application, its round, its history, the membership.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'approved'", &id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", &id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1", &id).await, events_before);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_members WHERE user_id = $1 AND role = 'owner'", &ann_id).await, 1);

        // The reviewers' pages still render it, under the replaced address.
        let (status, html) = page(&reviewer, &format!("/review/{id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(ACME), "{html}");
        assert!(html.contains(&replaced), "{html}");
        assert!(!html.contains("ann@example.com"), "the old address shows: {html}");
        let d: serde_json::Value = reviewer.call("review/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(d["applicant_email"], replaced.as_str());
        assert_eq!(d["app"]["fields"]["company_name"], ACME);
        let queue: serde_json::Value = reviewer.call("review/queue", QUEUE_ALL).await.json().await.unwrap();
        assert_eq!(queue["total"], 1, "{queue}");
        assert_eq!(queue["rows"][0]["email"], replaced.as_str());
        let (status, html) = page(&reviewer, "/review").await;
        assert_eq!(status, 200);
        assert!(html.contains(ACME) && !html.contains("ann@example.com"));
        assert_eq!(reviewer.client.get(app.url(&kept_logo)).send().await.unwrap().status(), 200, "the submitted logo still shows");
    }

    async fn rejected_and_sent_back_applications_stay_while_the_new_draft_after_a_rejection_goes(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (ann, id) = app.submitted("ann@example.com", "annlee").await;
        let ann_id = user_id(&app, "ann@example.com").await;
        let r = reviewer.call("review/reject", &[("id", &id), ("round", "1"), ("reason", "We could not verify this business at all.")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        // A rejection is final: the account starts a new application, a draft of its own.
        assert_eq!(ann.choose_role("merchant").await.status(), 200);
        let draft = ann.draft().await["id"].as_str().unwrap().to_string();
        assert_ne!(draft, id);
        // Bob's application is sent back to him for changes.
        let (bob, bobs) = app.submitted("bob@shop.example", "bobtan").await;
        let r = reviewer.request_changes(&bobs, 1, &[("company_name", "Use the name on your registration certificate.")], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        assert_eq!(delete(&ann, GOOD_PASSWORD).await.status(), 200);
        assert_eq!(delete(&bob, GOOD_PASSWORD).await.status(), 200);

        // The draft goes; both submitted applications stay with their rounds, counted as they were.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1", &draft).await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'rejected'", &id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND status = 'changes_requested'", &bobs).await, 1);
        for app_id in [&id, &bobs] {
            assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", app_id).await, 1);
        }
        let queue: serde_json::Value = reviewer.call("review/queue", QUEUE_ALL).await.json().await.unwrap();
        assert_eq!(
            queue["counts"],
            serde_json::json!([["UnderReview", 0], ["ChangesRequested", 1], ["Approved", 0], ["Rejected", 1]])
        );
        assert_eq!(queue["total"], 2, "{queue}");
        let emails: Vec<&str> = queue["rows"].as_array().unwrap().iter().map(|r| r["email"].as_str().unwrap()).collect();
        assert!(emails.contains(&format!("deleted-{ann_id}@deleted.invalid").as_str()), "{emails:?}");
        assert!(!emails.contains(&"ann@example.com") && !emails.contains(&"bob@shop.example"), "{emails:?}");
    }

    async fn the_same_email_and_username_can_sign_up_again(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let old = user_id(&app, "ann@example.com").await;
        assert_eq!(delete(&app, GOOD_PASSWORD).await.status(), 200);
        // The notice first, so that the sign-up reads the next mail as its code.
        notice_received(&app, "ann@example.com").await;

        let again = app.another_browser();
        again.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        assert_eq!(again.whoami().await.as_deref(), Some("annlee"));
        let new = user_id(&app, "ann@example.com").await;
        assert_ne!(new, old, "a new account, not the old one back");
        let (_, _, _, _, deleted) = user_row(&app, &old).await;
        assert!(deleted, "the tombstone stays");
        assert_eq!(app.another_browser().sign_in("ann@example.com", GOOD_PASSWORD).await.status(), 200);
    }

    async fn an_owner_of_a_workspace_with_other_members_is_refused_with_the_way_out(app) {
        let (ann, id, _reviewer) = owner(&app).await;
        let ann_id = user_id(&app, "ann@example.com").await;
        let bob = app.another_browser();
        bob.sign_up("bob@example.com", "bobby", GOOD_PASSWORD).await;
        let bob_id = user_id(&app, "bob@example.com").await;
        // Bob is made a member directly (tests/team.rs joins by invitation, and covers a
        // member deleting their own account and an Owner with open invitations).
        sqlx::query("INSERT INTO workspace_members (workspace_id, user_id, role, added_at) VALUES ($1, $2, 'developer', 0)")
            .bind(&id)
            .bind(&bob_id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let (name,): (String,) = sqlx::query_as("SELECT name FROM workspaces WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(name, ACME);
        let acceptances = count(&app, "SELECT COUNT(*) FROM acceptances WHERE user_id = $1", &ann_id).await;
        assert!(acceptances > 0);

        let r = delete(&ann, GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        let err = error_of(r).await;
        assert_eq!(
            err["message"],
            format!("You own {ACME}, which has other members. Transfer its ownership to another member, or remove the members, before deleting your account.").as_str()
        );
        assert!(err["fields"].as_array().unwrap().is_empty(), "{err}");

        // Nothing changed.
        let (email, username, _, _, deleted) = user_row(&app, &ann_id).await;
        assert_eq!((email.as_str(), username.as_str(), deleted), ("ann@example.com", "annlee", false));
        assert_eq!(ann.whoami().await.as_deref(), Some("annlee"));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = $1", &id).await, 2);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM acceptances WHERE user_id = $1", &ann_id).await, acceptances);
        assert_eq!(notices_queued(&app, "ann@example.com").await, 0);
        assert_eq!(bob.whoami().await.as_deref(), Some("bobby"));

        // The way out: once the members are gone, the account can be deleted.
        sqlx::query("DELETE FROM workspace_members WHERE user_id = $1")
            .bind(&bob_id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(delete(&ann, GOOD_PASSWORD).await.status(), 200);
        assert!(user_row(&app, &ann_id).await.4);
        assert_eq!(bob.whoami().await.as_deref(), Some("bobby"), "another account is untouched");
    }

    async fn of_parallel_deletions_with_the_right_password_exactly_one_lands_and_one_notice_is_mailed(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let id = user_id(&app, "ann@example.com").await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let client = app.client.clone();
            let url = app.url("/api/account/delete");
            tasks.push(tokio::spawn(async move {
                client.post(url).form(&[("password", GOOD_PASSWORD)]).send().await.unwrap().status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        // The others found the account gone (401) or waited behind the account's tries (429).
        assert!(statuses.iter().all(|s| [200, 401, 429].contains(s)), "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert_eq!(notices_queued(&app, "ann@example.com").await, 1);
        assert!(user_row(&app, &id).await.4);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL AND id = $1", &id).await, 1);
        notice_received(&app, "ann@example.com").await;
        let received = app.smtp.to("ann@example.com").into_iter().filter(|m| m.subject().contains("account was deleted")).count();
        assert_eq!(received, 1);
    }

    async fn without_javascript_a_wrong_password_comes_back_and_the_right_one_lands_on_the_home_page(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let id = user_id(&app, "ann@example.com").await;

        let r = app.post_form("account/delete", "/account", &[("password", "not it at all")]).await;
        assert_eq!(r.status(), 302);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.contains("/account?") && back.contains("__err"), "{back}");
        let r = app.client.get(&back).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let section = html.find(r#"id="delete-title""#).expect("the delete section");
        assert!(html[section..].contains(WRONG), "the error shows in the delete form: {html}");
        assert!(!user_row(&app, &id).await.4);

        let r = app.post_form("account/delete", "/account", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/?account_deleted=1");
        let cleared = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(user_row(&app, &id).await.4);
        let (status, _) = page(&app, "/?account_deleted=1").await;
        assert_eq!(status, 200);
        assert_eq!(app.whoami().await, None);
    }

    async fn a_signed_out_visitor_is_asked_to_sign_in(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        assert_eq!(app.sign_out().await.status(), 200);
        assert_eq!(delete(&app, GOOD_PASSWORD).await.status(), 401);
        assert_eq!(delete(&app.another_browser(), GOOD_PASSWORD).await.status(), 401);
        assert!(!user_row(&app, &user_id(&app, "ann@example.com").await).await.4);
    }
}
