//! The edge: a request a server function cannot read is answered 400 with a sentence, never
//! 500; every error's status comes from its kind, and a form posted without JavaScript still
//! gets its redirect.

mod common;
use common::*;
use isv_portal::error::{INTERNAL_MESSAGE, MALFORMED_MESSAGE};

/// Posts `body` as a URL-encoded form, bytes as they are.
async fn post_raw(app: &TestApp, endpoint: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn assert_malformed(r: reqwest::Response, what: &str) {
    assert_eq!(r.status(), 400, "{what}");
    let e = error_of(r).await;
    assert_eq!(e["kind"], "BadRequest", "{what}: {e}");
    assert_eq!(e["message"], MALFORMED_MESSAGE, "{what}: {e}");
}

/// Posts `chunks` to `endpoint` with `Transfer-Encoding: chunked` (no declared length) over a
/// raw connection, and returns the status line's code.
async fn post_chunked(app: &TestApp, endpoint: &str, chunks: usize, chunk: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/{endpoint} HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        app.address
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..chunks {
        let sent = async {
            stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            stream.write_all(chunk).await?;
            stream.write_all(b"\r\n").await
        };
        // The server may answer and close before everything is sent.
        if sent.await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

both_databases! {
    async fn a_missing_argument_is_a_bad_request(app) {
        let r = app.call("accounts/sign_in", &[("login", "ann@example.com")]).await;
        assert_malformed(r, "no password").await;
        let r = app.call("console/workspace", &[]).await;
        assert_malformed(r, "no id").await;
    }

    async fn a_review_action_missing_an_argument_is_refused_and_changes_nothing(app) {
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        let events = "SELECT COUNT(*) FROM application_events WHERE application_id = $1";
        let before = count(&app, events, &id).await;
        let calls: [(&str, Vec<(&str, &str)>); 5] = [
            ("review/approve", vec![("id", &id)]),
            ("review/reject", vec![("id", &id), ("round", "1")]),
            ("review/reject", vec![("id", &id), ("reason", "Not a real business.")]),
            ("review/take", vec![]),
            ("review/release", vec![]),
        ];
        for (endpoint, form) in &calls {
            let r = reviewer.call(endpoint, form).await;
            assert_malformed(r, endpoint).await;
        }
        assert_eq!(count(&app, events, &id).await, before, "nothing recorded");
        assert_eq!(applicant.status_of(&id).await, "UnderReview", "nothing decided");
        let assigned = count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND assigned_to IS NOT NULL", &id).await;
        assert_eq!(assigned, 0, "nobody assigned");
    }

    async fn a_business_form_without_its_application_is_refused(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        for endpoint in BUSINESS_ENDPOINTS {
            let form = reqwest::multipart::Form::new().text("company_name", "Acme");
            let r = app.client.post(app.url(endpoint)).multipart(form).send().await.unwrap();
            assert_malformed(r, endpoint).await;
        }
        assert_eq!(app.draft().await["id"], id.as_str(), "the draft is still there");
        assert_eq!(app.draft().await["fields"]["company_name"], "", "and unchanged");
    }

    async fn a_body_without_a_length_is_cut_off_at_the_limit_and_answered_413(app) {
        // 80 KiB of form, over the 64 KiB a form may have, sent without saying so up front.
        let chunk = [b'a'; 1024];
        assert_eq!(post_chunked(&app, "accounts/sign_in", 80, &chunk).await, 413);
        // The same way, within the limit, is read and answered (a wrong password).
        assert_eq!(post_chunked(&app, "accounts/sign_in", 1, b"login=ann&password=violet").await, 422);
    }

    async fn a_malformed_argument_is_a_bad_request(app) {
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        // A decision's `round` is a number (the queue's arguments are all text since it pages
        // by cursor).
        let r = reviewer.call("review/approve", &[("id", "nope"), ("round", "abc")]).await;
        assert_malformed(r, "text for a number").await;
        // The same request with a number is read, and answered: there is no such application.
        assert_eq!(reviewer.call("review/approve", &[("id", "nope"), ("round", "1")]).await.status(), 404);
    }

    async fn a_body_that_is_not_text_is_a_bad_request(app) {
        let mut body = b"login=ann".to_vec();
        body.extend_from_slice(&[0xff, 0xfe, 0x80]);
        body.extend_from_slice(b"&password=violet");
        let r = post_raw(&app, "accounts/sign_in", body).await;
        assert_malformed(r, "bytes that are not UTF-8").await;
    }

    async fn a_form_posted_without_javascript_keeps_its_redirect(app) {
        let r = app.post_form("accounts/sign_in", "/signin", &[("login", "ann@example.com")]).await;
        assert_eq!(r.status(), 302);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.contains("/signin") && location.contains("__err="), "{location}");
        // The page it lands on shows the sentence.
        let location = if location.starts_with('/') { app.url(&location) } else { location };
        let page = app.client.get(&location).header("accept", "text/html").send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(html.contains("We could not read this request"), "{html}");
    }

    async fn an_error_answers_with_the_status_of_its_kind(app) {
        // Signed out: 401, from an error the function returns like any other.
        assert_eq!(app.call("console/applications", &[]).await.status(), 401);
        // A wrong password is the user's: 422.
        assert_eq!(app.sign_in("nobody", "not the password").await.status(), 422);
    }

    async fn our_failure_is_still_500_and_says_nothing_of_it(app) {
        sqlx::query("DROP TABLE login_throttle").execute(&app.db.pool).await.unwrap();
        let r = app.sign_in("nobody", "not the password").await;
        assert_eq!(r.status(), 500);
        let e = error_of(r).await;
        assert_eq!(e["message"], INTERNAL_MESSAGE, "{e}");
        assert!(!e.to_string().contains("login_throttle"), "{e}");
    }
}
