//! Applications: one open application per account (a draft, under review, or changes
//! requested), kept by the database (not by a read before an insert), so that an approved or a
//! rejected one lets the account start another; every submission kept as a round that
//! reviewers can open again after the applicant edits; the confirmation page showing the real
//! status; and reviewers shown to applicants as "a reviewer", never by their login.

mod common;
use common::*;

/// A login found nowhere else on any page (not even inside a country's name).
const REVIEWER: &str = "qzxvek";
const REVIEWER_EMAIL: &str = "rq7@platform.example";
const REASON: &str = "The business address must match your registration certificate.";
/// A reviewer's note on the company name, with a request for changes.
const NOTE: &str = "Use the name on your registration certificate.";
const FIRST_NAME: &str = "Acme Mini Apps Pte. Ltd.";
const SECOND_NAME: &str = "Acme Renamed Pte. Ltd.";

impl TestApp {
    /// The reviewer account, signed in on its own client.
    async fn reviewer(&self) -> TestApp {
        self.reviewer_as(REVIEWER_EMAIL, REVIEWER).await
    }

    /// The reviewers' view of an application, at `round` (the current one when `None`).
    async fn detail(&self, id: &str, round: Option<i64>) -> serde_json::Value {
        let round = round.map(|r| r.to_string());
        let mut form = vec![("id", id)];
        if let Some(r) = &round {
            form.push(("round", r.as_str()));
        }
        let r = self.call("review/application", &form).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn decide(&self, id: &str, decision: &str, reason: &str, round: i64) {
        let round = round.to_string();
        let r = self
            .call(
                if decision == "approve" {
                    "review/approve"
                } else {
                    "review/reject"
                },
                &[("id", id), ("reason", reason), ("round", &round)],
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    /// Requests changes to the company name (`NOTE`) on `round`; it must be accepted.
    async fn ask_for_a_new_name(&self, id: &str, round: i64) {
        let r = self
            .request_changes(id, round, &[("company_name", NOTE)], "")
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    /// A page as the browser loads it (rendered on the server, with its hydration data).
    async fn page(&self, path: &str) -> String {
        let (status, html) = self.html(path).await;
        assert_eq!(status, 200, "{path}");
        html
    }

    /// Fields as `VALID`, with another company name.
    fn renamed() -> Vec<(&'static str, &'static str)> {
        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "company_name");
        fields.push(("company_name", SECOND_NAME));
        fields
    }
}

both_databases! {
    async fn fifty_parallel_role_choices_make_one_draft(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let (client, url) = (app.client.clone(), app.url("/api/onboarding/choose_role"));
                tokio::spawn(async move {
                    client.post(url).form(&[("role", "isv")]).send().await.unwrap().status().as_u16()
                })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap(), 200);
        }
        let (user_id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE username = 'annlee'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE user_id = $1", &user_id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events e JOIN applications a ON a.id = e.application_id \
            WHERE a.user_id = $1 AND e.kind = 'created'", &user_id).await, 1);
        assert_eq!(app.draft().await["role"], "Isv");

        // The database itself refuses a second open application for the account (under review,
        // or changes requested), and takes a closed one (rejected or approved).
        for (status, open) in [("under_review", true), ("changes_requested", true), ("rejected", false), ("approved", false)] {
            let inserted = sqlx::query(
                "INSERT INTO applications (id, user_id, role, status, company_name, business_address, country, \
                 representative, website, service_phone, service_email, created_at, updated_at) \
                 VALUES ($1, $2, 'isv', $3, '', '', '', '', '', '', '', 0, 0)",
            )
            .bind(format!("second-{status}"))
            .bind(&user_id)
            .bind(status)
            .execute(&app.db.pool)
            .await;
            match (inserted, open) {
                (Err(e), true) => assert!(isv_portal::server::db::is_unique_violation(&e), "{status}: {e}"),
                (Ok(_), false) => {}
                (inserted, _) => panic!("{status}: stored {}, but open {open}", inserted.is_ok()),
            }
        }
    }

    async fn a_role_cannot_start_another_application_while_one_is_open(app) {
        let reviewer = app.reviewer().await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let r = applicant.choose_role("merchant").await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("under review"));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id <> $1", &id).await, 0);
        // Approved, it is a workspace that stays; the account may start another application.
        reviewer.decide(&id, "approve", "", 1).await;
        assert_eq!(applicant.choose_role("merchant").await.status(), 200);
        let draft = applicant.draft().await;
        assert_ne!(draft["id"], id.as_str());
        assert_eq!(draft["role"], "Merchant");
        assert_eq!(applicant.status_of(&id).await, "Approved");

