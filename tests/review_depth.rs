//! Review depth (issue 15): a reviewer requests changes on chosen fields instead of rejecting;
//! the applicant sees the fields and notes, edits, and submits the next round; the reviewer
//! sees exactly what changed; a rejection is final; the applicant is told the typical wait.

mod common;
use common::*;

/// The request-changes form: each `(field, note)` ticked with its note.
fn changes_form<'a>(
    id: &'a str,
    round: &'a str,
    fields: &'a [(&'a str, &'a str)],
    general: &'a str,
) -> Vec<(String, String)> {
    let mut form = vec![
        ("id".to_string(), id.to_string()),
        ("round".to_string(), round.to_string()),
        ("general_note".to_string(), general.to_string()),
    ];
    for (field, note) in fields {
        form.push((format!("pick_{field}"), "on".into()));
        form.push((format!("note_{field}"), note.to_string()));
    }
    form
}

impl TestApp {
    async fn ask_changes(
        &self,
        id: &str,
        round: i64,
        fields: &[(&str, &str)],
        general: &str,
    ) -> reqwest::Response {
        let round = round.to_string();
        let form = changes_form(id, &round, fields, general);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.call("review/request_changes", &form).await
    }

    async fn review_detail(&self, id: &str) -> serde_json::Value {
        let r = self.call("review/application", &[("id", id)]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn workspace_view(&self, id: &str) -> serde_json::Value {
        let r = self.call("console/workspace", &[("id", id)]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
}

/// VALID with some fields replaced.
fn valid_with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields: Vec<_> = VALID
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    fields.extend_from_slice(changes);
    fields
}

both_databases! {
    async fn changes_requested_go_back_to_the_applicant_and_the_reviewer_sees_what_changed(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;

        // Nothing picked, or a note too short: nothing changes and each error names its field.
        let r = reviewer.ask_changes(&id, 1, &[], "").await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "fields").is_some());
        let r = reviewer.ask_changes(&id, 1, &[("logo", "blurry")], &"x".repeat(1001)).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert!(field_message(&e, "note_logo").unwrap().contains("at least 10"), "{e}");
        assert!(field_message(&e, "general_note").is_some(), "{e}");
        assert_eq!(applicant.status_of(&id).await, "UnderReview");

        let asked = [
            ("company_name", "Use the name on your registration certificate."),
            ("website", "The website does not load; check the address."),
        ];
        let r = reviewer.ask_changes(&id, 1, &asked, "Thank you, almost there.").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&id).await, "ChangesRequested");
        // A replay decides nothing twice.
        assert_eq!(reviewer.ask_changes(&id, 1, &asked, "Thank you, almost there.").await.status(), 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'changes_requested'", &id).await, 1);

        // The mail lists each field with its note and links to the form.
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        let mail = &mails[2];
        assert!(mail.subject().contains("needs changes"), "{}", mail.subject());
        let text = mail.text();
        assert!(text.contains("Company Name: Use the name on your registration certificate."), "{text}");
        assert!(text.contains("Website: The website does not load; check the address."), "{text}");
        assert!(text.contains("Thank you, almost there."), "{text}");
        assert!(text.contains(&format!("{}/onboarding/business", app.address)), "{text}");

        // The wizard opens it with the request; the reviewer is never named to the applicant.
        let draft = applicant.draft().await;
        assert_eq!(draft["id"], id.as_str());
        let fields = draft["requested_changes"]["fields"].as_array().unwrap();
        let keys: Vec<&str> = fields.iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(keys, ["company_name", "website"]);
        let html = applicant.client.get(app.url("/onboarding/business")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("A reviewer asked for changes."), "the wizard says so");
        assert!(html.contains("Reviewer: Use the name on your registration certificate."), "the note is beside its field");
        assert!(html.contains("field--requested"));
        let ws = applicant.workspace_view(&id).await;
        let history = serde_json::to_string(&ws["history"]).unwrap();
        assert!(!history.contains("rita"), "{history}");
        assert!(history.contains("Changes requested: Company Name (Use the name"), "{history}");

        // The applicant changes one of the two fields (and nothing else), then submits.
        let fields = valid_with(&[("company_name", "Acme Mini Apps Private Limited")]);
        let r = applicant.save("submit", &id, &fields, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&id).await, "UnderReview");

