//! Seed Steps 3 and 4 and the reviewers' side: the review functions are reviewers' only;
//! approve; reject with a reason, which is final (the account may start a new application);
//! request changes, which the applicant edits and resubmits as the next round; one decision
//! wins; replays decide once; the mails and their links; the audit history; the live event
//! stream and its replay after a reconnect; on PostgreSQL, two instances sharing one feed.

mod common;
use common::*;
use isv_portal::accounts::reviewers::create_reviewer;
use std::time::Duration;

impl TestApp {
    async fn detail(&self, id: &str) -> serde_json::Value {
        let r = self.call("review/application", &[("id", id)]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn queue(&self, filters: &[(&str, &str)]) -> serde_json::Value {
        let mut form = QUEUE_ALL.to_vec();
        for (k, v) in filters {
            form.retain(|(key, _)| key != k);
            form.push((k, v));
        }
        let r = self.call("review/queue", &form).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn decide(
        &self,
        id: &str,
        decision: &str,
        reason: &str,
        round: i64,
    ) -> reqwest::Response {
        let round = round.to_string();
        self.call(
            if decision == "approve" {
                "review/approve"
            } else {
                "review/reject"
            },
            &[("id", id), ("reason", reason), ("round", &round)],
        )
        .await
    }
}

both_databases! {
    async fn only_reviewers_reach_the_review_functions_and_the_event_stream(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let calls: [(&str, Vec<(&str, &str)>); 7] = [
            ("review/queue", QUEUE_ALL.to_vec()),
            ("review/application", vec![("id", &id)]),
            ("review/take", vec![("id", &id)]),
            ("review/release", vec![("id", &id)]),
            ("review/approve", vec![("id", &id), ("round", "1")]),
            ("review/reject", vec![("id", &id), ("reason", "Not a real business."), ("round", "1")]),
            (
                "review/request_changes",
                vec![("id", &id), ("round", "1"), ("pick_company_name", "on"), ("note_company_name", "Use the registered name.")],
            ),
        ];
        let stranger = app.another_browser();
        for (endpoint, form) in &calls {
            assert_eq!(applicant.call(endpoint, form).await.status(), 403, "{endpoint} as an applicant");
            assert_eq!(stranger.call(endpoint, form).await.status(), 401, "{endpoint} signed out");
        }
        assert_eq!(applicant.status_of(&id).await, "UnderReview", "nothing was decided");
        assert_eq!(stranger.open_events(None).await.status(), 401);
        let page = stranger.client.get(app.url("/review")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(page.status(), 302);
        assert_eq!(page.headers()["location"], "/signin?next=/review");
        // The applicant's page says it is not theirs to see; the reviewer's shows the queue.
        let html = applicant.client.get(app.url("/review")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("You are not allowed to do that."));
        let html = reviewer.client.get(app.url("/review")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Acme Mini Apps Pte. Ltd.") && html.contains("annlee"));
        // Reviewers may see an applicant's logo; other applicants still may not.
        let bob = app.another_browser();
        let bobs = bob.applicant("bob@shop.example", "bobtan").await;
        let r = bob.save("save", &bobs, &[], Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 200);
        assert_eq!(bob.save("submit", &bobs, VALID, None).await.status(), 200);
        let logo = reviewer.detail(&bobs).await["app"]["logo_url"].as_str().unwrap().to_string();
        assert_eq!(reviewer.client.get(app.url(&logo)).send().await.unwrap().status(), 200);
        assert_eq!(applicant.client.get(app.url(&logo)).send().await.unwrap().status(), 404);
    }

    async fn a_reviewer_approves_and_the_applicant_becomes_owner_with_the_approval_mail(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;

        let queue = reviewer.queue(&[]).await;
        assert_eq!(queue["total"], 1);
        let row = &queue["rows"][0];
        assert_eq!(row["company_name"], "Acme Mini Apps Pte. Ltd.");
        assert_eq!(row["role"], "Isv");
        assert_eq!(row["country_name"], "Singapore");
        assert_eq!(row["applicant"], "annlee");
        assert_eq!(row["email"], "ann@example.com");
        assert_eq!(row["status"], "UnderReview");
        assert_eq!(row["assigned_to"], serde_json::Value::Null);
        // Every status a submitted application can have, in the order of its life.
        assert_eq!(
            queue["counts"],
            serde_json::json!([["UnderReview", 1], ["ChangesRequested", 0], ["Approved", 0], ["Rejected", 0]])
        );

        let d = reviewer.detail(&id).await;
        assert_eq!(d["applicant_email"], "ann@example.com");
        assert_eq!(d["app"]["fields"]["service_phone"], "+6561234567");
        let docs: Vec<&str> = d["acceptances"].as_array().unwrap().iter().map(|a| a["document"].as_str().unwrap()).collect();
        assert_eq!(docs, ["Privacy Policy", "Terms of Service"]);
        assert_eq!(d["round"], 1);

        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        assert_eq!(reviewer.detail(&id).await["assigned_to"], "rita");
        let r = reviewer.decide(&id, "approve", "", 1).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        assert_eq!(applicant.status_of(&id).await, "Approved");
        let w: serde_json::Value = applicant.call("console/workspace", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(w["members"][0], serde_json::json!({"username": "annlee", "role": "Owner"}));
        let html = applicant.client.get(app.url(&format!("/workspaces/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Owner") && html.contains("Approved"));

        // The audit history: who did what, in order.
        let history: Vec<(String, String)> = reviewer.detail(&id).await["history"].as_array().unwrap().iter()
            .map(|h| (h["note"].as_str().unwrap().to_string(), h["actor"].as_str().unwrap_or_default().to_string()))
            .collect();
        assert_eq!(history, [
            ("Application started".to_string(), "annlee".to_string()),
            ("Submitted for review".to_string(), "annlee".to_string()),
            ("Assigned to rita".to_string(), "rita".to_string()),
            ("Approved".to_string(), "rita".to_string()),
        ]);

        // Seed Step 3: the approval mail links to the onboarding details.
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        let approval = &mails[2];
        assert!(approval.subject().contains("is approved"), "{}", approval.subject());
        let link = format!("{}/workspaces/{id}/onboarding", app.address);
        assert!(approval.text().contains(&link));
        // Signed out, the link goes through sign-in and back.
        let signed_out = app.another_browser();
        let r = signed_out.client.get(&link).send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("/signin?next=/workspaces/{id}/onboarding"));
        let r = signed_out.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        let html = signed_out.client.get(&link).send().await.unwrap().text().await.unwrap();
        // The applicant sees who decided as "a reviewer", never by their login.
        assert!(html.contains("Onboarding details") && html.contains("Approved") && html.contains("by a reviewer"));
        assert!(!html.contains("by rita") && !html.contains("to rita"), "the reviewer's login reached the applicant");

        // Decided: nothing more to assign or decide.
        assert_eq!(reviewer.call("review/release", &[("id", &id)]).await.status(), 409);
        assert_eq!(reviewer.queue(&[("status", "under_review")]).await["total"], 0);
        assert_eq!(reviewer.queue(&[("status", "approved")]).await["total"], 1);
    }

    async fn a_rejection_needs_a_reason_that_reaches_the_applicant_and_is_final(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;

        let r = reviewer.decide(&id, "reject", "  ", 1).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "reason").unwrap().contains("reason"));
        assert_eq!(applicant.status_of(&id).await, "UnderReview");

        let reason = "The business address must match your registration certificate.";
        assert_eq!(reviewer.decide(&id, "reject", reason, 1).await.status(), 200);
        let a: serde_json::Value = applicant.call("console/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(a["status"], "Rejected");
        assert_eq!(a["rejection_reason"], reason);
        assert_eq!(a["requested_changes"], serde_json::Value::Null);
        // The mail says it is final and links to a new application, not to the old one's form.
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        assert!(mails[2].subject().contains("was not approved"), "{}", mails[2].subject());
        assert!(!mails[2].subject().contains("needs changes"));
        let text = mails[2].text();
        assert!(text.contains(reason), "{text}");
        assert!(text.contains("Start a new application"), "{text}");
        assert!(text.contains(&format!("{}/onboarding/role", app.address)), "{text}");
        assert!(!text.contains(&format!("{}/onboarding/business", app.address)), "{text}");

        // Closed: the wizard no longer opens it, and the business form changes nothing on it.
        assert_eq!(applicant.draft().await, serde_json::Value::Null, "a rejected application is no draft");
        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "business_address");
        fields.push(("business_address", "8 Marina View, #30-01"));
        let closed = "This application was rejected and is closed.";
        for button in ["save", "autosave"] {
            let r = applicant.save(button, &id, &fields, None).await;
            assert_eq!(r.status(), 409, "{button}");
            assert!(error_of(r).await["message"].as_str().unwrap().contains(closed), "{button}");
        }
        // Submit says so too, and submits nothing: no new round, no history entry, no
        // "received" mail.
        let events = "SELECT COUNT(*) FROM application_events WHERE application_id = $1";
        let events_before = count(&app, events, &id).await;
        let r = applicant.save("submit", &id, &fields, None).await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains(closed));
        assert_eq!(applicant.status_of(&id).await, "Rejected");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", &id).await, 1);
        assert_eq!(count(&app, events, &id).await, events_before);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND business_address = '8 Marina View, #30-01'", &id).await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND subject LIKE '%received%'", "ann@example.com").await, 1);
        // Nor can a reviewer decide it again.
        let r = reviewer.decide(&id, "approve", "", 1).await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("You already rejected"));

        // The account may start a new application, a draft of its own, and submit it.
        assert_eq!(applicant.choose_role("isv").await.status(), 200);
        let fresh = applicant.draft().await["id"].as_str().unwrap().to_string();
        assert_ne!(fresh, id, "a new draft, not the rejected application");
        let r = applicant.save("submit", &fresh, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&fresh).await, "UnderReview");
        assert_eq!(applicant.status_of(&id).await, "Rejected");
        let queue = reviewer.queue(&[]).await;
        assert_eq!(
            queue["counts"],
            serde_json::json!([["UnderReview", 1], ["ChangesRequested", 0], ["Approved", 0], ["Rejected", 1]])
        );
        let row = &reviewer.queue(&[("status", "under_review")]).await["rows"][0];
        assert_eq!((row["id"].as_str(), row["resubmitted"].as_bool()), (Some(fresh.as_str()), Some(false)));

