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

    async fn a_malformed_argument_is_a_bad_request(app) {
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        let mut args: Vec<(&str, &str)> = QUEUE_ALL.to_vec();
        assert!(args.iter().any(|(k, _)| *k == "page"), "the queue takes a page");
        for (k, v) in args.iter_mut() {
            if *k == "page" {
                *v = "abc";
            }
        }
        let r = reviewer.call("review/queue", &args).await;
        assert_malformed(r, "text for a number").await;
        // The same request with a number is answered.
        assert_eq!(reviewer.call("review/queue", QUEUE_ALL).await.status(), 200);
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