        // The reviewer sees round 2 with exactly one changed field, on the page and in the queue.
        let d = reviewer.review_detail(&id).await;
        assert_eq!(d["round"], 2);
        assert_eq!(d["rounds"][1]["changed_fields"], 1);
        assert_eq!(d["rounds"][0]["changed_fields"], serde_json::Value::Null);
        assert_eq!(d["rounds"][0]["app"]["status"], "ChangesRequested");
        let q = reviewer.call("review/queue", QUEUE_ALL).await.json::<serde_json::Value>().await.unwrap();
        let row = q["rows"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).unwrap().clone();
        assert_eq!(row["changed_fields"], 1);
        assert_eq!(row["rounds"], 2);
        let page = reviewer.client.get(app.url(&format!("/review/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("What changed since round 1"), "the comparison is shown");
        assert!(page.contains("1 field changed."));
        assert!(page.contains("Acme Mini Apps Pte. Ltd.") && page.contains("Acme Mini Apps Private Limited"));
        assert!(page.contains("Asked: Use the name on your registration certificate."));
        assert!(page.contains("Unchanged (7)"), "the unchanged fields are folded");

        // The counts followed every move, and the new round can be decided.
        let counts: Vec<(String, i64)> = sqlx::query_as("SELECT status, n FROM queue_counts ORDER BY status")
            .fetch_all(&app.db.pool).await.unwrap();
        assert!(counts.contains(&("under_review".into(), 1)) && counts.contains(&("changes_requested".into(), 0)), "{counts:?}");
        assert_eq!(reviewer.call("review/approve", &[("id", &id), ("round", "2")]).await.status(), 200);
        let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM application_events WHERE application_id = $1 ORDER BY seq")
            .bind(&id).fetch_all(&app.db.pool).await.unwrap();
        let kinds: Vec<String> = kinds.into_iter().map(|k| k.0).collect();
        assert_eq!(kinds, ["created", "submitted", "changes_requested", "resubmitted", "approved"]);
    }

    async fn a_logo_change_counts_and_unchanged_resubmission_counts_none(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(reviewer.ask_changes(&id, 1, &[("logo", "Please upload your company logo.")], "").await.status(), 200);
        let r = applicant.save("submit", &id, VALID, Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(reviewer.review_detail(&id).await["rounds"][1]["changed_fields"], 1);
        // Asked again, sent back as it was: no field changed, and the dashboard says so.
        assert_eq!(reviewer.ask_changes(&id, 2, &[("representative", "Name the director, please.")], "").await.status(), 200);
        let r = applicant.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d = reviewer.review_detail(&id).await;
        assert_eq!(d["rounds"][2]["changed_fields"], 0);
        let page = reviewer.client.get(app.url(&format!("/review/{id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No fields changed."));
    }

    async fn a_rejection_is_final_and_the_applicant_may_start_again(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let reason = "We could not verify this business at all.";
        let r = reviewer.call("review/reject", &[("id", &id), ("round", "1"), ("reason", reason)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(applicant.status_of(&id).await, "Rejected");
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        assert!(mails[2].subject().contains("was not approved"), "{}", mails[2].subject());
        assert!(mails[2].text().contains(&format!("{}/onboarding/role", app.address)));

        // The rejected application cannot be edited or submitted again.
        let r = applicant.save("submit", &id, &valid_with(&[("company_name", "Another Name Ltd")]), None).await;
        assert_ne!(r.status(), 200, "a rejected application is closed");
        assert_eq!(applicant.status_of(&id).await, "Rejected");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", &id).await, 1);
        // Changes cannot be requested on it either.
        let r = reviewer.ask_changes(&id, 1, &[("company_name", "Use the registered name, please.")], "").await;
        assert_eq!(r.status(), 409);

        // A new application starts from the role, and can be submitted.
        assert_eq!(applicant.choose_role("merchant").await.status(), 200);
        let fresh = applicant.draft().await["id"].as_str().unwrap().to_string();
        assert_ne!(fresh, id);
        let r = applicant.save("submit", &fresh, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&fresh).await, "UnderReview");
        assert_eq!(applicant.status_of(&id).await, "Rejected");
    }

    async fn fifty_parallel_requests_for_changes_decide_once(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let asked = [("business_address", "Give the address on the registration certificate.")];
        let answers = futures::future::join_all((0..50).map(|_| reviewer.ask_changes(&id, 1, &asked, ""))).await;
        assert!(answers.iter().all(|r| r.status() == 200), "{:?}", answers.iter().map(|r| r.status()).collect::<Vec<_>>());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'changes_requested'", &id).await, 1);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "changes_requested").await, 1);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "under_review").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1", "%needs changes%").await, 1);
        // And 50 parallel resubmissions make one round.
        let fields = valid_with(&[("business_address", "8 Marina View, #30-01")]);
        let answers = futures::future::join_all((0..50).map(|_| applicant.save("submit", &id, &fields, None))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert!(statuses.contains(&200), "{statuses:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", &id).await, 2);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "under_review").await, 1);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "changes_requested").await, 0);
    }

    async fn the_typical_wait_is_the_median_of_recent_decisions_and_ignores_open_ones(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        // Nine decided rounds: too few to promise anything.
        let hour = 3_600_000i64;
        let now = isv_portal::server::db::now_ms();
        let mut decided = Vec::new();
        for i in 0..10 {
            let (_, other) = app.submitted(&format!("u{i}@example.com"), &format!("user{i}")).await;
            assert_eq!(reviewer.call("review/approve", &[("id", &other), ("round", "1")]).await.status(), 200);
            decided.push(other);
        }
        // Waits of 1..=10 hours, decided within the last 30 days; one decided long ago.
        for (i, other) in decided.iter().enumerate() {
            let wait = (i as i64 + 1) * hour;
            let decided_at = if i == 9 { now - 40 * 24 * hour } else { now - hour };
            sqlx::query("UPDATE application_rounds SET submitted_at = $1, decided_at = $2 WHERE application_id = $3")
                .bind(decided_at - wait).bind(decided_at).bind(other)
                .execute(&app.db.pool).await.unwrap();
        }
        // The open application has waited far longer: it must not count.
        sqlx::query("UPDATE application_rounds SET submitted_at = $1 WHERE application_id = $2")
            .bind(now - 500 * hour).bind(&id).execute(&app.db.pool).await.unwrap();
        let ws = applicant.workspace_view(&id).await;
        assert_eq!(ws["typical_wait_ms"], serde_json::Value::Null, "nine recent decisions promise nothing");

        // A tenth recent decision: the median of 1..=9 hours and 10 hours is 5 hours.
        sqlx::query("UPDATE application_rounds SET decided_at = $1, submitted_at = $2 WHERE application_id = $3")
            .bind(now - hour).bind(now - hour - 10 * hour).bind(&decided[9])
            .execute(&app.db.pool).await.unwrap();
        let ws = applicant.workspace_view(&id).await;
        assert_eq!(ws["typical_wait_ms"], 5 * hour);
        let html = applicant.client.get(app.url(&format!("/workspaces/{id}/onboarding"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Decisions usually take about 5 hours"), "the timeline says it");
        assert!(html.contains("Timeline") && html.contains("Submitted"));

        // Once decided, nothing is promised any more.
        assert_eq!(reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await.status(), 200);
        assert_eq!(applicant.workspace_view(&id).await["typical_wait_ms"], serde_json::Value::Null);
    }
}
