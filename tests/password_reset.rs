//! Forgot password (seed Step 5).

mod common;
use common::*;

async fn send_reset_code(app: &TestApp, email: &str) -> reqwest::Response {
    app.call("accounts/send_reset_code", &[("email", email)])
        .await
}

async fn reset(
    app: &TestApp,
    email: &str,
    code: &str,
    new: &str,
    confirm: &str,
) -> reqwest::Response {
    app.call(
        "accounts/reset_password",
        &[
            ("email", email),
            ("code", code),
            ("new_password", new),
            ("confirm_password", confirm),
        ],
    )
    .await
}

const NEW_PASSWORD: &str = "lantern orchard 77 pebble";

both_databases! {
    async fn a_reset_changes_the_password_ends_every_session_and_sends_a_notice(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let other_device = app.sign_in("annlee", GOOD_PASSWORD).await;
        let other_cookie = other_device.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        // The other device's session answered a moment ago (kept in the portal's memory).
        let seen = reqwest::Client::new()
            .post(app.url("/api/session/current"))
            .header("origin", &app.address)
            .header("cookie", &other_cookie)
            .send().await.unwrap();
        assert!(seen.text().await.unwrap().contains("annlee"));

        assert_eq!(send_reset_code(&app, "ann@example.com").await.status(), 200);
        let code = app.smtp.code_for("ann@example.com", 2).await;
        let r = reset(&app, "ann@example.com", &code, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["location"], "/signin?reset=1");

        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 0, "every session ended");
        let replay = reqwest::Client::new()
            .post(app.url("/api/session/current"))
            .header("origin", &app.address)
            .header("cookie", other_cookie)
            .send().await.unwrap();
        assert_eq!(replay.text().await.unwrap(), "null");

        let notice = &app.smtp.wait_for("ann@example.com", 3).await[2];
        assert!(notice.subject().contains("password was changed"));
        assert!(!notice.text().contains(NEW_PASSWORD));

        assert_eq!(app.sign_in("annlee", GOOD_PASSWORD).await.status(), 422);
        assert_eq!(app.sign_in("annlee", NEW_PASSWORD).await.status(), 200);
    }

    async fn an_unknown_address_gets_the_same_answer_and_no_mail(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let known = send_reset_code(&app, "ann@example.com").await;
        let unknown = send_reset_code(&app, "nobody@example.com").await;
        assert_eq!(known.status(), unknown.status());
        assert_eq!(
            known.text().await.unwrap().replace("ann@example.com", "X"),
            unknown.text().await.unwrap().replace("nobody@example.com", "X")
        );
        app.smtp.wait_for("ann@example.com", 2).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(app.smtp.to("nobody@example.com").is_empty());
    }

    async fn the_two_passwords_must_match(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        send_reset_code(&app, "ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 2).await;
        let r = reset(&app, "ann@example.com", &code, NEW_PASSWORD, "something else entirely").await;
        assert_eq!(r.status(), 422);
        assert_eq!(field_message(&error_of(r).await, "confirm_password").as_deref(), Some("The passwords do not match."));
        // The code is still good after a form error.
        assert_eq!(reset(&app, "ann@example.com", &code, NEW_PASSWORD, NEW_PASSWORD).await.status(), 200);
    }

    async fn the_new_password_follows_the_same_rules(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        send_reset_code(&app, "ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 2).await;
        for bad in ["short", "qwertyuiop", "my annlee secret"] {
            let r = reset(&app, "ann@example.com", &code, bad, bad).await;
            assert_eq!(r.status(), 422, "{bad}");
            assert!(field_message(&error_of(r).await, "new_password").is_some(), "{bad}");
        }
    }

    async fn without_javascript_the_form_posts_to_reset_and_send_code_to_its_own_function(app) {
        let page = app.client.get(app.url("/forgot-password")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"action="/api/accounts/reset_password""#), "{page}");
        assert!(page.contains(r#"formaction="/api/accounts/send_reset_code""#), "{page}");
        let r = app
            .post_form("accounts/send_reset_code", "/forgot-password", &[("email", "ann@example.com"), ("code", ""), ("new_password", ""), ("confirm_password", "")])
            .await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/forgot-password?sent=1&email=ann%40example.com");
    }

    async fn each_reset_function_refuses_a_request_missing_a_field_and_changes_nothing(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        // Browsers always send a form's text fields: one missing is a broken client (400).
        let r = app.call("accounts/send_reset_code", &[("code", "")]).await;
        assert_eq!(r.status(), 400);
        let (codes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM verification_codes WHERE purpose = 'reset'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(codes, 0, "no code was issued");

        assert_eq!(send_reset_code(&app, "ann@example.com").await.status(), 200);
        let code = app.smtp.code_for("ann@example.com", 2).await;
        let full = [("email", "ann@example.com"), ("code", code.as_str()), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)];
        for missing in ["email", "code", "new_password", "confirm_password"] {
            let form: Vec<(&str, &str)> = full.iter().copied().filter(|(k, _)| *k != missing).collect();
            let r = app.call("accounts/reset_password", &form).await;
            assert_eq!(r.status(), 400, "without {missing}");
        }
        let (failures,): (i64,) = sqlx::query_as("SELECT failures FROM verification_codes WHERE purpose = 'reset'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(failures, 0, "no try of the code was used");
        assert_eq!(app.sign_in("annlee", GOOD_PASSWORD).await.status(), 200, "the password is unchanged");
        // The whole form still works with the same code.
        assert_eq!(reset(&app, "ann@example.com", &code, NEW_PASSWORD, NEW_PASSWORD).await.status(), 200);
    }
}
