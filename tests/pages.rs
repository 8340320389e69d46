//! Signed-in pages render completely, every time (a response that stalls mid-stream is a bug:
//! Leptos' Suspense has had races that left a page hanging, see leptos-rs/leptos#4851).

mod common;
use common::*;
use reqwest::multipart::Form;
use std::time::Duration;

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

both_databases! {
    async fn signed_in_pages_never_stall(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        app.call("onboarding/choose_role", &[("role", "isv")]).await;
        let draft: serde_json::Value = app.call("onboarding/draft", &[]).await.json().await.unwrap();
        let id = draft["id"].as_str().unwrap().to_string();
        let mut form = Form::new().text("application_id", id.clone()).text("intent", "submit");
        for (k, v) in [("company_name", "</script><img src=x onerror=alert(1)>"), ("business_address", "1 Raffles Place"), ("country", "SG"),
                       ("representative", "Tan Wei Ling"), ("agree_terms", "yes"), ("agree_privacy", "yes")] {
            form = form.text(k, v);
        }
        let r = app.client.post(app.url("/api/onboarding/save_business")).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 200);

        let paths = ["/console".to_string(), format!("/workspaces/{id}"), format!("/workspaces/{id}/onboarding"), "/".to_string()];
        let mut failures = Vec::new();
        for round in 0..25 {
            let loads = paths.iter().map(|p| load(&app, p));
            for result in futures::future::join_all(loads).await {
                match result {
                    Ok((200, body)) if body.contains("</html>") => {}
                    Ok((status, _)) => failures.push(format!("round {round}: status {status}")),
                    Err(e) => failures.push(format!("round {round}: {e}")),
                }
            }
        }
        assert!(failures.is_empty(), "{} of {} loads failed: {failures:?}", failures.len(), 25 * paths.len());
    }
}
