//! Sign in, sessions and sign out (seed Step 4).

mod common;
use common::*;

both_databases! {
    async fn sign_in_works_with_email_or_username_and_goes_to_the_console(app) {
        app.sign_up("ann@example.com", "AnnLee", GOOD_PASSWORD).await;
        app.sign_out().await;
        for login in ["ANN@example.com", "annlee"] {
            let r = app.sign_in(login, GOOD_PASSWORD).await;
            assert_eq!(r.status(), 200, "{login}");
            assert_eq!(r.headers()["location"], "/console");
            assert_eq!(app.whoami().await.as_deref(), Some("AnnLee"));
            app.sign_out().await;
        }
    }

    async fn sign_in_follows_only_local_next_paths(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        for (next, expected) in [("/console?x=1", "/console?x=1"), ("https://evil.example", "/console"), ("//evil.example", "/console")] {
            let r = app.call("accounts/sign_in", &[("login", "annlee"), ("password", GOOD_PASSWORD), ("next", next)]).await;
            assert_eq!(r.headers()["location"], expected, "{next}");
        }
    }

    async fn unknown_user_and_wrong_password_get_the_same_answer(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        let t = std::time::Instant::now();
        let wrong = app.sign_in("annlee", "not the password").await;
        let wrong_time = t.elapsed();
        let t = std::time::Instant::now();
        let unknown = app.sign_in("nobody", "not the password").await;
        let unknown_time = t.elapsed();
        assert_eq!(wrong.status(), unknown.status());
        let (a, b) = (error_of(wrong).await, error_of(unknown).await);
        assert_eq!(a["message"], b["message"]);
        assert_eq!(a["message"], "Incorrect email, username or password.");
        // Both pay for a password hash: neither answers in a fraction of the other's time.
        let (fast, slow) = if wrong_time < unknown_time { (wrong_time, unknown_time) } else { (unknown_time, wrong_time) };
        assert!(fast * 4 > slow, "{wrong_time:?} vs {unknown_time:?}");
    }

    async fn each_sign_in_gets_a_new_session_and_ends_the_old_one(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let first = app.sign_in("annlee", GOOD_PASSWORD).await;
        let c1 = first.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let second = app.sign_in("annlee", GOOD_PASSWORD).await;
        let c2 = second.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        assert_ne!(c1, c2);
        // The first token, replayed, no longer signs anyone in.
        let fresh = reqwest::Client::new();
        let r = fresh
            .post(app.url("/api/session/current"))
            .header("origin", &app.address)
            .header("cookie", &c1)
            .send()
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "null");
        let r = fresh
            .post(app.url("/api/session/current"))
            .header("origin", &app.address)
            .header("cookie", &c2)
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().contains("annlee"));
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 1);
    }

    async fn session_tokens_are_stored_only_hashed(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.sign_in("annlee", GOOD_PASSWORD).await;
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        let token = cookie.split(';').next().unwrap().split('=').nth(1).unwrap().to_string();
        assert!(token.len() >= 22, "at least 128 bits");
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
            .bind(&token).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 0);
    }

    async fn sign_out_ends_the_session_on_the_server(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.sign_in("annlee", GOOD_PASSWORD).await;
        let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let r = app.sign_out().await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
        assert_eq!(app.whoami().await, None);
        let replay = reqwest::Client::new()
            .post(app.url("/api/session/current"))
            .header("origin", &app.address)
            .header("cookie", cookie)
            .send().await.unwrap();
        assert_eq!(replay.text().await.unwrap(), "null", "a signed-out cookie is refused");
    }

    async fn an_idle_session_expires(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1")
            .bind(isv_portal::server::sessions::IDLE_MS)
            .execute(&app.db.pool).await.unwrap();
        // Twelve hours passing would also have aged the session out of the portal's memory.
        app.db.sessions.clear();
        assert_eq!(app.whoami().await, None);
    }

    async fn a_session_expires_after_its_absolute_lifetime_even_when_active(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        sqlx::query("UPDATE sessions SET expires_at = $1")
            .bind(isv_portal::server::db::now_ms() - 1)
            .execute(&app.db.pool).await.unwrap();
        app.db.sessions.clear();
        assert_eq!(app.whoami().await, None);
    }

    async fn repeated_failures_are_slowed_down(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        for i in 0..5 {
            let r = app.sign_in("annlee", "wrong password").await;
            assert_eq!(r.status(), 422, "try {i}");
        }
        // Five tries are checked; the fifth starts a 30 s wait, even for the right password.
        let r = app.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 429, "even the right password waits");
        let e = error_of(r).await;
        let wait = e["retry_after"].as_u64().unwrap();
        assert!((20..=30).contains(&wait), "{wait}");
        // The waits double: the next try after the first wait starts one of 60 s.
        sqlx::query("UPDATE login_throttle SET blocked_until = 0").execute(&app.db.pool).await.unwrap();
        assert_eq!(app.sign_in("annlee", "wrong password").await.status(), 422);
        let e = error_of(app.sign_in("annlee", GOOD_PASSWORD).await).await;
        let wait = e["retry_after"].as_u64().unwrap();
        assert!((50..=60).contains(&wait), "{wait}");
        // After the wait the owner gets in.
        sqlx::query("UPDATE login_throttle SET blocked_until = 0").execute(&app.db.pool).await.unwrap();
        assert_eq!(app.sign_in("annlee", GOOD_PASSWORD).await.status(), 200);
    }

    async fn the_console_sends_a_signed_out_visitor_to_sign_in_and_back(app) {
        let r = app.client.get(app.url("/console")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/signin?next=/console");
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.client.get(app.url("/console")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/onboarding/role", "signed in, a newcomer goes on to choose a role");
    }
}
