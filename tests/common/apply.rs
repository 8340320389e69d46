//! Applying (seed Step 2) as a test client: role, business information, logo, Submit.

use super::*;
use reqwest::multipart::{Form, Part};
use std::io::Cursor;

/// The business form's server functions, one per button.
pub const SAVE: &str = "/api/onboarding/save_business";
pub const SUBMIT: &str = "/api/onboarding/submit_business";
pub const GO_BACK: &str = "/api/onboarding/save_business_and_go_back";
/// The hydrated page's autosave: only the fields that changed, or a logo just chosen.
pub const AUTOSAVE: &str = "/api/onboarding/autosave_business";
pub const BUSINESS_ENDPOINTS: [&str; 3] = [SAVE, SUBMIT, GO_BACK];

/// The endpoint the form's `button` posts to: "save" (also Enter), "submit", or "previous";
/// or the page's "autosave".
pub fn business_endpoint(button: &str) -> &'static str {
    match button {
        "save" => SAVE,
        "autosave" => AUTOSAVE,
        "submit" => SUBMIT,
        "previous" => GO_BACK,
        other => panic!("the business form has no {other:?} button"),
    }
}

/// The business form as multipart: the application, its fields and an optional logo.
pub fn business_form(
    id: &str,
    fields: &[(&str, &str)],
    logo: Option<(&str, Vec<u8>, &str)>,
) -> Form {
    let mut form = Form::new().text("application_id", id.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, bytes, mime)) = logo {
        form = form.part(
            "logo",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    }
    form
}

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_pixel(w, h, image::Rgba([22u8, 119, 255, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::from_pixel(w, h, image::Rgb([200u8, 40, 40]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

pub const VALID: &[(&str, &str)] = &[
    ("company_name", "Acme Mini Apps Pte. Ltd."),
    ("business_address", "1 Raffles Place, #20-01"),
    ("country", "Singapore"),
    ("representative", "Tan Wei Ling"),
    ("website", "Acme.example.com"),
    ("service_phone", "6123 4567"),
    ("service_email", "Help@Acme.example.com"),
    ("agree_terms", "yes"),
    ("agree_privacy", "yes"),
];

/// [`VALID`] with some fields replaced (or added).
pub fn valid_with<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = VALID
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    fields.extend_from_slice(changes);
    fields
}

impl TestApp {
    pub async fn choose_role(&self, role: &str) -> reqwest::Response {
        self.call("onboarding/choose_role", &[("role", role)]).await
    }

    pub async fn draft(&self) -> serde_json::Value {
        let r = self.call("onboarding/draft", &[]).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// Posts the business form as the `button` ("save", "autosave", "submit", "previous")
    /// does with JavaScript.
    pub async fn save(
        &self,
        button: &str,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::Response {
        self.post_business(business_endpoint(button), id, fields, logo)
            .await
    }

    /// Posts the business form to `endpoint`, one of [`BUSINESS_ENDPOINTS`].
    pub async fn post_business(
        &self,
        endpoint: &str,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::Response {
        self.business_request(endpoint, id, fields, logo)
            .send()
            .await
            .unwrap()
    }

    /// The business form posted to `endpoint`, ready to send (or to add headers to).
    pub fn business_request(
        &self,
        endpoint: &str,
        id: &str,
        fields: &[(&str, &str)],
        logo: Option<(&str, Vec<u8>, &str)>,
    ) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(endpoint))
            .multipart(business_form(id, fields, logo))
    }

    /// Signs up, chooses ISV, and returns the draft's id.
    pub async fn applicant(&self, email: &str, username: &str) -> String {
        self.sign_up(email, username, GOOD_PASSWORD).await;
        assert_eq!(self.choose_role("isv").await.status(), 200);
        self.draft().await["id"].as_str().unwrap().to_string()
    }
}
