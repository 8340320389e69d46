//! Signed-in requests are answered from a moment's cache of sessions
//! (`server::sessions::cache`), and nothing that ends a session is undone by it: in the same
//! instance the end is at once, in another instance (PostgreSQL) as soon as the `NOTIFY` sent
//! at commit arrives, well before the cache's own two seconds.

mod common;
use common::*;
use std::time::{Duration, Instant};

/// Who the portal says is signed in with `cookie` ("isv_session=…"), asked from a client of
/// its own.
async fn whoami_with(app: &TestApp, cookie: &str) -> Option<String> {
    let r = reqwest::Client::new()
        .post(app.url("/api/session/current"))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    v.get("username").and_then(|u| u.as_str()).map(String::from)
}

async fn signed_in_cookie(app: &TestApp, login: &str) -> String {
    let r = app.sign_in(login, GOOD_PASSWORD).await;
    assert_eq!(r.status(), 200);
    format!("isv_session={}", token_of(&r))
}

/// Asks with `cookie` until the portal keeps the session in memory (on PostgreSQL, the
/// instance's own notices of the sign-in arrive a moment later and may forget a first copy).
async fn cached(app: &TestApp, cookie: &str) {
    let token = cookie.trim_start_matches("isv_session=");
    let hash = isv_portal::server::sessions::token_hash(token);
    for _ in 0..100 {
        assert_eq!(whoami_with(app, cookie).await.as_deref(), Some("annlee"));
        if app.db.sessions.get(&hash).is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the session was never kept in memory");
}

/// Waits (at most `within`) for `cookie` to be refused by `app`; how long it took.
async fn refused_within(app: &TestApp, cookie: &str, within: Duration) -> Duration {
    let began = Instant::now();
    while whoami_with(app, cookie).await.is_some() {
        assert!(
            began.elapsed() < within,
            "an ended session still answered after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    began.elapsed()
}

both_databases! {
    async fn made_up_tokens_neither_fill_nor_disturb_the_cache(app) {
        // (Signing up first: by then the portal has begun listening to other instances.)
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.sign_out().await;
        app.db.sessions.clear();
        let before = app.db.sessions.epoch();
        for i in 0..50 {
            assert_eq!(whoami_with(&app, &format!("isv_session=made-up-{i}")).await, None);
        }
        let r = reqwest::Client::new()
            .post(app.url("/api/session/sign_out"))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .header("cookie", "isv_session=made-up")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        assert!(app.db.sessions.is_empty());
        // Nothing changed, so nothing was forgotten: lookups in flight may still keep.
        assert_eq!(app.db.sessions.epoch(), before);
    }

    async fn a_page_reads_a_live_session_from_memory(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let cookie = signed_in_cookie(&app, "annlee").await;
        cached(&app, &cookie).await;
        // Gone from the table behind the portal's back (nothing in the portal ends a session
        // so), it is still answered: the second request did not ask the database.
        sqlx::query("DELETE FROM sessions").execute(&app.db.pool).await.unwrap();
        assert_eq!(whoami_with(&app, &cookie).await.as_deref(), Some("annlee"));
        // Until its moment is over.
        app.db.sessions.clear();
        assert_eq!(whoami_with(&app, &cookie).await, None);
    }

    async fn signing_out_ends_a_cached_session_at_once(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let cookie = signed_in_cookie(&app, "annlee").await;
        cached(&app, &cookie).await;
        assert_eq!(app.sign_out().await.status(), 200);
        assert_eq!(whoami_with(&app, &cookie).await, None);
    }

    async fn signing_out_everywhere_else_and_changing_the_password_end_cached_sessions_at_once(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let phone = app.another_browser();
        let phone_cookie = signed_in_cookie(&phone, "annlee").await;
        let laptop = app.another_browser();
        let laptop_cookie = signed_in_cookie(&laptop, "annlee").await;
        cached(&app, &phone_cookie).await;
        cached(&app, &laptop_cookie).await;

        let r = laptop.call("account/sign_out_elsewhere", &[]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(whoami_with(&app, &phone_cookie).await, None, "the phone is signed out");
        assert_eq!(whoami_with(&app, &laptop_cookie).await.as_deref(), Some("annlee"));

        let r = laptop
            .call(
                "account/change_password",
                &[
                    ("current_password", GOOD_PASSWORD),
                    ("new_password", "a brand new passphrase 77"),
                    ("confirm_password", "a brand new passphrase 77"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(whoami_with(&app, &laptop_cookie).await, None, "the old token is worth nothing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ended_on_one_postgres_instance_ends_on_another_before_its_cache_would_expire() {
    let Some(one) = spawn_app(isv_portal::server::db::Backend::Postgres).await else {
        return;
    };
    let two = spawn_app_on(
        one.database_url.clone(),
        one.smtp.clone(),
        Options::default(),
    )
    .await;
    one.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
        .await;

    // Sign-out on one; the session was cached on two.
    let cookie = signed_in_cookie(&one, "annlee").await;
    cached(&two, &cookie).await;
    assert_eq!(one.sign_out().await.status(), 200);
    let took = refused_within(&two, &cookie, Duration::from_millis(700)).await;
    eprintln!("sign-out reached the other instance in {took:?}");

    // Everywhere else, from one (a transaction: the notice leaves at commit).
    let phone = one.another_browser();
    let phone_cookie = signed_in_cookie(&phone, "annlee").await;
    let laptop = one.another_browser();
    signed_in_cookie(&laptop, "annlee").await;
    cached(&two, &phone_cookie).await;
    let r = laptop.call("account/sign_out_elsewhere", &[]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    refused_within(&two, &phone_cookie, Duration::from_millis(700)).await;
}
