//! Seed Step 2: role, business information with a logo, drafts, Submit; the console.

mod common;
use common::*;

impl TestApp {
    async fn logo_error(&self, id: &str, name: &str, bytes: Vec<u8>, mime: &str) -> String {
        let r = self.save("save", id, &[], Some((name, bytes, mime))).await;
        assert_eq!(r.status(), 422, "{name} was accepted");
        field_message(&error_of(r).await, "logo").unwrap()
    }

    /// Posts the business form to `endpoint` the way a browser without JavaScript does.
    async fn post_plain(
        &self,
        endpoint: &str,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::Response {
        self.business_request(endpoint, id, fields, logo)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", self.url("/onboarding/business"))
            .send()
            .await
            .unwrap()
    }
}

both_databases! {
    async fn choosing_a_role_starts_a_draft_and_leads_to_business_information(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        assert_eq!(app.draft().await, serde_json::Value::Null);
        let r = app.choose_role("merchant").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["location"], "/onboarding/business");
        let d = app.draft().await;
        assert_eq!(d["role"], "Merchant");
        assert_eq!(d["status"], "Draft");
        // Changing one's mind keeps the same draft.
        app.choose_role("isv").await;
        let again = app.draft().await;
        assert_eq!(again["id"], d["id"]);
        assert_eq!(again["role"], "Isv");
        let r = app.choose_role("reviewer").await;
        assert_eq!(r.status(), 422);
        assert!(field_message(&error_of(r).await, "role").is_some());
    }

