//! Signed-in pages render completely, every time, with no retry anywhere: each is loaded 1,000
//! times per database, several at once, and every load must answer the whole page within
//! 10 seconds (a render that stalls fails the test instead of hanging it). The header's account
//! comes from the request, so each page must also name who is signed in.
//!
//! The stall once seen on the first pages of a fresh portal had one cause: listing the routes
//! (every portal did it when it started) raises a process-wide flag under which a resource first
//! polled waits forever (leptos-rs/leptos#4773), and the tests start many portals in one
//! process. Routes are now listed once per process; the last test renders pages while portals
//! start and routes are asked for again and again.

mod common;
use common::*;
use futures::stream::{self, StreamExt};
use std::time::Duration;

const LOADS: usize = 1000;
const IN_FLIGHT: usize = 8;

async fn load(app: &TestApp, path: &str) -> Result<(u16, String), String> {
    let r = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = r.status().as_u16();
    let body = r
        .text()
        .await
        .map_err(|e| format!("{path}: body stalled: {e}"))?;
    Ok((status, body))
}

/// The page's header, as rendered.
fn header_of(body: &str) -> &str {
    let start = body.find("<header").expect("a header");
    let end = body[start..].find("</header>").expect("the header ends") + start;
    &body[start..end]
}

/// Loads `path` LOADS times as `who` and returns what went wrong.
async fn hammer(client: &TestApp, path: &str, who: &str) -> Vec<String> {
    hammer_n(client, path, who, LOADS).await
}

/// Loads `path` `loads` times as `who` and returns what went wrong.
async fn hammer_n(client: &TestApp, path: &str, who: &str, loads: usize) -> Vec<String> {
    let signed_in = format!("Account menu for {who}");
    let signed_in = signed_in.as_str();
    stream::iter(0..loads)
        .map(|i| async move {
            match load(client, path).await {
                Ok((200, body)) if body.contains("</html>") && body.contains(signed_in) => None,
                Ok((200, _)) => Some(format!(
                    "{path} #{i}: incomplete page or no account in the header"
                )),
                Ok((status, _)) => Some(format!("{path} #{i}: status {status}")),
                Err(e) => Some(format!("#{i}: {e}")),
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .filter_map(|failure| async move { failure })
        .collect()
        .await
}

both_databases! {
    async fn every_signed_in_page_renders_a_thousand_times_without_a_stall(app) {
        let (ann, id) = app.submitted("ann@example.com", "annlee").await;
        let bob = app.another_browser();
        bob.applicant("bob@example.com", "bobtan").await;
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;

        let pages: Vec<(&TestApp, String, &str)> = vec![
            (&ann, "/console".into(), "annlee"),
            (&ann, format!("/workspaces/{id}"), "annlee"),
            (&ann, format!("/workspaces/{id}/onboarding"), "annlee"),
            (&ann, format!("/onboarding/submitted?id={id}"), "annlee"),
            (&ann, "/onboarding/role".into(), "annlee"),
            (&ann, "/".into(), "annlee"),
            (&ann, "/account".into(), "annlee"),
            (&bob, "/onboarding/business".into(), "bobtan"),
            (&reviewer, "/review".into(), "ritarev"),
            (&reviewer, format!("/review/{id}"), "ritarev"),
        ];
        let mut failures = Vec::new();
        for (client, path, who) in &pages {
            failures.extend(hammer(client, path, who).await);
        }
        assert!(
            failures.is_empty(),
            "{} of {} loads failed: {:?}",
            failures.len(),
            LOADS * pages.len(),
            &failures[..failures.len().min(20)]
        );
    }

    async fn pages_render_while_other_portals_of_the_process_start(app) {
        let (ann, id) = app.submitted("ann@example.com", "annlee").await;
        let starting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        // What a portal does when it starts, over and over, on a thread of its own.
        let lister = std::thread::spawn({
            let starting = starting.clone();
            move || {
                let mut listed = 0usize;
                while starting.load(std::sync::atomic::Ordering::Relaxed) {
                    assert!(!isv_portal::server::startup::routes().is_empty());
                    listed += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                listed
            }
        });
        // And real portals starting on the same database meanwhile, until the loads are done
        // (at most 8, each keeps its pool).
        let loading = std::sync::atomic::AtomicBool::new(true);
        let more_portals = async {
            for _ in 0..8 {
                if !loading.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                spawn_app_on(app.database_url.clone(), SmtpSink::start().await, Options::default()).await;
            }
        };
        let mut failures = Vec::new();
        let pages = async {
            for path in ["/console".to_string(), format!("/workspaces/{id}"), "/account".into()] {
                failures.extend(hammer_n(&ann, &path, "annlee", 300).await);
            }
            loading.store(false, std::sync::atomic::Ordering::Relaxed);
        };
        tokio::join!(more_portals, pages);
        starting.store(false, std::sync::atomic::Ordering::Relaxed);
        let listed = lister.join().unwrap();
        assert!(listed > 0, "routes were asked for while pages rendered");
        assert!(failures.is_empty(), "{} loads failed: {:?}", failures.len(), &failures[..failures.len().min(20)]);
    }

    async fn the_header_names_the_signed_in_account_on_every_kind_of_page_and_nobody_after_sign_out(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        for path in ["/", "/terms", "/onboarding/role"] {
            let (status, body) = load(&app, path).await.unwrap();
            assert_eq!(status, 200, "{path}");
            let header = header_of(&body);
            assert!(header.contains("Account menu for annlee"), "{path} names the account: {header}");
            assert!(!header.contains("SIGN IN"), "{path} offers no sign-in in the header");
        }
        app.sign_out().await;
        let (_, body) = load(&app, "/").await.unwrap();
        let header = header_of(&body);
        assert!(!header.contains("annlee"), "signed out: no account in the header");
        assert!(header.contains("SIGN IN"), "signed out: the header offers to sign in");
    }
}
