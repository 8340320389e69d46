//! The live feed's limits (issue 9): a long replay reads the table one batch at a time, a
//! session holds a bounded number of streams, and an event id past the head resyncs the page.

mod common;
use common::*;
use isv_portal::server::feed::{BATCH, STREAMS_PER_SESSION};
use std::time::Duration;

/// A reviewer account signed in on its own client.
async fn reviewer(app: &TestApp) -> TestApp {
    app.reviewer_as("rita@platform.example", "rita").await
}

/// The reviewer's user id (events written for her applications).
async fn rita_id(app: &TestApp) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM users WHERE username = 'rita'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    id
}

/// The number of the last committed event.
async fn feed_head(app: &TestApp) -> i64 {
    let (head,): (i64,) = sqlx::query_as("SELECT value FROM counters WHERE name = 'events'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    head
}

/// Writes `n` submitted events of one new application of `owner` straight into the table,
/// numbered after the head as `record_event` numbers them (nobody is woken); returns their
/// numbers.
async fn write_events(app: &TestApp, owner: &str, n: i64) -> Vec<i64> {
    let mut tx = app.db.begin_write().await.unwrap();
    let (head,): (i64,) = sqlx::query_as("SELECT value FROM counters WHERE name = 'events'")
        .fetch_one(&mut **tx)
        .await
        .unwrap();
    let application = format!("bulk-{head}");
    sqlx::query(
        "INSERT INTO applications (id, user_id, role, status, company_name, business_address, \
         country, representative, website, service_phone, service_email, created_at, \
         updated_at, submitted_at, round) \
         VALUES ($1, $2, 'isv', 'under_review', 'Bulk Mini Apps Pte. Ltd.', '1 Raffles Place', \
         'Singapore', 'Tan Wei Ling', '', '', '', 0, 0, 0, 1)",
    )
    .bind(&application)
    .bind(owner)
    .execute(&mut **tx)
    .await
    .unwrap();
    for seq in head + 1..=head + n {
        sqlx::query(
            "INSERT INTO application_events (id, application_id, kind, actor_id, note, \
             created_at, seq) VALUES ($1, $2, 'submitted', NULL, 'Submitted for review', 0, $3)",
        )
        .bind(format!("bulk-event-{seq}"))
        .bind(&application)
        .bind(seq)
        .execute(&mut **tx)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'events'")
        .bind(head + n)
        .execute(&mut **tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (head + 1..=head + n).collect()
}

both_databases! {
    /// A stream opened with `after=0` over 1,200 events gets each once, in order, and reads
    /// the table one batch at a time: a batch is read only when the one before is sent.
    async fn a_long_replay_sends_each_event_once_and_reads_one_batch_at_a_time(app) {
        let reviewer = reviewer(&app).await;
        let owner = rita_id(&app).await;
        let written = write_events(&app, &owner, 1200).await;
        assert_eq!(written[0], 1, "the feed started empty");

        let before = app.feed.replay_queries();
        let mut stream =
            sse::EventStream::open(&reviewer.client, &reviewer.url("/api/events?after=0"), None)
                .await;
        let mut seen = Vec::with_capacity(written.len());
        for _ in 0..written.len() {
            seen.push(stream.next().await.id);
        }
        assert_eq!(seen, written, "each event once, in order");
        assert!(
            stream.next_within(Duration::from_millis(800)).await.is_none(),
            "nothing twice"
        );
        let queries = app.feed.replay_queries() - before;
        let most = 1200u64.div_ceil(BATCH as u64) + 1;
        assert!(
            queries <= most,
            "{queries} replay queries for 1,200 events; at most {most} with batches of {BATCH}"
        );
        // And in batches: not one unbounded read of everything.
        assert!(queries >= 1200u64.div_ceil(BATCH as u64), "{queries} replay queries");
    }

    /// An applicant's replay reads only their own applications' rows, not everyone's.
    async fn an_applicants_replay_reads_only_their_own_events(app) {
        let _reviewer = reviewer(&app).await;
        let rita = rita_id(&app).await;
        // The pump has sent every event before her stream opens: 1,200 arriving while it is
        // open would overflow its buffer (1,024) and make it read again, as a lagging stream
        // must, which is not what this test counts.
        let mut pumped = app.feed.subscribe();
        let last = *write_events(&app, &rita, 1200).await.last().unwrap();
        app.feed.wake();
        loop {
            match tokio::time::timeout(Duration::from_secs(10), pumped.recv()).await.expect("the pump sends the events") {
                Ok(item) if item.event.seq >= last => break,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("{e}"),
            }
        }
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let before = app.feed.replay_queries();
        let mut stream =
            sse::EventStream::open(&app.client, &app.url("/api/events?after=0"), None).await;
        assert!(stream.next_within(Duration::from_millis(500)).await.is_none());
        assert_eq!(app.feed.replay_queries() - before, 1, "one read finds nothing of hers");
    }

    /// One session holds at most 8 open streams: the 9th opened at once is refused with 429,
    /// another session is counted apart, and closing a stream frees its place.
    async fn a_session_holds_at_most_eight_streams_and_closing_one_frees_a_place(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let answers = futures::future::join_all(
            (0..=STREAMS_PER_SESSION).map(|_| app.open_events(None)),
        )
        .await;
        let (mut open, refused): (Vec<_>, Vec<_>) =
            answers.into_iter().partition(|r| r.status() == 200);
        assert_eq!(open.len(), STREAMS_PER_SESSION, "eight streams open");
        assert_eq!(refused.len(), 1, "the ninth is refused");
        let refused = refused.into_iter().next().unwrap();
        assert_eq!(refused.status(), 429);
        assert!(!refused.text().await.unwrap().trim().is_empty(), "with a reason");

        // The limit is per session, not per user: Ann signed in elsewhere has eight more.
        let other = app.another_browser();
        assert_eq!(other.sign_in("annlee", GOOD_PASSWORD).await.status(), 200);
        assert_eq!(other.open_events(None).await.status(), 200, "another session has its own");

        // Closing one: its place comes back once the server sees the connection go.
        drop(open.pop());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let reopened = loop {
            let r = app.open_events(None).await;
            if r.status() == 200 {
                break r;
            }
            assert_eq!(r.status(), 429);
            assert!(
                tokio::time::Instant::now() < deadline,
                "a closed stream frees its place within 5 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        open.push(reopened);
        assert_eq!(app.open_events(None).await.status(), 429, "and the session is full again");
    }

    /// An event id past the head (`?after=` or `Last-Event-ID`) starts with a `resync` event
    /// whose id is the head; the stream then goes on from the head with ordinary events.
    async fn an_event_id_past_the_head_resyncs_to_the_head(app) {
        let reviewer = reviewer(&app).await;
        let ann = app.another_browser();
        let first = ann.applicant("ann@example.com", "annlee").await;
        assert_eq!(ann.save("submit", &first, VALID, None).await.status(), 200);
        let head = feed_head(&app).await;
        assert!(head > 0);

        let past = head + 1000;
        let mut by_query = sse::EventStream::open(
            &reviewer.client,
            &reviewer.url(&format!("/api/events?after={past}")),
            None,
        )
        .await;
        let mut by_header =
            sse::EventStream::open(&reviewer.client, &reviewer.url("/api/events"), Some(past))
                .await;
        for stream in [&mut by_query, &mut by_header] {
            let resync = stream
                .next_named_within(Duration::from_secs(5))
                .await
                .expect("a first event");
            assert_eq!(resync.name.as_deref(), Some("resync"));
            assert_eq!(resync.id, Some(head), "the resync names the head");
        }

        let bob = app.another_browser();
        let second = bob.applicant("bob@example.com", "boblee").await;
        assert_eq!(bob.save("submit", &second, VALID, None).await.status(), 200);
        for stream in [&mut by_query, &mut by_header] {
            let event = stream
                .next_named_within(Duration::from_secs(5))
                .await
                .expect("the next event after the head");
            assert_eq!(event.name, None, "an ordinary event");
            assert!(event.id.unwrap() > head);
            let data = event.json();
            assert_eq!(data["kind"], "submitted");
            assert_eq!(data["application_id"], second.as_str());
        }
    }
}
