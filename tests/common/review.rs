//! The reviewers' side for tests: a reviewer account signed in on its own client, a submitted
//! application, and the queue's arguments.

use super::*;
use isv_portal::accounts::reviewers::{create_reviewer, Created};

pub const REVIEWER_PASSWORD: &str = "amber lantern 77 orbit";

/// The queue's arguments with no filter.
pub const QUEUE_ALL: &[(&str, &str)] = &[
    ("status", ""),
    ("role", ""),
    ("country", ""),
    ("q", ""),
    ("sort", ""),
    ("after", ""),
    ("before", ""),
];

impl TestApp {
    /// A reviewer account (as `isv-portal create-reviewer` makes it), signed in on its own client.
    pub async fn reviewer_as(&self, email: &str, username: &str) -> TestApp {
        let made = create_reviewer(&self.db, email, username, Some(REVIEWER_PASSWORD))
            .await
            .unwrap();
        assert_eq!(made, Created::New);
        let browser = self.another_browser();
        let r = browser.sign_in(username, REVIEWER_PASSWORD).await;
        assert_eq!(r.status(), 200, "reviewer signs in");
        assert_eq!(
            r.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/review"),
            "reviewers land on the dashboard"
        );
        browser
    }

    /// An application's status as its applicant's console reads it.
    pub async fn status_of(&self, id: &str) -> String {
        let a: serde_json::Value = self
            .call("console/application", &[("id", id)])
            .await
            .json()
            .await
            .unwrap();
        a["status"].as_str().unwrap().to_string()
    }

    /// A signed-in applicant (own client) whose application is submitted; returns its id.
    pub async fn submitted(&self, email: &str, username: &str) -> (TestApp, String) {
        let applicant = self.another_browser();
        let id = applicant.applicant(email, username).await;
        let r = applicant.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        (applicant, id)
    }
}
