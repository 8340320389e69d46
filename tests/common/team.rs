//! A workspace's team for tests: an approved workspace with its Owner, members who join by
//! an invitation (signing up with the invited address), the token in an invitation mail, and
//! the team's server functions and pages as a member's client calls them.

use super::*;
use serde_json::Value;

/// The company of every test workspace (`VALID`'s), its Owner's address and username.
pub const COMPANY: &str = "Acme Mini Apps Pte. Ltd.";
pub const OWNER_EMAIL: &str = "owner@acme.example";
pub const OWNER: &str = "ownerann";

/// An approved workspace: its Owner, signed in on a client of their own, and its id.
pub async fn approved_workspace(app: &TestApp) -> (TestApp, String) {
    let reviewer = app.reviewer_as("rita@platform.example", "rita").await;
    let (owner, id) = app.submitted(OWNER_EMAIL, OWNER).await;
    let r = reviewer
        .call("review/approve", &[("id", id.as_str()), ("round", "1")])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    (owner, id)
}

impl TestApp {
    pub async fn invite(&self, workspace: &str, emails: &str, role: &str) -> reqwest::Response {
        self.call(
            "workspaces/invite",
            &[
                ("workspace_id", workspace),
                ("emails", emails),
                ("role", role),
            ],
        )
        .await
    }

    pub async fn resend(&self, workspace: &str, invitation: &str) -> reqwest::Response {
        self.call(
            "workspaces/resend",
            &[("workspace_id", workspace), ("invitation_id", invitation)],
        )
        .await
    }

    pub async fn withdraw(&self, workspace: &str, invitation: &str) -> reqwest::Response {
        self.call(
            "workspaces/withdraw",
            &[("workspace_id", workspace), ("invitation_id", invitation)],
        )
        .await
    }

    pub async fn join(&self, token: &str) -> reqwest::Response {
        self.call("workspaces/join", &[("token", token)]).await
    }

    /// The members page's data, with `filters` (`q`, `status`, `role`).
    pub async fn team(&self, workspace: &str, filters: &[(&str, &str)]) -> Value {
        let mut form = vec![("id", workspace)];
        form.extend_from_slice(filters);
        let r = self.call("workspaces/members", &form).await;
        assert_eq!(r.status(), 200, "members of {workspace}");
        r.json().await.unwrap()
    }

    /// A page as the browser gets it: its status and HTML.
    pub async fn html(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(self.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// The user's console cards: (workspace id, "Your role" or null).
    pub async fn console_cards(&self) -> Vec<(String, Value)> {
        let r = self.call("console/applications", &[]).await;
        assert_eq!(r.status(), 200);
        let cards: Vec<Value> = r.json().await.unwrap();
        cards
            .into_iter()
            .map(|c| {
                (
                    c["app"]["id"].as_str().unwrap().to_string(),
                    c["my_role"].clone(),
                )
            })
            .collect()
    }
}

/// The token in invitation mail number `n` to `to` (waiting for it).
pub async fn token_in_mail(app: &TestApp, to: &str, n: usize) -> String {
    let mails = app.smtp.wait_for(to, n).await;
    let text = mails[n - 1].text();
    let marker = format!("{}/invitations/", app.address);
    let at = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no invitation link in {text}"))
        + marker.len();
    let token: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(token.len() >= 43, "a 256-bit token: {token}");
    token
}

/// The list's lines as (e-mail, status, role).
pub fn lines(team: &Value) -> Vec<(String, String, String)> {
    team["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["email"].as_str().unwrap().to_string(),
                l["status"].as_str().unwrap().to_string(),
                l["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The id of the open invitation of `email` in the list.
pub fn invitation_id(team: &Value, email: &str) -> String {
    team["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["email"] == email && !l["invitation_id"].is_null())
        .unwrap_or_else(|| panic!("no invitation for {email} in {team}"))["invitation_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Someone invited as `role` who signs up with the invited address and joins: their client.
pub async fn member(
    app: &TestApp,
    owner: &TestApp,
    id: &str,
    email: &str,
    username: &str,
    role: &str,
) -> TestApp {
    let r = owner.invite(id, email, role).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let n = app.smtp.to(email).len().max(1);
    let token = token_in_mail(app, email, n).await;
    let person = app.another_browser();
    person.sign_up(email, username, GOOD_PASSWORD).await;
    let r = person.join(&token).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    person
}
