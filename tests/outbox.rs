//! Mail goes through the outbox: a failed SMTP server loses nothing and sends nothing twice.

mod common;
#[allow(unused_imports)]
use common::*;

both_databases! {
    async fn mail_waits_while_smtp_is_down_and_arrives_once_when_it_is_back(app) {
        app.smtp.set_down(true);
        assert_eq!(app.send_signup_code("ann@example.com").await.status(), 200, "the request succeeds anyway");
        // Let a few attempts fail.
        for _ in 0..100 {
            let (attempts,): (i64,) = sqlx::query_as("SELECT attempts FROM outbox").fetch_one(&app.db.pool).await.unwrap();
            if attempts >= 2 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (status, attempts, error): (String, i64, Option<String>) =
            sqlx::query_as("SELECT status, attempts, last_error FROM outbox").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(status, "pending");
        assert!(attempts >= 2, "retried: {attempts}");
        assert!(error.is_some());
        assert!(app.smtp.all().is_empty());

        app.smtp.set_down(false);
        let mails = app.smtp.wait_for("ann@example.com", 1).await;
        assert!(mails[0].code().is_some());
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(app.smtp.to("ann@example.com").len(), 1, "exactly once");
        let (status, text): (String, String) = sqlx::query_as("SELECT status, text_body FROM outbox").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(status, "sent");
        assert_eq!(text, "", "the delivered code is not kept");
    }

    async fn a_mail_that_keeps_failing_is_marked_failed_after_bounded_attempts(app) {
        app.smtp.set_down(true);
        app.send_signup_code("ann@example.com").await;
        // Pretend earlier attempts failed; the worker may write its own count meanwhile, so
        // keep setting it until its next failure is the last one allowed.
        let last = isv_portal::server::mail::worker::MAX_ATTEMPTS;
        let mut status = String::new();
        for _ in 0..100 {
            sqlx::query("UPDATE outbox SET attempts = $1 WHERE status = 'pending' AND attempts < $1")
                .bind(last - 1)
                .execute(&app.db.pool).await.unwrap();
            (status,) = sqlx::query_as("SELECT status FROM outbox").fetch_one(&app.db.pool).await.unwrap();
            if status == "failed" { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let (attempts, text, html): (i64, String, String) =
            sqlx::query_as("SELECT attempts, text_body, html_body FROM outbox").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(attempts, last);
        assert_eq!(status, "failed");
        // Nothing sends it again: its code is not kept.
        assert!(text.is_empty() && html.is_empty(), "a failed mail keeps its body: {text}");
    }
}
