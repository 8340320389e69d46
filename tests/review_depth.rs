//! Review depth (issue 15): a reviewer requests changes on chosen fields instead of rejecting;
//! the applicant sees the fields and notes, edits, and submits the next round; the reviewer
//! sees exactly what changed; a rejection is final; the applicant is told the typical wait.

mod common;
use common::*;

impl TestApp {
    async fn review_detail(&self, id: &str) -> serde_json::Value {
        let r = self.call("review/application", &[("id", id)]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// A page as a browser asks for it; it must answer 200.
    async fn page(&self, path: &str) -> String {
        let (status, body) = self.html(path).await;
        assert_eq!(status, 200, "{path}");
        body
    }

    async fn workspace_view(&self, id: &str) -> serde_json::Value {
        let r = self.call("console/workspace", &[("id", id)]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
}

both_databases! {
    async fn changes_requested_go_back_to_the_applicant_and_the_reviewer_sees_what_changed(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;

        // Nothing picked, or a note too short: nothing changes and each error names its field.
        let r = reviewer.request_changes(&id, 1, &[], "").await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "fields").is_some());
        let r = reviewer.request_changes(&id, 1, &[("logo", "blurry")], &"x".repeat(1001)).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert!(field_message(&e, "note_logo").unwrap().contains("at least 10"), "{e}");
        assert!(field_message(&e, "general_note").is_some(), "{e}");
        assert_eq!(applicant.status_of(&id).await, "UnderReview");

        let asked = [
            ("company_name", "Use the name on your registration certificate."),
            ("website", "The website does not load; check the address."),
        ];
        let r = reviewer.request_changes(&id, 1, &asked, "Thank you, almost there.").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&id).await, "ChangesRequested");
        // A replay decides nothing twice.
        assert_eq!(reviewer.request_changes(&id, 1, &asked, "Thank you, almost there.").await.status(), 200);
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
        let html = applicant.page("/onboarding/business").await;
        assert!(html.contains("A reviewer asked for changes."), "the wizard says so");
        assert!(html.contains("Reviewer: Use the name on your registration certificate."), "the note is beside its field");
        // Exactly the two fields asked about are marked, each with its own note.
        assert_eq!(html.matches("field--requested").count(), 2, "two fields marked");
        let note_of = |field: &str| {
            let at = html.find(&format!("id=\"{field}-request\"")).unwrap_or_else(|| panic!("no note on {field}"));
            html[at..].split("</p>").next().unwrap().to_string()
        };
        assert!(note_of("company_name").contains("Use the name on your registration certificate."));
        assert!(note_of("website").contains("The website does not load; check the address."));
        assert!(!html.contains("id=\"business_address-request\""));
        let ws = applicant.workspace_view(&id).await;
        let history = serde_json::to_string(&ws["history"]).unwrap();
        assert!(!history.contains("rita"), "{history}");
        assert!(history.contains("Changes requested: Company Name (Use the name"), "{history}");

        // The applicant changes one of the two fields (and nothing else), then submits.
        let fields = valid_with(&[("company_name", "Acme Mini Apps Private Limited")]);
        let r = applicant.save("submit", &id, &fields, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(applicant.status_of(&id).await, "UnderReview");

        // Decisions made on the round the reviewer had opened are refused, whichever they are,
        // and change nothing.
        let outbox = "SELECT COUNT(*) FROM outbox WHERE recipient = $1";
        let mails_before = count(&app, outbox, "ann@example.com").await;
        let stale = [
            reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await,
            reviewer.call("review/reject", &[("id", &id), ("round", "1"), ("reason", "Not what we asked for at all.")]).await,
            reviewer.request_changes(&id, 1, &[("country", "Select the registered country.")], "").await,
        ];
        for r in stale {
            assert_eq!(r.status(), 409);
            assert!(error_of(r).await["message"].as_str().unwrap().contains("resubmitted this application after you opened it"));
        }
        assert_eq!(applicant.status_of(&id).await, "UnderReview");
        assert_eq!(count(&app, outbox, "ann@example.com").await, mails_before);

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
        let page = reviewer.page(&format!("/review/{id}")).await;
        assert!(page.contains("What changed since round 1"), "the comparison is shown");
        assert!(page.contains("1 field changed."));
        assert!(page.contains("Acme Mini Apps Pte. Ltd.") && page.contains("Acme Mini Apps Private Limited"));
        assert!(page.contains("Asked: Use the name on your registration certificate."));
        // The website was asked about and left as it was: it stays in sight, said so.
        let website = &page[page.find("comparison__row--kept").expect("a kept row")..];
        let website = website.split("</tr>").next().unwrap();
        assert!(website.contains("Website") && website.contains("Not changed"), "{website}");
        assert!(website.contains("Asked: The website does not load; check the address."));
        assert!(page.contains("Unchanged (7)"), "the other unchanged parts are folded");

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
        assert_eq!(reviewer.request_changes(&id, 1, &[("logo", "Please upload your company logo.")], "").await.status(), 200);
        let r = applicant.save("submit", &id, VALID, Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(reviewer.review_detail(&id).await["rounds"][1]["changed_fields"], 1);
        // Asked again, sent back as it was: no field changed, and the dashboard says so.
        assert_eq!(reviewer.request_changes(&id, 2, &[("representative", "Name the director, please.")], "").await.status(), 200);
        let r = applicant.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let d = reviewer.review_detail(&id).await;
        assert_eq!(d["rounds"][2]["changed_fields"], 0);
        let page = reviewer.page(&format!("/review/{id}")).await;
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
        assert_eq!(r.status(), 409, "a rejected application is closed");
        assert!(error_of(r).await["message"].as_str().unwrap().contains("rejected and is closed"));
        assert_eq!(applicant.status_of(&id).await, "Rejected");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1", &id).await, 1);
        // Changes cannot be requested on it either.
        let r = reviewer.request_changes(&id, 1, &[("company_name", "Use the registered name, please.")], "").await;
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
        let answers = futures::future::join_all((0..50).map(|_| reviewer.request_changes(&id, 1, &asked, ""))).await;
        assert!(answers.iter().all(|r| r.status() == 200), "{:?}", answers.iter().map(|r| r.status()).collect::<Vec<_>>());
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'changes_requested'", &id).await, 1);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "changes_requested").await, 1);
        assert_eq!(count(&app, "SELECT n FROM queue_counts WHERE status = $1", "under_review").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1", "%needs changes%").await, 1);
        // And 50 parallel resubmissions make one round.
        let fields = valid_with(&[("business_address", "8 Marina View, #30-01")]);
        let answers = futures::future::join_all((0..50).map(|_| applicant.save("submit", &id, &fields, None))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 200), "one submits, the others are replays: {statuses:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'resubmitted'", &id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE subject LIKE $1", "%received%").await, 2, "the first submission's and the resubmission's");
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

        // A tenth recent decision, made now on a submission of now (a wait of about nothing):
        // the median of it and 1..=9 hours is the mean of 4 and 5 hours. The decision makes
        // the instance read the wait again at once (it is kept a few minutes otherwise).
        let (_, tenth) = app.submitted("u10@example.com", "user10").await;
        assert_eq!(reviewer.call("review/approve", &[("id", &tenth), ("round", "1")]).await.status(), 200);
        let ws = applicant.workspace_view(&id).await;
        assert_eq!(ws["typical_wait_ms"], 9 * hour / 2);
        let html = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert!(html.contains("Decisions usually take about 4.5 hours"), "the timeline says it");
        // The timeline: submitted, then the step still waiting, with the typical wait in it.
        let timeline = &html[html.find("class=\"timeline\"").expect("a timeline")..];
        let submitted = timeline.find("timeline__step--submitted").expect("a submitted step");
        let waiting = timeline.find("timeline__step--waiting").expect("a waiting step");
        assert!(submitted < waiting);
        assert!(!timeline[..waiting].contains("timeline__step--approved"));

        // Taken up by a reviewer: the timeline says so (once per round).
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        assert_eq!(reviewer.call("review/release", &[("id", &id)]).await.status(), 200);
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        let html = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert_eq!(html.matches("timeline__step timeline__step--assigned").count(), 1, "picked up once");
        assert!(!html.contains("rita"), "the reviewer is not named to the applicant");

        // Once decided, nothing is promised any more; the timeline ends with the decision.
        assert_eq!(reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await.status(), 200);
        assert_eq!(applicant.workspace_view(&id).await["typical_wait_ms"], serde_json::Value::Null);
        let html = applicant.page(&format!("/workspaces/{id}/onboarding")).await;
        assert!(html.contains("timeline__step timeline__step--approved"));
        assert!(!html.contains("timeline__step--waiting"));
    }

    async fn a_deleted_applicant_is_asked_for_nothing_and_their_address_leaves_the_requests(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let (bob, other) = app.submitted("bob@shop.example", "bobtan").await;
        // A request that quotes the applicant's address, before the account is deleted.
        // One address after a line break (in the stored JSON: `\n` before it).
        let asked = [("service_email", "Use a shared inbox, not this one:\nann@example.com")];
        assert_eq!(reviewer.request_changes(&id, 1, &asked, "Write to us from ann@example.com.").await.status(), 200);
        let r = applicant.call("account/delete", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let stored: Vec<(String, String)> = sqlx::query_as(
            "SELECT requested_changes, decision_reason FROM applications WHERE id = $1 \
             UNION ALL SELECT requested_changes, decision_reason FROM application_rounds WHERE application_id = $1",
        )
        .bind(&id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().all(|(request, _)| !request.is_empty()));
        for (request, reason) in &stored {
            assert!(!request.contains("ann@example.com") && !reason.contains("ann@example.com"), "{request} {reason}");
            if !request.is_empty() {
                let parsed = isv_portal::domain::ChangeRequest::from_json(request).expect("still a request");
                assert!(parsed.fields()[0].note.starts_with("Use a shared inbox, not this one:\n"), "{request}");
            }
        }

        // Bob deletes his account while his application is under review: changes cannot be
        // asked of nobody, and nothing is written or mailed; it can still be decided.
        let r = bob.call("account/delete", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = reviewer.request_changes(&other, 1, &[("company_name", "Use the registered name, please.")], "").await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("deleted their account"));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind = 'changes_requested'", &other).await, 0);
        assert_eq!(reviewer.call("review/reject", &[("id", &other), ("round", "1"), ("reason", "The applicant left the platform.")]).await.status(), 200);
    }

    async fn a_role_switched_between_rounds_counts_as_a_change(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(reviewer.request_changes(&id, 1, &[("representative", "Name the director, please.")], "").await.status(), 200);
        assert_eq!(applicant.choose_role("merchant").await.status(), 200);
        let r = applicant.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(reviewer.review_detail(&id).await["rounds"][1]["changed_fields"], 1, "the role, and nothing else");
        let q: serde_json::Value = reviewer.call("review/queue", QUEUE_ALL).await.json().await.unwrap();
        assert_eq!(q["rows"][0]["changed_fields"], 1);
        let page = reviewer.page(&format!("/review/{id}")).await;
        let table = &page[page.find("comparison__table").expect("a comparison table")..];
        let role_row = table.split("</tr>").find(|row| row.contains(">Role")).expect("a Role row");
        assert!(role_row.contains("ISV") && role_row.contains("Merchant"), "{role_row}");
        // Representative was asked about and kept: it shows as not changed.
        assert!(page.contains("Not changed"));
    }

    async fn taking_a_round_the_page_no_longer_shows_is_refused(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(reviewer.request_changes(&id, 1, &[("website", "The website does not load.")], "").await.status(), 200);
        let r = applicant.save("submit", &id, &valid_with(&[("website", "https://acme.example.org")]), None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        // A page still showing round 1: refused, and nothing is assigned.
        let r = reviewer.call("review/take", &[("id", &id), ("round", "1")]).await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("resubmitted"));
        assert_eq!(reviewer.review_detail(&id).await["assigned_to"], serde_json::Value::Null);
        // The current round can be taken, and when it was is kept for the metrics.
        assert_eq!(reviewer.call("review/take", &[("id", &id), ("round", "2")]).await.status(), 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1 AND round = 2 AND assigned_at IS NOT NULL", &id).await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM application_rounds WHERE application_id = $1 AND round = 1 AND assigned_at IS NOT NULL", &id).await, 1, "round 1 was taken up by its decision");
    }

    async fn a_repeated_request_that_says_something_else_is_refused(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_, id) = app.submitted("ann@example.com", "annlee").await;
        let asked = [("logo", "Please upload your company logo.")];
        assert_eq!(reviewer.request_changes(&id, 1, &asked, "").await.status(), 200);
        assert_eq!(reviewer.request_changes(&id, 1, &asked, "").await.status(), 200, "a replay");
        let r = reviewer.request_changes(&id, 1, &[("logo", "A different note on the logo.")], "").await;
        assert_eq!(r.status(), 409, "not applied, and told so");
        assert!(error_of(r).await["message"].as_str().unwrap().contains("You already asked for changes"));
        let draft: String = sqlx::query_scalar("SELECT requested_changes FROM applications WHERE id = $1")
            .bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert!(draft.contains("Please upload your company logo.") && !draft.contains("different"));
    }
}

/// `REVIEW_SLA_HOURS` moves both the dashboard's highlight and the metrics' count: with an SLA
/// of one hour, an application submitted 59 minutes ago is on time and one of 61 minutes is
/// late (with the default of 48 hours neither would be).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_sla_decides_what_is_late_on_the_dashboard_and_in_the_metrics() {
    use isv_portal::server::db::{now_ms, Backend};
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let options = Options {
            review_sla_hours: Some(1),
            ..Options::default()
        };
        let Some(app) = spawn_app_with(backend, options).await else {
            continue;
        };
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_, on_time) = app
            .submitted_as("ann@example.com", "annlee", "On Time Trading Ltd")
            .await;
        let (_, late) = app
            .submitted_as("bob@shop.example", "bobtan", "Late Trading Ltd")
            .await;
        let now = now_ms();
        for (id, minutes) in [(&on_time, 59), (&late, 61)] {
            let at = now - minutes * 60_000;
            for sql in [
                "UPDATE applications SET submitted_at = $1 WHERE id = $2",
                "UPDATE application_rounds SET submitted_at = $1 WHERE application_id = $2",
            ] {
                sqlx::query(sql)
                    .bind(at)
                    .bind(id)
                    .execute(&app.db.pool)
                    .await
                    .unwrap();
            }
        }
        let q: serde_json::Value = reviewer
            .call("review/queue", QUEUE_ALL)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(q["sla_hours"], 1, "{backend:?}");
        let before = q["late_before_ms"].as_i64().unwrap();
        assert!(
            (now - 3_600_000 - before).abs() < 60_000,
            "{backend:?}: {before}"
        );
        let html = reviewer.page("/review").await;
        assert_eq!(
            html.matches("Waiting over 1 h").count(),
            1,
            "{backend:?}: one row is late"
        );
        let row_of = |company: &str| {
            let at = html.find(company).unwrap();
            let start = html[..at].rfind("<tr").unwrap();
            html[start..at].to_string()
        };
        assert!(
            row_of("Late Trading Ltd").contains("queue__row--late"),
            "{backend:?}"
        );
        assert!(
            !row_of("On Time Trading Ltd").contains("queue__row--late"),
            "{backend:?}"
        );
        let m: serde_json::Value = reviewer
            .call("review/metrics", &[("from", ""), ("to", "")])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(m["sla_hours"], 1, "{backend:?}");
        assert_eq!(m["queue"]["over_sla"], 1, "{backend:?}");
    }
}
