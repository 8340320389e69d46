//! Sign up (seed Step 1) and the rules of e-mailed codes.

mod common;
use common::*;

const NEW_PASSWORD: &str = "lantern orchard 77 pebble";

both_databases! {
    async fn signup_with_the_mailed_code_signs_in_and_leads_to_role_choice(app) {
        let r = app.send_signup_code("Ann@Example.com").await;
        assert_eq!(r.status(), 200);
        let code = app.smtp.code_for("ann@example.com", 1).await;

        let r = app.sign_up_with("ann@example.com", &code, "ann.lee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["location"], "/onboarding/role");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("isv_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert_eq!(app.whoami().await.as_deref(), Some("ann.lee"));
    }

    async fn signup_mail_has_text_and_html_parts_and_a_clear_subject(app) {
        app.send_signup_code("ann@example.com").await;
        let mail = &app.smtp.wait_for("ann@example.com", 1).await[0];
        assert!(mail.subject().contains("sign-up code"), "{}", mail.subject());
        assert!(mail.data.contains("text/plain") && mail.data.contains("text/html"));
        assert!(mail.text().contains("Mini Program Platform"));
    }

    async fn the_terms_acceptance_is_recorded_with_version_ip_and_agent(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let row: (String, String, String) = sqlx::query_as(
            "SELECT a.version, a.ip, a.document FROM acceptances a JOIN users u ON u.id = a.user_id WHERE u.email = $1",
        )
        .bind("ann@example.com")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(row.0, isv_portal::site::TERMS_VERSION);
        assert_eq!(row.1, "127.0.0.1");
        assert_eq!(row.2, "terms");
    }

    async fn signup_requires_agreeing_to_the_terms(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        let r = app
            .call("accounts/sign_up", &[("email", "ann@example.com"), ("code", &code), ("username", "annlee"), ("password", GOOD_PASSWORD)])
            .await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert!(field_message(&e, "terms").unwrap().contains("Terms of Service"));
        assert_eq!(app.whoami().await, None);
    }

    async fn every_wrong_field_is_reported_at_once(app) {
        let r = app
            .call("accounts/sign_up", &[("email", "nope"), ("code", "12"), ("username", "a b"), ("password", "short"), ("terms", "yes")])
            .await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        for f in ["email", "code", "username", "password"] {
            assert!(field_message(&e, f).is_some(), "no error for {f}: {e}");
        }
        assert_eq!(e["kept"][0][1], "nope", "the typed email is kept for the form: {e}");
    }

    async fn a_code_is_single_use(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        let r = app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        app.sign_out().await;
        let r = app.sign_up_with("ann@example.com", &code, "annlee2", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert!(field_message(&e, "code").unwrap().contains("no longer valid"), "{e}");
    }

    async fn a_code_is_bound_to_its_address_and_purpose(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        // Another address, one with no code of its own: Ann's code is the only live sign-up
        // code, so only the address can refuse it.
        let bob = app.another_browser();
        let r = bob.sign_up_with("bob@example.com", &code, "bob", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422, "Ann's code signed Bob up");
        assert!(field_message(&error_of(r).await, "code").is_some());
        // It still works for its own address.
        let r = app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);

        // Another purpose: a reset code, for an address that has an account, does not sign up.
        // Were the purpose ignored, the code would pass and only then would the address be
        // found taken (an "email" error); bound to its purpose it is refused as a code.
        let r = app.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await;
        assert_eq!(r.status(), 200);
        let reset_code = app.smtp.code_for("ann@example.com", 2).await;
        let r = bob.sign_up_with("ann@example.com", &reset_code, "annlee2", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert!(field_message(&e, "code").is_some(), "the reset code was taken for a sign-up code: {e}");
        assert_eq!(field_message(&e, "email"), None, "{e}");
        // It still works for its own purpose.
        let r = app.call("accounts/reset_password", &[("email", "ann@example.com"), ("code", &reset_code), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        // And a sign-up code does not reset a password. A sign-up code is mailed only to an
        // address without an account, so Ann's (spent) one is made live again: the account has
        // a live sign-up code and no live reset code, and only the purpose can refuse it.
        sqlx::query("UPDATE verification_codes SET state = 'live' WHERE email = $1 AND purpose = 'signup'")
            .bind("ann@example.com")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let r = app.call("accounts/reset_password", &[("email", "ann@example.com"), ("code", &code), ("new_password", GOOD_PASSWORD), ("confirm_password", GOOD_PASSWORD)]).await;
        assert_eq!(r.status(), 422, "a sign-up code reset the password");
        assert!(field_message(&error_of(r).await, "code").is_some());
        assert_eq!(app.sign_in("annlee", NEW_PASSWORD).await.status(), 200, "the password is the one the reset code set");
    }

    async fn five_wrong_codes_void_the_code(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for i in 1..=5 {
            let r = app.sign_up_with("ann@example.com", wrong, "annlee", GOOD_PASSWORD).await;
            assert_eq!(r.status(), 422);
            let msg = field_message(&error_of(r).await, "code").unwrap();
            if i < 5 {
                assert!(msg.contains(&format!("{} ", 5 - i)), "try {i}: {msg}");
            } else {
                assert!(msg.contains("request a new code"), "{msg}");
            }
        }
        let r = app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422, "the right code must not work after five wrong ones");
    }

    async fn a_new_code_voids_the_earlier_one_and_keeps_the_failure_count(app) {
        app.send_signup_code("ann@example.com").await;
        let first = app.smtp.code_for("ann@example.com", 1).await;
        let wrong = if first == "000000" { "111111" } else { "000000" };
        for _ in 0..3 {
            app.sign_up_with("ann@example.com", wrong, "annlee", GOOD_PASSWORD).await;
        }
        app.age_codes(61_000).await;
        assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200);
        let second = app.smtp.code_for("ann@example.com", 2).await;
        // Void in the store, not merely shadowed by the newer code when codes are checked.
        let states: Vec<(String,)> = sqlx::query_as(
            "SELECT state FROM verification_codes WHERE email = $1 AND purpose = 'signup' ORDER BY created_at",
        )
        .bind("ann@example.com")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(states, [("void".to_string(),), ("live".to_string(),)], "the earlier code is void");
        if first != second {
            let r = app.sign_up_with("ann@example.com", &first, "annlee", GOOD_PASSWORD).await;
            assert_eq!(r.status(), 422, "the earlier code is refused");
        }
        let wrong2 = if second == "000000" { "111111" } else { "000000" };
        let r = app.sign_up_with("ann@example.com", wrong2, "annlee", GOOD_PASSWORD).await;
        let msg = field_message(&error_of(r).await, "code").unwrap();
        assert!(msg.contains("1 try left") || msg.contains("request a new code"), "failures carried over: {msg}");
    }

    async fn an_expired_code_is_refused(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        app.age_codes(10 * 60 * 1000 + 1).await;
        let r = app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "code").unwrap().contains("expired"));
    }

    async fn resending_within_a_minute_gets_429_with_the_wait(app) {
        assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200);
        let r = app.send_signup_code("ann@example.com").await;
        assert_eq!(r.status(), 429);
        let e = error_of(r).await;
        let wait = e["retry_after"].as_u64().unwrap();
        assert!((55..=60).contains(&wait), "{e}");
        assert!(e["message"].as_str().unwrap().contains("seconds"));
    }

    async fn at_most_five_codes_an_hour_per_address(app) {
        for i in 0..5 {
            assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200, "code {i}");
            app.age_codes(61_000).await;
        }
        let r = app.send_signup_code("ann@example.com").await;
        assert_eq!(r.status(), 429);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("Too many codes"));
    }

    async fn codes_per_client_are_bounded(app) {
        for i in 0..30 {
            let r = app.send_signup_code(&format!("user{i}@example.com")).await;
            assert_eq!(r.status(), 200, "code {i}");
        }
        let r = app.send_signup_code("one.more@example.com").await;
        assert_eq!(r.status(), 429);
        assert!(error_of(r).await["message"].as_str().unwrap().contains("your network"));
    }

    async fn an_existing_address_gets_the_same_answer_and_a_notice_not_a_code(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        let fresh = app.send_signup_code("new@example.com").await;
        let (fresh_status, fresh_body) = (fresh.status(), fresh.text().await.unwrap());
        app.age_codes(61_000).await;
        let taken = app.send_signup_code("ann@example.com").await;
        assert_eq!(taken.status(), fresh_status);
        assert_eq!(
            taken.text().await.unwrap().replace("ann@example.com", "X"),
            fresh_body.replace("new@example.com", "X")
        );
        let mails = app.smtp.wait_for("ann@example.com", 2).await;
        let notice = &mails[1];
        assert!(notice.code().is_none());
        assert!(notice.subject().contains("tried to sign up"));
        assert!(notice.text().contains(&app.url("/signin")) && notice.text().contains(&app.url("/forgot-password")));
    }

    async fn usernames_are_unique_ignoring_case(app) {
        app.sign_up("ann@example.com", "AnnLee", GOOD_PASSWORD).await;
        app.sign_out().await;
        app.send_signup_code("bob@example.com").await;
        let code = app.smtp.code_for("bob@example.com", 1).await;
        let r = app.sign_up_with("bob@example.com", &code, "annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "username").unwrap().contains("taken"));
        // The code was not spent by the failed attempt.
        let r = app.sign_up_with("bob@example.com", &code, "bob", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
    }

    async fn weak_passwords_are_refused_with_the_reason(app) {
        app.send_signup_code("ann@example.com").await;
        let code = app.smtp.code_for("ann@example.com", 1).await;
        for (password, reason) in [
            ("short", "at least 8"),
            ("password123", "too common"),
            ("xx-annlee-xx-2024", "username or email"),
        ] {
            let r = app.sign_up_with("ann@example.com", &code, "annlee", password).await;
            assert_eq!(r.status(), 422);
            let msg = field_message(&error_of(r).await, "password").unwrap_or_default();
            assert!(msg.contains(reason), "{password}: {msg}");
        }
        let r = app.sign_up_with("ann@example.com", &code, "annlee", "ünïcödé pässwörd 🐎 ok").await;
        assert_eq!(r.status(), 200, "any characters are allowed");
    }

    async fn the_password_is_stored_as_argon2id(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM verification_codes WHERE code_hash LIKE '%' || $1 || '%'")
            .bind(app.smtp.code_for("ann@example.com", 1).await)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "codes are stored only hashed");
    }

    async fn without_javascript_send_code_redirects_back_with_the_address(app) {
        let r = app
            .post_form("accounts/send_sign_up_code", "/signup", &[("email", "ann@example.com"), ("code", ""), ("username", ""), ("password", "")])
            .await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/signup?sent=1&email=ann%40example.com");
        app.smtp.wait_for("ann@example.com", 1).await;
    }

    async fn without_javascript_the_form_posts_to_sign_up_and_send_code_to_its_own_function(app) {
        let page = app.client.get(app.url("/signup")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"action="/api/accounts/sign_up""#), "{page}");
        assert!(page.contains(r#"formaction="/api/accounts/send_sign_up_code""#), "{page}");
    }

    async fn without_javascript_a_refused_code_request_returns_to_the_form_with_it(app) {
        // What a browser posts when "Send code" is pressed: the whole form, to the button's own function.
        let form = [("email", "ann@example.com"), ("code", ""), ("username", ""), ("password", "")];
        assert_eq!(app.post_form("accounts/send_sign_up_code", "/signup", &form).await.status(), 302);
        let r = app.post_form("accounts/send_sign_up_code", "/signup?sent=1&email=ann%40example.com", &form).await;
        assert_eq!(r.status(), 302);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.contains("__path=%2Fapi%2Faccounts%2Fsend_sign_up_code"), "{location}");
        let page = app.client.get(&location).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("before requesting another code"), "the page shows why: {page}");
        assert!(page.contains("value=\"ann@example.com\""), "the email is kept");
        let (codes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM verification_codes").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(codes, 1, "the second request issued nothing");
    }

    async fn each_sign_up_function_refuses_a_request_missing_a_field_and_changes_nothing(app) {
        // Browsers always send a form's text fields: one missing is a broken client (400).
        let r = app.call("accounts/send_sign_up_code", &[("code", "")]).await;
        assert_eq!(r.status(), 400);
        let (codes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM verification_codes").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(codes, 0, "no code was issued");

        assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200);
        let code = app.smtp.code_for("ann@example.com", 1).await;
        let full = [("email", "ann@example.com"), ("code", code.as_str()), ("username", "annlee"), ("password", GOOD_PASSWORD), ("terms", "yes")];
        for missing in ["email", "code", "username", "password"] {
            let form: Vec<(&str, &str)> = full.iter().copied().filter(|(k, _)| *k != missing).collect();
            let r = app.call("accounts/sign_up", &form).await;
            assert_eq!(r.status(), 400, "without {missing}");
        }
        let (failures,): (i64,) = sqlx::query_as("SELECT failures FROM verification_codes WHERE email = 'ann@example.com'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(failures, 0, "no try of the code was used");
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(users, 0);
        assert_eq!(app.whoami().await, None);
        // The whole form still works with the same code.
        assert_eq!(app.sign_up_with("ann@example.com", &code, "annlee", GOOD_PASSWORD).await.status(), 200);
    }

    async fn without_javascript_an_error_returns_to_the_form_with_it(app) {
        let r = app
            .post_form("accounts/sign_up", "/signup", &[("email", "ann@example.com"), ("code", ""), ("username", "ann"), ("password", "")])
            .await;
        assert_eq!(r.status(), 302);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&app.url("/signup?")), "{location}");
        assert!(location.contains("__err="), "{location}");
        let page = app.client.get(&location).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Enter the 6-digit code we emailed you."), "the page shows the field error");
        assert!(page.contains("value=\"ann@example.com\""), "the email is kept");
    }

    async fn a_link_cannot_choose_the_error_a_form_shows(app) {
        // A genuine, signed error to borrow from.
        let r = app
            .post_form("accounts/sign_up", "/signup", &[("email", "ann@example.com"), ("code", ""), ("username", "ann"), ("password", "")])
            .await;
        let genuine = r.headers()["location"].to_str().unwrap().to_string();
        assert!(genuine.contains("__sig="), "{genuine}");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE;
        let url = reqwest::Url::parse(&genuine).unwrap();
        let err = url.query_pairs().find(|(k, _)| k == "__err").unwrap().1.to_string();
        let json = String::from_utf8(b64.decode(err).unwrap()).unwrap();
        assert!(json.contains("6-digit"), "{json}");
        let forged_error: String = url::form_urlencoded::byte_serialize(b64.encode(json.replace("6-digit", "PHISHING")).as_bytes()).collect();
        let path = "__path=%2Fapi%2Faccounts%2Fsign_up";
        for forged in [
            // Free text, unsigned.
            app.url(&format!("/signup?{path}&__err={forged_error}")),
            // A genuine signed pair followed by a second error (Leptos shows the last one).
            format!("{genuine}&__err={forged_error}"),
        ] {
            let r = app.client.get(&forged).header("accept", "text/html").send().await.unwrap();
            assert_eq!(r.status(), 302, "{forged}");
            let to = r.headers()["location"].to_str().unwrap().to_string();
            assert!(!to.contains("__err"), "{to}");
            let page = app.client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
            assert!(!page.contains("PHISHING"));
        }
        // Dropping an unsigned error never leads off the site, whatever the path looks like.
        for path in ["//evil.example/x?__err=Zm9v", "/\\evil.example?__err=Zm9v"] {
            let r = app.client.get(app.url(path)).header("accept", "text/html").send().await.unwrap();
            assert_eq!(r.status(), 302, "{path}");
            let to = r.headers()["location"].to_str().unwrap();
            assert!(to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"), "{path} → {to}");
        }
        // The genuine one is shown.
        let page = app.client.get(&genuine).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Enter the 6-digit code we emailed you."));
    }
}
