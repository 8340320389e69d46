//! Faults: the portal is killed, stopped, loses its SMTP server or one of its instances, or is
//! written to by many clients at once; what was acknowledged survives and nothing is doubled.
//! Loopback only, bounded in time.

mod common;
use common::process::{call, Process};
use common::*;
use isv_portal::server::db::{Backend, Db};
use reqwest::Client;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The newest code mailed to `email`, read from the outbox (the dev mailbox keeps mail there).
async fn code_from_outbox(db: &Db, email: &str) -> String {
    let re = regex_lite::Regex::new(r"verification code is (\d{6})").unwrap();
    for _ in 0..100 {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT text_body FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(email)
        .fetch_optional(&db.pool)
        .await
        .unwrap();
        if let Some(c) = row.as_ref().and_then(|(t,)| re.captures(t)) {
            return c[1].to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no code for {email}");
}

/// Signs up on a process; `Ok(())` only when the portal acknowledged the account.
async fn sign_up(
    base: &str,
    db: &Db,
    client: &Client,
    email: &str,
    username: &str,
) -> Result<(), String> {
    let r = call(
        base,
        client,
        "accounts/send_sign_up_code",
        &[("email", email)],
    )
    .await?;
    if r.status() != 200 {
        return Err(format!("send code: {}", r.status()));
    }
    let code = code_from_outbox(db, email).await;
    let r = call(
        base,
        client,
        "accounts/sign_up",
        &[
            ("email", email),
            ("code", &code),
            ("username", username),
            ("password", GOOD_PASSWORD),
            ("terms", "yes"),
        ],
    )
    .await?;
    if r.status() != 200 {
        return Err(format!("sign up: {}", r.status()));
    }
    Ok(())
}

fn temp_sqlite() -> String {
    let dir = std::env::temp_dir().join("isv-portal-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "sqlite://{}/crash_{}_{nanos}.db?mode=rwc",
        dir.display(),
        std::process::id()
    )
}

/// Crash: SIGKILL while sign-ups and draft saves stream in; after a restart every
/// acknowledged write is there, nothing is half-written, and SQLite's integrity check is ok.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_write_sqlite() {
    crash_and_restart(temp_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_write_postgres() {
    if let Some(url) = fresh_database(Backend::Postgres).await {
        crash_and_restart(url).await;
    }
}

async fn crash_and_restart(url: String) {
    let server = Process::start(&url, None, None).await;
    let db = Db::connect(&url).await.unwrap();
    let acked: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..4 {
        let (acked, db) = (acked.clone(), db.clone());
        let address = server.address.clone();
        workers.push(tokio::spawn(async move {
            for i in 0..6 {
                let client = browser(&address);
                let name = format!("crash{w}x{i}");
                let email = format!("{name}@example.com");
                if sign_up(&address, &db, &client, &email, &name)
                    .await
                    .is_err()
                {
                    return;
                }
                acked.lock().unwrap().push((name.clone(), false));
                // A draft with a role: also acknowledged, also must survive.
                match call(
                    &address,
                    &client,
                    "onboarding/choose_role",
                    &[("role", "merchant")],
                )
                .await
                .map(|r| r.status().as_u16())
                {
                    Ok(200) => acked.lock().unwrap().iter_mut().for_each(|(n, d)| {
                        if *n == name {
                            *d = true
                        }
                    }),
                    _ => return,
                }
            }
        }));
    }
    // Kill mid-stream: once some writes are acknowledged, while others are in flight.
    while acked.lock().unwrap().len() < 6 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut server = server;
    server.signal("KILL");
    assert!(server.wait_exit(Duration::from_secs(5)).is_some());
    for w in workers {
        let _ = w.await;
    }
    db.pool.close().await;
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 6, "the stream ran before the kill");

    let restarted = Process::start(&url, None, Some(server.port)).await;
    let db = Db::connect(&url).await.unwrap();
    if db.backend == Backend::Sqlite {
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
    for (name, with_draft) in &acked {
        let r = restarted
            .call(
                &restarted.client,
                "accounts/sign_in",
                &[("login", name), ("password", GOOD_PASSWORD)],
            )
            .await;
        assert_eq!(
            r.status(),
            200,
            "{name} signed up before the crash and can sign in after it"
        );
        let drafts: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications a JOIN users u ON u.id = a.user_id WHERE u.username = $1")
            .bind(name).fetch_one(&db.pool).await.unwrap();
        if *with_draft {
            assert_eq!(drafts.0, 1, "{name}'s acknowledged draft survived");
        }
        restarted
            .client
            .post(restarted.url("/api/session/sign_out"))
            .send()
            .await
            .unwrap();
    }
    // Nothing half-written: every account has its acceptance, every draft its history entry.
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM acceptances a WHERE a.user_id = u.id)")
        .fetch_one(&db.pool).await.unwrap();
    assert_eq!(orphans, 0);
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications a WHERE NOT EXISTS (SELECT 1 FROM application_events e WHERE e.application_id = a.id)")
        .fetch_one(&db.pool).await.unwrap();
    assert_eq!(orphans, 0);
}

/// Graceful stop: SIGTERM with a slow upload in flight and an open event stream; the upload
/// completes, the stream closes, and the process exits within 10 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_requests_closes_streams_and_exits_sqlite() {
    sigterm_while_busy(temp_sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_finishes_requests_closes_streams_and_exits_postgres() {
    if let Some(url) = fresh_database(Backend::Postgres).await {
        sigterm_while_busy(url).await;
    }
}

async fn sigterm_while_busy(url: String) {
    let mut server = Process::start(&url, None, None).await;
    let db = Db::connect(&url).await.unwrap();
    sign_up(
        &server.address,
        &db,
        &server.client,
        "ann@example.com",
        "annlee",
    )
    .await
    .unwrap();
    assert_eq!(
        server
            .call(&server.client, "onboarding/choose_role", &[("role", "isv")])
            .await
            .status(),
        200
    );
    let draft: serde_json::Value = server
        .call(&server.client, "onboarding/draft", &[])
        .await
        .json()
        .await
        .unwrap();
    let id = draft["id"].as_str().unwrap().to_string();

    let mut events = server
        .client
        .get(server.url("/api/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);

    // A multipart body that takes about two seconds to arrive.
    let boundary = "XBOUNDARYX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"application_id\"\r\n\r\n{id}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"company_name\"\r\n\r\nSlow Upload Ltd\r\n--{boundary}--\r\n"
    );
    let chunks: Vec<Vec<u8>> = body
        .as_bytes()
        .chunks(body.len() / 10 + 1)
        .map(|c| c.to_vec())
        .collect();
    let slow = futures_stream(chunks, Duration::from_millis(200));
    let client = server.client.clone();
    let upload_url = server.url(SAVE);
    let upload = tokio::spawn(async move {
        client
            .post(upload_url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap(http_body_util::StreamBody::new(slow)))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let stopped = Instant::now();
    server.signal("TERM");

    let response = upload
        .await
        .unwrap()
        .expect("the upload in flight gets its answer");
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = events.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream was closed");
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits within 10 s of SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(stopped.elapsed() < Duration::from_secs(10));
    let (company,): (String,) =
        sqlx::query_as("SELECT company_name FROM applications WHERE id = $1")
            .bind(&id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        company, "Slow Upload Ltd",
        "the slow request's write committed"
    );
}

/// The chunks one by one, `every` apart, as body frames.
fn futures_stream(
    chunks: Vec<Vec<u8>>,
    every: Duration,
) -> impl futures::Stream<Item = Result<http_body::Frame<bytes::Bytes>, std::io::Error>>
       + Send
       + Sync
       + 'static {
    futures::stream::unfold(chunks.into_iter(), move |mut rest| async move {
        let next = rest.next()?;
        tokio::time::sleep(every).await;
        Some((Ok(http_body::Frame::data(bytes::Bytes::from(next))), rest))
    })
}

/// Concurrency: 50 writers for three seconds on SQLite; no "database is locked" (or any
/// other failure) reaches a user.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_writers_on_sqlite_all_succeed() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut clients = Vec::new();
    for i in 0..50 {
        let mut tx = app.db.begin_write().await.unwrap();
        let user = isv_portal::accounts::store::insert(
            &mut tx,
            &format!("w{i}@example.com"),
            &format!("writer{i}"),
            &format!("writer{i}"),
            "not-a-hash",
            isv_portal::i18n::Lang::En,
        )
        .await
        .unwrap();
        let token =
            isv_portal::server::sessions::create(&mut tx, &user, false, "127.0.0.1", "test")
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let browser = app.another_browser();
        browser.client.get(app.url("/terms")).send().await.unwrap();
        clients.push((browser, token));
    }
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let until = Instant::now() + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for (browser, token) in clients {
        let (failures, done) = (failures.clone(), done.clone());
        let cookie = format!("isv_session={token}");
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < until {
                let role = if n % 2 == 0 { "isv" } else { "merchant" };
                let r = browser
                    .client
                    .post(browser.url("/api/onboarding/choose_role"))
                    .header("cookie", &cookie)
                    .form(&[("role", role)])
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let text = r.text().await.unwrap();
                if status != 200 || text.to_lowercase().contains("locked") {
                    failures.lock().unwrap().push(format!("{status}: {text}"));
                }
                n += 1;
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert!(done.load(std::sync::atomic::Ordering::Relaxed) >= 50);
}

both_databases! {
    /// SMTP down: an approval and a sign-up commit while the SMTP server refuses; their mails
    /// wait in the outbox and arrive exactly once when it is back.
    async fn decisions_commit_while_smtp_is_down_and_mail_arrives_once_later(app) {
        let applicant = app.another_browser();
        let id = applicant.applicant("ann@example.com", "annlee").await;
        assert_eq!(applicant.save("submit", &id, VALID, None).await.status(), 200);
        let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
        app.smtp.wait_for("ann@example.com", 2).await;
        // (The reviewer's notice that two-step verification is on, sent before the outage.)
        app.smtp.wait_for("rita@platform.example", 1).await;

        app.smtp.set_down(true);
        let r = reviewer.call("review/approve", &[("id", &id), ("round", "1")]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(app.another_browser().send_signup_code("bob@example.com").await.status(), 200);
        let (status,): (String,) = sqlx::query_as("SELECT status FROM applications WHERE id = $1").bind(&id).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(status, "approved", "the decision committed without the mail server");
        tokio::time::sleep(Duration::from_millis(800)).await;
        let (waiting,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(waiting, 2, "both mails wait in the outbox");
        assert_eq!(app.smtp.to("ann@example.com").len(), 2);

        app.smtp.set_down(false);
        app.smtp.wait_for("ann@example.com", 3).await;
        app.smtp.wait_for("bob@example.com", 1).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(app.smtp.to("ann@example.com").len(), 3, "the approval arrived once");
        assert_eq!(app.smtp.to("bob@example.com").len(), 1, "the code arrived once");
    }
}

/// PostgreSQL instances: two processes; one is killed; dashboards on the survivor keep
/// receiving, and a dashboard that was on the dead one reconnects to the survivor with its
/// last event id and misses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_one_postgres_instance_dies_the_other_keeps_the_feed_whole() {
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    isv_portal::accounts::reviewers::create_reviewer(
        &db,
        "rita@platform.example",
        "rita",
        Some("amber lantern 77 orbit"),
    )
    .await
    .unwrap();
    // A minute between polls: events cross instances by NOTIFY, or the test times out.
    let slow_poll = [("FEED_POLL_MS", "60000")];
    let mut one = Process::start_with(&url, None, None, &slow_poll).await;
    let two = Process::start_with(&url, None, None, &slow_poll).await;
    let sign_in = |p: &Process| {
        let client = p.client.clone();
        let url = p.url("/api/accounts/sign_in");
        async move {
            let r = client
                .post(url)
                .form(&[("login", "rita"), ("password", "amber lantern 77 orbit")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    sign_in(&one).await;
    sign_in(&two).await;
    // Two-step verification is not what this test is about: the reviewer's sessions are
    // marked as having passed it (before either was read, so no instance holds one unmarked).
    sqlx::query("UPDATE sessions SET second_factor = 1")
        .execute(&db.pool)
        .await
        .unwrap();
    let mut on_one = sse::EventStream::open(&one.client, &one.url("/api/events"), None).await;
    let mut on_two = sse::EventStream::open(&two.client, &two.url("/api/events"), None).await;

    // Applicants submit on instance two; both dashboards see it.
    let applicant = |n: usize| format!("ann{n}");
    let submit_on_two = |n: usize| {
        let two_address = two.address.clone();
        let db = db.clone();
        async move {
            let client = browser(&two_address);
            let name = applicant(n);
            sign_up(
                &two_address,
                &db,
                &client,
                &format!("{name}@example.com"),
                &name,
            )
            .await
            .unwrap();
            assert_eq!(
                call(
                    &two_address,
                    &client,
                    "onboarding/choose_role",
                    &[("role", "isv")]
                )
                .await
                .unwrap()
                .status(),
                200
            );
            let draft: serde_json::Value = call(&two_address, &client, "onboarding/draft", &[])
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = draft["id"].as_str().unwrap().to_string();
            let r = client
                .post(format!("{two_address}{SUBMIT}"))
                .multipart(business_form(&id, VALID, None))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            id
        }
    };
    let first = submit_on_two(1).await;
    let seen = on_one.next().await;
    assert_eq!(seen.application(), first);
    assert_eq!(on_two.next().await.application(), first);

    one.signal("KILL");
    one.wait_exit(Duration::from_secs(5)).unwrap();
    assert!(
        on_one.next_within(Duration::from_secs(2)).await.is_none(),
        "the dead instance's stream ended"
    );

    let second = submit_on_two(2).await;
    let third = submit_on_two(3).await;
    assert_eq!(
        on_two.next().await.application(),
        second,
        "the survivor keeps receiving"
    );
    assert_eq!(on_two.next().await.application(), third);

    // The dashboard that was on instance one reconnects to the survivor.
    let mut again =
        sse::EventStream::open(&two.client, &two.url("/api/events"), Some(seen.id)).await;
    assert_eq!(again.next().await.application(), second);
    assert_eq!(again.next().await.application(), third);
    assert!(again
        .next_within(Duration::from_millis(800))
        .await
        .is_none());
}