        let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM application_events WHERE application_id = $1 ORDER BY seq")
            .bind(&id).fetch_all(&app.db.pool).await.unwrap();
        let kinds: Vec<String> = kinds.into_iter().map(|k| k.0).collect();
        assert_eq!(kinds, ["created", "submitted", "rejected"]);
        let (note,): (String,) = sqlx::query_as("SELECT note FROM application_events WHERE application_id = $1 AND kind = 'rejected'")
            .bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert!(note.contains(reason), "the audit entry keeps the reason");
    }

    async fn requested_changes_reach_the_applicant_who_edits_and_resubmits(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;

        let note = "The business address must match your registration certificate.";
        let r = reviewer.request_changes(&id, 1, &[("business_address", note)], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: serde_json::Value = applicant.call("console/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(a["status"], "ChangesRequested");
        assert_eq!(a["rejection_reason"], serde_json::Value::Null);
        assert_eq!(a["requested_changes"]["fields"], serde_json::json!([{"field": "business_address", "note": note}]));
        let queue = reviewer.queue(&[]).await;
        assert_eq!(
            queue["counts"],
            serde_json::json!([["UnderReview", 0], ["ChangesRequested", 1], ["Approved", 0], ["Rejected", 0]])
        );
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        assert!(mails[2].subject().contains("needs changes"), "{}", mails[2].subject());
        let text = mails[2].text();
        assert!(text.contains(&format!("Business Address: {note}")), "{text}");
        assert!(text.contains(&format!("{}/onboarding/business", app.address)), "{text}");

        // The wizard opens the application again with the request; submitting resubmits it.
        let draft = applicant.draft().await;
        assert_eq!(draft["id"], id.as_str());
        assert_eq!(draft["requested_changes"]["fields"][0]["field"], "business_address");
        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "business_address");
        fields.push(("business_address", "8 Marina View, #30-01"));
        let r = applicant.save("submit", &id, &fields, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&id).await, "UnderReview");
        assert_eq!(applicant.draft().await, serde_json::Value::Null, "under review again: nothing to edit");
        let row = &reviewer.queue(&[("status", "under_review")]).await["rows"][0];
        assert_eq!(row["resubmitted"], true);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM workspaces WHERE id = $1", &id).await, 1);

        // A decision made on the first version is refused; the new round can be decided.
        let r = reviewer.decide(&id, "approve", "", 1).await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("resubmitted"));
        let d = reviewer.detail(&id).await;
        assert_eq!(d["round"], 2);
        assert_eq!(d["app"]["fields"]["business_address"], "8 Marina View, #30-01");
        assert_eq!(reviewer.decide(&id, "approve", "", 2).await.status(), 200);
        let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM application_events WHERE application_id = $1 ORDER BY seq")
            .bind(&id).fetch_all(&app.db.pool).await.unwrap();
        let kinds: Vec<String> = kinds.into_iter().map(|k| k.0).collect();
        assert_eq!(kinds, ["created", "submitted", "changes_requested", "resubmitted", "approved"]);
        let (entry,): (String,) = sqlx::query_as("SELECT note FROM application_events WHERE application_id = $1 AND kind = 'changes_requested'")
            .bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert!(entry.contains(note), "the audit entry keeps the note");
    }

    async fn of_two_reviewers_deciding_at_once_exactly_one_wins(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let ravi = app.reviewer_as("ravi@platform.example", "ravi").await;
        for round in 0..3 {
            let (_, id) = app.submitted(&format!("ann{round}@example.com"), &format!("annlee{round}")).await;
            let (a, b) = tokio::join!(
                rita.decide(&id, "approve", "", 1),
                ravi.decide(&id, "reject", "The company name does not match the documents.", 1),
            );
            let statuses = [a.status().as_u16(), b.status().as_u16()];
            assert!(statuses.contains(&200) && statuses.contains(&409), "{statuses:?}");
            let loser = if a.status() == 409 { a } else { b };
            let message = error_of(loser).await["message"].as_str().unwrap().to_string();
            let (status,): (String,) = sqlx::query_as("SELECT status FROM applications WHERE id = $1")
                .bind(&id).fetch_one(&app.db.pool).await.unwrap();
            let winner = if status == "approved" { "rita already approved" } else { "ravi already rejected" };
            assert!(message.contains(winner), "{message} / {status}");
            assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind IN ('approved', 'rejected')", &id).await, 1);
        }
    }

    async fn a_replayed_decision_decides_once_and_mails_once(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_, id) = app.submitted("ann@example.com", "annlee").await;
        let (a, b) = tokio::join!(reviewer.decide(&id, "approve", "", 1), reviewer.decide(&id, "approve", "", 1));
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
        assert_eq!(reviewer.decide(&id, "approve", "", 1).await.status(), 200);
        // The same reviewer changing their mind is not a replay.
        assert_eq!(reviewer.decide(&id, "reject", "Changed my mind about the address.", 1).await.status(), 409);
        let r = reviewer.request_changes(&id, 1, &[("business_address", "Changed my mind about the address.")], "").await;
        assert_eq!(r.status(), 409);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'approved'", &id).await, 1);
        app.smtp.wait_for("ann@example.com", 3).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(app.smtp.to("ann@example.com").len(), 3, "code, received, approved: once each");
    }

    async fn a_reviewer_cannot_decide_their_own_application(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let id = reviewer.applicant_again().await;
        let r = reviewer.decide(&id, "approve", "", 1).await;
        assert_eq!(r.status(), 403);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("your own application"));
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 403);
        assert_eq!(reviewer.detail(&id).await["own"], true);
        assert_eq!(reviewer.status_of(&id).await, "UnderReview");
    }

    async fn the_queue_filters_searches_sorts_and_pages(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_, first) = app.submitted("ann@example.com", "annlee").await;
        let (_, second) = app.submitted("bob@shop.example", "bobtan").await;
        let newest = reviewer.queue(&[]).await;
        assert_eq!(newest["rows"][0]["id"], second.as_str());
        let oldest = reviewer.queue(&[("sort", "oldest")]).await;
        assert_eq!(oldest["rows"][0]["id"], first.as_str());
        assert_eq!(reviewer.queue(&[("q", "SHOP.example")]).await["total"], 1);
        assert_eq!(reviewer.queue(&[("q", "acme mini")]).await["total"], 2);
        assert_eq!(reviewer.queue(&[("q", "100%_")]).await["total"], 0, "wildcards are literal");
        assert_eq!(reviewer.queue(&[("role", "merchant")]).await["total"], 0);
        assert_eq!(reviewer.queue(&[("country", "SG")]).await["total"], 2);
        assert_eq!(reviewer.queue(&[("country", "SG")]).await["countries"][0], serde_json::json!(["SG", "Singapore"]));
        // Pages go by cursor: two rows are one page, and a cursor that does not read is the first.
        assert_eq!((newest["previous"].clone(), newest["next"].clone()), (serde_json::Value::Null, serde_json::Value::Null));
        assert_eq!(reviewer.queue(&[("after", "99")]).await["rows"], newest["rows"]);
    }

    async fn the_event_stream_is_live_and_replays_what_a_reconnect_missed(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let mut stream = reviewer.events(None).await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let submitted = stream.next().await;
        assert_eq!((submitted.kind(), submitted.application()), ("submitted", id.as_str()));

        // The applicant's own stream carries their application's events only.
        let mut own = applicant.events(None).await;
        let (_, other) = app.submitted("bob@shop.example", "bobtan").await;
        assert_eq!(stream.next().await.application(), other);
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        let assigned = stream.next().await;
        assert_eq!(assigned.kind(), "assigned");
        let seen = assigned.id;
        drop(stream);

        // While the reviewer is disconnected: two decisions.
        assert_eq!(reviewer.decide(&id, "approve", "", 1).await.status(), 200);
        assert_eq!(reviewer.decide(&other, "reject", "Please upload your company logo.", 1).await.status(), 200);
        let mine = own.next().await;
        assert_eq!((mine.kind(), mine.application()), ("assigned", id.as_str()));
        assert_eq!(own.next().await.kind(), "approved");
        assert!(own.next_within(Duration::from_millis(800)).await.is_none(), "nobody else's events");

        // Reconnecting with Last-Event-ID gets exactly the two missed events, in order.
        let mut again = reviewer.events(Some(seen)).await;
        let a = again.next().await;
        let b = again.next().await;
        assert_eq!((a.kind(), a.application()), ("approved", id.as_str()));
        assert_eq!((b.kind(), b.application()), ("rejected", other.as_str()));
        assert!(a.id > seen && b.id > a.id);
        assert!(again.next_within(Duration::from_millis(800)).await.is_none(), "nothing twice");
    }
}

