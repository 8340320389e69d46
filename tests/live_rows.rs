//! The live feed carries the queue's line to reviewers (with the counts of the four statuses of
//! a submitted application), so an open dashboard applies an event to its rows instead of
//! fetching its page: the line is read once per batch of events however many streams are open,
//! a reviewer's replay carries it too (one read per batch replayed), and an applicant's stream
//! never carries it (it names the assigned reviewer).

mod common;
use common::*;
use std::time::Duration;

/// The counts a line came with, as (status, n).
fn counts(event: &sse::Received) -> serde_json::Value {
    event.data["row"]["counts"].clone()
}

both_databases! {
    /// A decision reaches each of a reviewer's five streams with the application's line as it
    /// now stands (status, assignee) and the counts; the pump read the line once for all five.
    async fn a_decision_reaches_every_reviewer_stream_with_its_line_read_once(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let mut streams = Vec::new();
        for _ in 0..5 {
            streams.push(reviewer.events(None).await);
        }
        let (_applicant, id) = app.submitted("ann@example.com", "annlee").await;
        for stream in &mut streams {
            let submitted = stream.next().await;
            assert_eq!((submitted.kind(), submitted.application()), ("submitted", id.as_str()));
            let line = &submitted.data["row"]["line"];
            assert_eq!(line["id"], id.as_str());
            assert_eq!(line["company_name"], "Acme Mini Apps Pte. Ltd.");
            assert_eq!(line["applicant"], "annlee");
            assert_eq!(line["status"], "UnderReview");
            assert_eq!(line["assigned_to"], serde_json::Value::Null);
            assert_eq!(submitted.data["row"]["country"], "SG");
            assert_eq!(counts(&submitted), serde_json::json!([["UnderReview", 1], ["ChangesRequested", 0], ["Approved", 0], ["Rejected", 0]]));
        }
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        // Every stream has followed the broadcast since (their replays are done): from here
        // on, only the pump reads lines.
        for stream in &mut streams {
            let assigned = stream.next().await;
            assert_eq!(assigned.kind(), "assigned");
            assert_eq!(assigned.data["row"]["line"]["assigned_to"], "rita");
        }

        let before = app.feed.row_reads();
        let r = reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        for stream in &mut streams {
            let approved = stream.next().await;
            assert_eq!((approved.kind(), approved.application()), ("approved", id.as_str()));
            let line = &approved.data["row"]["line"];
            assert_eq!(line["status"], "Approved");
            assert_eq!(line["assigned_to"], "rita");
            assert_eq!(line["resubmitted"], false);
            assert_eq!(counts(&approved), serde_json::json!([["UnderReview", 0], ["ChangesRequested", 0], ["Approved", 1], ["Rejected", 0]]));
        }
        assert_eq!(app.feed.row_reads() - before, 1, "one read of the line for five streams");
    }

    /// A request for changes and the resubmission that follows each reach a reviewer's stream
    /// with the line as it then stands (sent back, then under review again as round 2 with one
    /// field changed) and the counts of all four statuses.
    async fn a_request_for_changes_and_the_resubmission_carry_their_lines(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let mut watching = reviewer.events(None).await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let submitted = watching.next().await;
        assert_eq!((submitted.kind(), submitted.application()), ("submitted", id.as_str()));

        let r = reviewer.request_changes(&id, 1, &[("company_name", "Use the name on your registration certificate.")], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let asked = watching.next().await;
        assert_eq!((asked.kind(), asked.application()), ("changes_requested", id.as_str()));
        let line = &asked.data["row"]["line"];
        assert_eq!(line["status"], "ChangesRequested");
        assert_eq!(line["assigned_to"], "rita", "deciding takes it up");
        assert_eq!(counts(&asked), serde_json::json!([["UnderReview", 0], ["ChangesRequested", 1], ["Approved", 0], ["Rejected", 0]]));

        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "company_name");
        fields.push(("company_name", "Acme Mini Apps Private Limited"));
        let r = applicant.save("submit", &id, &fields, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let resubmitted = watching.next().await;
        assert_eq!((resubmitted.kind(), resubmitted.application()), ("resubmitted", id.as_str()));
        let line = &resubmitted.data["row"]["line"];
        assert_eq!(line["status"], "UnderReview");
        assert_eq!(line["company_name"], "Acme Mini Apps Private Limited");
        assert_eq!(line["assigned_to"], serde_json::Value::Null, "a new round waits for a reviewer");
        assert_eq!(line["resubmitted"], true);
        assert_eq!(line["rounds"], 2);
        assert_eq!(line["changed_fields"], 1);
        assert_eq!(counts(&resubmitted), serde_json::json!([["UnderReview", 1], ["ChangesRequested", 0], ["Approved", 0], ["Rejected", 0]]));
    }

    /// The applicant hears of the assignment and the decision on their application without
    /// its line: nothing sent to them names the reviewer, while a reviewer's stream carries it.
    async fn an_applicants_stream_never_carries_the_line(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let mut own = applicant.events(None).await;
        let mut watching = reviewer.events(None).await;

        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        assert_eq!(reviewer.decide_approve(&id).await, 200);
        for kind in ["assigned", "approved"] {
            let seen = watching.next_named_within(Duration::from_secs(5)).await.expect("the reviewer's event");
            assert_eq!(seen.json()["kind"], kind);
            assert_eq!(seen.json()["row"]["line"]["assigned_to"], "rita", "the reviewer's stream has the line");

            let mine = own.next_named_within(Duration::from_secs(5)).await.expect("the applicant's event");
            let data = mine.json();
            assert_eq!((data["kind"].as_str(), data["application_id"].as_str()), (Some(kind), Some(id.as_str())));
            assert!(data.get("row").is_none(), "no line for the applicant: {}", mine.data);
            assert!(!mine.data.contains("rita"), "the reviewer's login reached the applicant: {}", mine.data);
        }

        // Nor on a reconnect: the applicant's replay reads and sends no line.
        let before = app.feed.row_reads();
        let mut again = applicant.events(Some(0)).await;
        let mut kinds = Vec::new();
        while let Some(event) = again.next_named_within(Duration::from_millis(800)).await {
            assert!(event.json().get("row").is_none(), "no line in a replay: {}", event.data);
            assert!(!event.data.contains("rita"), "the reviewer's login in a replay: {}", event.data);
            kinds.push(event.json()["kind"].as_str().unwrap_or_default().to_string());
        }
        assert!(kinds.ends_with(&["assigned".to_string(), "approved".to_string()]), "{kinds:?}");
        assert_eq!(app.feed.row_reads(), before, "an applicant's replay reads no lines");
    }

    /// A reviewer reconnecting gets the events it missed with their lines, read once for the
    /// whole batch replayed (not once per event).
    async fn a_reviewers_replay_carries_the_lines_read_once_per_batch(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let mut watching = reviewer.events(None).await;
        let (_, ann) = app.submitted("ann@example.com", "annlee").await;
        let (_, bob) = app.submitted("bob@shop.example", "bobtan").await;
        assert_eq!(reviewer.call("review/take", &[("id", &ann)]).await.status(), 200);
        assert_eq!(reviewer.decide_approve(&bob).await, 200);
        // The pump has read and sent all four before the replay starts.
        for _ in 0..4 {
            watching.next().await;
        }

        let before = app.feed.row_reads();
        let mut again = reviewer.events(Some(0)).await;
        let mut replayed = Vec::new();
        for _ in 0..4 {
            replayed.push(again.next().await);
        }
        assert!(again.next_within(Duration::from_millis(500)).await.is_none(), "nothing more");
        let kinds: Vec<(&str, &str)> = replayed.iter().map(|e| (e.kind(), e.application())).collect();
        assert_eq!(
            kinds,
            [("submitted", ann.as_str()), ("submitted", bob.as_str()), ("assigned", ann.as_str()), ("approved", bob.as_str())]
        );
        // Each line as it stands now, whichever event of its application it came with.
        for event in &replayed {
            let line = &event.data["row"]["line"];
            if event.application() == ann {
                assert_eq!((line["status"].as_str(), line["assigned_to"].as_str()), (Some("UnderReview"), Some("rita")));
            } else {
                assert_eq!((line["status"].as_str(), line["assigned_to"].as_str()), (Some("Approved"), Some("rita")));
            }
            assert_eq!(counts(event), serde_json::json!([["UnderReview", 1], ["ChangesRequested", 0], ["Approved", 1], ["Rejected", 0]]));
        }
        assert_eq!(app.feed.row_reads() - before, 1, "one read of lines for the batch replayed");
    }
}

impl TestApp {
    /// Approves round 1 of `id`; the answer's status.
    async fn decide_approve(&self, id: &str) -> u16 {
        self.call("review/approve", &[("id", id), ("round", "1")])
            .await
            .status()
            .as_u16()
    }
}
