//! The reviewers' side for tests: a reviewer account signed in on its own client, a submitted
//! application, a request for changes, and the queue's arguments.

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
            Some("/account/second-factor"),
            "a new reviewer sets up two-step verification first"
        );
        browser.turn_on_second_factor(REVIEWER_PASSWORD).await;
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

    /// "Request changes" on round `round` of `id`, as the reviewer's form posts it: each
    /// `(field, note)` ticked (`pick_<field>=on`) with its note (`note_<field>`), and the
    /// general note ("" for none).
    pub async fn request_changes(
        &self,
        id: &str,
        round: i64,
        fields: &[(&str, &str)],
        general: &str,
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = vec![
            ("id".into(), id.into()),
            ("round".into(), round.to_string()),
            ("general_note".into(), general.into()),
        ];
        for (field, note) in fields {
            form.push((format!("pick_{field}"), "on".into()));
            form.push((format!("note_{field}"), note.to_string()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.call("review/request_changes", &form).await
    }

    /// A signed-in applicant (own client) whose application is submitted; returns its id.
    pub async fn submitted(&self, email: &str, username: &str) -> (TestApp, String) {
        self.submitted_as(email, username, "Acme Mini Apps Pte. Ltd.")
            .await
    }

    /// The same, for an application of `company`.
    pub async fn submitted_as(
        &self,
        email: &str,
        username: &str,
        company: &str,
    ) -> (TestApp, String) {
        let applicant = self.another_browser();
        let id = applicant.applicant(email, username).await;
        let r = applicant
            .save(
                "submit",
                &id,
                &valid_with(&[("company_name", company)]),
                None,
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        (applicant, id)
    }
}

/// The ids of the queue under `condition` (SQL on `applications`, with `bind` as `$1` unless
/// empty), in the order the queue shows them: what a page or an export must list.
pub async fn queue_truth(
    app: &TestApp,
    condition: &str,
    bind: &str,
    oldest_first: bool,
) -> Vec<String> {
    let order = if oldest_first { "ASC" } else { "DESC" };
    let sql = format!(
        "SELECT id FROM applications WHERE status <> 'draft' AND ({condition}) \
         ORDER BY submitted_at {order}, id {order}"
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    if !bind.is_empty() {
        q = q.bind(bind.to_string());
    }
    q.fetch_all(&app.db.pool).await.unwrap()
}
