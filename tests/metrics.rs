//! The reviewers' metrics (`/review/metrics`): reviewers' only; weekly counts land in their ISO
//! week; the time to decision is measured on decided rounds only; an application is late
//! past the review SLA and not before; the page is drawn on the server, charts and tables.
//! Times are set in the database, so that every count is known.

mod common;
use common::*;
use isv_portal::server::db::now_ms;
use isv_portal::ui::moment::iso_utc;
use serde_json::json;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
/// 2025-03-03T00:00Z, the Monday of ISO week 2025-W10.
const MARCH_3: i64 = 1_740_960_000_000;

impl TestApp {
    /// The metrics over `from`..=`to`, as the page asks for them.
    async fn metrics_of(&self, from: &str, to: &str) -> serde_json::Value {
        let r = self
            .call("review/metrics", &[("from", from), ("to", to)])
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    /// The page as a browser without JavaScript gets it.
    async fn metrics_page(&self, query: &str) -> String {
        let r = self
            .client
            .get(self.url(&format!("/review/metrics{query}")))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.text().await.unwrap()
    }

    async fn approve(&self, id: &str) {
        let r = self
            .call("review/approve", &[("id", id), ("round", "1")])
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// Sets one time (`column`) of an application's first (and only) round.
async fn set_round(app: &TestApp, id: &str, column: &str, at: i64) {
    sqlx::query(&format!(
        "UPDATE application_rounds SET {column} = $1 WHERE application_id = $2"
    ))
    .bind(at)
    .bind(id)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

/// Moves an application's submission (its round's, and the queue's copy) to `at`.
async fn set_submitted(app: &TestApp, id: &str, at: i64) {
    set_round(app, id, "submitted_at", at).await;
    sqlx::query("UPDATE applications SET submitted_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&app.db.pool)
        .await
        .unwrap();
}

both_databases! {
    async fn only_reviewers_read_the_metrics(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (applicant, _) = app.submitted("ann@example.com", "annlee").await;
        let stranger = app.another_browser();
        let form = [("from", ""), ("to", "")];
        assert_eq!(stranger.call("review/metrics", &form).await.status(), 401, "signed out");
        assert_eq!(applicant.call("review/metrics", &form).await.status(), 403, "an applicant");

        // Nothing asked: the last eight weeks, this one included, up to today.
        let m = reviewer.metrics_of("", "").await;
        let today = iso_utc(now_ms())[..10].to_string();
        assert_eq!(m["to"], today.as_str());
        assert_eq!(m["weeks"].as_array().unwrap().len(), 8);
        assert_eq!(m["sla_hours"], 48);
        assert_eq!(m["queue"]["total"], 1);
        assert_eq!(m["queue"]["under_one_day"], 1);
        // Unreadable dates are the default too; a range the wrong way round is turned; a
        // longer one than a year keeps its last 366 days.
        assert_eq!(reviewer.metrics_of("yesterday", "2025-02-30").await["from"], m["from"]);
        let turned = reviewer.metrics_of("2025-03-16", "2025-03-03").await;
        assert_eq!((turned["from"].clone(), turned["to"].clone()), (json!("2025-03-03"), json!("2025-03-16")));
        let long = reviewer.metrics_of("2020-01-01", "2025-03-16").await;
        assert_eq!(long["from"], "2024-03-16");

        // Pages: signed out, sign in first; a reviewer's page is drawn on the server.
        let page = stranger.client.get(app.url("/review/metrics")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(page.status(), 302);
        assert_eq!(page.headers()["location"], "/signin?next=/review/metrics");
        let html = reviewer.metrics_page("").await;
        assert!(html.contains("Review metrics"));
        assert!(html.contains(r#"role="img""#) && html.contains("<svg") && html.contains("<table"), "charts with tables, without JavaScript");
        assert!(html.contains("No decisions in this range"), "no decision yet");
        let html = applicant.client.get(app.url("/review/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("metrics-chart"), "an applicant sees no metrics");
    }

    async fn decisions_and_submissions_count_in_their_iso_week(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let ravi = app.reviewer_as("ravi@platform.example", "ravi").await;
        // A: submitted in the last millisecond of W10, approved in the first of W11.
        let (_, a) = app.submitted("a@example.com", "applicant_a").await;
        rita.approve(&a).await;
        set_submitted(&app, &a, MARCH_3 + WEEK - 1).await;
        set_round(&app, &a, "decided_at", MARCH_3 + WEEK).await;
        // B: submitted at the start of W11, rejected in its last minute.
        let (_, b) = app.submitted("b@example.com", "applicant_b").await;
        let r = rita.call("review/reject", &[("id", b.as_str()), ("round", "1"), ("reason", "The company is not registered.")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        set_submitted(&app, &b, MARCH_3 + WEEK).await;
        set_round(&app, &b, "decided_at", MARCH_3 + 2 * WEEK - MINUTE).await;
        // C: submitted before the range, changes requested in W10 (by ravi).
        let (_, c) = app.submitted("c@example.com", "applicant_c").await;
        let r = ravi.request_changes(&c, 1, &[("company_name", "Use the name on your registration certificate.")], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        set_submitted(&app, &c, MARCH_3 - 3 * DAY).await;
        set_round(&app, &c, "decided_at", MARCH_3 + 2 * DAY).await;
        // D: submitted in W11, approved on the Monday after the range.
        let (_, d) = app.submitted("d@example.com", "applicant_d").await;
        rita.approve(&d).await;
        set_submitted(&app, &d, MARCH_3 + WEEK + 2 * DAY).await;
        set_round(&app, &d, "decided_at", MARCH_3 + 2 * WEEK).await;

        let m = rita.metrics_of("2025-03-03", "2025-03-16").await;
        assert_eq!((m["from"].clone(), m["to"].clone()), (json!("2025-03-03"), json!("2025-03-16")));
        assert_eq!(m["weeks"], json!([
            {"monday": "2025-03-03", "week": "2025-W10", "submitted": 1, "approved": 0, "rejected": 0, "changes_requested": 1},
            {"monday": "2025-03-10", "week": "2025-W11", "submitted": 2, "approved": 1, "rejected": 1, "changes_requested": 0},
        ]));
        assert_eq!(m["decision"]["count"], 3, "D was decided after the range");
        assert_eq!(m["reviewers"], json!([
            {"username": "rita", "approved": 1, "rejected": 1, "changes_requested": 0},
            {"username": "ravi", "approved": 0, "rejected": 0, "changes_requested": 1},
        ]));

        // The week after: D's approval, and nothing else.
        let next = rita.metrics_of("2025-03-17", "2025-03-23").await;
        assert_eq!(next["weeks"], json!([
            {"monday": "2025-03-17", "week": "2025-W12", "submitted": 0, "approved": 1, "rejected": 0, "changes_requested": 0},
        ]));

        // The page draws the same: a chart and its table, a row per week.
        let html = rita.metrics_page("?from=2025-03-03&to=2025-03-16").await;
        assert!(html.contains("2025-W10, from 2025-03-03") && html.contains("2025-W11, from 2025-03-10"));
        assert!(html.contains(r#"aria-labelledby="metrics-weekly-title""#));
        assert!(html.contains(r#"value="2025-03-03""#), "the form shows the range");
    }

    async fn the_time_to_decision_leaves_open_rounds_out(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let start = MARCH_3 + DAY;
        // Decided in 1 h, 2 h and 10 h; first assigned after 10, 20 and 30 minutes.
        for (i, hours) in [1_i64, 2, 10].into_iter().enumerate() {
            let (_, id) = app.submitted(&format!("ann{i}@example.com"), &format!("annlee{i}")).await;
            rita.approve(&id).await;
            let submitted = start + i as i64 * HOUR;
            set_submitted(&app, &id, submitted).await;
            set_round(&app, &id, "assigned_at", submitted + (i as i64 + 1) * 10 * MINUTE).await;
            set_round(&app, &id, "decided_at", submitted + hours * HOUR).await;
        }
        // Submitted in the range a month earlier and never decided nor assigned.
        let (_, open) = app.submitted("bob@shop.example", "bobtan").await;
        set_submitted(&app, &open, MARCH_3 - 30 * DAY).await;

        let m = rita.metrics_of("2025-02-01", "2025-03-16").await;
        let submitted: i64 = m["weeks"].as_array().unwrap().iter().map(|w| w["submitted"].as_i64().unwrap()).sum();
        assert_eq!(submitted, 4, "the open round was submitted in the range");
        assert_eq!(m["decision"], json!({"count": 3, "median_ms": 2 * HOUR, "p90_ms": 30_240_000, "over_sla": 0}));
        assert_eq!(m["assignment"], json!({"count": 3, "median_ms": 20 * MINUTE, "p90_ms": 28 * MINUTE, "over_sla": 0}));
        let html = rita.metrics_page("?from=2025-02-01&to=2025-03-16").await;
        assert!(html.contains("2 hours") && html.contains("8.4 hours") && html.contains("20 minutes"), "durations in words");
    }

    async fn an_application_is_late_only_once_it_has_waited_longer_than_the_sla(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let (_, on_time) = app.submitted("ann@example.com", "annlee").await;
        let (_, late) = app.submitted("bob@shop.example", "bobtan").await;
        let now = now_ms();
        // The default SLA is 48 hours: a minute short of it is not late, a minute past it is.
        set_submitted(&app, &on_time, now - 48 * HOUR + MINUTE).await;
        set_submitted(&app, &late, now - 48 * HOUR - MINUTE).await;

        let m = rita.metrics_of("", "").await;
        assert_eq!(m["sla_hours"], 48);
        assert_eq!(m["queue"], json!({
            "under_one_day": 0,
            "one_to_two_days": 1,
            "two_to_seven_days": 1,
            "over_seven_days": 0,
            "over_sla": 1,
            "total": 2,
        }));
        let html = rita.metrics_page("").await;
        assert!(html.contains("1 application has waited longer than the SLA (48 hours)."), "counted on the page");
        assert!(html.contains("metrics-sla--late"), "and highlighted");

        // A decided application is no longer waiting.
        rita.approve(&late).await;
        assert_eq!(rita.metrics_of("", "").await["queue"]["over_sla"], 0);
    }
}
