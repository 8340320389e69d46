//! The account page (`/account`): changing the password and the signed-in devices.

mod common;
use common::*;
use serde_json::Value;

const NEW_PASSWORD: &str = "lantern orchard 77 pebble";
const CHROME_ON_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_ON_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// Signs in on `client` the way a browser that names itself `agent` does.
async fn sign_in_as(
    client: &TestApp,
    login: &str,
    password: &str,
    agent: &str,
) -> reqwest::Response {
    client
        .client
        .post(client.url("/api/accounts/sign_in"))
        .header(reqwest::header::USER_AGENT, agent)
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap()
}

async fn devices(client: &TestApp) -> Vec<Value> {
    let r = client.call("account/devices", &[]).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The device named `browser` in `client`'s list.
async fn device_id(client: &TestApp, browser: &str) -> String {
    devices(client)
        .await
        .into_iter()
        .find(|d| d["browser"] == browser)
        .unwrap_or_else(|| panic!("no {browser} in the list"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn this_device(client: &TestApp) -> String {
    devices(client)
        .await
        .into_iter()
        .find(|d| d["current"] == true)
        .expect("this device is listed")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn sign_out_device(client: &TestApp, id: &str) -> reqwest::Response {
    client
        .call("account/sign_out_device", &[("device", id)])
        .await
}

async fn change(client: &TestApp, current: &str, new: &str, confirm: &str) -> reqwest::Response {
    client
        .call(
            "account/change_password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ],
        )
        .await
}

async fn password_hash(app: &TestApp, email: &str) -> String {
    let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    hash
}

async fn sessions(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    n
}

both_databases! {
    async fn the_devices_list_shows_each_session_of_the_user_and_marks_this_one(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let laptop = app.another_browser();
        let signed_in = sign_in_as(&laptop, "annlee", GOOD_PASSWORD, CHROME_ON_LINUX).await;
        assert_eq!(signed_in.status(), 200);
        let laptop_token = token_of(&signed_in);
        let bob = app.another_browser();
        bob.sign_up("bob@example.com", "bobby", GOOD_PASSWORD).await;

        let list = devices(&laptop).await;
        assert_eq!(list.len(), 2, "Ann's two sessions, not Bob's: {list:?}");
        // The most recently used first: the laptop signed in last.
        assert_eq!(list[0]["current"], true);
        assert_eq!(list[0]["browser"], "Chrome on Linux");
        assert_eq!(list[0]["ip"], "127.0.0.1");
        assert!(list[0]["last_seen"]["text"].as_str().unwrap().ends_with(" UTC"), "{list:?}");
        assert_eq!(list[1]["current"], false);
        assert_eq!(list[1]["browser"], "Unknown browser", "the sign-up client names no browser");
        assert_ne!(list[0]["id"], list[1]["id"]);
        for d in &list {
            let id = d["id"].as_str().unwrap();
            assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        }
        // From the other side, the same two with the other one marked.
        let from_signup = devices(&app).await;
        assert_eq!(from_signup.len(), 2);
        assert_eq!(from_signup.iter().filter(|d| d["current"] == true).count(), 1);
        assert_eq!(devices(&bob).await.len(), 1, "Bob sees only his own");

        // Nothing token-like: neither a cookie's token nor any stored hash, nor a piece of one.
        let body = serde_json::to_string(&list).unwrap() + &serde_json::to_string(&from_signup).unwrap();
        assert!(!body.contains(&laptop_token));
        assert!(!body.contains(&laptop_token[..12]));
        let hashes: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
            .fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(hashes.len(), 3);
        for (hash,) in &hashes {
            assert!(!body.contains(&hash[..12]), "a stored hash shows through");
        }
    }

    async fn signing_out_another_device_ends_exactly_that_session(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        assert_eq!(sign_in_as(&phone, "annlee", GOOD_PASSWORD, SAFARI_ON_IPHONE).await.status(), 200);
        let desktop = app.another_browser();
        assert_eq!(sign_in_as(&desktop, "annlee", GOOD_PASSWORD, FIREFOX_ON_WINDOWS).await.status(), 200);

        let phone_id = device_id(&app, "Safari on iPhone").await;
        assert_eq!(sign_out_device(&app, &phone_id).await.status(), 200);

        assert_eq!(phone.whoami().await, None, "the phone is signed out");
        assert_eq!(desktop.whoami().await.as_deref(), Some("annlee"));
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
        let left = devices(&app).await;
        assert_eq!(left.len(), 2);
        assert!(left.iter().all(|d| d["browser"] != "Safari on iPhone"));
        // Again: it is gone, so it is not found.
        assert_eq!(sign_out_device(&app, &phone_id).await.status(), 404);
    }

    async fn another_users_device_or_a_made_up_one_is_not_found_and_nothing_ends(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let bob = app.another_browser();
        bob.sign_up("bob@example.com", "bobby", GOOD_PASSWORD).await;
        let bobs = this_device(&bob).await;

        assert_eq!(sign_out_device(&app, &bobs).await.status(), 404, "Bob's device, asked by Ann");
        assert_eq!(sign_out_device(&app, &"0".repeat(32)).await.status(), 404);
        assert_eq!(sign_out_device(&app, "").await.status(), 404);

        assert_eq!(sessions(&app).await, 2, "nothing ended");
        assert_eq!(bob.whoami().await.as_deref(), Some("bobby"));
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
    }

    async fn this_device_is_refused_with_the_way_to_sign_out(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let mine = this_device(&app).await;
        let r = sign_out_device(&app, &mine).await;
        assert_eq!(r.status(), 422);
        let message = error_of(r).await["message"].as_str().unwrap().to_string();
        assert!(message.contains("Sign out"), "{message}");
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
    }

    async fn sign_out_everywhere_else_leaves_only_this_session(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        phone.sign_in("annlee", GOOD_PASSWORD).await;
        let desktop = app.another_browser();
        desktop.sign_in("annlee", GOOD_PASSWORD).await;
        let bob = app.another_browser();
        bob.sign_up("bob@example.com", "bobby", GOOD_PASSWORD).await;

        assert_eq!(app.call("account/sign_out_elsewhere", &[]).await.status(), 200);

        let left = devices(&app).await;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0]["current"], true);
        assert_eq!(phone.whoami().await, None);
        assert_eq!(desktop.whoami().await, None);
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"));
        assert_eq!(bob.whoami().await.as_deref(), Some("bobby"), "another user's sessions stay");
    }

    async fn without_javascript_each_account_form_comes_back_to_the_account_page(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        phone.sign_in("annlee", GOOD_PASSWORD).await;
        let desktop = app.another_browser();
        desktop.sign_in("annlee", GOOD_PASSWORD).await;

        let phone_id = devices(&app).await.into_iter().find(|d| d["current"] == false).unwrap()["id"].as_str().unwrap().to_string();
        let r = app.post_form("account/sign_out_device", "/account", &[("device", phone_id.as_str())]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/account");
        assert_eq!(sessions(&app).await, 2, "exactly that device ended");

        let r = app.post_form("account/sign_out_elsewhere", "/account", &[]).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/account");
        assert_eq!(sessions(&app).await, 1);

        // A wrong current password comes back to the form with its reason.
        let r = app
            .post_form("account/change_password", "/account", &[("current_password", "not it at all"), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
            .await;
        assert_eq!(r.status(), 302);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(back.contains("__err"), "{back}");
        let page = app.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Your current password is not right."), "{page}");

        let before = password_hash(&app, "ann@example.com").await;
        let r = app
            .post_form("account/change_password", "/account", &[("current_password", GOOD_PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
            .await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/account?changed=1");
        assert_ne!(password_hash(&app, "ann@example.com").await, before, "the password changed");
        let page = app.client.get(app.url("/account?changed=1")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Your password was changed. Other devices were signed out."), "{page}");
    }

    async fn a_wrong_current_password_is_a_field_error_and_changes_nothing(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let before = password_hash(&app, "ann@example.com").await;
        let r = change(&app, "not my password at all", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            field_message(&error_of(r).await, "current_password").as_deref(),
            Some("Your current password is not right.")
        );
        assert_eq!(password_hash(&app, "ann@example.com").await, before);
        assert_eq!(app.another_browser().sign_in("annlee", GOOD_PASSWORD).await.status(), 200, "the old password still works");
    }

    async fn tries_at_the_current_password_count_against_the_sign_in_backoff(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let before = password_hash(&app, "ann@example.com").await;
        // 20 wrong tries at once: each is counted before its password is checked, so only the
        // account's free tries (5) reach argon2; the rest wait.
        let app_ref = &app;
        let tries = (0..20).map(|i| {
            let guess = format!("wrong guess number {i}");
            let app = app_ref;
            async move { change(app, &guess, NEW_PASSWORD, NEW_PASSWORD).await.status().as_u16() }
        });
        let statuses = futures::future::join_all(tries).await;
        assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 5, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
        // Then a wait, before anything is checked: even the right password is not tried.
        let r = change(&app, GOOD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(r.status(), 429);
        let err = error_of(r).await;
        assert!(err["retry_after"].as_u64().unwrap() >= 1, "{err}");
        assert!(err["message"].as_str().unwrap().contains("Try again in"), "{err}");
        assert_eq!(password_hash(&app, "ann@example.com").await, before, "nothing changed");
        // It is the account's budget: signing in waits too.
        assert_eq!(app.another_browser().sign_in("annlee", GOOD_PASSWORD).await.status(), 429);
    }

    async fn a_mismatch_a_weak_password_or_the_same_one_are_field_errors_and_change_nothing(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        phone.sign_in("annlee", GOOD_PASSWORD).await;
        let before = password_hash(&app, "ann@example.com").await;

        let r = change(&app, GOOD_PASSWORD, NEW_PASSWORD, "something else entirely").await;
        assert_eq!(r.status(), 422);
        assert_eq!(field_message(&error_of(r).await, "confirm_password").as_deref(), Some("The passwords do not match."));
        let r = change(&app, GOOD_PASSWORD, NEW_PASSWORD, "").await;
        assert_eq!(field_message(&error_of(r).await, "confirm_password").as_deref(), Some("Enter the new password again."));
        let r = change(&app, "", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(field_message(&error_of(r).await, "current_password").as_deref(), Some("Enter your current password."));
        for weak in ["short", "qwertyuiop", "my annlee secret", GOOD_PASSWORD] {
            let r = change(&app, GOOD_PASSWORD, weak, weak).await;
            assert_eq!(r.status(), 422, "{weak}");
            assert!(field_message(&error_of(r).await, "new_password").is_some(), "{weak}");
        }

        assert_eq!(password_hash(&app, "ann@example.com").await, before);
        assert_eq!(phone.whoami().await.as_deref(), Some("annlee"), "no session ended");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", "ann@example.com").await, 1, "only the sign-up code was mailed");
    }

    async fn a_changed_password_signs_in_ends_the_other_sessions_and_is_mailed(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        assert_eq!(phone.sign_in("annlee", GOOD_PASSWORD).await.status(), 200);

        let r = change(&app, GOOD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(r.status(), 200);

        assert_eq!(app.whoami().await.as_deref(), Some("annlee"), "this device stays signed in");
        assert_eq!(phone.whoami().await, None, "the other device is signed out");
        assert_eq!(sessions(&app).await, 1, "this device's session was renewed, not kept");
        let notice = &app.smtp.wait_for("ann@example.com", 2).await[1];
        assert!(notice.subject().contains("password was changed"), "{}", notice.subject());
        assert!(notice.text().contains("from your account page"), "{}", notice.text());
        assert!(notice.text().contains("every other signed-in device"), "{}", notice.text());
        assert!(!notice.text().contains(NEW_PASSWORD));
        let fresh = app.another_browser();
        assert_eq!(fresh.sign_in("annlee", GOOD_PASSWORD).await.status(), 422);
        assert_eq!(fresh.sign_in("annlee", NEW_PASSWORD).await.status(), 200);
    }

    async fn every_account_function_asks_a_signed_out_visitor_to_sign_in(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let mine = this_device(&app).await;
        assert_eq!(app.sign_out().await.status(), 200);
        let calls: [(&str, Vec<(&str, &str)>); 4] = [
            ("account/devices", vec![]),
            ("account/sign_out_device", vec![("device", mine.as_str())]),
            ("account/sign_out_elsewhere", vec![]),
            ("account/change_password", vec![("current_password", GOOD_PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)]),
        ];
        for (endpoint, form) in &calls {
            assert_eq!(app.call(endpoint, form).await.status(), 401, "{endpoint} (signed out)");
            assert_eq!(app.another_browser().call(endpoint, form).await.status(), 401, "{endpoint} (never signed in)");
        }
    }

    async fn of_parallel_changes_with_the_right_password_exactly_one_lands(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let client = app.client.clone();
            let url = app.url("/api/account/change_password");
            tasks.push(tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[("current_password", GOOD_PASSWORD), ("new_password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        assert!(statuses.iter().all(|s| [200, 422, 429].contains(s)), "{statuses:?}");
        // Made with the same current password, exactly one change lands.
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        // The stored password is the new one (checked directly: the tries that came after the
        // change may have started a sign-in wait).
        let hash = password_hash(&app, "ann@example.com").await;
        assert!(isv_portal::server::crypto::verify_password(NEW_PASSWORD.into(), Some(hash.clone())).await);
        assert!(!isv_portal::server::crypto::verify_password(GOOD_PASSWORD.into(), Some(hash)).await);
        assert_eq!(app.whoami().await.as_deref(), Some("annlee"), "this device stays signed in");
        assert_eq!(sessions(&app).await, 1);
    }

    async fn the_account_page_renders_for_its_user_and_sends_a_visitor_to_sign_in(app) {
        let visitor = app.another_browser();
        let r = visitor.client.get(app.url("/account")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/signin?next=/account");

        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.client.get(app.url("/account")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        for text in ["Signed-in devices", "Change password", "Current password", "Confirm new password", "This device", "Only this device is signed in.", "ann@example.com"] {
            assert!(page.contains(text), "{text} missing: {page}");
        }
        assert!(page.contains(r#"href="/account""#), "the account menu links here");
    }

    async fn a_sign_in_with_the_old_password_never_outlives_a_change_made_at_the_same_time(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let others: Vec<TestApp> = (0..6).map(|_| app.another_browser()).collect();
        let sign_ins = others.iter().map(|o| o.sign_in("annlee", GOOD_PASSWORD));
        let (changed, _) = tokio::join!(
            change(&app, GOOD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
            futures::future::join_all(sign_ins)
        );
        assert_eq!(changed.status(), 200);
        // Whatever the order, only the device that changed the password is signed in.
        for o in &others {
            assert_eq!(o.whoami().await, None, "a session made with the old password survived");
        }
        assert_eq!(sessions(&app).await, 1);
    }
}
