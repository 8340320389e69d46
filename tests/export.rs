//! "Export my data" on the account page (`/account/export`): a JSON file of the account, its
//! acceptances, memberships and applications with their history, exactly as this user sees
//! them; never a secret, another user's data, or the reviewer's login.

mod common;
use common::*;
use serde_json::Value;

/// A login found nowhere else (not in an id, which is hex, nor in a country's name).
const REVIEWER: &str = "qzvrwk";
const REVIEWER_EMAIL: &str = "qzv7@platform.example";
const REASON: &str = "The business address must match your registration certificate.";
const NOTE: &str = "Use the name on your registration certificate.";
const COMPANY: &str = "Acme Mini Apps Pte. Ltd.";

/// The file, asked for the way a browser follows the link.
async fn export(client: &TestApp) -> reqwest::Response {
    client
        .client
        .get(client.url("/account/export"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap()
}

async fn strings(app: &TestApp, sql: &str, bind: &str) -> Vec<String> {
    sqlx::query_scalar::<sqlx::Any, String>(sql)
        .bind(bind)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

both_databases! {
    async fn an_applicant_downloads_their_data_as_they_see_it_and_nothing_else(app) {
        // Another applicant, and a reviewer who takes, asks for changes, and rejects the
        // resubmission (final).
        let (_bob, bob_id) = app.submitted("bob@example.com", "bobtan").await;
        let reviewer = app.reviewer_as(REVIEWER_EMAIL, REVIEWER).await;
        let (applicant, id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(reviewer.call("review/take", &[("id", &id)]).await.status(), 200);
        assert_eq!(reviewer.call("review/take", &[("id", &bob_id)]).await.status(), 200);
        let r = reviewer.request_changes(&id, 1, &[("company_name", NOTE)], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = applicant.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = reviewer.call("review/reject", &[("id", &id), ("reason", REASON), ("round", "2")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        // Ann on another device, so the test knows this session's token.
        let device = app.another_browser();
        let r = device.sign_in("annlee", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        let token = token_of(&r);

        let r = export(&device).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "content-type"), "application/json; charset=utf-8");
        assert_eq!(header(&r, "content-disposition"), r#"attachment; filename="isv-portal-data-annlee.json""#);
        assert_eq!(header(&r, "cache-control"), "private, no-store");
        let text = r.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).expect("the file is JSON");

        assert_eq!(v["format"], "isv-portal export 1");
        assert!(!v["exported_at"].as_str().unwrap().is_empty());
        assert_eq!(v["account"]["username"], "annlee");
        assert_eq!(v["account"]["email"], "ann@example.com");
        assert!(!v["account"]["created_at"].as_str().unwrap().is_empty());

        // Every acceptance of hers (terms at sign-up; terms and privacy at Submit, twice), no one else's.
        let acceptances = v["acceptances"].as_array().unwrap();
        let stored = count(&app, "SELECT COUNT(*) FROM acceptances a JOIN users u ON u.id = a.user_id WHERE u.email = $1", "ann@example.com").await;
        assert_eq!(acceptances.len() as i64, stored);
        assert!(
            acceptances.iter().any(|a| a["document"] == "terms" && a["version"] == isv_portal::site::TERMS_VERSION),
            "{acceptances:?}"
        );
        assert!(acceptances.iter().any(|a| a["document"] == "privacy"), "{acceptances:?}");

        let memberships = v["memberships"].as_array().unwrap();
        assert_eq!(memberships.len(), 1, "{memberships:?}");
        assert_eq!(memberships[0]["workspace_id"], id.as_str());
        assert_eq!(memberships[0]["workspace_name"], COMPANY);
        assert_eq!(memberships[0]["role"], "applicant");

        let applications = v["applications"].as_array().unwrap();
        assert_eq!(applications.len(), 1, "only her own application");
        let a = &applications[0];
        assert_eq!(a["id"], id.as_str());
        assert_eq!(a["role"], "isv");
        assert_eq!(a["status"], "rejected");
        assert_eq!(a["rejection_reason"], REASON);
        assert_eq!(a["company_name"], COMPANY);
        assert_eq!(a["country"], "SG");
        assert_eq!(a["round"], 2);
        let rounds = a["rounds"].as_array().unwrap();
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0]["status"], "changes_requested");
        assert_eq!(rounds[0]["rejection_reason"], Value::Null);
        assert_eq!(rounds[1]["status"], "rejected");
        assert_eq!(rounds[1]["rejection_reason"], REASON);
        assert!(rounds.iter().all(|r| r.get("decided_by").is_none()), "{rounds:?}");

        // The history is the one her onboarding details show, entry for entry.
        let history = a["history"].as_array().unwrap();
        let kinds: Vec<&str> = history.iter().map(|h| h["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["created", "submitted", "assigned", "changes_requested", "resubmitted", "rejected"]);
        assert_eq!(history[1]["actor"], "annlee");
        assert_eq!(history[2]["note"], "Assigned to a reviewer");
        assert_eq!(history[3]["actor"], "a reviewer");
        assert!(history[3]["note"].as_str().unwrap().contains(NOTE), "the request, in the history: {history:?}");
        assert_eq!(history[4]["actor"], "annlee");
        assert_eq!(history[5]["actor"], "a reviewer");
        let r = device.call("console/workspace", &[("id", &id)]).await;
        assert_eq!(r.status(), 200);
        let console: Value = r.json().await.unwrap();
        assert_eq!(&a["history"], &console["history"], "the history as the console shows it");

        // Nothing secret, and nothing of anyone else.
        let password_hash = strings(&app, "SELECT password_hash FROM users WHERE email = $1", "ann@example.com").await;
        let code_hashes = strings(&app, "SELECT code_hash FROM verification_codes WHERE email = $1", "ann@example.com").await;
        assert!(!code_hashes.is_empty(), "a sign-up code was stored");
        let token_hash = isv_portal::server::sessions::token_hash(&token);
        let mut never = vec![
            "argon2".to_string(), token, token_hash, "bob@example.com".into(), "bobtan".into(),
            bob_id.clone(), REVIEWER.into(), REVIEWER_EMAIL.into(),
        ];
        never.extend(password_hash);
        never.extend(code_hashes);
        for secret in &never {
            assert!(!text.contains(secret.as_str()), "the export contains {secret:?}");
        }
    }

    async fn a_signed_out_visit_gets_no_data_and_is_sent_to_sign_in(app) {
        let (applicant, _id) = app.submitted("ann@example.com", "annlee").await;
        assert_eq!(export(&applicant).await.status(), 200, "signed in, the file comes");

        let visitor = app.another_browser();
        for accept in ["text/html", "application/json"] {
            let r = visitor.client.get(app.url("/account/export")).header("accept", accept).send().await.unwrap();
            assert_eq!(r.status(), 302, "{accept}");
            assert_eq!(header(&r, "location"), "/signin?next=/account/export");
            assert!(r.headers().get("content-disposition").is_none());
            let body = r.text().await.unwrap();
            assert!(!body.contains("ann@example.com") && !body.contains("annlee"), "{body}");
        }

        // Signing out ends it for the browser that had it.
        assert_eq!(applicant.sign_out().await.status(), 200);
        let r = export(&applicant).await;
        assert_eq!(r.status(), 302);
        assert!(!r.text().await.unwrap().contains("ann@example.com"));
    }

    async fn a_new_account_exports_its_account_and_acceptance_of_the_terms_only(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = export(&app).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["account"]["email"], "ann@example.com");
        let acceptances = v["acceptances"].as_array().unwrap();
        assert_eq!(acceptances.len(), 1, "{acceptances:?}");
        assert_eq!(acceptances[0]["document"], "terms");
        assert_eq!(acceptances[0]["version"], isv_portal::site::TERMS_VERSION);
        assert!(acceptances[0]["accepted_at"].as_str().is_some_and(|d| d.ends_with("UTC")));
        assert_eq!(v["memberships"], serde_json::json!([]));
        assert_eq!(v["applications"], serde_json::json!([]));
    }

    async fn the_account_page_offers_the_download(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.client.get(app.url("/account")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains("Export my data"), "{page}");
        assert!(page.contains("Download my data (JSON)"), "{page}");
        // `download` (and `rel="external"`) keep the router from handling the click, so the
        // browser saves the file.
        let at = page.find(r#"href="/account/export""#).expect("a link to the file");
        let start = page[..at].rfind("<a ").unwrap();
        let link = &page[start..start + page[start..].find('>').unwrap()];
        assert!(link.contains("download") && link.contains(r#"rel="external""#), "{link}");
    }
}
