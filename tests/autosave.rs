//! The business form's autosave (JavaScript on): only the fields it sends change (one sent empty
//! is cleared), a logo is stored once, as it is chosen, and what is refused changes nothing.
//! The whole-form post of the buttons (and of a browser without JavaScript) is unchanged.

mod common;
use common::*;

/// Where the page's autosave posts; no button does.
const AUTOSAVE: &str = "/api/onboarding/autosave_business";

/// The text fields a draft keeps.
const DRAFT_FIELDS: [&str; 7] = [
    "company_name",
    "business_address",
    "country",
    "representative",
    "website",
    "service_phone",
    "service_email",
];

impl TestApp {
    /// Posts what the page's autosave sends: the application, `fields`, and a logo if given.
    async fn autosave(
        &self,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::Response {
        self.post_business(AUTOSAVE, id, fields, logo).await
    }

    /// Posts the whole form to Save draft the way a browser without JavaScript does.
    async fn save_without_javascript(
        &self,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::Response {
        self.business_request(SAVE, id, fields, logo)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", self.url("/onboarding/business"))
            .send()
            .await
            .unwrap()
    }

    /// The draft's text fields as stored.
    async fn stored(&self) -> serde_json::Value {
        self.draft().await["fields"].clone()
    }

    /// The address of the draft's logo, if it has one.
    async fn logo_url(&self) -> Option<String> {
        self.draft().await["logo_url"].as_str().map(str::to_string)
    }

    /// How many logos the owner of application `id` has stored.
    async fn logos_of(&self, id: &str) -> i64 {
        count(
            self,
            "SELECT COUNT(*) FROM logos WHERE user_id = (SELECT user_id FROM applications WHERE id = $1)",
            id,
        )
        .await
    }
}

/// The text fields as a draft keeps `fields` typed in the whole form (one left out is empty).
fn as_typed(fields: &[(&str, &str)]) -> serde_json::Value {
    let mut all = serde_json::Map::new();
    for name in DRAFT_FIELDS {
        let value = fields
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| *v);
        all.insert(name.to_string(), value.into());
    }
    serde_json::Value::Object(all)
}

/// `before` with `changes` made.
fn with(before: &serde_json::Value, changes: &[(&str, &str)]) -> serde_json::Value {
    let mut after = before.clone();
    for (k, v) in changes {
        after[*k] = (*v).into();
    }
    after
}

both_databases! {
    async fn a_partial_save_changes_only_the_fields_it_sends(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        assert_eq!(app.save("save", &id, VALID, None).await.status(), 200);
        let before = app.stored().await;
        assert_eq!(before, as_typed(VALID));

        let r = app.autosave(&id, &[("company_name", "Acme Renamed Ltd")], None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(app.stored().await, with(&before, &[("company_name", "Acme Renamed Ltd")]));

        // Two autosaves of different fields at once: both stay (nothing is read and written back).
        // On PostgreSQL both are made to wait behind a lock on the row, so that both have begun
        // (and would have read the row, were they to) before either writes; SQLite's one writer
        // at a time orders them anyway.
        let held = if app.db.backend == isv_portal::server::db::Backend::Postgres {
            let mut tx = app.db.pool.begin().await.unwrap();
            sqlx::query("SELECT id FROM applications WHERE id = $1 FOR UPDATE")
                .bind(&id)
                .execute(&mut *tx)
                .await
                .unwrap();
            Some(tx)
        } else {
            None
        };
        let release = async {
            if let Some(tx) = held {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                tx.commit().await.unwrap();
            }
        };
        let (a, b, ()) = tokio::join!(
            app.autosave(&id, &[("website", "new.example.com")], None),
            app.autosave(&id, &[("representative", "Lim Mei Ling")], None),
            release,
        );
        assert_eq!((a.status(), b.status()), (reqwest::StatusCode::OK, reqwest::StatusCode::OK));
        assert_eq!(app.stored().await, with(&before, &[
            ("company_name", "Acme Renamed Ltd"),
            ("website", "new.example.com"),
            ("representative", "Lim Mei Ling"),
        ]));
    }

    async fn a_field_sent_empty_is_cleared_and_one_left_out_is_kept(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        assert_eq!(app.save("save", &id, VALID, None).await.status(), 200);
        let before = app.stored().await;
        let r = app.autosave(&id, &[("website", ""), ("service_email", "")], None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let after = app.stored().await;
        assert_eq!(after, with(&before, &[("website", ""), ("service_email", "")]));
        assert_eq!(after["company_name"], "Acme Mini Apps Pte. Ltd.", "not sent, so kept");
    }

    async fn a_logo_sent_once_stays_through_the_saves_that_leave_it_out(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        // Chosen: the logo goes up on its own.
        let r = app.autosave(&id, &[], Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let url = app.logo_url().await.expect("the logo is stored");
        assert_eq!(app.logos_of(&id).await, 1);
        assert_eq!(app.client.get(app.url(&url)).send().await.unwrap().status(), 200);

        // Then the text, without it; and a button's whole form whose logo field is the empty
        // part a browser sends once the chosen file went up.
        assert_eq!(app.autosave(&id, &[("company_name", "Acme Ltd")], None).await.status(), 200);
        assert_eq!(app.autosave(&id, &[("website", "")], None).await.status(), 200);
        let r = app.save("save", &id, VALID, Some(("", Vec::new(), "application/octet-stream"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(app.logo_url().await.as_deref(), Some(url.as_str()), "the same logo");
        assert_eq!(app.logos_of(&id).await, 1, "stored once");
        assert_eq!(app.stored().await, as_typed(VALID));

        // Another file chosen goes up again and replaces it.
        let r = app.autosave(&id, &[], Some(("other.png", png(160, 160), "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let replaced = app.logo_url().await.expect("a logo");
        assert_ne!(replaced, url);
        assert_eq!(app.logos_of(&id).await, 1, "the one it replaced is gone");
    }

    async fn a_refused_partial_save_says_why_by_field_and_changes_nothing(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        assert_eq!(app.save("save", &id, VALID, None).await.status(), 200);
        let before = app.stored().await;

        // The rules of a draft are the whole form's: a field over the limit is refused, by name,
        // and the valid field sent with it is not saved either.
        let long = "x".repeat(5 * 1024);
        let r = app.autosave(&id, &[("company_name", "Acme Changed Ltd"), ("website", &long)], None).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        assert_eq!(field_message(&e, "website").as_deref(), Some("A field is too long."), "{e}");
        assert_eq!(app.stored().await, before, "nothing changed");

        // A logo that is no image refuses the autosave it came with.
        let r = app.autosave(&id, &[("company_name", "Acme Changed Ltd")], Some(("logo.png", b"not an image".to_vec(), "image/png"))).await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "logo").unwrap().contains("Only JPG or PNG"));
        assert_eq!(app.stored().await, before, "nothing changed");
        assert_eq!(app.logos_of(&id).await, 0);
        assert_eq!(app.logo_url().await, None);
    }

    async fn a_partial_save_needs_an_editable_draft_of_ones_own(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let bob = app.another_browser();
        let bobs = bob.applicant("bob@example.com", "bobtan").await;

        // Someone else's draft is not found, and nothing of it changes (not even its logo).
        let r = bob.autosave(&id, &[("company_name", "Taken Over Ltd")], Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 404);
        assert_eq!(app.stored().await, as_typed(&[]));
        assert_eq!(app.logos_of(&id).await, 0);
        assert_eq!(bob.logos_of(&bobs).await, 0);

        // Without the application it is for, the request is broken.
        let form = reqwest::multipart::Form::new().text("company_name", "Acme");
        let r = app.client.post(app.url(AUTOSAVE)).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(app.stored().await, as_typed(&[]));

        // Under review, nothing can be changed.
        assert_eq!(app.save("submit", &id, VALID, None).await.status(), 200);
        let r = app.autosave(&id, &[("company_name", "Changed Ltd")], None).await;
        assert_eq!(r.status(), 422);
        let r = app.autosave(&id, &[], Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 422);
        let a: serde_json::Value = app.call("console/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(a["status"], "UnderReview");
        assert_eq!(a["fields"]["company_name"], "Acme Mini Apps Pte. Ltd.");
        assert_eq!(a["logo_url"], serde_json::Value::Null);
        assert_eq!(app.logos_of(&id).await, 0);
    }

    async fn the_whole_form_without_javascript_still_saves_every_field_and_the_logo(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let r = app.save_without_javascript(&id, VALID, Some(("logo.png", png(128, 128), "image/png"))).await;
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/onboarding/business?saved=1");
        assert_eq!(app.stored().await, as_typed(VALID));
        let first = app.logo_url().await.expect("the logo came with the form");
        assert_eq!(app.logos_of(&id).await, 1);

        // The whole form: a field left out is saved empty, unlike an autosave.
        let only = [("company_name", "Acme Alone Ltd")];
        let r = app.save_without_javascript(&id, &only, Some(("logo.png", png(160, 160), "image/png"))).await;
        assert_eq!(r.status(), 302);
        assert_eq!(app.stored().await, as_typed(&only));
        assert_ne!(app.logo_url().await.expect("a logo"), first, "the new file replaced it");
        assert_eq!(app.logos_of(&id).await, 1);

        let page = app.client.get(app.url("/onboarding/business?saved=1")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains("value=\"Acme Alone Ltd\""));
        assert!(page.contains("Draft saved."));
    }
}