    async fn onboarding_needs_a_signed_in_user(app) {
        assert_eq!(app.choose_role("isv").await.status(), 401);
        let r = app.save("save", "x", VALID, None).await;
        assert_eq!(r.status(), 401);
        // Answered after the whole body was read, so the client gets the answer, not a
        // broken connection, even with a large file behind it.
        for _ in 0..5 {
            let r = app.save("save", "x", VALID, Some(("logo.png", vec![7u8; 200 * 1024], "image/png"))).await;
            assert_eq!(r.status(), 401);
        }
        let r = app.client.get(app.url("/onboarding/business")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/signin?next=/onboarding/business");
    }

    async fn every_field_rule_is_checked_on_submit_and_names_the_field(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let r = app.save("submit", &id, &[
            ("company_name", "A"),
            ("business_address", "abc"),
            ("country", "Atlantis"),
            ("representative", ""),
            ("website", "ftp://example.com"),
            ("service_phone", "12"),
            ("service_email", "not-an-email"),
        ], None).await;
        assert_eq!(r.status(), 422);
        let e = error_of(r).await;
        for f in ["company_name", "business_address", "country", "representative", "website", "service_phone", "service_email", "agree_terms", "agree_privacy"] {
            assert!(field_message(&e, f).is_some(), "no error for {f}: {e}");
        }
        let control = app.save("submit", &id, &[("company_name", "Acme\u{7}Ltd")], None).await;
        assert!(field_message(&error_of(control).await, "company_name").unwrap().contains("control"));
        let long = "x".repeat(101);
        let r = app.save("submit", &id, &[("company_name", &long)], None).await;
        assert!(field_message(&error_of(r).await, "company_name").unwrap().contains("at most 100"));
        // A number that is not in the plan of its country.
        let r = app.save("submit", &id, &[("country", "SG"), ("service_phone", "+65 1234")], None).await;
        assert!(field_message(&error_of(r).await, "service_phone").is_some());
        // The draft kept what was typed, so nothing is lost on an error.
        assert_eq!(app.draft().await["fields"]["country"], "SG");
    }

    async fn submit_creates_the_workspace_under_review_with_normalised_values(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let r = app.save("submit", &id, VALID, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let a: serde_json::Value = app.call("console/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(a["status"], "UnderReview");
        assert_eq!(a["fields"]["country"], "SG");
        assert_eq!(a["country_name"], "Singapore");
        assert_eq!(a["fields"]["website"], "https://acme.example.com/");
        assert_eq!(a["fields"]["service_phone"], "+6561234567");
        assert_eq!(a["fields"]["service_email"], "help@acme.example.com");

        let w: serde_json::Value = app.call("console/workspace", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!(w["members"][0]["username"], "annlee");
        assert_eq!(w["members"][0]["role"], "Applicant");
        let history: Vec<String> = w["history"].as_array().unwrap().iter().map(|h| h["note"].as_str().unwrap().to_string()).collect();
        assert_eq!(history, ["Application started", "Submitted for review"]);

        let mails = app.smtp.wait_for("ann@example.com", 2).await;
        assert!(mails[1].subject().contains("We received your application for Acme Mini Apps"));
        assert!(mails[1].text().contains(&format!("/workspaces/{id}/onboarding")));

        let docs: Vec<(String,)> = sqlx::query_as("SELECT document FROM acceptances ORDER BY document")
            .fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(docs, [("privacy".to_string(),), ("terms".to_string(),), ("terms".to_string(),)]);

        let console = app.client.get(app.url("/console")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(console.contains("Acme Mini Apps Pte. Ltd.") && console.contains("Under Review"));
        // Under review, the business information cannot be changed.
        let r = app.save("save", &id, &[("company_name", "Changed")], None).await;
        assert_eq!(r.status(), 422);
    }

    async fn a_replayed_submit_creates_one_application(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let (a, b) = tokio::join!(app.save("submit", &id, VALID, None), app.save("submit", &id, VALID, None));
        assert_eq!(a.status(), 200);
        assert_eq!(b.status(), 200);
        assert_eq!(app.save("submit", &id, VALID, None).await.status(), 200);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM workspaces").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 1);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 1);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(app.smtp.to("ann@example.com").len(), 2, "one code, one 'received' mail");
    }

    async fn extra_fields_in_the_request_are_ignored(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let mut fields = VALID.to_vec();
        fields.extend([("status", "approved"), ("reviewer", "me"), ("owner", "someone"), ("user_id", "other")]);
        assert_eq!(app.save("submit", &id, &fields, None).await.status(), 200);
        let (status, user): (String, String) = sqlx::query_as("SELECT a.status, u.username FROM applications a JOIN users u ON u.id = a.user_id")
            .fetch_one(&app.db.pool).await.unwrap();
        assert_eq!((status.as_str(), user.as_str()), ("under_review", "annlee"));
    }

    async fn a_draft_is_kept_and_resumed_after_signing_out_and_in(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let r = app.save("autosave", &id, &[("company_name", "Acme Half Done"), ("country", "Japan")], None).await;
        assert_eq!(r.status(), 200);
        app.sign_out().await;
        let elsewhere = app.another_browser();
        assert_eq!(elsewhere.sign_in("annlee", GOOD_PASSWORD).await.status(), 200);
        let d = elsewhere.draft().await;
        assert_eq!(d["id"], id);
        assert_eq!(d["fields"]["company_name"], "Acme Half Done");
        let page = elsewhere.client.get(elsewhere.url("/onboarding/business")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains("value=\"Acme Half Done\""));
        // "Previous" keeps the input and goes back to the role.
        let r = elsewhere.save("previous", &id, &[("company_name", "Acme Renamed")], None).await;
        assert_eq!(r.headers()["location"], "/onboarding/role");
        assert_eq!(elsewhere.draft().await["fields"]["company_name"], "Acme Renamed");
    }

    async fn a_logo_is_re_encoded_and_served_only_to_its_owner(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let mut original = jpeg(256, 256);
        // Metadata (an APP1 segment) that must not survive re-encoding.
        original.splice(2..2, [0xFF, 0xE1, 0x00, 0x0E, b'E', b'x', b'i', b'f', 0, 0, b's', b'e', b'c', b'r', b'e', b't']);
        let r = app.save("save", &id, &[], Some(("logo.jpg", original, "image/jpeg"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let url = app.draft().await["logo_url"].as_str().unwrap().to_string();
        let r = app.client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let body = r.bytes().await.unwrap();
        assert!(body.starts_with(&[0xFF, 0xD8]));
        assert!(!body.windows(6).any(|w| w == b"secret"), "metadata was stripped");
        let r = app.client.get(app.url(&url)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), 304);

        let bob = app.another_browser();
        assert_eq!(bob.client.get(bob.url(&url)).send().await.unwrap().status(), 404, "signed out");
        bob.sign_up("bob@example.com", "bob", GOOD_PASSWORD).await;
        assert_eq!(bob.client.get(bob.url(&url)).send().await.unwrap().status(), 404, "another user");
    }

    async fn every_logo_rule_is_refused_with_its_reason(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let m = app.logo_error(&id, "logo.png", b"<html><script>alert(1)</script></html>".to_vec(), "image/png").await;
        assert!(m.contains("Only JPG or PNG"), "renamed html: {m}");
        let m = app.logo_error(&id, "logo.png", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), "image/svg+xml").await;
        assert!(m.contains("Only JPG or PNG"), "svg: {m}");
        let mut polyglot = png(128, 128);
        polyglot.extend_from_slice(b"<script>alert(1)</script>");
        assert!(app.logo_error(&id, "logo.png", polyglot, "image/png").await.contains("extra data"));
        let full = png(128, 128);
        assert!(app.logo_error(&id, "logo.png", full[..full.len() - 20].to_vec(), "image/png").await.contains("damaged or incomplete"));
        assert!(app.logo_error(&id, "../../etc/logo.png", png(128, 128), "image/png").await.contains("folder path"));
        assert!(app.logo_error(&id, "wide.png", png(256, 128), "image/png").await.contains("square"));
        assert!(app.logo_error(&id, "tiny.png", png(100, 100), "image/png").await.contains("at least 128"));
        assert!(app.logo_error(&id, "bomb.png", isv_portal::onboarding::logo::samples::declared_png(60_000), "image/png").await.contains("at most 4096"));
        // 4096² RGB with 16-bit channels needs 96 MiB: over the decoder's memory cap.
        let m = app.logo_error(&id, "deep.png", isv_portal::onboarding::logo::samples::declared_png_as(4096, 16, 2), "image/png").await;
        assert!(m.contains("more memory"), "16-bit 4096²: {m}");
        assert_eq!(app.draft().await["logo_url"], serde_json::Value::Null, "nothing was stored");
    }

    async fn a_4096_square_logo_of_one_colour_is_decoded_and_accepted(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        // 64 MiB decoded from tens of KB: the largest logo allowed, within the decoder's cap.
        let bomb = isv_portal::onboarding::logo::samples::solid_png(4096);
        assert!(bomb.len() < 256 * 1024, "{} bytes", bomb.len());
        let r = app.save("save", &id, &[], Some(("big.png", bomb, "image/png"))).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let url = app.draft().await["logo_url"].as_str().unwrap().to_string();
        let body = app.client.get(app.url(&url)).send().await.unwrap().bytes().await.unwrap();
        let served = image::ImageReader::new(std::io::Cursor::new(&body[..])).with_guessed_format().unwrap();
        assert_eq!(served.format(), Some(image::ImageFormat::Png));
        assert_eq!(served.into_dimensions().unwrap(), (4096, 4096));
    }

    async fn an_oversized_upload_is_refused_with_413_by_every_button(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        for endpoint in BUSINESS_ENDPOINTS {
            let r = app.post_business(endpoint, &id, VALID, Some(("big.png", vec![0u8; 400 * 1024], "image/png"))).await;
            assert_eq!(r.status(), 413, "{endpoint}");
            assert!(field_message(&error_of(r).await, "logo").unwrap().contains("256 KB"), "{endpoint}");
            // A file just over the logo limit inside an allowed body is refused by the rule.
            let r = app.post_business(endpoint, &id, VALID, Some(("big.png", vec![0u8; 257 * 1024], "image/png"))).await;
            assert_eq!(r.status(), 422, "{endpoint}");
            assert!(field_message(&error_of(r).await, "logo").unwrap().contains("256 KB"), "{endpoint}");
        }
        assert_eq!(app.draft().await["status"], "Draft", "nothing was submitted");
    }

    async fn an_oversized_logo_posted_without_javascript_comes_back_to_the_form_with_its_reason(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        for endpoint in BUSINESS_ENDPOINTS {
            let r = app.post_plain(endpoint, &id, VALID, Some(("big.png", vec![0u8; 400 * 1024], "image/png"))).await;
            assert_eq!(r.status(), 302, "{endpoint}");
            let back = r.headers()["location"].to_str().unwrap().to_string();
            assert!(back.starts_with(&app.url("/onboarding/business?")), "{endpoint}: {back}");
            let page = app.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
            assert!(page.contains("The logo is larger than 256 KB. Choose a smaller image."), "{endpoint}: the form shows why");
        }
    }

    async fn a_refused_part_still_gets_an_answer_after_the_whole_body(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let long = "x".repeat(5 * 1024);
        for _ in 0..5 {
            let r = app.save("save", &id, &[("company_name", &long)], Some(("logo.png", vec![7u8; 200 * 1024], "image/png"))).await;
            assert_eq!(r.status(), 422);
            assert_eq!(error_of(r).await["message"], "A field is too long.");
        }
    }

    async fn a_plain_post_to_any_button_of_the_upload_is_refused_with_415(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        for endpoint in BUSINESS_ENDPOINTS {
            let r = app.client.post(app.url(endpoint)).form(&[("application_id", id.as_str())]).send().await.unwrap();
            assert_eq!(r.status(), 415, "{endpoint}");
        }
        assert_eq!(app.draft().await["status"], "Draft");
    }

    async fn each_button_posts_to_its_own_function_without_javascript(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let page = app.client.get(app.url("/onboarding/business")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("action=\"{SAVE}\"")), "Enter and Save draft post to save");
        assert!(page.contains(&format!("formaction=\"{SUBMIT}\"")), "Submit");
        assert!(page.contains(&format!("formaction=\"{GO_BACK}\"")), "Previous");
        assert!(!page.contains("name=\"intent\""), "no intent switch");
        // A plain form post of each: the draft is saved, then each goes where its button says.
        for (endpoint, company, to) in [
            (SAVE, "Acme Saved Ltd", "/onboarding/business?saved=1".to_string()),
            (GO_BACK, "Acme Back Ltd", "/onboarding/role".to_string()),
            (SUBMIT, "Acme Submitted Ltd", format!("/onboarding/submitted?id={id}")),
        ] {
            let mut fields = VALID.to_vec();
            fields[0] = ("company_name", company);
            let r = app.post_plain(endpoint, &id, &fields, None).await;
            assert_eq!(r.status(), 302, "{endpoint}");
            assert_eq!(r.headers()["location"], to.as_str(), "{endpoint}");
            if endpoint != SUBMIT {
                assert_eq!(app.draft().await["fields"]["company_name"], company, "{endpoint} saved the draft");
            }
        }
        let a: serde_json::Value = app.call("console/application", &[("id", &id)]).await.json().await.unwrap();
        assert_eq!((a["status"].as_str(), a["fields"]["company_name"].as_str()), (Some("UnderReview"), Some("Acme Submitted Ltd")));
    }

    async fn another_users_workspace_is_not_found(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        app.save("submit", &id, VALID, None).await;
        let bob = app.another_browser();
        bob.sign_up("bob@example.com", "bob", GOOD_PASSWORD).await;
        assert_eq!(bob.call("console/workspace", &[("id", &id)]).await.status(), 404);
        assert_eq!(bob.call("console/application", &[("id", &id)]).await.status(), 404);
        let signed_out = app.another_browser();
        let r = signed_out.client.get(signed_out.url(&format!("/workspaces/{id}/onboarding"))).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], format!("/signin?next=/workspaces/{id}/onboarding"), "signed out: sign in, then back here");
        let page = bob.client.get(bob.url(&format!("/workspaces/{id}"))).header("accept", "text/html").send().await.unwrap();
        assert_eq!(page.status(), 404);
        // Nor can Bob write into Ann's draft.
        bob.choose_role("isv").await;
        let ann_draft_id = app.applicant("ann2@example.com", "ann2").await;
        let r = bob.save("save", &ann_draft_id, &[("company_name", "Hijacked")], None).await;
        assert_eq!(r.status(), 404);
        assert_ne!(app.draft().await["fields"]["company_name"], "Hijacked");
    }

    async fn the_console_lists_workspaces_and_sends_newcomers_to_choose_a_role(app) {
        app.sign_up("ann@example.com", "annlee", GOOD_PASSWORD).await;
        let r = app.client.get(app.url("/console")).header("accept", "text/html").send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/onboarding/role");
        app.choose_role("isv").await;
        let page = app.client.get(app.url("/console")).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Untitled application") && page.contains(">Draft<"), "a draft card");
    }

    async fn markup_in_a_company_name_is_shown_as_text(app) {
        let id = app.applicant("ann@example.com", "annlee").await;
        let mut fields = VALID.to_vec();
        fields[0] = ("company_name", "</script><img src=x onerror=alert(1)>");
        assert_eq!(app.save("submit", &id, &fields, None).await.status(), 200);
        for path in ["/console".to_string(), format!("/workspaces/{id}"), format!("/workspaces/{id}/onboarding")] {
            let page = app.client.get(app.url(&path)).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
            assert!(!page.contains("<img src=x onerror"), "{path} rendered markup");
            assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") || page.contains("\\u003cimg"), "{path} shows it as text");
        }
    }
}
