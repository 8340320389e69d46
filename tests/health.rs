//! Health and readiness probes, and the request id every response carries.

mod common;
use common::*;

both_databases! {
    async fn the_portal_says_it_is_alive_and_ready(app) {
        let r = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "ok");
        let r = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["ready"], true, "{v}");
        assert_eq!(v["migrations"], true, "{v}");
        assert_eq!(v["mail_worker"], true, "{v}");
    }

    async fn every_response_carries_a_request_id(app) {
        let r = app.client.get(app.url("/terms")).send().await.unwrap();
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 32, "{id}");
        let again = app.client.get(app.url("/terms")).send().await.unwrap();
        assert_ne!(again.headers()["x-request-id"].to_str().unwrap(), id);
        // A proxy's id is kept; anything that is not a plain token is replaced.
        let r = app.client.get(app.url("/terms")).header("x-request-id", "lb-1234_abcd").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"], "lb-1234_abcd");
        let r = app.client.get(app.url("/terms")).header("x-request-id", "bad id\"with junk").send().await.unwrap();
        assert_eq!(r.headers()["x-request-id"].to_str().unwrap().len(), 32);
        // Server functions too, and errors.
        let r = app.sign_in("nobody", "not the password").await;
        assert_eq!(r.status(), 422);
        assert!(r.headers().contains_key("x-request-id"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_when_the_database_is_gone() {
    let Some(app) = spawn_app(isv_portal::server::db::Backend::Postgres).await else {
        return;
    };
    // Signed in before the database goes: the session cookie is sent with every page below.
    app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD)
        .await;
    let name = app.database_url.rsplit('/').next().unwrap().to_string();
    let base = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let admin = sqlx::AnyPool::connect(&format!("{base}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["database"], false, "{v}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "a probe answers quickly"
    );
    // Alive all the same.
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A public page still renders, signed out; a signed-in page cannot, and says so.
    let page = |path: &str| {
        app.client
            .get(app.url(path))
            .header("accept", "text/html")
            .send()
    };
    let terms = page("/terms").await.unwrap();
    assert_eq!(terms.status(), 200);
    let body = terms.text().await.unwrap();
    assert!(body.contains("SIGN IN"), "rendered signed out");
    assert!(!body.contains("annlee"), "no account named");
    assert_eq!(page("/console").await.unwrap().status(), 500);
}