impl TestApp {
    /// This (signed-in) client applies too and submits; returns the application's id.
    async fn applicant_again(&self) -> String {
        assert_eq!(
            self.call("onboarding/choose_role", &[("role", "merchant")])
                .await
                .status(),
            200
        );
        let id = self.draft().await["id"].as_str().unwrap().to_string();
        let r = self.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        id
    }
}

mod instances {
    use super::*;

    /// Two instances on one PostgreSQL database: an event produced by one reaches streams on
    /// the other, and a mail is delivered once. Both poll the table only once a minute, so an
    /// event that arrives within seconds was carried by `LISTEN`/`NOTIFY`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_event_on_one_postgres_instance_reaches_streams_on_another() {
        let slow_poll = || Options {
            feed_poll_ms: Some(60_000),
            ..Default::default()
        };
        let Some(one) =
            spawn_app_with(isv_portal::server::db::Backend::Postgres, slow_poll()).await
        else {
            return;
        };
        let two = spawn_app_on(one.database_url.clone(), one.smtp.clone(), slow_poll()).await;
        let reviewer_on_two = {
            create_reviewer(
                &two.db,
                "rita@platform.example",
                "rita",
                Some(REVIEWER_PASSWORD),
            )
            .await
            .unwrap();
            assert_eq!(two.sign_in("rita", REVIEWER_PASSWORD).await.status(), 200);
            two.turn_on_second_factor(REVIEWER_PASSWORD).await;
            two
        };
        let mut stream = reviewer_on_two.events(None).await;
        let (_, id) = one.submitted("ann@example.com", "annlee").await;
        let event = stream
            .next_within(Duration::from_secs(5))
            .await
            .expect("the event crosses instances long before the next poll");
        assert_eq!(
            (event.kind(), event.application()),
            ("submitted", id.as_str())
        );
        // Sessions work on any instance: the reviewer signed in on two decides on one.
        let r = reviewer_on_two
            .client
            .post(one.url("/api/review/approve"))
            .header("origin", &one.address)
            .form(&[("id", id.as_str()), ("round", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(stream.next().await.kind(), "approved");
        one.smtp.wait_for("ann@example.com", 3).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            one.smtp.to("ann@example.com").len(),
            3,
            "each mail once across instances"
        );
    }

    /// The operator's command: a new reviewer from standard input, then promoting an account.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn create_reviewer_makes_and_promotes_reviewers() {
        let app = spawn_app(isv_portal::server::db::Backend::Sqlite)
            .await
            .unwrap();
        let run = |args: &[&str], stdin: &str| {
            use std::io::Write;
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_isv-portal"))
                .args(args)
                .env("DATABASE_URL", &app.database_url)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        };
        let weak = run(
            &[
                "create-reviewer",
                "--email",
                "rita@platform.example",
                "--username",
                "rita",
            ],
            "password\n",
        );
        assert!(!weak.status.success());
        assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
        let ok = run(
            &[
                "create-reviewer",
                "--email",
                "rita@platform.example",
                "--username",
                "rita",
            ],
            &format!("{REVIEWER_PASSWORD}\n"),
        );
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        assert!(String::from_utf8_lossy(&ok.stdout).contains("two-step verification"));
        assert_eq!(
            app.sign_in("rita", REVIEWER_PASSWORD).await.headers()["location"],
            "/account/second-factor"
        );

        let ann = app.another_browser();
        ann.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
            .await;
        assert_eq!(ann.call("review/queue", QUEUE_ALL).await.status(), 403);
        let promoted = run(&["create-reviewer", "--email", "ann@example.com"], "");
        assert!(
            promoted.status.success(),
            "{}",
            String::from_utf8_lossy(&promoted.stderr)
        );
        assert!(String::from_utf8_lossy(&promoted.stdout).contains("is now a reviewer"));
        // The command is another process: the running portal reads the new right once its
        // copy of the session ages out of memory (`sessions::cache::TTL`), within seconds.
        let deadline = std::time::Instant::now()
            + isv_portal::server::sessions::cache::TTL
            + Duration::from_secs(1);
        // A reviewer now, she is sent to set up two-step verification, and the review
        // functions refuse her until she has.
        loop {
            let r = ann
                .client
                .get(app.url("/review"))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            if r.headers()
                .get("location")
                .is_some_and(|l| l == "/account/second-factor")
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still not sent to set it up"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(ann.call("review/queue", QUEUE_ALL).await.status(), 403);
        ann.turn_on_second_factor(GOOD_PASSWORD).await;
        assert_eq!(ann.call("review/queue", QUEUE_ALL).await.status(), 200);
    }
}
