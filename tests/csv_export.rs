//! The reviewers' CSV files (`review::export`): the queue under the dashboard's filters, every
//! page of it and in its order, and an application's whole history; UTF-8 with a byte order
//! mark, Chinese kept, no cell that starts a formula, the header row in the reader's language;
//! reviewers only (signed out: sign in first; an applicant: 403).

mod common;
use common::*;
use isv_portal::i18n::Lang;
use isv_portal::review::seed::seed_queue;
use serde_json::Value;

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// `VALID`'s company.
const COMPANY: &str = "Acme Mini Apps Pte. Ltd.";
const CHINESE: &str = "星河科技有限公司";
const FORMULA: &str = "=HYPERLINK(\"x\")";

/// A file, asked for the way a browser follows the link.
async fn get(client: &TestApp, path: &str) -> reqwest::Response {
    client
        .client
        .get(client.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap()
}

/// The records of a CSV file, which must start with the UTF-8 byte order mark.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(BOM),
        "the file starts with the UTF-8 byte order mark"
    );
    let text = std::str::from_utf8(&bytes[BOM.len()..]).expect("the file is UTF-8");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
        .collect()
}

/// A 200 CSV file from `path`, its headers checked; its records.
async fn csv_file(client: &TestApp, path: &str) -> Vec<Vec<String>> {
    let r = get(client, path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(header(&r, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "private, no-store");
    assert!(header(&r, "content-disposition").starts_with("attachment; filename=\"isv-portal-"));
    records(&r.bytes().await.unwrap())
}

fn queue_header(lang: Lang) -> Vec<String> {
    let t = &lang.texts().review.export;
    [
        t.col_id,
        t.col_company,
        t.col_role,
        t.col_country,
        t.col_applicant,
        t.col_email,
        t.col_status,
        t.col_submitted_at,
        t.col_decided_at,
        t.col_assignee,
        t.col_rounds,
    ]
    .map(String::from)
    .to_vec()
}

fn history_header(lang: Lang) -> Vec<String> {
    let t = &lang.texts().review.export;
    [t.col_round, t.col_when, t.col_what, t.col_who]
        .map(String::from)
        .to_vec()
}

/// A moment as the file writes it: UTC, to the second.
fn is_utc_second(cell: &str) -> bool {
    regex_lite::Regex::new(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
        .unwrap()
        .is_match(cell)
}

/// `ms` to the minute in the file's form ("2025-03-05 14:07"), by the pages' own formatter.
fn minute(ms: i64) -> String {
    isv_portal::ui::moment::iso_utc(ms)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The ids the dashboard shows under `filters`, every page of it (following "Next").
async fn dashboard_ids(reviewer: &TestApp, filters: &[(&str, &str)]) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = String::new();
    loop {
        let mut form: Vec<(&str, &str)> = QUEUE_ALL
            .iter()
            .copied()
            .filter(|(k, _)| *k != "after" && !filters.iter().any(|(f, _)| f == k))
            .collect();
        form.extend_from_slice(filters);
        form.push(("after", after.as_str()));
        let r = reviewer.call("review/queue", &form).await;
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.unwrap();
        ids.extend(
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row["id"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => return ids,
        }
    }
}

/// The ids of the file's rows (its first column, header left out).
fn ids(rows: &[Vec<String>]) -> Vec<String> {
    rows[1..].iter().map(|r| r[0].clone()).collect()
}

/// Chooses a language with the header's switcher, as a browser without JavaScript posts it.
async fn switch(client: &TestApp, lang: &str) {
    let r = client
        .client
        .post(client.url("/language"))
        .header("accept", "text/html")
        .form(&[("lang", lang), ("next", "/review")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

both_databases! {
    async fn the_queue_file_has_one_safe_row_per_application_under_the_dashboards_filters(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_ann, ann) = app.submitted("ann@example.com", "annlee").await;
        let (_bob, bob) = app.submitted_as("bob@example.com", "bobtan", CHINESE).await;
        let (_cat, cat) = app.submitted_as("cat@example.com", "catng", FORMULA).await;
        assert_eq!(reviewer.call("review/take", &[("id", &ann)]).await.status(), 200);
        let r = reviewer.call("review/approve", &[("id", &ann), ("round", "1")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        let r = get(&reviewer, "/review/export.csv").await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-type"), "text/csv; charset=utf-8");
        assert_eq!(header(&r, "cache-control"), "private, no-store");
        let disposition = header(&r, "content-disposition").to_string();
        assert!(
            disposition.starts_with("attachment; filename=\"isv-portal-applications-") && disposition.ends_with(".csv\""),
            "{disposition}"
        );
        assert!(r.headers().get("x-export-truncated").is_none());
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(BOM));
        // The company that is a formula is text: an apostrophe first, in a quoted cell with
        // its quotes doubled.
        let text = std::str::from_utf8(&bytes[BOM.len()..]).unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(!text.contains(",=HYPERLINK") && !text.contains("\"=HYPERLINK"), "{text}");
        assert!(text.ends_with("\r\n"), "records end with CRLF");

        let rows = records(&bytes);
        assert_eq!(rows[0], queue_header(Lang::En));
        assert!(rows.iter().all(|r| r.len() == 11), "{rows:?}");
        // Newest first, as the dashboard.
        assert_eq!(ids(&rows), [cat.clone(), bob.clone(), ann.clone()]);
        assert_eq!(ids(&rows), dashboard_ids(&reviewer, &[]).await);

        let en = Lang::En.texts();
        let submitted_ms: Value = reviewer.call("review/queue", QUEUE_ALL).await.json().await.unwrap();
        let ms_of = |id: &str| {
            submitted_ms["rows"].as_array().unwrap().iter()
                .find(|r| r["id"] == id).unwrap()["submitted_at"]["ms"].as_i64().unwrap()
        };
        let ann_row = &rows[3];
        assert_eq!(
            ann_row[1..7],
            [COMPANY, en.onboarding.role_isv, "Singapore", "annlee", "ann@example.com", en.onboarding.status_approved]
        );
        assert!(is_utc_second(&ann_row[7]) && ann_row[7].starts_with(&minute(ms_of(ann.as_str()))), "{ann_row:?}");
        assert!(is_utc_second(&ann_row[8]) && ann_row[8] >= ann_row[7], "decided after submitted: {ann_row:?}");
        assert_eq!(ann_row[9..], ["rita", "1"]);

        let bob_row = &rows[2];
        assert_eq!(bob_row[1], CHINESE, "Chinese comes back as it was typed");
        assert_eq!(bob_row[4..7], ["bobtan", "bob@example.com", en.onboarding.status_under_review]);
        assert!(bob_row[7].starts_with(&minute(ms_of(bob.as_str()))), "{bob_row:?}");
        assert_eq!(bob_row[8..], ["", "", "1"], "not decided, nobody assigned, one round");

        assert_eq!(rows[1][1], format!("'{FORMULA}"));

        // The dashboard's filters, each as the dashboard applies it.
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Vec<String>);
        let cases: [Case; 6] = [
            ("?status=under_review", &[("status", "under_review")], vec![cat.clone(), bob.clone()]),
            ("?status=approved", &[("status", "approved")], vec![ann.clone()]),
            ("?sort=oldest", &[("sort", "oldest")], vec![ann.clone(), bob.clone(), cat.clone()]),
            ("?status=under_review&sort=oldest", &[("status", "under_review"), ("sort", "oldest")], vec![bob.clone(), cat.clone()]),
            ("?q=hyperlink", &[("q", "hyperlink")], vec![cat.clone()]),
            ("?country=SG&role=isv&q=Ac", &[("country", "SG"), ("role", "isv"), ("q", "Ac")], vec![ann.clone()]),
        ];
        for (query, filters, expected) in cases {
            let rows = csv_file(&reviewer, &format!("/review/export.csv{query}")).await;
            assert_eq!(rows[0], queue_header(Lang::En), "{query}");
            assert_eq!(ids(&rows), expected, "{query}");
            assert_eq!(ids(&rows), dashboard_ids(&reviewer, filters).await, "{query}: as the dashboard shows it");
        }
        // Nothing matches: the header row alone.
        let rows = csv_file(&reviewer, "/review/export.csv?status=rejected").await;
        assert_eq!(rows, [queue_header(Lang::En)]);
    }

    async fn the_queue_file_holds_every_page_in_the_dashboards_order(app) {
        let rita = app.reviewer_as("rita@platform.example", "rita").await;
        seed_queue(&app.db, 130, false).await.unwrap();
        // Ties on the submission time are broken by id, as the dashboard's pages break them.
        sqlx::query(
            "UPDATE applications SET submitted_at = 1700000000000 \
             WHERE id IN (SELECT id FROM applications ORDER BY id LIMIT 40)",
        )
        .execute(&app.db.pool)
        .await
        .unwrap();
        let country: String = sqlx::query_scalar(
            "SELECT queue_country FROM applications WHERE status <> 'draft' \
             GROUP BY queue_country ORDER BY COUNT(*) DESC, queue_country LIMIT 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

        let by_country = format!("?country={country}&sort=oldest");
        let cases: [(&str, &str, &str, bool); 4] = [
            ("", "1 = 1", "", false),
            ("?sort=oldest", "1 = 1", "", true),
            ("?status=approved", "status = $1", "approved", false),
            (by_country.as_str(), "queue_country = $1", country.as_str(), true),
        ];
        for (query, condition, bind, oldest) in cases {
            let expected = queue_truth(&app, condition, bind, oldest).await;
            assert!(!expected.is_empty(), "{query}");
            let rows = csv_file(&rita, &format!("/review/export.csv{query}")).await;
            assert_eq!(ids(&rows), expected, "{query}");
        }
        assert_eq!(queue_truth(&app, "1 = 1", "", false).await.len(), 130, "more than a page of the dashboard");

        // Read in batches of 7 (the 40 tied rows span several), in both orders: the same rows
        // in the same order; at a cap of exactly 130 nothing is cut, at 129 the last line says
        // so in a row as wide as the others.
        use isv_portal::review::export::{queue_file_sized, QueueArgs};
        for (sort, oldest) in [("", false), ("oldest", true)] {
            let args = QueueArgs { sort: sort.into(), ..QueueArgs::default() };
            let (file, rows, cut) = queue_file_sized(&app.db, &args, 7, 130).await.unwrap();
            assert_eq!((rows, cut), (130, false), "{sort}");
            assert_eq!(ids(&records(&file)), queue_truth(&app, "1 = 1", "", oldest).await, "{sort}");
            let (file, rows, cut) = queue_file_sized(&app.db, &args, 7, 129).await.unwrap();
            assert_eq!((rows, cut), (129, true), "{sort}");
            let read = records(&file);
            assert!(read.iter().all(|r| r.len() == 11), "every row has every column");
            let last = read.last().unwrap();
            assert!(last[0].contains("The file stops at 129 rows"), "{last:?}");
            assert!(last[1..].iter().all(String::is_empty));
            assert_eq!(read.len(), 1 + 129 + 1, "header, rows, note");
        }
    }

    async fn the_history_file_has_every_entry_of_the_history(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_ann, id) = app.submitted("ann@example.com", "annlee").await;
        for endpoint in ["review/take", "review/release", "review/take"] {
            assert_eq!(reviewer.call(endpoint, &[("id", &id)]).await.status(), 200, "{endpoint}");
        }
        let r = reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        let path = format!("/review/{id}/history.csv");
        let r = get(&reviewer, &path).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-disposition"), format!("attachment; filename=\"isv-portal-history-{id}.csv\""));
        let rows = records(&r.bytes().await.unwrap());
        assert_eq!(rows[0], history_header(Lang::En));

        // Entry for entry the history the application's page shows, and every stored event.
        let detail: Value = reviewer.call("review/application", &[("id", &id)]).await.json().await.unwrap();
        let history = detail["history"].as_array().unwrap();
        let stored = count(&app, "SELECT COUNT(*) FROM application_events WHERE application_id = $1", &id).await;
        assert_eq!(history.len() as i64, stored);
        assert_eq!(rows.len() - 1, history.len(), "{rows:?}");
        for (row, entry) in rows[1..].iter().zip(history) {
            assert_eq!(row[0], entry["round"].as_i64().unwrap().to_string(), "{row:?}");
            let at = entry["at"]["ms"].as_i64().unwrap();
            assert!(is_utc_second(&row[1]) && row[1].starts_with(&minute(at)), "{row:?}");
            assert_eq!(row[2], entry["note"].as_str().unwrap());
            assert_eq!(row[3], entry["actor"].as_str().unwrap_or_default());
        }
        let what: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
        assert_eq!(what, ["Application started", "Submitted for review", "Assigned to rita", "Unassigned", "Assigned to rita", "Approved"]);
        let rounds: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(rounds, ["0", "1", "1", "1", "1", "1"]);
    }

    async fn the_files_speak_the_readers_language_and_keep_chinese_as_typed(app) {
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        let (_bob, id) = app.submitted_as("bob@example.com", "bobtan", CHINESE).await;
        switch(&reviewer, "zh-CN").await;
        let zh = Lang::ZhCn.texts();

        let rows = csv_file(&reviewer, "/review/export.csv").await;
        assert_eq!(rows[0], queue_header(Lang::ZhCn));
        assert!(rows[0].iter().all(|h| is_chinese(h)), "{:?}", rows[0]);
        assert_eq!(rows[1][1], CHINESE);
        assert_eq!(rows[1][2], zh.onboarding.role_isv);
        assert!(is_chinese(&rows[1][3]), "the country is named in Chinese: {}", rows[1][3]);
        assert_eq!(rows[1][6], zh.onboarding.status_under_review);

        let rows = csv_file(&reviewer, &format!("/review/{id}/history.csv")).await;
        assert_eq!(rows[0], history_header(Lang::ZhCn));
        assert!(rows[1..].iter().all(|r| is_chinese(&r[2])), "{rows:?}");
    }

    async fn only_reviewers_download_the_csv_files(app) {
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let history = format!("/review/{id}/history.csv");

        // Signed out: sign in first, and back to the file after.
        let stranger = app.another_browser();
        let r = get(&stranger, "/review/export.csv?status=approved").await;
        assert_eq!(r.status(), 302);
        assert_eq!(header(&r, "location"), "/signin?next=/review/export.csv%3Fstatus%3Dapproved");
        let r = get(&stranger, &history).await;
        assert_eq!(r.status(), 302);
        assert_eq!(header(&r, "location"), format!("/signin?next={history}"));

        // An applicant, even of the application: not theirs to download.
        for path in ["/review/export.csv", history.as_str()] {
            let r = get(&applicant, path).await;
            assert_eq!(r.status(), 403, "{path}");
            let body = r.text().await.unwrap();
            assert!(!body.contains(COMPANY) && !body.contains("ann@example.com"), "{body}");
        }

        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        assert_eq!(get(&reviewer, "/review/export.csv").await.status(), 200);
        assert_eq!(get(&reviewer, &history).await.status(), 200);
        // No such application, or one never submitted: nothing to download.
        let r = get(&reviewer, "/review/0123456789abcdef0123456789abcdef/history.csv").await;
        assert_eq!(r.status(), 404);
        let draft = app.another_browser().applicant("dan@example.com", "danlim").await;
        assert_eq!(get(&reviewer, &format!("/review/{draft}/history.csv")).await.status(), 404);
        // The files' routes leave the application's page where it was.
        let (status, html) = reviewer.html(&format!("/review/{id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(COMPANY));
    }
}
