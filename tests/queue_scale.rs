//! The reviewers' queue at scale: the counts per status are kept (never counted per request)
//! and stay equal to the rows through submissions, requests for changes, resubmissions,
//! decisions (fifty at once on one application) and account deletion; paging by cursor walks every row exactly once, both
//! ways, with filters and ties on the submission time; search finds a company by any three
//! characters or by its first one or two, and an applicant by e-mail, with `%`, `_`, `*`, `?`
//! and `[` matching themselves; `seed-queue` leaves the counts and the search index right.

mod common;
use common::*;
use isv_portal::review::seed::{seed_queue, SeedError};
use serde_json::{json, Value};

async fn queue(reviewer: &TestApp, filters: &[(&str, &str)]) -> Value {
    let mut form = QUEUE_ALL.to_vec();
    for (k, v) in filters {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    let r = reviewer.call("review/queue", &form).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Rows found by a search.
async fn found(reviewer: &TestApp, q: &str) -> i64 {
    queue(reviewer, &[("q", q)]).await["total"]
        .as_i64()
        .unwrap()
}

/// The counts the queue shows equal COUNT(*) of the rows, per status and in total.
async fn counts_are_true(app: &TestApp, reviewer: &TestApp) {
    let page = queue(reviewer, &[]).await;
    let mut sum = 0;
    // Every status of a submitted application, in the order the queue counts them.
    let labels: Vec<&str> = page["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["UnderReview", "ChangesRequested", "Approved", "Rejected"]
    );
    for status in ["under_review", "changes_requested", "approved", "rejected"] {
        let truth = count(
            app,
            "SELECT COUNT(*) FROM applications WHERE status = $1",
            status,
        )
        .await;
        let label = match status {
            "under_review" => "UnderReview",
            "changes_requested" => "ChangesRequested",
            "approved" => "Approved",
            _ => "Rejected",
        };
        let shown = page["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c[0] == label)
            .map(|c| c[1].as_i64().unwrap())
            .unwrap();
        assert_eq!(shown, truth, "{status}");
        let filtered = queue(reviewer, &[("status", status)]).await;
        assert_eq!(filtered["total"], truth, "{status} filter");
        assert_eq!(filtered["total_capped"], false);
        sum += truth;
    }
    assert_eq!(page["total"], sum);
}

async fn decide(reviewer: &TestApp, id: &str, approve: bool, round: i64) -> u16 {
    let round = round.to_string();
    let (endpoint, reason) = if approve {
        ("review/approve", "")
    } else {
        (
            "review/reject",
            "The company name does not match the documents.",
        )
    };
    reviewer
        .call(
            endpoint,
            &[("id", id), ("round", &round), ("reason", reason)],
        )
        .await
        .status()
        .as_u16()
}

/// Asks for changes to the company name on round `round`; the answer's status.
async fn request_changes(reviewer: &TestApp, id: &str, round: i64) -> u16 {
    reviewer
        .request_changes(
            id,
            round,
            &[(
                "company_name",
                "Use the name on your registration certificate.",
            )],
            "",
        )
        .await
        .status()
        .as_u16()
}

/// Every row of the queue under `filters`, following `next` from the first page, then back
/// from the last page following `previous`: (forwards, backwards reversed).
async fn walk(reviewer: &TestApp, filters: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let ids = |page: &Value| -> Vec<String> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mut forwards = Vec::new();
    let mut page = queue(reviewer, filters).await;
    assert_eq!(
        page["previous"],
        Value::Null,
        "the first page has no previous"
    );
    let mut last_page;
    loop {
        forwards.extend(ids(&page));
        last_page = page.clone();
        let Some(next) = page["next"].as_str().map(str::to_string) else {
            break;
        };
        let mut f = filters.to_vec();
        f.push(("after", &next));
        page = queue(reviewer, &f).await;
        assert!(
            page["previous"].is_string(),
            "a later page has a previous one"
        );
    }
    let mut backwards = Vec::new();
    let mut page = last_page;
    loop {
        let mut these = ids(&page);
        these.reverse();
        backwards.extend(these);
        let Some(previous) = page["previous"].as_str().map(str::to_string) else {
            break;
        };
        let mut f = filters.to_vec();
        f.push(("before", &previous));
        page = queue(reviewer, &f).await;
    }
    backwards.reverse();
    (forwards, backwards)
}

both_databases! {
    async fn the_counts_stay_true_through_submissions_decisions_and_deletion(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let ravi = app.reviewer_as("ravi@platform.example", "ravi").await;
        let (ann, ann_app) = app.submitted_as("ann@example.com", "annlee", "Acme Mini Apps Pte. Ltd.").await;
        let (_, bob_app) = app.submitted_as("bob@shop.example", "bobtan", "Bobs Shop Ltd").await;
        let (_, cat_app) = app.submitted_as("cat@example.com", "catng", "Cat Foods GmbH").await;
        // A draft is not in the queue, and is not counted.
        let dan = app.another_browser();
        dan.applicant("dan@example.com", "danlim").await;
        counts_are_true(&app, &rita).await;

        // Sent back for changes, then resubmitted under another name.
        assert_eq!(request_changes(&rita, &ann_app, 1).await, 200);
        counts_are_true(&app, &rita).await;
        assert_eq!(queue(&rita, &[("status", "changes_requested")]).await["rows"][0]["id"], ann_app.as_str());
        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "company_name");
        fields.push(("company_name", "Acme Renamed Pte. Ltd."));
        let r = ann.save("submit", &ann_app, &fields, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        counts_are_true(&app, &rita).await;
        assert_eq!(found(&rita, "renamed").await, 1, "the new round's name is found");
        assert_eq!(found(&rita, "mini apps").await, 0, "the old round's name is not");
        assert_eq!(decide(&rita, &bob_app, true, 1).await, 200);
        counts_are_true(&app, &rita).await;
        // Rejected: final, and counted as such.
        assert_eq!(decide(&rita, &ann_app, false, 2).await, 200);
        counts_are_true(&app, &rita).await;

        // Fifty decisions at once on one application (approve, reject, request changes): one
        // lands, the counts move once.
        let url = app.url("/api/review/approve");
        let reject_url = app.url("/api/review/reject");
        let changes_url = app.url("/api/review/request_changes");
        let tries = (0..50).map(|i| {
            let (client, url) = match i % 3 {
                0 => (rita.client.clone(), url.clone()),
                1 => (ravi.client.clone(), reject_url.clone()),
                _ => (ravi.client.clone(), changes_url.clone()),
            };
            let id = cat_app.clone();
            async move {
                client
                    .post(url)
                    .form(&[
                        ("id", id.as_str()),
                        ("round", "1"),
                        ("reason", "The company name does not match the documents."),
                        ("pick_company_name", "on"),
                        ("note_company_name", "The company name does not match the documents."),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        });
        let statuses = futures::future::join_all(tries).await;
        assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1 AND kind IN ('approved', 'rejected', 'changes_requested')", &cat_app).await,
            1
        );
        counts_are_true(&app, &rita).await;

        // Ann deletes her account: her application stays, counted, under a replaced address.
        assert_eq!(found(&rita, "ann@example").await, 1);
        let r = ann.call("account/delete", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = dan.call("account/delete", &[("password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        counts_are_true(&app, &rita).await;
        assert_eq!(found(&rita, "ann@example").await, 0, "the old address no longer finds it");
        assert_eq!(found(&rita, "deleted.invalid").await, 1);
        assert_eq!(found(&rita, "renamed").await, 1);
    }

    async fn paging_by_cursor_walks_every_row_once_both_ways(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        seed_queue(&app.db, 75, false).await.unwrap();
        // Ties on the submission time are broken by id.
        sqlx::query(
            "UPDATE applications SET submitted_at = 1700000000000 \
             WHERE id IN (SELECT id FROM applications ORDER BY id LIMIT 30)",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();

        // (query, the SQL condition it means, its value, oldest first)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str, bool);
        let cases: [Case; 5] = [
            (&[], "1 = 1", "", false),
            (&[("sort", "oldest")], "1 = 1", "", true),
            (&[("status", "under_review")], "status = $1", "under_review", false),
            (&[("role", "isv"), ("sort", "oldest")], "queue_role = $1", "isv", true),
            (&[("country", "SG")], "queue_country = $1", "SG", false),
        ];
        for (filters, condition, bind, oldest) in cases {
            let expected = queue_truth(&app, condition, bind, oldest).await;
            let (forwards, backwards) = walk(&rita, filters).await;
            assert_eq!(forwards, expected, "forwards {filters:?}");
            assert_eq!(backwards, expected, "backwards {filters:?}");
        }

        // A cursor that does not read is the first page; one past the end is an empty page
        // that leads back.
        let first = queue(&rita, &[]).await;
        assert_eq!(queue(&rita, &[("after", "not-a-cursor")]).await["rows"], first["rows"]);
        let end = queue(&rita, &[("sort", "oldest"), ("after", &format!("{}.", i64::MAX))]).await;
        assert_eq!(end["rows"], json!([]));
        assert_eq!(end["next"], Value::Null);
        assert!(end["previous"].is_string());
        // Near the start, "previous" shows a whole first page rather than a short one.
        let sixth = first["rows"][5]["id"].as_str().unwrap();
        let key = format!("{}.{}", submitted_at(&app, sixth).await, sixth);
        let back = queue(&rita, &[("before", &key)]).await;
        assert_eq!(back["rows"], first["rows"]);
        assert_eq!(back["previous"], Value::Null);
    }

    async fn search_finds_companies_and_emails_with_wildcards_literal(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        app.submitted_as("ann@example.com", "annlee", "Acme 100%_Sure Pte. Ltd.").await;
        app.submitted_as("bob@shop.example", "bobtan", "Acme Mini Apps Pte. Ltd.").await;
        app.submitted_as("cat@example.com", "catng", "Zeta Foods Ltd").await;
        app.submitted_as("dan@example.com", "danlim", "Star*Mart [Asia]? Ltd").await;

        // Three characters or more: anywhere in the company name or the e-mail, any case.
        assert_eq!(found(&rita, "acme").await, 2);
        assert_eq!(found(&rita, "ACME MINI").await, 1);
        assert_eq!(found(&rita, "foods").await, 1);
        assert_eq!(found(&rita, "SHOP.example").await, 1);
        assert_eq!(found(&rita, "bob@").await, 1);
        assert_eq!(found(&rita, "example").await, 4);
        // Wildcards of LIKE and GLOB are plain characters.
        assert_eq!(found(&rita, "100%_").await, 1);
        assert_eq!(found(&rita, "0%_s").await, 1);
        assert_eq!(found(&rita, "10_").await, 0, "_ is not any character");
        assert_eq!(found(&rita, "a%e").await, 0, "% is not any text");
        assert_eq!(found(&rita, "r*m").await, 1);
        assert_eq!(found(&rita, "t*m").await, 0, "* is not any text");
        assert_eq!(found(&rita, "[asia]?").await, 1);
        assert_eq!(found(&rita, "[a]").await, 0, "[…] is not a set");
        assert_eq!(found(&rita, "ia]").await, 1);
        // One or two characters: the start of the company name.
        assert_eq!(found(&rita, "ze").await, 1);
        assert_eq!(found(&rita, "Ac").await, 2);
        assert_eq!(found(&rita, "a").await, 2);
        assert_eq!(found(&rita, "s").await, 1);
        assert_eq!(found(&rita, "zz").await, 0);
        // With the other filters.
        assert_eq!(queue(&rita, &[("q", "acme"), ("status", "approved")]).await["total"], 0);
        assert_eq!(queue(&rita, &[("q", "acme"), ("country", "SG")]).await["total"], 2);
        assert_eq!(queue(&rita, &[("q", "ac"), ("role", "isv")]).await["total"], 2);
    }

    async fn seeding_leaves_counts_search_and_countries_right(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        let seeded = seed_queue(&app.db, 1_100, false).await.unwrap();
        assert_eq!(seeded.applications, 1_100);
        assert!(matches!(seed_queue(&app.db, 10, false).await, Err(SeedError::NotEmpty(1_100))));
        counts_are_true(&app, &rita).await;

        // More than the cap match: the total says "at least".
        let all = queue(&rita, &[("q", "example")]).await;
        assert_eq!((all["total"].as_i64(), all["total_capped"].as_bool()), (Some(1000), Some(true)));
        assert_eq!(queue(&rita, &[]).await["total"], 1_100, "the counts are exact");

        // A seeded e-mail is found by a piece of it, as SQL finds it.
        let email = all["rows"][0]["email"].as_str().unwrap().to_string();
        let piece = &email[email.find('.').unwrap() + 1..][..8];
        let expected = count(&app, "SELECT COUNT(*) FROM applications WHERE queue_search LIKE $1", &format!("%{piece}%")).await;
        assert!(expected >= 1);
        assert_eq!(found(&rita, piece).await, expected);
        // A company by its first two letters, as SQL finds it.
        let company = all["rows"][0]["company_name"].as_str().unwrap().to_lowercase();
        let start: String = company.chars().take(2).collect();
        let expected = count(&app, "SELECT COUNT(*) FROM applications WHERE SUBSTR(queue_search, 1, 2) = $1", &start).await;
        let shown = queue(&rita, &[("q", &start)]).await;
        assert_eq!(shown["total"].as_i64().unwrap(), expected.min(1000));

        // The countries to filter by are the ones in the queue, and each filters right.
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT queue_country FROM applications WHERE queue_country IS NOT NULL ORDER BY queue_country",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        let mut shown: Vec<String> = all["countries"].as_array().unwrap().iter().map(|c| c[0].as_str().unwrap().to_string()).collect();
        shown.sort();
        assert_eq!(shown, codes);
        let rare = codes.last().unwrap();
        let expected = count(&app, "SELECT COUNT(*) FROM applications WHERE queue_country = $1", rare).await;
        assert_eq!(queue(&rita, &[("country", rare)]).await["total"], expected);
    }
}

/// An application's submission time.
async fn submitted_at(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT submitted_at FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}