        // Changes requested, the application is still the open one: a role choice changes it
        // rather than starting another.
        let second = draft["id"].as_str().unwrap().to_string();
        assert_eq!(applicant.save("submit", &second, VALID, None).await.status(), 200);
        assert_eq!(applicant.choose_role("isv").await.status(), 409);
        reviewer.ask_for_a_new_name(&second, 1).await;
        assert_eq!(applicant.choose_role("isv").await.status(), 200);
        assert_eq!(applicant.draft().await["id"], second.as_str());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id <> $1", &id).await, 1, "no other was started");

        // Rejected, it is closed for good: the account may start another application again.
        assert_eq!(applicant.save("submit", &second, VALID, None).await.status(), 200);
        reviewer.decide(&second, "reject", REASON, 2).await;
        assert_eq!(applicant.draft().await, serde_json::Value::Null, "nothing open");
        assert_eq!(applicant.choose_role("merchant").await.status(), 200);
        let third = applicant.draft().await;
        assert_ne!(third["id"], id.as_str());
        assert_ne!(third["id"], second.as_str());
        assert_eq!(third["status"], "Draft");
        assert_eq!(applicant.status_of(&second).await, "Rejected");
    }

    async fn a_decided_round_stays_as_reviewers_saw_it_while_the_applicant_edits_the_next(app) {
        let reviewer = app.reviewer().await;
        let applicant = app.another_browser();
        let id = applicant.applicant("ann@example.com", "annlee").await;
        let r = applicant.save("save", &id, &[], Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 200);
        assert_eq!(applicant.save("submit", &id, VALID, None).await.status(), 200);
        let first_logo = reviewer.detail(&id, None).await["app"]["logo_url"].as_str().unwrap().to_string();
        reviewer.ask_for_a_new_name(&id, 1).await;

        // The applicant edits, with a new logo; the reviewers still see what they sent back.
        let r = applicant.save("save", &id, &TestApp::renamed(), Some(("logo.png", png(160, 160), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d = reviewer.detail(&id, None).await;
        assert_eq!((d["round"].as_i64(), d["app"]["round"].as_i64()), (Some(1), Some(1)));
        assert_eq!(d["app"]["fields"]["company_name"], FIRST_NAME);
        assert_eq!(d["app"]["status"], "ChangesRequested");
        assert_eq!(d["app"]["logo_url"], first_logo.as_str());
        let queue: serde_json::Value = reviewer.call("review/queue", QUEUE_ALL).await.json().await.unwrap();
        assert_eq!(queue["rows"][0]["company_name"], FIRST_NAME);
        assert_eq!(reviewer.client.get(app.url(&first_logo)).send().await.unwrap().status(), 200, "the decided round's logo is kept");

        // Resubmitted: round 2 has the new name, round 1 still the old one.
        let r = applicant.save("submit", &id, &TestApp::renamed(), None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let current = reviewer.detail(&id, None).await;
        assert_eq!((current["round"].as_i64(), current["app"]["round"].as_i64()), (Some(2), Some(2)));
        assert_eq!(current["app"]["fields"]["company_name"], SECOND_NAME);
        assert_ne!(current["app"]["logo_url"], first_logo.as_str());
        let first = reviewer.detail(&id, Some(1)).await;
        assert_eq!(first["app"]["round"], 1);
        assert_eq!(first["round"], 2, "a decision still names the current round");
        assert_eq!(first["app"]["fields"]["company_name"], FIRST_NAME);
        assert_eq!(first["app"]["status"], "ChangesRequested");
        assert_eq!(first["app"]["requested_changes"]["fields"], serde_json::json!([{"field": "company_name", "note": NOTE}]));
        assert_eq!(first["app"]["rejection_reason"], serde_json::Value::Null);
        assert_eq!(first["app"]["logo_url"], first_logo.as_str());
        assert_eq!(reviewer.client.get(app.url(&first_logo)).send().await.unwrap().status(), 200);
        let rounds: Vec<(i64, String, String, Option<String>)> = current["rounds"].as_array().unwrap().iter()
            .map(|r| (
                r["app"]["round"].as_i64().unwrap(),
                r["app"]["status"].as_str().unwrap().to_string(),
                r["app"]["fields"]["company_name"].as_str().unwrap().to_string(),
                r["decided_by"].as_str().map(String::from),
            ))
            .collect();
        assert_eq!(rounds, [
            (1, "ChangesRequested".to_string(), FIRST_NAME.to_string(), Some(REVIEWER.to_string())),
            (2, "UnderReview".to_string(), SECOND_NAME.to_string(), None),
        ]);
        let r = reviewer.call("review/application", &[("id", &id), ("round", "3")]).await;
        assert_eq!(r.status(), 404, "no such round");

        // The history names the round of every entry.
        let history: Vec<(String, i64)> = current["history"].as_array().unwrap().iter()
            .map(|h| (h["kind"].as_str().unwrap().to_string(), h["round"].as_i64().unwrap()))
            .collect();
        let expected: Vec<(String, i64)> = [("created", 0), ("submitted", 1), ("changes_requested", 1), ("resubmitted", 2)]
            .into_iter().map(|(k, r)| (k.to_string(), r)).collect();
        assert_eq!(history, expected);

        // The pages: round 1 opened by its address, with links to both rounds; the applicant's
        // onboarding details list both rounds too.
        let html = reviewer.page(&format!("/review/{id}?round=1")).await;
        assert!(html.contains("You are looking at round 1 as it was submitted."));
        assert!(html.contains(FIRST_NAME));
        assert!(html.contains(&format!("href=\"/review/{id}?round=2\"")), "links to round 2");
        let html = reviewer.page(&format!("/review/{id}")).await;
        assert!(html.contains(&format!("href=\"/review/{id}?round=1\"")), "links to round 1");
        let html = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert!(html.contains("id=\"round-1\"") && html.contains("id=\"round-2\""));
        assert!(html.contains(NOTE));

        // Deciding round 2 (a rejection, with its reason) leaves round 1 as it was.
        reviewer.decide(&id, "reject", REASON, 2).await;
        let first = reviewer.detail(&id, Some(1)).await;
        assert_eq!(first["app"]["status"], "ChangesRequested");
        assert_eq!(first["app"]["fields"]["company_name"], FIRST_NAME);
        assert_eq!(first["app"]["requested_changes"]["fields"][0]["note"], NOTE);
        let current = reviewer.detail(&id, None).await;
        assert_eq!(current["app"]["status"], "Rejected");
        assert_eq!(current["app"]["rejection_reason"], REASON);
        let second = &current["rounds"][1]["app"];
        assert_eq!((second["status"].as_str(), second["rejection_reason"].as_str()), (Some("Rejected"), Some(REASON)));
        assert_eq!(second["requested_changes"], serde_json::Value::Null);
        let html = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert!(html.contains(NOTE) && html.contains(REASON), "each round with what was decided on it");
    }

    async fn the_submitted_page_shows_the_real_status(app) {
        let reviewer = app.reviewer().await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let path = format!("/onboarding/submitted?id={id}");
        let html = applicant.page(&path).await;
        assert!(html.contains("Thank you, your request is submitted"));
        assert!(html.contains("badge--under_review") && html.contains("What happens next"));

        reviewer.ask_for_a_new_name(&id, 1).await;
        let html = applicant.page(&path).await;
        assert!(html.contains("badge--changes_requested"), "shows Changes requested");
        assert!(html.contains("A reviewer asked for changes.") && html.contains(NOTE), "with the request");
        assert!(html.contains("Edit and resubmit") && html.contains("href=\"/onboarding/business\""));
        assert!(!html.contains("badge--under_review"));

        assert_eq!(applicant.save("submit", &id, VALID, None).await.status(), 200);
        assert!(applicant.page(&path).await.contains("badge--under_review"));
        reviewer.decide(&id, "approve", "", 2).await;
        let html = applicant.page(&path).await;
        assert!(html.contains("badge--approved"), "shows Approved");
        assert!(html.contains("You are the Owner of this workspace."));
        assert!(!html.contains("badge--under_review") && !html.contains("badge--changes_requested"));

        // Another applicant's rejection: shown with its reason, as final.
        let (bob, bobs) = app.submitted("bob@shop.example", "bobtan").await;
        reviewer.decide(&bobs, "reject", REASON, 1).await;
        let html = bob.page(&format!("/onboarding/submitted?id={bobs}")).await;
        assert!(html.contains("badge--rejected"), "shows Rejected");
        assert!(html.contains(REASON), "with the reason");
        assert!(html.contains("This decision is final for this application; you can start a new one."));
        assert!(html.contains("Start a new application") && html.contains("href=\"/onboarding/role\""));
        assert!(!html.contains("Edit and resubmit") && !html.contains("href=\"/onboarding/business\""));
        assert!(!html.contains("badge--under_review"));
    }

    async fn applicants_never_see_the_reviewers_login(app) {
        let reviewer = app.reviewer().await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let r = reviewer.call("review/take", &[("id", &id)]).await;
        assert_eq!(r.status(), 200);
        reviewer.ask_for_a_new_name(&id, 1).await;
        // The reviewers' side names the reviewer: there is a login to leak.
        let notes: Vec<String> = reviewer.detail(&id, None).await["history"].as_array().unwrap().iter()
            .map(|h| h["note"].as_str().unwrap().to_string())
            .collect();
        assert!(notes.contains(&format!("Assigned to {REVIEWER}")), "{notes:?}");

        fn leaks(what: &str, text: &str) {
            assert!(!text.contains(REVIEWER) && !text.contains(REVIEWER_EMAIL), "{what} shows the reviewer's login");
        }
        async fn functions(applicant: &TestApp, id: &str) -> Vec<(String, String)> {
            let mut seen = Vec::new();
            for (endpoint, form) in [
                ("console/applications", vec![]),
                ("console/application", vec![("id", id)]),
                ("console/workspace", vec![("id", id)]),
                ("onboarding/draft", vec![]),
            ] {
                let r = applicant.call(endpoint, &form).await;
                assert_eq!(r.status(), 200, "{endpoint}");
                seen.push((endpoint.to_string(), r.text().await.unwrap()));
            }
            seen
        }
        let pages = [
            "/console".to_string(),
            format!("/workspaces/{id}"),
            format!("/workspaces/{id}/onboarding"),
            format!("/onboarding/submitted?id={id}"),
        ];

        // Changes requested: the pages, the wizard with the request, and the functions behind them.
        let mut while_sent_back = pages.to_vec();
        while_sent_back.push("/onboarding/business".to_string());
        for path in &while_sent_back {
            leaks(path, &applicant.page(path).await);
        }
        assert!(applicant.page("/onboarding/business").await.contains(NOTE), "the wizard shows the request");
        for (endpoint, body) in functions(&applicant, &id).await {
            leaks(&endpoint, &body);
        }
        let onboarding = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert!(onboarding.contains("by a reviewer") && onboarding.contains("Assigned to a reviewer"), "the reviewer is \"a reviewer\"");

        // Resubmitted (a 409 for a role choice meanwhile), then approved.
        assert_eq!(applicant.save("submit", &id, VALID, None).await.status(), 200);
        let r = applicant.choose_role("isv").await;
        assert_eq!(r.status(), 409);
        leaks("the 409 of a role choice", &r.text().await.unwrap());
        reviewer.decide(&id, "approve", "", 2).await;
        for path in &pages {
            leaks(path, &applicant.page(path).await);
        }
        for (endpoint, body) in functions(&applicant, &id).await {
            leaks(&endpoint, &body);
        }

        // Another application of the account, rejected: its pages and functions too.
        assert_eq!(applicant.choose_role("merchant").await.status(), 200);
        let second = applicant.draft().await["id"].as_str().unwrap().to_string();
        assert_eq!(applicant.save("submit", &second, VALID, None).await.status(), 200);
        reviewer.decide(&second, "reject", REASON, 1).await;
        for path in [
            "/console".to_string(),
            format!("/workspaces/{second}"),
            format!("/workspaces/{second}/onboarding"),
            format!("/onboarding/submitted?id={second}"),
        ] {
            leaks(&path, &applicant.page(&path).await);
        }
        for (endpoint, body) in functions(&applicant, &second).await {
            leaks(&endpoint, &body);
        }

        // Mails: the code, received, changes requested, received again, approved, received
        // (the second application), rejected.
        let mails = app.smtp.wait_for("ann@example.com", 7).await;
        for mail in &mails {
            leaks(&mail.subject(), &mail.text());
        }
    }

    /// A stored member role or status this version does not know is an error (logged, a 500),
    /// never read as an applicant or a draft.
    async fn stored_values_this_version_does_not_know_are_errors_not_defaults(app) {
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(applicant.call("console/workspace", &[("id", &id)]).await.status(), 200);
        sqlx::query("UPDATE workspace_members SET role = 'superuser' WHERE workspace_id = $1")
            .bind(&id).execute(&app.db.pool).await.unwrap();
        assert_eq!(applicant.call("console/workspace", &[("id", &id)]).await.status(), 500);
        sqlx::query("UPDATE applications SET status = 'archived' WHERE id = $1")
            .bind(&id).execute(&app.db.pool).await.unwrap();
        assert_eq!(applicant.call("console/application", &[("id", &id)]).await.status(), 500);
    }
}
