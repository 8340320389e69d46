//! Abuse: what an attacker tries against every server function at once, each test naming the
//! requirement it checks. (Per-feature abuse cases live beside their features: code brute
//! force and limits in signup.rs, login throttling and session expiry in signin.rs, other
//! users' ids in onboarding.rs, reviewer-only functions in review.rs.)

mod common;
use common::*;

/// Every server function the portal registers, as (path, method).
fn server_functions() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method.to_string()))
        .collect();
    all.sort();
    all.dedup();
    assert!(
        all.len() >= 15,
        "the registry lists the portal's functions: {all:?}"
    );
    all
}

/// A page as the browser gets it.
async fn page(app: &TestApp, path: &str) -> String {
    app.client
        .get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

both_databases! {
    /// Requirement: an Origin check on every state-changing request.
    async fn every_server_function_refuses_a_cross_origin_post(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        for (path, _) in server_functions() {
            // The victim's own cookies, sent by a page on another site.
            let r = app.client.post(app.url(&path))
                .header("origin", "https://evil.example")
                .form(&[("email", "bob@example.com"), ("role", "isv")])
                .send().await.unwrap();
            assert_eq!(r.status(), 403, "{path} accepted a cross-origin post");
        }
        let (apps,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(apps, 0, "nothing was changed");
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"), "still signed in: sign-out was refused too");
    }

    /// Requirement: mutating server functions cannot be triggered by a GET (a link, an image).
    async fn no_server_function_acts_on_a_get(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        for (path, method) in server_functions() {
            assert_eq!(method, "POST", "{path} is reachable by GET");
            let r = app.client.get(format!("{}?role=isv&email=bob%40example.com", app.url(&path)))
                .send().await.unwrap();
            assert!(!r.status().is_success(), "{path} answered a GET with {}", r.status());
        }
        let (apps,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(apps, 0);
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
    }

    /// Requirement: a signed-out session cookie cannot be replayed.
    async fn a_signed_out_cookie_cannot_be_replayed(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.sign_in("annlee", GOOD_PASSWORD).await;
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        assert_eq!(app.sign_out().await.status(), 200);
        let thief = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = thief.post(app.url("/api/console/applications"))
            .header("origin", &app.address).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let r = thief.get(app.url("/console")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(thief.get(app.url("/api/events")).header("cookie", &cookie).send().await.unwrap().status(), 401);
    }

    /// Requirement: authorization holds for the life of a live-update stream, not only when it
    /// opens: signing out (or a password reset) ends the stream.
    async fn an_open_event_stream_ends_when_its_session_ends(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let mut stream = app.events(None).await;
        assert!(!stream.ended_within(std::time::Duration::from_millis(600)).await, "it stays open while signed in");
        assert_eq!(app.sign_out().await.status(), 200);
        assert!(stream.ended_within(std::time::Duration::from_secs(3)).await, "it ends after signing out");
    }

    /// Requirement: markup typed by an applicant is shown as text everywhere, including the
    /// reviewer's dashboard and the mails.
    async fn markup_in_a_company_name_is_text_on_the_dashboard_and_in_mail(app) {
        let attack = "</script><img src=x onerror=alert(1)>";
        let applicant = app.another_browser();
        let id = applicant.applicant("ann@example.com", "annlee").await;
        let mut fields = VALID.to_vec();
        fields.retain(|(k, _)| *k != "company_name");
        fields.push(("company_name", attack));
        assert_eq!(applicant.save("submit", &id, &fields, None).await.status(), 200);
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        for page in ["/review".to_string(), format!("/review/{id}")] {
            let html = reviewer.client.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
            assert!(!html.contains("<img src=x"), "{page} renders the markup");
            assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") || html.contains("&lt;img src=x onerror=alert(1)>"), "{page} shows it as text");
        }
        let mail = app.smtp.wait_for("ann@example.com", 2).await[1].text();
        let html_part = mail.split("Content-Type: text/html").nth(1).expect("an HTML part");
        assert!(!html_part.contains("<img src=x"), "the HTML part renders the markup");
        assert!(html_part.contains("&lt;img src=3Dx") || html_part.contains("&lt;img src=x"), "the HTML part shows it as text");
    }

    /// Requirement: error text from the SMTP server never reaches the browser. Requests only
    /// queue mail, so the text exists only after a delivery has failed: the test waits for
    /// that, then checks everything the user and the visitor see afterwards.
    async fn smtp_errors_stay_in_the_log(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        app.smtp.set_down(true);
        // Two mails that cannot be delivered: Ann's "we received your application", and a
        // sign-up code for a visitor.
        let submitted = app.save("submit", &id, VALID, None).await;
        assert_eq!(submitted.status(), 200);
        let visitor = app.another_browser();
        let sent = visitor.send_signup_code("bob@example.com").await;
        assert_eq!(sent.status(), 200, "the mail waits in the outbox");
        let mut seen = vec![submitted.text().await.unwrap(), sent.text().await.unwrap()];

        let mut errors: Vec<(Option<String>,)> = Vec::new();
        for _ in 0..200 {
            errors = sqlx::query_as("SELECT last_error FROM outbox WHERE status <> 'sent'")
                .fetch_all(&app.db.pool).await.unwrap();
            if errors.len() >= 2 && errors.iter().all(|(e,)| e.is_some()) { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let errors: Vec<String> = errors.into_iter().filter_map(|(e,)| e).collect();
        assert!(errors.len() >= 2, "both deliveries failed and were recorded: {errors:?}");
        assert!(errors.iter().all(|e| e.contains("421")), "the SMTP error is kept for the operator: {errors:?}");

        // Produced after the failures: the visitor asks again (as the hydrated page does and as
        // a form without JavaScript does, following the redirect to the page it lands on), asks
        // for a reset code, opens the sign-up page and the dev mailbox (the one page that reads
        // the outbox); Ann opens her console and workspace.
        app.age_codes(61_000).await;
        let again = visitor.send_signup_code("bob@example.com").await;
        assert_eq!(again.status(), 200);
        seen.push(again.text().await.unwrap());
        app.age_codes(61_000).await;
        let r = visitor.post_form("accounts/send_sign_up_code", "/signup", &[("email", "bob@example.com"), ("code", ""), ("username", ""), ("password", "")]).await;
        assert_eq!(r.status(), 302);
        let landing = r.headers()["location"].to_str().unwrap().to_string();
        let landing = if landing.starts_with('/') { app.url(&landing) } else { landing };
        seen.push(visitor.client.get(&landing).header("accept", "text/html").send().await.unwrap().text().await.unwrap());
        let r = visitor.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await;
        assert_eq!(r.status(), 200);
        seen.push(r.text().await.unwrap());
        for path in ["/signup", "/dev/mailbox"] {
            seen.push(page(&visitor, path).await);
        }
        for path in ["/console".to_string(), format!("/workspaces/{id}"), format!("/workspaces/{id}/onboarding")] {
            seen.push(page(&app, &path).await);
        }
        for endpoint in ["console/workspace", "console/application"] {
            seen.push(app.call(endpoint, &[("id", &id)]).await.text().await.unwrap());
        }

        for text in &seen {
            for leak in errors.iter().map(String::as_str).chain(["test sink", "sink is down", "transient error", "permanent error"]) {
                assert!(!text.contains(leak), "SMTP error text {leak:?} leaked: {text}");
            }
        }
    }

    /// Requirement: input with control characters or beyond its bound gets a field error.
    async fn control_characters_and_overlong_input_get_field_errors(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.call("accounts/send_sign_up_code", &[("email", "ann\u{0}@example.com")]).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "email").is_some());
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        for reason in ["Bad\u{7}reason here", &"x".repeat(1001)] {
            let r = reviewer.call("review/reject", &[("id", "any"), ("reason", reason), ("round", "1")]).await;
            assert_eq!(r.status(), 422);
            assert!(field_message(&error_of(r).await, "reason").is_some());
        }
    }
}
