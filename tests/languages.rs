//! Languages: the page's language comes from the `lang` cookie (the header's switcher, which
//! works without JavaScript and keeps the choice on the account) or else the browser's
//! `Accept-Language`; `<html lang>` says it; a Chinese page has no English left on it (also
//! while changes are requested, and on a resubmission's comparison); field errors and mail are
//! in the reader's language.

mod common;
use common::*;
use isv_portal::i18n::{sentences, Lang};
use std::collections::BTreeSet;

fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn html_lang(page: &str) -> &str {
    let start = page.find("<html lang=\"").expect("<html lang>") + 12;
    &page[start..start + page[start..].find('"').unwrap()]
}

/// Chooses a language with the header's switcher, as a browser without JavaScript posts it.
async fn switch(app: &TestApp, lang: &str, next: &str) -> reqwest::Response {
    app.client
        .post(app.url("/language"))
        .header("accept", "text/html")
        .form(&[("lang", lang), ("next", next)])
        .send()
        .await
        .unwrap()
}

/// What a reader sees of a page: its text and the words of the attributes read aloud or shown
/// (`aria-label`, `placeholder`, `title`, `alt`), without scripts, styles or comments.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        let tag = &rest[..end];
        rest = &rest[end..];
        for attr in ["aria-label=\"", "placeholder=\"", "title=\"", "alt=\""] {
            if let Some(at) = tag.find(attr) {
                let value = &tag[at + attr.len()..];
                out.push(' ');
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                out.push(' ');
            }
        }
        for skipped in ["script", "style"] {
            if tag.starts_with(&format!("<{skipped}")) {
                let close = format!("</{skipped}>");
                rest = rest.find(&close).map_or("", |e| &rest[e + close.len()..]);
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The words (three letters or more) of some text, lower-cased, placeholders left out.
fn words(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_placeholder = false;
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        match c {
            '{' => in_placeholder = true,
            '}' => in_placeholder = false,
            c if c.is_ascii_alphabetic() && !in_placeholder => word.push(c.to_ascii_lowercase()),
            _ => {
                if word.len() >= 3 {
                    out.insert(std::mem::take(&mut word));
                }
                word.clear();
            }
        }
    }
    out
}

/// Words of the English catalogue that the Chinese one never uses (ISV, Logo, example
/// addresses are shared, and the switcher names languages in themselves; anything else
/// English on a Chinese page was left untranslated).
fn english_only_words() -> BTreeSet<String> {
    let english: BTreeSet<String> = sentences(Lang::En)
        .iter()
        .flat_map(|(_, s)| words(s))
        .collect();
    let chinese: BTreeSet<String> = sentences(Lang::ZhCn)
        .iter()
        .flat_map(|(_, s)| words(s))
        .collect();
    // The switcher names each language in itself ("English" on a Chinese page).
    let endonyms: BTreeSet<String> = Lang::ALL.iter().flat_map(|l| words(l.endonym())).collect();
    english
        .difference(&chinese)
        .filter(|w| !endonyms.contains(*w))
        .cloned()
        .collect()
}

fn leftover_english(html: &str, english: &BTreeSet<String>) -> Vec<String> {
    let text = visible_text(html);
    let mut left: Vec<String> = words(&text)
        .into_iter()
        .filter(|w| english.contains(w))
        .collect();
    // And no placeholder left unfilled (`words` skips what is between braces).
    let placeholder = regex_lite::Regex::new(r"\{[a-z_]+\}").unwrap();
    left.extend(placeholder.find_iter(&text).map(|m| m.as_str().to_string()));
    left
}

/// An application whose every value is Chinese or a made-up word, so that any English word on
/// a Chinese page comes from the portal.
const CHINESE_APPLICATION: &[(&str, &str)] = &[
    ("company_name", "星河科技有限公司"),
    ("business_address", "北京市海淀区中关村大街1号"),
    // Typed in Chinese: stored as its code, named in each reader's language.
    ("country", "新加坡"),
    ("representative", "王小明"),
    ("website", "xinghe.example.com"),
    ("service_phone", "6123 4567"),
    ("service_email", "kefu@xinghe.example.com"),
    ("agree_terms", "yes"),
    ("agree_privacy", "yes"),
];

both_databases! {
    async fn the_browser_language_chooses_the_page_language_until_one_is_chosen(app) {
        for (accept, lang) in [("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"), ("en-GB,en", "en"), ("fr-FR", "en"), ("zh-TW", "en")] {
            let r = app.client.get(app.url("/")).header("accept", "text/html").header("accept-language", accept).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(html_lang(&r.text().await.unwrap()), lang, "{accept}");
        }
        let (_, en) = app.html("/signin").await;
        assert_eq!(html_lang(&en), "en");
        assert!(en.contains("value=\"zh-CN\" lang=\"zh-CN\"") && en.contains("简体中文"), "the switcher offers Chinese, in Chinese");

        // The switcher: a plain form post, back to the same page, now in Chinese.
        let r = switch(&app, "zh-CN", "/signin?next=%2Faccount").await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/signin?next=%2Faccount");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("isv_lang=zh-CN;") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let (_, zh) = app.html("/signin").await;
        assert_eq!(html_lang(&zh), "zh-CN");
        assert!(zh.contains("小程序平台"));
        // The cookie wins over the browser's language.
        let r = app.client.get(app.url("/signin")).header("accept", "text/html").header("accept-language", "en").send().await.unwrap();
        assert_eq!(html_lang(&r.text().await.unwrap()), "zh-CN");

        // Only the portal's own pages are followed, and only known languages are kept.
        let r = switch(&app, "en", "https://evil.example/").await;
        assert_eq!(r.headers()["location"], "/console");
        assert_eq!(switch(&app, "xx", "/").await.status(), 400);
        // Another site cannot switch it.
        let r = app.client.post(app.url("/language")).header("origin", "https://evil.example").form(&[("lang", "zh-CN"), ("next", "/")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
    }

    async fn the_account_keeps_its_language_for_the_next_sign_in_and_its_mail(app) {
        // Signed up from a Chinese page: the account is Chinese, and so is its code mail.
        assert_eq!(switch(&app, "zh-CN", "/signup").await.status(), 303);
        app.sign_up("wang@example.com", "wangxm", GOOD_PASSWORD).await;
        let mail = &app.smtp.to("wang@example.com")[0];
        assert!(is_chinese(&mail.subject()), "the code mail is Chinese: {}", mail.subject());
        assert!(mail.code().is_some(), "its code is read");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE username = $1 AND language = 'zh-CN'", "wangxm").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM acceptances a JOIN users u ON u.id = a.user_id WHERE u.username = $1 AND a.language = 'zh-CN' AND a.version = '2026-11-27'", "wangxm").await, 1, "the Chinese terms were accepted, in their own version");

        // Switching while signed in changes the account.
        assert_eq!(switch(&app, "en", "/account").await.status(), 303);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE username = $1 AND language = 'en'", "wangxm").await, 1);
        assert_eq!(switch(&app, "zh-CN", "/account").await.status(), 303);

        // A new device, in English, signs in and gets the account's language.
        let elsewhere = app.another_browser();
        let r = elsewhere.sign_in("wangxm", GOOD_PASSWORD).await;
        assert_eq!(r.status(), 200);
        let (_, account) = elsewhere.html("/account").await;
        assert_eq!(html_lang(&account), "zh-CN");

        // Mail about the account goes to it in its language, whoever causes it: a reviewer
        // reading English approves wang's application, and wang's mail is Chinese.
        assert_eq!(app.choose_role("isv").await.status(), 200);
        let id = app.draft().await["id"].as_str().unwrap().to_string();
        assert_eq!(app.save("submit", &id, CHINESE_APPLICATION, None).await.status(), 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM applications WHERE id = $1 AND country = 'SG'", &id).await, 1);
        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        let (_, detail) = reviewer.html(&format!("/review/{id}")).await;
        assert!(detail.contains("Singapore") && !detail.contains("新加坡"), "an English reader reads the country in English");
        let (_, mine) = app.html(&format!("/workspaces/{id}/onboarding")).await;
        assert!(mine.contains("新加坡"), "a Chinese reader reads it in Chinese");
        let r = reviewer.call("review/approve", &[("id", &id), ("reason", ""), ("round", "1")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let mails = app.smtp.wait_for("wang@example.com", 3).await;
        for mail in &mails[1..] {
            // The body, past the headers (the sender's display name is configuration).
            let text = mail.text();
            let body = text.split_once("\n\n").map_or("", |(_, b)| b);
            let platform = Lang::ZhCn.texts().mail.platform;
            assert!(body.contains(platform) && !body.contains(Lang::En.texts().mail.platform), "in Chinese: {body}");
            assert!(mail.subject().contains(platform) || is_chinese(&mail.subject().replace("星河科技有限公司", "")), "{}", mail.subject());
        }

        // A browser left reading English (someone else's account, signed out) reads the
        // account's language once it signs in, and the account keeps its own.
        let shared = app.another_browser();
        assert_eq!(switch(&shared, "en", "/signin").await.status(), 303);
        assert_eq!(shared.sign_in("wangxm", GOOD_PASSWORD).await.status(), 200);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE username = $1 AND language = 'zh-CN'", "wangxm").await, 1);
        let (_, account) = shared.html("/account").await;
        assert_eq!(html_lang(&account), "zh-CN");

        // Field errors from the server come in the page's language.
        let stranger = app.another_browser();
        let r = stranger.client.post(stranger.url("/api/accounts/send_sign_up_code")).header("cookie", "lang=fr; isv_lang=xx; isv_lang=zh-CN").form(&[("email", "not an address")]).send().await.unwrap();
        let message = field_message(&error_of(r).await, "email").unwrap();
        assert!(is_chinese(&message), "{message}");
        let r = stranger.send_signup_code("not an address").await;
        assert_eq!(field_message(&error_of(r).await, "email").unwrap(), "An email address cannot contain spaces.");
    }

    async fn no_english_is_left_on_a_chinese_page(app) {
        let english = english_only_words();
        assert!(english.contains("password") && english.contains("submit"), "the English catalogue is read");

        // Every client reads Chinese.
        let ann = app.another_browser();
        switch(&ann, "zh-CN", "/").await;
        let signed_out = app.another_browser();
        switch(&signed_out, "zh-CN", "/").await;

        ann.sign_up("ann@example.com", "wangxm", GOOD_PASSWORD).await;
        let mut pages: Vec<(&TestApp, String)> = Vec::new();
        for path in ["/", "/signup", "/signin", "/forgot-password", "/terms", "/privacy", "/accessibility", "/no-such-page", "/invitations/not-a-token"] {
            pages.push((&signed_out, path.to_string()));
        }
        let (_, role) = ann.html("/onboarding/role").await;
        let mut found = Vec::new();
        let mut check = |label: String, html: &str| {
            let left = leftover_english(html, &english);
            if !left.is_empty() {
                found.push(format!("{label}: {left:?}"));
            }
        };
        check("/onboarding/role".into(), &role);
        assert_eq!(ann.choose_role("isv").await.status(), 200);
        let id = ann.draft().await["id"].as_str().unwrap().to_string();
        // A logo is checked off the request's thread, and still refused in its language.
        let r = ann.save("save", &id, &[], Some(("logo.png", b"not an image".to_vec(), "image/png"))).await;
        assert_eq!(r.status(), 422);
        let refusal = field_message(&error_of(r).await, "logo").unwrap();
        assert!(is_chinese(&refusal), "{refusal}");
        let (_, empty_form) = ann.html("/onboarding/business").await;
        check("/onboarding/business (empty)".into(), &empty_form);
        // The form with every error, as a browser without JavaScript gets it back.
        let r = ann.business_request(business_endpoint("submit"), &id, &[("website", "ftp://x"), ("service_phone", "12"), ("service_email", "nope")], None)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", ann.url("/onboarding/business"))
            .send().await.unwrap();
        assert_eq!(r.status(), 302);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        let errors = ann.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(errors.contains("error-summary"), "the errors are shown");
        check("/onboarding/business (errors)".into(), &errors);
        let r = ann.save("submit", &id, CHINESE_APPLICATION, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

        let reviewer = app.reviewer_as("rita@example.com", "ritarev").await;
        switch(&reviewer, "zh-CN", "/review").await;
        for path in ["/console".to_string(), format!("/onboarding/submitted?id={id}"), format!("/workspaces/{id}"), format!("/workspaces/{id}/onboarding"), format!("/workspaces/{id}/members"), "/account".into()] {
            pages.push((&ann, path));
        }
        for path in ["/review".to_string(), format!("/review/{id}")] {
            pages.push((&reviewer, path));
        }
        for (client, path) in &pages {
            let (status, html) = client.html(path).await;
            let missing = path.starts_with("/no-such-page") || path.starts_with("/invitations/");
            assert_eq!(status, if missing { 404 } else { 200 }, "{path}");
            assert_eq!(html_lang(&html), "zh-CN", "{path}");
            check(path.clone(), &html);
        }
        // Sent back for changes, with a note as a reviewer writing Chinese types it: the
        // applicant's pages with the request, the wizard with the note beside its field, and the
        // reviewer's page; then resubmitted, and the reviewer's page of round 2 with what changed.
        let note = "请使用营业执照上登记的公司名称。";
        let r = reviewer.request_changes(&id, 1, &[("company_name", note)], "").await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let sent_back: [(&TestApp, String); 5] = [
            (&ann, "/console".into()),
            (&ann, "/onboarding/business".into()),
            (&ann, format!("/onboarding/submitted?id={id}")),
            (&ann, format!("/workspaces/{id}/onboarding")),
            (&reviewer, format!("/review/{id}")),
        ];
        for (client, path) in &sent_back {
            let (status, html) = client.html(path).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(html_lang(&html), "zh-CN", "{path}");
            check(format!("{path} (changes requested)"), &html);
        }
        let (_, wizard) = ann.html("/onboarding/business").await;
        assert!(visible_text(&wizard).contains(note), "the note is beside its field");
        let r = ann.save("submit", &id, CHINESE_APPLICATION, None).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let (status, html) = reviewer.html(&format!("/review/{id}")).await;
        assert_eq!(status, 200);
        check(format!("/review/{id} (round 2)"), &html);

        // Approved, with a team: the Owner's pages with the invite form, a history of team
        // events (worded when read), and the invitation as the invited person opens it.
        let r = reviewer.call("review/approve", &[("id", &id), ("reason", ""), ("round", "2")]).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let li = member(&app, &ann, &id, "li@example.com", "lixiao", "developer").await;
        assert_eq!(ann.call("workspaces/block", &[("workspace_id", &id), ("member", "lixiao")]).await.status(), 200);
        drop(li);
        assert_eq!(ann.invite(&id, "zhao@example.com", "operator").await.status(), 200);
        let token = token_in_mail(&app, "zhao@example.com", 1).await;
        let mut approved: Vec<(&TestApp, String)> = vec![
            (&ann, "/console".into()),
            (&ann, format!("/workspaces/{id}")),
            (&ann, format!("/workspaces/{id}/onboarding")),
            (&ann, format!("/workspaces/{id}/members")),
            (&reviewer, format!("/review/{id}")),
            (&signed_out, format!("/invitations/{token}")),
        ];
        for (client, path) in approved.drain(..) {
            let (status, html) = client.html(&path).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(html_lang(&html), "zh-CN", "{path}");
            check(format!("{path} (approved)"), &html);
        }
        let (_, details) = ann.html(&format!("/workspaces/{id}/onboarding")).await;
        assert!(visible_text(&details).contains("禁用了 lixiao"), "team events are worded in Chinese on the page");

        // A wrong sign-in, as a browser without JavaScript gets it back.
        let r = signed_out.post_form("accounts/sign_in", "/signin", &[("login", "wangxm"), ("password", "wrong password here")]).await;
        let back = r.headers()["location"].to_str().unwrap().to_string();
        let html = signed_out.client.get(&back).header("accept", "text/html").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("error-summary"));
        check("/signin (error)".into(), &html);
        assert!(found.is_empty(), "English left on Chinese pages:\n{}", found.join("\n"));
    }
}
