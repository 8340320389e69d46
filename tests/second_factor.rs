//! Two-step verification (issue 16): setting it up, signing in with a code or a recovery
//! code, each code accepted once, the reviewers' gate, backoff, the step's expiry, turning it
//! off and the operator's reset. Both databases.

mod common;
use common::second_factor::{location, unix_secs};
use common::*;
use isv_portal::accounts::second_factor::store;
use std::time::Duration;

/// Waits, if needed, until at least 15 seconds of the current 30-second step remain: a test
/// that names steps relative to "now" must not see the clock move on in the middle.
async fn fresh_window() {
    let into = unix_secs() % 30;
    if into > 15 {
        tokio::time::sleep(Duration::from_secs((30 - into) as u64) + Duration::from_millis(200))
            .await;
    }
}

async fn user_id(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn sessions_of(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $1",
    )
    .bind(username)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// Ann, signed up and signed in on `app`, with two-step verification on.
async fn ann_with_second_factor(app: &TestApp) -> (Authenticator, Vec<String>) {
    app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
        .await;
    app.turn_on_second_factor(GOOD_PASSWORD).await
}

/// A fresh browser at the code step of Ann's sign-in.
async fn at_code_step(app: &TestApp) -> TestApp {
    app.at_code_step("annlee", GOOD_PASSWORD).await
}

fn history_has(status: &serde_json::Value, what: &str) -> bool {
    status["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["what"] == what)
}

both_databases! {
    async fn turning_it_on_needs_a_right_code_and_shows_ten_recovery_codes_until_saved(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let off = app.second_factor_status().await;
        assert!(off["on_since"].is_null() && off["setup"].is_null());
        let phone = app.begin_second_factor().await;
        let status = app.second_factor_status().await;
        let setup = &status["setup"];
        assert!(setup["qr_svg"].as_str().unwrap().starts_with("<svg"));
        let address = setup["address"].as_str().unwrap();
        assert!(address.starts_with("otpauth://totp/Mini%20Program%20Platform:ann%40example.com?secret="), "{address}");
        assert!(address.contains("&period=30"), "{address}");
        // The secret is kept sealed: neither the key nor its bytes (in hex or base64) are in
        // the table, and what is there is longer than the secret (nonce and tag).
        let key: String = setup["key"].as_str().unwrap().split_whitespace().collect();
        let bytes = totp_rs::Secret::Encoded(key.clone()).to_bytes().unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let sealed: String = sqlx::query_scalar("SELECT sealed_secret FROM second_factors").fetch_one(&app.db.pool).await.unwrap();
        use base64::Engine;
        for plain in [key.clone(), hex, base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes)] {
            assert!(!sealed.to_lowercase().contains(&plain.to_lowercase()[..16]), "{plain} in {sealed}");
        }
        let sealed_bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&sealed).unwrap();
        assert_eq!(sealed_bytes.len(), 24 + bytes.len() + 16, "nonce, ciphertext, tag");

        fresh_window().await;
        let now = Authenticator::current_step();
        let confirm = |password: &'static str, code: String| {
            let app = &app;
            async move { app.call("second_factor/confirm", &[("current_password", password), ("code", code.as_str())]).await }
        };
        for code in ["12a456", ""] {
            let r = confirm(GOOD_PASSWORD, code.into()).await;
            assert_eq!(r.status(), 422, "{code:?}");
            assert!(field_message(&error_of(r).await, "code").is_some());
        }
        // The password too: a session alone cannot put a phone on the account.
        let r = confirm("not my password 1", phone.code_of_step(now)).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "current_password").is_some());
        // Two steps away is too far either way (one step of clock skew is allowed).
        for step in [now - 2, now + 2] {
            let r = confirm(GOOD_PASSWORD, phone.code_of_step(step)).await;
            assert_eq!(r.status(), 422, "step {}", step - now);
        }
        assert!(app.second_factor_status().await["on_since"].is_null(), "still off");
        // Another session of the account sees no setup and cannot confirm it.
        let elsewhere = app.another_browser();
        assert_eq!(location(&elsewhere.sign_in("annlee", GOOD_PASSWORD).await).as_deref(), Some("/console"));
        assert!(elsewhere.second_factor_status().await["setup"].is_null());
        let r = elsewhere.call("second_factor/confirm", &[("current_password", GOOD_PASSWORD), ("code", &phone.code_of_step(now))]).await;
        assert_eq!(r.status(), 409);
        // One step behind is accepted.
        let r = confirm(GOOD_PASSWORD, phone.code_of_step(now - 1)).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let on = app.second_factor_status().await;
        assert!(on["on_since"]["ms"].is_i64());
        assert_eq!(on["codes_left"], 10);
        let codes: Vec<String> = on["new_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert!(history_has(&on, "Two-step verification turned on"));
        // Only keyed hashes are stored: not the codes, nor their plain SHA-256.
        let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(hashes.len(), 10);
        for c in &codes {
            let plain = c.replace('-', "");
            let unkeyed = isv_portal::server::crypto::sha256_hex(&[&plain]);
            assert!(!hashes.iter().any(|h| h.contains(&plain) || *h == unkeyed));
        }
        // Shown to this session only: another device of the account sees none of them.
        let other = app.another_browser();
        let r = other.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(location(&r).as_deref(), Some("/signin/code"));
        assert_eq!(other.sign_in_code(&phone.code_of_step(now)).await.status(), 200);
        assert!(other.second_factor_status().await["new_codes"].as_array().unwrap().is_empty());
        assert_eq!(other.client.get(app.url("/account/second-factor/recovery-codes.txt")).send().await.unwrap().status(), 404);
        assert_eq!(elsewhere.whoami().await, None, "turning it on ended the other sessions");
        // The file while they are shown; nothing once saved.
        let file = app.client.get(app.url("/account/second-factor/recovery-codes.txt")).send().await.unwrap();
        assert_eq!(file.status(), 200);
        assert!(file.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let text = file.text().await.unwrap();
        for c in &codes {
            assert!(text.contains(c.as_str()), "{c} in the file");
        }
        // At most 15 minutes.
        sqlx::query("UPDATE second_factors SET recovery_until = recovery_until - 900001").execute(&app.db.pool).await.unwrap();
        assert!(app.second_factor_status().await["new_codes"].as_array().unwrap().is_empty());
        assert_eq!(app.client.get(app.url("/account/second-factor/recovery-codes.txt")).send().await.unwrap().status(), 404);
        sqlx::query("UPDATE second_factors SET recovery_until = recovery_until + 900001").execute(&app.db.pool).await.unwrap();
        assert_eq!(app.second_factor_status().await["new_codes"].as_array().unwrap().len(), 10);
        assert_eq!(app.call("second_factor/saved", &[]).await.status(), 200);
        assert!(app.second_factor_status().await["new_codes"].as_array().unwrap().is_empty());
        assert_eq!(app.client.get(app.url("/account/second-factor/recovery-codes.txt")).send().await.unwrap().status(), 404);
        // Turning it on again is refused while it is on.
        assert_eq!(app.call("second_factor/begin", &[]).await.status(), 409);
        // "Export my data" says it is on and when, never its secret or a code.
        let file = app.client.get(app.url("/account/export")).send().await.unwrap().text().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(v["two_step_verification"], true);
        assert_eq!(v["security_history"][0]["what"], "second_factor_enabled");
        let sealed: String = sqlx::query_scalar("SELECT sealed_secret FROM second_factors").fetch_one(&app.db.pool).await.unwrap();
        for secret in hashes.iter().chain([&sealed, &key]).chain(codes.iter()) {
            assert!(!file.contains(secret.as_str()), "{secret} in the export");
        }
        let mail = app.smtp.wait_for("ann@example.com", 2).await;
        assert!(mail[1].subject().contains("Two-step verification changed"), "{}", mail[1].subject());
        assert!(mail[1].text().contains("was turned on"));
    }

    async fn signing_in_asks_for_the_code_on_a_second_step_and_says_nothing_before_the_password(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        app.sign_up("bob@example.com", "boblee", GOOD_PASSWORD).await;
        // A wrong password reads the same for an account with a second factor and without.
        let with = app.another_browser().sign_in("annlee", "wrong password 123").await;
        let without = app.another_browser().sign_in("boblee", "wrong password 123").await;
        assert_eq!((with.status(), without.status()), (422.try_into().unwrap(), 422.try_into().unwrap()));
        assert_eq!(with.text().await.unwrap().replace("annlee", "boblee"), without.text().await.unwrap());

        let b = at_code_step(&app).await;
        assert_eq!(b.whoami().await, None, "no session before the code");
        let (status, html) = b.html("/signin/code").await;
        assert_eq!(status, 200);
        assert!(html.contains("Authentication code"));
        let r = b.sign_in_code(&phone.code_of_step(Authenticator::current_step() - 5)).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "code").is_some());
        assert_eq!(b.whoami().await, None);
        let r = b.sign_in_code(&phone.next_code().await).await;
        assert_eq!(r.status(), 200, "{:?}", r.headers());
        assert_eq!(location(&r).as_deref(), Some("/console"));
        let set_cookie: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert!(set_cookie.iter().any(|c| c.starts_with("isv_signin_step=;") && c.contains("Max-Age=0")), "{set_cookie:?}");
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_steps").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(rows, 0, "the step is spent with its code");
        assert_eq!(b.whoami().await.as_deref(), Some("annlee"));
        let passed: i64 = sqlx::query_scalar("SELECT MAX(second_factor) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'annlee'").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(passed, 1);
    }

    async fn a_code_is_accepted_once_and_no_older_code_after_it(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let (id, hash) = ann_step_parts(&app).await;
        // A step after the one turning it on spent, with time left in it.
        let used_at_setup: i64 = sqlx::query_scalar("SELECT last_step FROM second_factors").fetch_one(&app.db.pool).await.unwrap();
        while Authenticator::current_step() <= used_at_setup || unix_secs() % 30 > 15 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let now = Authenticator::current_step();
        // Each try at a code step of its own (made as a password sign-in makes it).
        let try_code = |code: String| {
            let (app, id, hash) = (&app, id.clone(), hash.clone());
            async move {
                let token = store::start_step(&app.db, &id, &hash, "/console").await.unwrap();
                code_at_step(app, &token, &code).await
            }
        };
        assert_eq!(try_code(phone.code_of_step(now + 2)).await, 422, "beyond the skew");
        assert_eq!(try_code(phone.code_of_step(now)).await, 200);
        assert_eq!(try_code(phone.code_of_step(now)).await, 422, "the same code again");
        assert_eq!(try_code(phone.code_of_step(now - 1)).await, 422, "an older one");
        assert_eq!(try_code(phone.code_of_step(now + 1)).await, 200, "a later step still works");
        assert_eq!(Authenticator::current_step(), now, "(the test ran within one step)");
    }

    async fn fifty_parallel_uses_of_one_code_sign_in_once(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let (id, hash) = ann_step_parts(&app).await;
        let before = sessions_of(&app, "annlee").await;
        // One code step (a sign-in has one at a time) sent fifty times at once with its code.
        let token = store::start_step(&app.db, &id, &hash, "/console").await.unwrap();
        let code = phone.next_code().await;
        let answers = futures::future::join_all((0..50).map(|_| code_at_step(&app, &token, &code))).await;
        assert_eq!(answers.iter().filter(|s| **s == 200).count(), 1, "{answers:?}");
        assert!(answers.iter().all(|s| [200, 409, 422, 429].contains(s)), "{answers:?}");
        assert_eq!(sessions_of(&app, "annlee").await, before + 1, "one session");
        // A new sign-in ends the step before it.
        let first = store::start_step(&app.db, &id, &hash, "/console").await.unwrap();
        let _second = store::start_step(&app.db, &id, &hash, "/console").await.unwrap();
        assert_eq!(code_at_step(&app, &first, &phone.next_code().await).await, 409);

        // And at the store: fifty transactions spending the same step, fifty spending the same
        // recovery code.
        let step = Authenticator::current_step() + 1;
        let spent = futures::future::join_all((0..50).map(|_| {
            let db = app.db.clone();
            let id = id.clone();
            async move {
                let mut tx = db.begin_write().await.unwrap();
                let ok = store::spend_step(&mut tx, &id, step + 1).await.unwrap();
                tx.commit().await.unwrap();
                ok
            }
        }))
        .await;
        assert_eq!(spent.iter().filter(|s| **s).count(), 1);
        let code_hash: String = sqlx::query_scalar("SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL LIMIT 1").bind(&id).fetch_one(&app.db.pool).await.unwrap();
        let spent = futures::future::join_all((0..50).map(|_| {
            let db = app.db.clone();
            let id = id.clone();
            let code_hash = code_hash.clone();
            async move {
                let mut tx = db.begin_write().await.unwrap();
                let ok = store::spend_recovery_code(&mut tx, &id, &code_hash).await.unwrap();
                tx.commit().await.unwrap();
                ok
            }
        }))
        .await;
        assert_eq!(spent.iter().filter(|s| **s).count(), 1);
    }

    async fn a_recovery_code_signs_in_once_and_says_how_many_are_left(app) {
        let (_phone, codes) = ann_with_second_factor(&app).await;
        let b = at_code_step(&app).await;
        // As shown, typed in capitals with spaces around.
        let r = b.sign_in_code(&format!(" {} ", codes[3].to_uppercase())).await;
        assert_eq!(r.status(), 200);
        assert_eq!(location(&r).as_deref(), Some("/account/second-factor?recovery=used"));
        let (status, html) = b.html("/account/second-factor?recovery=used").await;
        assert_eq!(status, 200);
        assert!(html.contains("You have 9 recovery codes left."), "{html}");
        let s = b.second_factor_status().await;
        assert_eq!(s["codes_left"], 9);
        assert!(history_has(&s, "Signed in with a recovery code"));
        let again = at_code_step(&app).await;
        let r = again.sign_in_code(&codes[3]).await;
        assert_eq!(r.status(), 422, "used once");
        assert_eq!(again.whoami().await, None);

        // New codes (the password first) void the old set.
        let renew = |password: &'static str, code: String| {
            let b = &b;
            async move { b.call("second_factor/renew_codes", &[("password", password), ("renew_code", code.as_str())]).await }
        };
        let r = renew("not my password 1", codes[0].clone()).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "password").is_some());
        let r = renew(GOOD_PASSWORD, codes[3].clone()).await;
        assert_eq!(r.status(), 422, "a used code");
        assert!(field_message(&error_of(r).await, "renew_code").is_some());
        assert_eq!(renew(GOOD_PASSWORD, codes[0].clone()).await.status(), 200);
        let s = b.second_factor_status().await;
        let fresh: Vec<String> = s["new_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
        assert_eq!((fresh.len(), s["codes_left"].as_i64()), (10, Some(10)));
        assert!(app.smtp.wait_for("ann@example.com", 3).await[2].text().contains("New recovery codes were generated"));
        assert!(history_has(&s, "New recovery codes generated"));
        assert_eq!(at_code_step(&app).await.sign_in_code(&codes[5]).await.status(), 422, "an old code");
        assert_eq!(at_code_step(&app).await.sign_in_code(&fresh[5]).await.status(), 200, "a new one");
    }

    async fn parallel_renewals_leave_one_set_of_codes(app) {
        let (_phone, codes) = ann_with_second_factor(&app).await;
        // Ten renewals at once, each with another of the ten codes (the account's budget lets
        // five reach the password check): whichever succeed, one set of ten remains, unused.
        let answers = futures::future::join_all(codes.iter().map(|code| {
            let app = &app;
            async move {
                app.call("second_factor/renew_codes", &[("password", GOOD_PASSWORD), ("renew_code", code.as_str())]).await
            }
        }))
        .await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert!(statuses.contains(&200), "{statuses:?}");
        assert!(statuses.iter().all(|s| [200, 409, 422, 429].contains(s)), "{statuses:?}");
        let (rows, unused): (i64, i64) = sqlx::query_as("SELECT COUNT(*), COUNT(*) - COUNT(used_at) FROM recovery_codes").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!((rows, unused), (10, 10), "{statuses:?}");
        // And they are the ten this session is shown.
        let shown = app.second_factor_status().await["new_codes"].as_array().unwrap().len();
        assert_eq!(shown, 10);
    }

    async fn a_reviewer_can_do_nothing_but_set_it_up_first(app) {
        let (ann, id) = app.submitted("ann@example.com", "annlee").await;
        isv_portal::accounts::reviewers::create_reviewer(&app.db, "rita@platform.example", "rita", Some(REVIEWER_PASSWORD)).await.unwrap();
        let rita = app.another_browser();
        let r = rita.sign_in("rita", REVIEWER_PASSWORD).await;
        assert_eq!(location(&r).as_deref(), Some("/account/second-factor"));
        let user: serde_json::Value = rita.call("session/current", &[]).await.json().await.unwrap();
        assert_eq!((user["is_reviewer"].as_bool(), user["must_enrol"].as_bool()), (Some(false), Some(true)));
        let review_calls: &[(&str, Vec<(&str, &str)>)] = &[
            ("review/queue", QUEUE_ALL.to_vec()),
            ("review/application", vec![("id", id.as_str())]),
            ("review/take", vec![("id", id.as_str()), ("round", "1")]),
            ("review/release", vec![("id", id.as_str()), ("round", "1")]),
            ("review/approve", vec![("id", id.as_str()), ("round", "1")]),
            ("review/reject", vec![("id", id.as_str()), ("round", "1"), ("reason", "Not a registered business here.")]),
            ("review/request_changes", vec![("id", id.as_str()), ("round", "1"), ("general_note", ""), ("pick_company_name", "on"), ("note_company_name", "Use the registered name please.")]),
            ("review/metrics", vec![]),
            ("console/applications", vec![]),
            ("account/devices", vec![]),
            ("account/change_password", vec![("current_password", REVIEWER_PASSWORD), ("new_password", "another good pass 99"), ("confirm_password", "another good pass 99")]),
        ];
        for (endpoint, form) in review_calls {
            let r = rita.call(endpoint, form).await;
            assert_eq!(r.status(), 403, "{endpoint}");
        }
        assert_eq!(rita.open_events(None).await.status(), 403, "the event stream");
        // Files asked for without a page's Accept header.
        for file in ["/review/export.csv", &format!("/review/{id}/history.csv"), "/account/export"] {
            let r = rita.client.get(app.url(file)).send().await.unwrap();
            assert!([302, 403].contains(&r.status().as_u16()), "{file}: {}", r.status());
        }
        for page in ["/review", "/review/metrics", &format!("/review/{id}"), "/review/export.csv", "/console", "/account", "/account/export"] {
            let r = rita.client.get(app.url(page)).header("accept", "text/html").send().await.unwrap();
            assert_eq!((r.status().as_u16(), location(&r).as_deref()), (302, Some("/account/second-factor")), "{page}");
        }
        let (status, html) = rita.html("/account/second-factor").await;
        assert_eq!(status, 200);
        assert!(html.contains("Reviewers must use two-step verification"));
        assert_eq!(ann.status_of(&id).await, "UnderReview", "nothing was decided");

        rita.turn_on_second_factor(REVIEWER_PASSWORD).await;
        for (endpoint, form) in &review_calls[..2] {
            assert_eq!(rita.call(endpoint, form).await.status(), 200, "{endpoint}");
        }
        assert_eq!(rita.open_events(None).await.status(), 200);
        assert_eq!(rita.call("review/approve", &[("id", id.as_str()), ("round", "1")]).await.status(), 200);
    }

    async fn turning_it_off_needs_the_password_and_a_current_code(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let off = |password: &'static str, code: String| {
            let app = &app;
            async move { app.call("second_factor/disable", &[("current_password", password), ("code", code.as_str())]).await }
        };
        let r = off("not my password 1", phone.code_of_step(Authenticator::current_step() + 1)).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "current_password").is_some());
        let r = off(GOOD_PASSWORD, phone.code_of_step(Authenticator::current_step() - 9)).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "code").is_some());
        assert!(!app.second_factor_status().await["on_since"].is_null(), "still on");
        let r = off(GOOD_PASSWORD, phone.next_code().await).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let s = app.second_factor_status().await;
        assert!(s["on_since"].is_null());
        assert!(history_has(&s, "Two-step verification turned off"));
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(rows, 0);
        let b = app.another_browser();
        let r = b.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(location(&r).as_deref(), Some("/console"), "the password alone again");
        app.smtp.wait_for("ann@example.com", 3).await;
        assert!(app.smtp.to("ann@example.com")[2].text().contains("was turned off"));

        // A reviewer who turns it off sets it up again before reviewing.
        isv_portal::accounts::reviewers::create_reviewer(&app.db, "rita@platform.example", "rita", Some(REVIEWER_PASSWORD)).await.unwrap();
        let rita = app.another_browser();
        rita.sign_in("rita", REVIEWER_PASSWORD).await;
        let (rita_phone, _) = rita.turn_on_second_factor(REVIEWER_PASSWORD).await;
        assert_eq!(rita.call("review/queue", QUEUE_ALL).await.status(), 200);
        assert!(rita.second_factor_status().await["reviewer"].as_bool().unwrap());
        let r = rita.call("second_factor/disable", &[("current_password", REVIEWER_PASSWORD), ("code", &rita_phone.next_code().await)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(rita.call("review/queue", QUEUE_ALL).await.status(), 403, "set it up again first");
        let r = rita.client.get(app.url("/review")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(location(&r).as_deref(), Some("/account/second-factor"));
    }

    async fn a_secret_that_cannot_be_opened_accepts_no_code(app) {
        let (_phone, codes) = ann_with_second_factor(&app).await;
        // As after SECRET_KEY changed: the sealed secret no longer opens.
        sqlx::query("UPDATE second_factors SET sealed_secret = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'").execute(&app.db.pool).await.unwrap();
        // The code of an empty key (what a careless fallback would compute) is refused.
        let nothing = Authenticator::from_key("");
        let b = at_code_step(&app).await;
        let r = b.sign_in_code(&nothing.now()).await;
        assert_eq!(r.status(), 422);
        assert_eq!(b.whoami().await, None);
        // Recovery codes still work (they are the way in until an operator resets it).
        assert_eq!(b.sign_in_code(&codes[0]).await.status(), 200);
    }

    async fn others_wrong_passwords_do_not_lock_out_an_account_with_a_second_factor(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let attacker = app.another_browser();
        let mut answers = Vec::new();
        for _ in 0..7 {
            answers.push(attacker.sign_in("annlee", "guessing 123 456").await.status().as_u16());
        }
        assert_eq!(answers.iter().filter(|s| **s == 429).count(), 2, "{answers:?}");
        // The wait ends (as if its time had passed); Ann's right password starts the code
        // step, and her code is tried at once, not after another wait.
        sqlx::query("UPDATE login_throttle SET blocked_until = 0").execute(&app.db.pool).await.unwrap();
        let b = at_code_step(&app).await;
        // The attacker goes on guessing passwords meanwhile: the code step does not wait.
        for _ in 0..3 {
            attacker.sign_in("annlee", "guessing 123 456").await;
        }
        assert_eq!(b.sign_in_code(&phone.next_code().await).await.status(), 200);
        assert_eq!(b.whoami().await.as_deref(), Some("annlee"));
    }

    async fn the_code_step_lasts_five_minutes(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let b = at_code_step(&app).await;
        sqlx::query("UPDATE sign_in_steps SET expires_at = expires_at - 300001").execute(&app.db.pool).await.unwrap();
        let r = b.sign_in_code(&phone.next_code().await).await;
        assert_eq!(r.status(), 409);
        assert!(error_of(r).await.to_string().contains("expired"));
        assert_eq!(b.whoami().await, None);
        // Without a step at all.
        let r = app.another_browser().sign_in_code("123456").await;
        assert_eq!(r.status(), 409);
        // A fresh one works.
        let b = at_code_step(&app).await;
        assert_eq!(b.sign_in_code(&phone.next_code().await).await.status(), 200);
    }

    async fn wrong_codes_count_toward_the_accounts_sign_in_backoff(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        let b = at_code_step(&app).await;
        let far = phone.code_of_step(Authenticator::current_step() - 20);
        let mut answers = Vec::new();
        for _ in 0..6 {
            answers.push(b.sign_in_code(&far).await.status().as_u16());
        }
        assert_eq!(answers, [422, 422, 422, 422, 422, 429]);
        // The right code waits too, and so does the password on another device.
        assert_eq!(b.sign_in_code(&phone.next_code().await).await.status(), 429);
        assert_eq!(app.another_browser().sign_in("annlee", GOOD_PASSWORD).await.status(), 429);
        assert_eq!(b.whoami().await, None);
    }

    async fn a_password_reset_keeps_the_second_factor_and_the_operator_can_remove_it(app) {
        let (phone, _) = ann_with_second_factor(&app).await;
        // Two wrong codes, then a reset: the reset does not buy fresh guesses at the code.
        let guesser = at_code_step(&app).await;
        for _ in 0..2 {
            assert_eq!(guesser.sign_in_code(&phone.code_of_step(Authenticator::current_step() - 30)).await.status(), 422);
        }
        let other = app.another_browser();
        assert_eq!(other.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await.status(), 200);
        let code = app.smtp.wait_for("ann@example.com", 3).await[2].code().expect("a code");
        let r = other.call("accounts/reset_password", &[("email", "ann@example.com"), ("code", &code), ("new_password", "lantern orchard 77 pebble"), ("confirm_password", "lantern orchard 77 pebble")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let failures: i64 = sqlx::query_scalar("SELECT failures FROM login_throttle WHERE throttle_key LIKE 'code:%'").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(failures, 2, "the wrong codes still count");
        let r = app.another_browser().sign_in("annlee", "lantern orchard 77 pebble").await;
        assert_eq!(location(&r).as_deref(), Some("/signin/code"), "still two steps");

        // The phone and the codes are lost: the operator's command.
        let signed_in = app.at_code_step("annlee", "lantern orchard 77 pebble").await;
        assert_eq!(signed_in.sign_in_code(&phone.next_code().await).await.status(), 200);
        // (Sign-up code, turned on, reset code, password changed.)
        let mails = app.smtp.wait_for("ann@example.com", 4).await.len();
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_isv-portal"))
                .args(args)
                .env("DATABASE_URL", &app.database_url)
                .env("RUST_LOG", "warn")
                .output()
                .unwrap()
        };
        let nobody = run(&["reset-second-factor", "--email", "nobody@example.com"]);
        assert!(!nobody.status.success());
        let done = run(&["reset-second-factor", "--email", "ann@example.com"]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let again = run(&["reset-second-factor", "--email", "ann@example.com"]);
        assert!(!again.status.success(), "nothing left to reset");
        // Signed out everywhere (another process: at once on PostgreSQL, within the cache's
        // moment on SQLite).
        let deadline = std::time::Instant::now() + isv_portal::server::sessions::cache::TTL + Duration::from_secs(1);
        while signed_in.whoami().await.is_some() {
            assert!(std::time::Instant::now() < deadline, "still signed in");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sessions_of(&app, "annlee").await, 0);
        let r = app.another_browser().sign_in("annlee", "lantern orchard 77 pebble").await;
        assert_eq!(location(&r).as_deref(), Some("/console"), "the password alone");
        let mail = app.smtp.wait_for("ann@example.com", mails + 1).await;
        assert!(mail[mails].text().contains("operator removed two-step verification"), "{}", mail[mails].text());
        let s = app.another_browser();
        s.sign_in("annlee", "lantern orchard 77 pebble").await;
        assert!(history_has(&s.second_factor_status().await, "Two-step verification reset by the platform's operator"));
    }
}

/// Ann's user id and password hash (what a password sign-in's code step keeps).
async fn ann_step_parts(app: &TestApp) -> (String, String) {
    let id = user_id(app, "annlee").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    (id, hash)
}

/// The code step's form sent with the step's cookie `token`: the answer's status.
async fn code_at_step(app: &TestApp, token: &str, code: &str) -> u16 {
    browser(&app.address)
        .post(app.url("/api/accounts/sign_in_step/code"))
        .header("cookie", format!("isv_signin_step={token}"))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
