//! Requests from other sites, headers, body limits, and what error text may reach a browser.

mod common;
use common::*;
use isv_portal::server::db::Backend;

both_databases! {
    async fn a_post_from_another_origin_is_refused(app) {
        for endpoint in ["accounts/send_sign_up_code", "accounts/sign_up", "accounts/sign_in", "accounts/send_reset_code", "accounts/reset_password", "session/sign_out"] {
            let r = reqwest::Client::new()
                .post(app.url(&format!("/api/{endpoint}")))
                .header("origin", "https://evil.example")
                .form(&[("email", "ann@example.com")])
                .send().await.unwrap();
            assert_eq!(r.status(), 403, "{endpoint}");
        }
        // No Origin and no Referer: refused too.
        let r = reqwest::Client::new()
            .post(app.url("/api/accounts/send_sign_up_code"))
            .form(&[("email", "ann@example.com")])
            .send().await.unwrap();
        assert_eq!(r.status(), 403);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(app.smtp.all().is_empty(), "nothing was sent");
    }

    async fn a_post_with_only_a_same_origin_referer_is_accepted(app) {
        let r = reqwest::Client::new()
            .post(app.url("/api/accounts/send_sign_up_code"))
            .header("referer", app.url("/signup"))
            .form(&[("email", "ann@example.com")])
            .send().await.unwrap();
        assert_eq!(r.status(), 200);
    }

    async fn pages_carry_security_headers_and_a_csp_nonce_matching_the_scripts(app) {
        let r = app.client.get(app.url("/signup")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("referrer-policy"));
        let csp = h["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
        let body = r.text().await.unwrap();
        assert!(body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the header's nonce");
        // A new nonce each time.
        let r2 = app.client.get(app.url("/signup")).send().await.unwrap();
        assert!(!r2.headers()["content-security-policy"].to_str().unwrap().contains(&nonce));
    }

    async fn an_oversized_body_is_refused(app) {
        let big = "x".repeat(200 * 1024);
        let r = app.call("accounts/sign_in", &[("login", &big), ("password", "x")]).await;
        assert_eq!(r.status(), 413);
    }

    async fn no_database_error_text_reaches_the_browser(app) {
        sqlx::query("DROP TABLE verification_codes").execute(&app.db.pool).await.unwrap();
        let r = app.send_signup_code("ann@example.com").await;
        assert_eq!(r.status(), 500);
        let body = r.text().await.unwrap();
        assert!(body.contains("Something went wrong on our side"), "{body}");
        for leak in ["verification_codes", "sqlx", "no such table", "relation", "SQL"] {
            assert!(!body.contains(leak), "{leak} leaked: {body}");
        }
    }

    async fn the_dev_mailbox_does_not_exist_when_smtp_is_configured(app) {
        let r = app.client.get(app.url("/dev/mailbox")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 404);
    }

    async fn unknown_pages_are_404_and_hydrate_like_any_page(app) {
        let r = app.client.get(app.url("/no/such/page")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 404);
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
        let body = r.text().await.unwrap();
        assert!(body.contains("Page not found"));
        // Every script of the page carries the header's nonce, or the browser refuses it and
        // the page never hydrates (the "not found" fallback rendered without it once).
        let scripts = body.matches("<script").count();
        assert!(scripts > 0, "{body}");
        assert_eq!(body.matches(&format!(" nonce=\"{nonce}\"")).count(), scripts, "{body}");
    }

    async fn landing_page_offers_get_started_and_sign_in(app) {
        let body = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("href=\"/signup\"") && body.contains(">GET STARTED<"));
        assert!(body.contains("href=\"/signin\"") && body.contains(">SIGN IN<"));
    }
}

#[tokio::test]
async fn without_smtp_mail_is_kept_in_the_dev_mailbox_with_the_code_visible() {
    let app = spawn_app_with(
        Backend::Sqlite,
        Options {
            dev_mailbox: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200);
    let mut page = String::new();
    for _ in 0..100 {
        page = app
            .client
            .get(app.url("/dev/mailbox"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("ann@example.com") && page.contains("kept") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("sign-up code"), "{page}");
    let re = regex_lite::Regex::new(r"verification code is (\d{6})").unwrap();
    let code = re.captures(&page).expect("the code is visible")[1].to_string();
    assert_eq!(
        app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD)
            .await
            .status(),
        200
    );
    assert!(app.smtp.all().is_empty(), "nothing went to SMTP");
}
