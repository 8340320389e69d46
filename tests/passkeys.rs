//! Passkeys as a second factor (issue 16): added with the password to an account with
//! two-step verification on, answering the sign-in's second step instead of a code; every
//! answer checked (origin, signature, user verification), each challenge answered once, the
//! limits holding under parallel requests. Both databases, the portal at `localhost` (passkeys
//! need a domain name), and once at an IP address, where there are none.

mod common;
use common::passkey::SoftPasskey;
use common::second_factor::location;
use common::*;

async fn passkeys_of(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.username = $1",
    )
    .bind(username)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// Ann, signed up and signed in on `app`, with two-step verification on and a passkey.
async fn ann_with_passkey(app: &TestApp) -> (Authenticator, SoftPasskey) {
    app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
        .await;
    let (phone, _) = app.turn_on_second_factor(GOOD_PASSWORD).await;
    let mut key = SoftPasskey::new(&app.address);
    app.with_passkey(&mut key, GOOD_PASSWORD, "Work laptop")
        .await;
    (phone, key)
}

/// A fresh browser at the code step of Ann's sign-in.
async fn at_code_step(app: &TestApp) -> TestApp {
    app.at_code_step("annlee", GOOD_PASSWORD).await
}

fn names(status: &serde_json::Value) -> Vec<String> {
    status["passkeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

both_databases! {
    options = Options { localhost: true, ..Default::default() };

    async fn a_passkey_added_with_the_password_answers_the_second_step(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        // Off: nothing to add a passkey to.
        let r = app.passkey_options(GOOD_PASSWORD, "Work laptop").await;
        assert_eq!(r.status(), 409);
        app.turn_on_second_factor(GOOD_PASSWORD).await;
        let status = app.second_factor_status().await;
        assert_eq!(status["passkeys_here"], true);
        assert!(names(&status).is_empty());
        // Both fields are checked, the password for real.
        let r = app.passkey_options("", " ").await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("passkey_password") && body.contains("passkey_name"), "{body}");
        let r = app.passkey_options("not the password", "Work laptop").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("passkey_password"));

        let mut key = SoftPasskey::new(&app.address);
        app.with_passkey(&mut key, GOOD_PASSWORD, "Work laptop").await;
        let status = app.second_factor_status().await;
        assert_eq!(names(&status), vec!["Work laptop"]);
        assert!(status["passkeys"][0]["last_used"].is_null());
        assert!(status["history"].as_array().unwrap().iter().any(|e| e["what"] == "A passkey was added"));
        let mails = app.smtp.wait_for("ann@example.com", 3).await;
        assert!(mails[2].text().contains("A passkey was added to your account."), "{}", mails[2].text());

        // Signing in: the password, then the passkey instead of a code.
        let b = at_code_step(&app).await;
        let options = b.sign_in_passkey_options().await.expect("a challenge for Ann's passkey");
        let options_json: serde_json::Value = serde_json::from_str(&options).unwrap();
        let allowed = options_json["publicKey"]["allowCredentials"].as_array().unwrap();
        assert_eq!(allowed.len(), 1, "only Ann's passkey is asked for");
        assert_eq!(options_json["publicKey"]["userVerification"], "required");
        let answer = key.answer(&options);
        let r = b.sign_in_passkey(&answer).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(b.call("second_factor/status", &[]).await.status(), 200, "signed in");
        let marked: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE u.username = 'annlee' AND s.second_factor = 1",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(marked, 2, "the new session passed a second factor, as the first did");
        assert!(!app.second_factor_status().await["passkeys"][0]["last_used"].is_null());
        // "Export my data" lists it by name and dates, never its key.
        let file = app.client.get(app.url("/account/export")).send().await.unwrap().text().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(v["passkeys"][0]["name"], "Work laptop");
        assert!(v["passkeys"][0]["last_used_at"].is_string());
        assert!(!file.contains(&common::passkey::b64(&key.credential_id)));
        assert!(!file.contains("credential"), "{file}");

        // The same answer again, at a new step: without a challenge, then to another one.
        let c = at_code_step(&app).await;
        assert_eq!(c.sign_in_passkey(&answer).await.status(), 422, "no challenge was given");
        let again = c.sign_in_passkey_options().await.unwrap();
        assert_ne!(again, options, "each challenge is new");
        assert_eq!(c.sign_in_passkey(&answer).await.status(), 422, "an answer to another challenge");
        assert_eq!(c.sign_in_passkey(&key.answer(&again)).await.status(), 200);
    }

    async fn answers_that_are_not_right_are_refused_and_counted(app) {
        let (_, key) = ann_with_passkey(&app).await;
        // Registration: from another origin, or for another RP, or without user verification.
        let port = app.address.rsplit(':').next().unwrap().to_string();
        let mut elsewhere = SoftPasskey::new(&format!("http://evil.localhost:{port}"));
        elsewhere.rp_id = "localhost".into();
        let mut other_rp = SoftPasskey::new(&app.address);
        other_rp.rp_id = "example.com".into();
        let mut unverified = SoftPasskey::new(&app.address);
        unverified.verified = false;
        for (mut bad, what) in [(elsewhere, "origin"), (other_rp, "RP id"), (unverified, "no user verification")] {
            let r = app.passkey_options(GOOD_PASSWORD, "Bad").await;
            let options: String = r.json().await.unwrap();
            let answer = bad.register(&options);
            let r = app.add_passkey(&answer).await;
            assert_eq!(r.status(), 422, "{what}");
            // The registration was spent with it.
            assert_eq!(app.add_passkey(&answer).await.status(), 409, "{what}: used once");
        }
        assert_eq!(names(&app.second_factor_status().await), vec!["Work laptop"]);
        assert_eq!(app.add_passkey("{not json").await.status(), 422);

        // Sign-in: another key under the same credential id, no user verification, garbage.
        let b = at_code_step(&app).await;
        let options = b.sign_in_passkey_options().await.unwrap();
        let mut impostor = SoftPasskey::impostor_of(&key);
        assert_eq!(b.sign_in_passkey(&impostor.answer(&options)).await.status(), 422);
        // Ann's own key, without verifying the person (no fingerprint, no PIN).
        let mut lazy = key.clone();
        lazy.verified = false;
        assert_eq!(b.sign_in_passkey(&lazy.answer(&options)).await.status(), 422);
        assert_eq!(b.sign_in_passkey("[]").await.status(), 422);
        let mut stranger = SoftPasskey::new(&app.address);
        assert_eq!(b.sign_in_passkey(&stranger.answer(&options)).await.status(), 422);
        assert_eq!(b.sign_in_passkey(&impostor.answer(&options)).await.status(), 422);
        assert_eq!(b.sign_in_passkey(&impostor.answer(&options)).await.status(), 422);
        // Five wrong answers (what cannot be read is refused before it counts) spent the step's free tries (the codes' budget): the right one
        // now waits too.
        let mut key = key;
        let r = b.sign_in_passkey(&key.answer(&options)).await;
        assert_eq!(r.status(), 429, "{}", r.text().await.unwrap());
    }

    async fn only_this_accounts_live_passkeys_answer_and_a_cloned_one_is_refused(app) {
        let (_, mut key) = ann_with_passkey(&app).await;
        // Bo's passkey, registered on his account, answers Ann's challenge: refused.
        let bo = app.another_browser();
        bo.sign_up("bo@example.com", "bolee", GOOD_PASSWORD).await;
        bo.turn_on_second_factor(GOOD_PASSWORD).await;
        let mut bos = SoftPasskey::new(&app.address);
        bo.with_passkey(&mut bos, GOOD_PASSWORD, "Bo's").await;
        let b = at_code_step(&app).await;
        let options = b.sign_in_passkey_options().await.unwrap();
        assert_eq!(b.sign_in_passkey(&bos.answer(&options)).await.status(), 422);

        // A copy of Ann's key that missed a use: its count is not ahead of the last one.
        let clone = key.clone();
        assert_eq!(b.sign_in_passkey(&key.answer(&options)).await.status(), 200);
        let c = at_code_step(&app).await;
        let options = c.sign_in_passkey_options().await.unwrap();
        let mut clone = clone;
        assert_eq!(c.sign_in_passkey(&clone.answer(&options)).await.status(), 422, "count 1 again");

        // A challenge given, then the passkey removed: its answer no longer signs in.
        let d = at_code_step(&app).await;
        let options = d.sign_in_passkey_options().await.unwrap();
        let id = app.second_factor_status().await["passkeys"][0]["id"].as_str().unwrap().to_string();
        let r = app
            .call("second_factor/passkey_remove", &[("passkey_id", id.as_str()), ("remove_password", GOOD_PASSWORD)])
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(d.sign_in_passkey(&key.answer(&options)).await.status(), 422);

        // An answer to a challenge that a newer one replaced (same step): refused.
        let mut again = SoftPasskey::new(&app.address);
        app.with_passkey(&mut again, GOOD_PASSWORD, "Again").await;
        let e = at_code_step(&app).await;
        let first = e.sign_in_passkey_options().await.unwrap();
        let second = e.sign_in_passkey_options().await.unwrap();
        let stale = again.answer(&first);
        assert_eq!(e.sign_in_passkey(&stale).await.status(), 422);
        assert_eq!(e.sign_in_passkey(&again.answer(&second)).await.status(), 200);
    }

    async fn fifty_parallel_answers_to_one_challenge_make_one_session(app) {
        let (_, mut key) = ann_with_passkey(&app).await;
        let b = at_code_step(&app).await;
        let options = b.sign_in_passkey_options().await.unwrap();
        let answer = key.answer(&options);
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let tries = (0..50).map(|_| b.sign_in_passkey(&answer));
        let statuses: Vec<u16> = futures::future::join_all(tries)
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        // The code budget lets five through to the check at once (the rest wait, 429): the
        // one session is the spend's doing, not the budget's.
        assert!(statuses.iter().filter(|s| **s != 429).count() >= 2, "{statuses:?}");
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(after, before + 1);
    }

    async fn a_registration_is_used_once_and_a_credential_held_once(app) {
        let (_, mut key) = ann_with_passkey(&app).await;
        // Twenty parallel answers to one registration: one passkey.
        let r = app.passkey_options(GOOD_PASSWORD, "Phone").await;
        let options: String = r.json().await.unwrap();
        let mut phone = SoftPasskey::new(&app.address);
        let answer = phone.register(&options);
        let statuses: Vec<u16> = futures::future::join_all((0..20).map(|_| app.add_passkey(&answer)))
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert_eq!(passkeys_of(&app, "annlee").await, 2);
        // The options name what is already there, and the same credential is not taken twice
        // (by this account or another).
        let r = app.passkey_options(GOOD_PASSWORD, "Again").await;
        let options: String = r.json().await.unwrap();
        let excluded = serde_json::from_str::<serde_json::Value>(&options).unwrap()["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(excluded, 2);
        // webauthn-rs refuses a credential its options excluded.
        assert_eq!(app.add_passkey(&key.register(&options)).await.status(), 422);
        let bo = app.another_browser();
        bo.sign_up("bo@example.com", "bolee", GOOD_PASSWORD).await;
        bo.turn_on_second_factor(GOOD_PASSWORD).await;
        let r = bo.passkey_options(GOOD_PASSWORD, "Ann's").await;
        let options: String = r.json().await.unwrap();
        // Another account's options do not know it: the database's uniqueness refuses it.
        assert_eq!(bo.add_passkey(&key.register(&options)).await.status(), 409);
        assert_eq!(passkeys_of(&app, "bolee").await, 0);
    }

    async fn at_most_ten_passkeys_even_when_added_at_once(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let (_, codes) = app.turn_on_second_factor(GOOD_PASSWORD).await;
        // A session has one registration at a time: the one asked for last.
        let r = app.passkey_options(GOOD_PASSWORD, "First").await;
        let first: String = r.json().await.unwrap();
        let r = app.passkey_options(GOOD_PASSWORD, "Second").await;
        let second: String = r.json().await.unwrap();
        assert_eq!(app.add_passkey(&SoftPasskey::new(&app.address).register(&first)).await.status(), 422);
        assert_eq!(app.add_passkey(&SoftPasskey::new(&app.address).register(&second)).await.status(), 409);
        for i in 0..9 {
            let mut key = SoftPasskey::new(&app.address);
            app.with_passkey(&mut key, GOOD_PASSWORD, &format!("Key {i}")).await;
        }
        // Three more of Ann's browsers (signed in with recovery codes) each hold a
        // registration, and answer at once: one of them makes the tenth.
        let mut browsers = Vec::new();
        for code in &codes[..3] {
            let b = at_code_step(&app).await;
            assert_eq!(b.sign_in_code(code).await.status(), 200);
            let r = b.passkey_options(GOOD_PASSWORD, "One more").await;
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            let options: String = r.json().await.unwrap();
            let answer = SoftPasskey::new(&app.address).register(&options);
            browsers.push((b, answer));
        }
        let statuses: Vec<u16> = futures::future::join_all(browsers.iter().map(|(b, a)| b.add_passkey(a)))
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert_eq!(passkeys_of(&app, "annlee").await, 10);
        let r = app.passkey_options(GOOD_PASSWORD, "Eleventh").await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("at most 10 passkeys"));
    }

    async fn removing_one_needs_the_password_and_turning_off_removes_all(app) {
        let (phone, mut key) = ann_with_passkey(&app).await;
        let id = app.second_factor_status().await["passkeys"][0]["id"].as_str().unwrap().to_string();
        let remove = |password: &'static str| {
            let id = id.clone();
            let app = &app;
            async move {
                app.call("second_factor/passkey_remove", &[("passkey_id", id.as_str()), ("remove_password", password)]).await
            }
        };
        let r = remove("not the password").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("remove_password"));
        assert_eq!(remove(GOOD_PASSWORD).await.status(), 200);
        assert_eq!(remove(GOOD_PASSWORD).await.status(), 409, "already removed");
        let status = app.second_factor_status().await;
        assert!(names(&status).is_empty());
        assert!(status["history"].as_array().unwrap().iter().any(|e| e["what"] == "A passkey was removed"));
        let b = at_code_step(&app).await;
        assert_eq!(b.sign_in_passkey_options().await, None, "no passkey to ask for");

        // Without JavaScript: the form's post goes back to the page, which says it was removed.
        app.with_passkey(&mut key, GOOD_PASSWORD, "Back again").await;
        let id = app.second_factor_status().await["passkeys"][0]["id"].as_str().unwrap().to_string();
        let r = app
            .client
            .post(app.url("/api/second_factor/passkey_remove"))
            .header("accept", "text/html")
            .form(&[("passkey_id", id.as_str()), ("remove_password", GOOD_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{}", r.status());
        assert_eq!(location(&r).as_deref(), Some("/account/second-factor?passkey=removed"));
        assert_eq!(passkeys_of(&app, "annlee").await, 0);

        // Turning two-step verification off takes the passkeys with it.
        app.with_passkey(&mut key, GOOD_PASSWORD, "Back again").await;
        assert_eq!(passkeys_of(&app, "annlee").await, 1);
        let r = app
            .call("second_factor/disable", &[("current_password", GOOD_PASSWORD), ("code", &phone.next_code().await)])
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(passkeys_of(&app, "annlee").await, 0);
    }

    async fn a_reviewer_who_signs_in_with_a_passkey_may_review(app) {
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        let mut key = SoftPasskey::new(&app.address);
        reviewer.with_passkey(&mut key, REVIEWER_PASSWORD, "Security key").await;
        let b = app.another_browser();
        let r = b.sign_in("ritarev", REVIEWER_PASSWORD).await;
        assert_eq!(location(&r).as_deref(), Some("/signin/code"));
        let options = b.sign_in_passkey_options().await.unwrap();
        assert_eq!(b.sign_in_passkey(&key.answer(&options)).await.status(), 200);
        let r = b.call("review/queue", QUEUE_ALL).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

mod at_an_ip_address {
    use super::*;

    both_databases! {
        async fn there_are_no_passkeys_and_the_page_says_why(app) {
            app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
            app.turn_on_second_factor(GOOD_PASSWORD).await;
            assert_eq!(app.second_factor_status().await["passkeys_here"], false);
            let r = app.passkey_options(GOOD_PASSWORD, "Work laptop").await;
            assert_eq!(r.status(), 409);
            assert!(r.text().await.unwrap().contains("Passkeys are not available at this address"));
            let b = app.another_browser();
            b.sign_in("annlee", GOOD_PASSWORD).await;
            assert_eq!(b.sign_in_passkey_options().await, None);
        }
    }
}
