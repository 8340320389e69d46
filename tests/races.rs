//! Limits and "once" rules under parallel requests, as an attacker sends them: every burst is
//! sent at once against the real server, on SQLite and on PostgreSQL (READ COMMITTED).

mod common;
use common::*;
use futures::future::join_all;

/// How many answers had each status.
fn tally(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn statuses(responses: Vec<reqwest::Response>) -> Vec<u16> {
    responses.iter().map(|r| r.status().as_u16()).collect()
}

/// A code for `email` that is not `right`.
fn wrong_code(right: &str, n: usize) -> String {
    let mut c = format!("{:06}", (n * 7919) % 1_000_000);
    if c == right {
        c = format!("{:06}", (n * 7919 + 1) % 1_000_000);
    }
    c
}

both_databases! {
    async fn a_write_dropped_midway_is_rolled_back_before_the_next_writer_goes(app) {
        // A refused request drops its write transaction after writing (a counter's clean-up,
        // say). On SQLite the writer turn passes on only once that write is rolled back, so
        // whoever gets the turn next finds the database unlocked. (The rollback used to be
        // only queued: a next writer that had read first met the still-held lock and failed
        // at once with "database is locked", busy timeout or not: a 500 to one of fifty
        // parallel invitations.) PostgreSQL has no writer turn: its writers wait on row locks.
        if app.db.backend != isv_portal::server::db::Backend::Sqlite {
            return;
        }
        let mut probe = app.db.pool.acquire().await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 0").execute(&mut *probe).await.unwrap();
        for round in 0..300 {
            let mut dropped = app.db.begin_write().await.unwrap();
            sqlx::query("UPDATE users SET username = username WHERE id = $1")
                .bind("nobody")
                .execute(&mut **dropped)
                .await
                .unwrap();
            drop(dropped);
            let turn = app.db.writer_turn().await;
            // Without waiting at all (busy timeout 0): the write lock must be free by now.
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *probe)
                .await
                .unwrap_or_else(|e| panic!("round {round}: the write lock is still held: {e}"));
            sqlx::query("ROLLBACK").execute(&mut *probe).await.unwrap();
            drop(turn);
        }
        sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *probe).await.unwrap();
    }

    async fn a_burst_of_wrong_passwords_gets_at_most_the_free_tries_checked(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        // 60 at once, half by e-mail and half by username: one budget for the account.
        let attempts = (0..60).map(|i| {
            let login = if i % 2 == 0 { "ann@example.com" } else { "AnnLee" };
            app.sign_in(login, "not the password at all")
        });
        let got = statuses(join_all(attempts).await).await;
        assert_eq!(tally(&got, 422), 5, "password checks: {got:?}");
        assert_eq!(tally(&got, 429), 55, "{got:?}");
        // Nothing of the count was lost: the account's own row holds all five and a wait.
        let (failures, until): (i64, i64) = sqlx::query_as(
            "SELECT failures, blocked_until FROM login_throttle WHERE throttle_key LIKE 'account:%'",
        )
        .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(failures, 5);
        assert!(until > isv_portal::server::db::now_ms() + 25_000);
        // The account waits now, even with the right password.
        let r = app.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 429);
    }

    async fn a_free_try_never_makes_a_later_queued_try_wait(app) {
        use isv_portal::server::throttle::{self, Reservation};
        // Requests read the clock before they queue for the writer: the one that writes second
        // may carry the earlier time. Free tries must not look like a wait to it.
        let key = throttle::account(None, "someone");
        let now = isv_portal::server::db::now_ms();
        for (i, at) in [now, now - 50, now + 10, now - 100].into_iter().enumerate() {
            assert_eq!(throttle::reserve_at(&app.db, &key, at).await.unwrap(), Reservation::Granted, "try {i}");
        }
        // The fifth starts the wait, and then even a later time waits.
        assert_eq!(throttle::reserve_at(&app.db, &key, now).await.unwrap(), Reservation::Granted);
        assert!(matches!(throttle::reserve_at(&app.db, &key, now + 1000).await.unwrap(), Reservation::RateLimited { .. }));
    }

    async fn attempts_given_back_end_the_wait_they_started_in_flight(app) {
        use isv_portal::server::throttle::{self, Reservation};
        // Twenty honest sign-ins at once behind one address: the twentieth reservation starts a
        // wait, but as they succeed and give their attempts back the wait ends with them.
        let key = throttle::client("198.51.100.9");
        for i in 0..20 {
            assert_eq!(throttle::reserve(&app.db, &key).await.unwrap(), Reservation::Granted, "try {i}");
        }
        assert!(matches!(throttle::reserve(&app.db, &key).await.unwrap(), Reservation::RateLimited { .. }), "the 21st waits");
        for _ in 0..20 {
            throttle::give_back(&app.db, &key).await.unwrap();
        }
        assert_eq!(throttle::reserve(&app.db, &key).await.unwrap(), Reservation::Granted);
    }

    async fn a_code_whose_tries_went_to_refused_passwords_does_not_lock_out_the_next(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        // Five times the right code with a password the server refuses.
        for _ in 0..5 {
            let r = app.sign_up_with("bob@example.com", &code, "bobby", "password123").await;
            assert!(field_message(&error_of(r).await, "password").is_some());
        }
        let r = app.sign_up_with("bob@example.com", &code, "bobby", GOOD_PASSWORD).await;
        assert_eq!(field_message(&error_of(r).await, "code").as_deref(), Some("This code is no longer valid. Request a new code."));
        // A new code starts afresh and works.
        app.age_codes(61_000).await;
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 2).await;
        let r = app.sign_up_with("bob@example.com", &code, "bobby", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    async fn a_completed_password_reset_ends_the_sign_in_wait(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        for _ in 0..5 {
            app.sign_in("annlee", "not the password at all").await;
        }
        assert_eq!(app.sign_in("annlee", GOOD_PASSWORD).await.status(), 429);
        let r = app.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await;
        assert_eq!(r.status(), 200);
        let code = app.smtp.code_for("ann@example.com", app.smtp.to("ann@example.com").len() + 1).await;
        let new_password = "amber lantern 77 orchard";
        let r = app.call("accounts/reset_password", &[
            ("email", "ann@example.com"), ("code", &code),
            ("new_password", new_password), ("confirm_password", new_password),
        ]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(app.sign_in("annlee", new_password).await.status(), 200);
    }

    async fn parallel_send_code_requests_send_one_code(app) {
        let sends = (0..20).map(|_| app.send_signup_code("bob@example.com"));
        let got = statuses(join_all(sends).await).await;
        assert_eq!(tally(&got, 200), 1, "{got:?}");
        assert_eq!(tally(&got, 429), 19, "{got:?}");
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM verification_codes WHERE email = 'bob@example.com'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(rows, 1);
        app.smtp.wait_for("bob@example.com", 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.smtp.to("bob@example.com").len(), 1);
    }

    async fn parallel_send_code_requests_from_one_client_keep_its_hourly_limit(app) {
        // 40 different addresses at once from one client: at most 30 codes an hour.
        let emails: Vec<String> = (0..40).map(|i| format!("u{i}@example.com")).collect();
        let got = statuses(join_all(emails.iter().map(|e| app.send_signup_code(e))).await).await;
        assert_eq!(tally(&got, 200), 30, "{got:?}");
        assert_eq!(tally(&got, 429), 10, "{got:?}");
    }

    async fn a_burst_of_wrong_codes_voids_the_right_one(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        let wrong: Vec<(String, String)> = (0..40).map(|i| (wrong_code(&code, i + 1), format!("bob{i}"))).collect();
        let tries = wrong.iter().map(|(c, name)| {
            app.sign_up_with("bob@example.com", c, name, GOOD_PASSWORD)
        });
        let got = statuses(join_all(tries).await).await;
        assert!(got.iter().all(|s| *s == 422), "{got:?}");
        let (failures, state): (i64, String) = sqlx::query_as("SELECT failures, state FROM verification_codes WHERE email = 'bob@example.com'")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!((failures, state.as_str()), (5, "void"), "every wrong try counted, the fifth voids");
        let r = app.sign_up_with("bob@example.com", &code, "bobby", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "code").is_some());
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(users, 0);
    }

    async fn a_right_code_sent_many_times_at_once_opens_the_expensive_checks_at_most_five_times(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        // A weak password: each request that gets past the code runs zxcvbn (and would hash).
        let names: Vec<String> = (0..30).map(|i| format!("bob{i}")).collect();
        let tries = names.iter().map(|n| app.sign_up_with("bob@example.com", &code, n, "password123"));
        let mut past_the_code = 0;
        for r in join_all(tries).await {
            assert_eq!(r.status(), 422);
            let err = error_of(r).await;
            if field_message(&err, "password").is_some() {
                past_the_code += 1;
            } else {
                assert!(field_message(&err, "code").is_some(), "{err}");
            }
        }
        assert_eq!(past_the_code, 5);
    }

    /// The statements themselves, without the HTTP layer's argon2 queue spacing the tries out.
    async fn forty_parallel_wrong_tries_count_five_and_void_the_code(app) {
        use isv_portal::server::codes::{self, Checked, Issued, Purpose};
        let secret = isv_portal::server::crypto::Secret::new(TEST_SECRET_KEY.as_bytes());
        let mut tx = app.db.begin_write().await.unwrap();
        let Issued::Code(code) = codes::issue(&mut tx, &secret, "x@example.com", Purpose::SignUp, "198.51.100.1").await.unwrap() else { panic!("a code is issued") };
        tx.commit().await.unwrap();
        let wrong: Vec<String> = (0..40).map(|i| wrong_code(&code, i + 1)).collect();
        let answers = join_all(wrong.iter().map(|c| codes::check(&app.db, &secret, "x@example.com", Purpose::SignUp, c))).await;
        assert!(answers.iter().all(|a| matches!(a, Ok(Checked::Wrong { .. } | Checked::TooManyWrong | Checked::NoLongerValid))), "{answers:?}");
        let (failures, state): (i64, String) = sqlx::query_as("SELECT failures, state FROM verification_codes")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!((failures, state.as_str()), (5, "void"));
        assert!(matches!(codes::check(&app.db, &secret, "x@example.com", Purpose::SignUp, &code).await.unwrap(), Checked::NoLongerValid));
    }

    async fn of_two_parallel_spends_of_a_right_code_one_succeeds(app) {
        use isv_portal::server::codes::{self, Checked, Issued, Purpose};
        let secret = isv_portal::server::crypto::Secret::new(TEST_SECRET_KEY.as_bytes());
        let mut tx = app.db.begin_write().await.unwrap();
        let Issued::Code(code) = codes::issue(&mut tx, &secret, "x@example.com", Purpose::SignUp, "198.51.100.1").await.unwrap() else { panic!("a code is issued") };
        tx.commit().await.unwrap();
        // Both requests got past the code (two of its five tries) before either spends it.
        let Checked::Verified(first) = codes::check(&app.db, &secret, "x@example.com", Purpose::SignUp, &code).await.unwrap() else { panic!("the right code") };
        let Checked::Verified(second) = codes::check(&app.db, &secret, "x@example.com", Purpose::SignUp, &code).await.unwrap() else { panic!("the right code") };
        let db = &app.db;
        let spend = |verified| async move {
            let mut tx = db.begin_write().await.unwrap();
            let spent = codes::spend(&mut tx, &verified).await.unwrap();
            // Hold the transaction open, so the other spend meets it.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            tx.commit().await.unwrap();
            spent
        };
        let (a, b) = tokio::join!(spend(first), spend(second));
        assert!(a ^ b, "exactly one spend: {a} {b}");
    }

    async fn two_parallel_sign_ups_with_the_right_code_make_one_account(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        let tries = (0..2).map(|i| {
            let other = app.another_browser();
            let code = code.clone();
            async move { other.sign_up_with("bob@example.com", &code, &format!("bob{i}"), GOOD_PASSWORD).await }
        });
        let answers = join_all(tries).await;
        let got: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(tally(&got, 200), 1, "{got:?}");
        // The other is refused for its code (spent once), not by the address's uniqueness.
        for r in answers.into_iter().filter(|r| r.status() != 200) {
            let err = error_of(r).await;
            assert!(field_message(&err, "code").is_some(), "{err}");
        }
        let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(users, 1);
    }

    async fn two_parallel_resets_with_the_right_code_change_the_password_once(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        let r = app.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await;
        assert_eq!(r.status(), 200);
        let before = app.smtp.to("ann@example.com").len();
        let code = app.smtp.code_for("ann@example.com", before + 1).await;
        let passwords = ["amber lantern 77 orchard", "cobalt meadow 19 harbour"];
        let tries = passwords.iter().map(|p| {
            let other = app.another_browser();
            let code = code.clone();
            async move {
                other.call("accounts/reset_password", &[
                    ("email", "ann@example.com"), ("code", &code),
                    ("new_password", p), ("confirm_password", p),
                ]).await
            }
        });
        let got = statuses(join_all(tries).await).await;
        assert_eq!(tally(&got, 200), 1, "{got:?}");
        // One "password changed" notice, and exactly one of the two passwords works.
        let notices = app.smtp.wait_for("ann@example.com", before + 2).await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.smtp.to("ann@example.com").len(), notices.len());
        let mut works = 0;
        for p in passwords {
            if app.sign_in("annlee", p).await.status() == 200 {
                works += 1;
                app.sign_out().await;
            }
        }
        assert_eq!(works, 1);
    }

    async fn sign_up_requests_cannot_use_up_the_codes_a_reset_needs(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        // Someone asks for sign-up codes for Ann's address until its hourly budget is spent.
        for _ in 0..5 {
            app.age_codes(61_000).await;
            app.send_signup_code("ann@example.com").await;
        }
        app.age_codes(61_000).await;
        assert_eq!(app.send_signup_code("ann@example.com").await.status(), 429);
        let r = app.call("accounts/send_reset_code", &[("email", "ann@example.com")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    async fn sign_up_names_a_taken_username_only_after_a_valid_code(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let other = app.another_browser();
        assert_eq!(other.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        let r = other.sign_up_with("bob@example.com", &wrong_code(&code, 1), "AnnLee", GOOD_PASSWORD).await;
        let err = error_of(r).await;
        assert!(field_message(&err, "code").is_some(), "{err}");
        assert!(field_message(&err, "username").is_none(), "a wrong code learns nothing of usernames: {err}");
        let r = other.sign_up_with("bob@example.com", &code, "AnnLee", GOOD_PASSWORD).await;
        let err = error_of(r).await;
        assert!(field_message(&err, "username").unwrap().contains("taken"), "{err}");
        // The code was not spent on the refused attempt.
        let r = other.sign_up_with("bob@example.com", &code, "bobby", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    async fn reset_password_rules_do_not_tell_whether_an_address_has_an_account(app) {
        app.sign_up("ann@example.com", "zephyrine", GOOD_PASSWORD).await;
        app.sign_out().await;
        // A new password containing the username is refused for an account — but only once
        // the code is known; before that both addresses answer alike.
        let app = &app;
        let answer = |email: &'static str| async move {
            let r = app.call("accounts/reset_password", &[
                ("email", email), ("code", "000000"),
                ("new_password", "zephyrine kettle 42 marathon"), ("confirm_password", "zephyrine kettle 42 marathon"),
            ]).await;
            let err = error_of(r).await;
            (field_message(&err, "new_password"), field_message(&err, "code").is_some())
        };
        let known = answer("ann@example.com").await;
        let unknown = answer("nobody@example.com").await;
        assert_eq!(known.0, None, "the username rule must wait for the code");
        assert_eq!(known, unknown);
    }

    async fn codes_are_stored_as_an_hmac_under_the_server_secret(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let code = app.smtp.code_for("bob@example.com", 1).await;
        let (id, stored): (String, String) = sqlx::query_as("SELECT id, code_hash FROM verification_codes")
            .fetch_one(&app.db.pool).await.unwrap();
        // Not the unkeyed hash anyone with the table could compute.
        assert_ne!(stored, isv_portal::server::crypto::sha256_hex(&[&id, &code]));
        assert!(!stored.contains(&code));
        assert_eq!(stored.len(), 64);
    }

    async fn each_mail_carries_a_message_id_fixed_by_its_outbox_row(app) {
        assert_eq!(app.send_signup_code("bob@example.com").await.status(), 200);
        let mail = app.smtp.wait_for("bob@example.com", 1).await.remove(0);
        let (id,): (String,) = sqlx::query_as("SELECT id FROM outbox WHERE recipient = 'bob@example.com'")
            .fetch_one(&app.db.pool).await.unwrap();
        let header = mail.data.lines().find(|l| l.to_ascii_lowercase().starts_with("message-id:")).unwrap_or_default().to_string();
        assert!(header.contains(&format!("<{id}@")), "{header}");
    }
}

mod proxies {
    use super::common::*;
    use isv_portal::server::db::Backend;

    async fn code_client(app: &TestApp, email: &str, forwarded_for: &str) -> String {
        let r = app
            .client
            .post(app.url("/api/accounts/send_sign_up_code"))
            .header("x-forwarded-for", forwarded_for)
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (ip,): (String,) = sqlx::query_as("SELECT ip FROM verification_codes WHERE email = $1")
            .bind(email)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        ip
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let untrusted = spawn_app(Backend::Sqlite).await.unwrap();
        assert_eq!(
            code_client(&untrusted, "a@example.com", "203.0.113.5").await,
            "127.0.0.1"
        );

        let options = Options {
            trusted_proxies: Some("127.0.0.1/32".into()),
            ..Default::default()
        };
        let behind = spawn_app_with(Backend::Sqlite, options).await.unwrap();
        // The rightmost address the trusted proxy saw; the spoofed one on its left is ignored.
        assert_eq!(
            code_client(&behind, "b@example.com", "6.6.6.6, 203.0.113.5").await,
            "203.0.113.5"
        );
        // IPv6 clients share their /64's budget.
        assert_eq!(
            code_client(&behind, "c@example.com", "2001:db8:1:2::99").await,
            "2001:db8:1:2::/64"
        );
    }

    #[test]
    fn the_portal_refuses_to_start_with_a_public_address_and_no_smtp() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_isv-portal"))
            .env("PUBLIC_URL", "https://portal.example.com")
            .env_remove("SMTP_URL")
            .env_remove("DEV_MAILBOX")
            .env("DATABASE_URL", "sqlite::memory:")
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("SMTP_URL"), "{stderr}");
    }
}
