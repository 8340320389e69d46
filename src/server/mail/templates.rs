//! The words of every mail, as plain text and HTML. A mail is written in its RECIPIENT's
//! language (`lang`, the first parameter of each), not the request's: the catalogue's `mail`.

use super::Mail;
use crate::i18n::{fill, Lang};

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A link, in HTML: `href` and the words are escaped here.
fn anchor(href: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(href), escape(label))
}

/// Wraps paragraphs (already HTML) in the platform's simple layout.
pub fn layout(lang: Lang, title: &str, paragraphs: &[String]) -> String {
    let m = &lang.texts().mail;
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p style=\"margin:0 0 16px;line-height:1.5\">{p}</p>"))
        .collect();
    let platform = escape(m.platform);
    let footer = escape(&fill(m.html_footer, &[("platform", &m.platform)]));
    format!(
        "<!doctype html><html lang=\"{}\"><body style=\"margin:0;background:#f4f6fb;font-family:Arial,Helvetica,sans-serif;color:#1c2333\">\
         <div style=\"max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:32px\">\
         <div style=\"font-weight:bold;color:#1677ff;margin-bottom:24px\">{platform}</div>\
         <h1 style=\"font-size:20px;margin:0 0 16px\">{}</h1>{body}\
         <p style=\"color:#6b7385;font-size:12px;margin-top:32px\">{footer}</p>\
         </div></body></html>",
        lang.tag(),
        escape(title)
    )
}

pub fn text(lang: Lang, paragraphs: &[String]) -> String {
    let m = &lang.texts().mail;
    let mut s = paragraphs.join("\n\n");
    s.push_str("\n\n-- \n");
    s.push_str(&fill(m.text_footer, &[("platform", &m.platform)]));
    s.push('\n');
    s
}

fn code_mail(lang: Lang, to: &str, subject: &str, intro: &str, code: &str) -> Mail {
    let m = &lang.texts().mail;
    let lines = [
        intro.to_string(),
        fill(m.code_is, &[("code", &code)]),
        fill(
            m.code_expiry,
            &[("minutes", &crate::domain::CODE_VALID_MINUTES)],
        ),
    ];
    let strong = format!("<strong style=\"font-size:24px;letter-spacing:4px\">{code}</strong>");
    let html_lines = [
        escape(intro),
        fill(&escape(m.code_is), &[("code", &strong)]),
        escape(&lines[2]),
    ];
    Mail {
        to: to.into(),
        subject: subject.into(),
        text: text(lang, &lines),
        html: layout(lang, subject, &html_lines),
    }
}

pub fn signup_code(lang: Lang, to: &str, code: &str) -> Mail {
    let m = &lang.texts().mail;
    let platform: &[(&str, &dyn std::fmt::Display)] = &[("platform", &m.platform)];
    code_mail(
        lang,
        to,
        &fill(m.signup_code_subject, platform),
        &fill(m.signup_code_intro, platform),
        code,
    )
}

pub fn reset_code(lang: Lang, to: &str, code: &str) -> Mail {
    let m = &lang.texts().mail;
    code_mail(
        lang,
        to,
        &fill(m.reset_code_subject, &[("platform", &m.platform)]),
        m.reset_code_intro,
        code,
    )
}

/// Sent instead of a code when the address already has an account (no enumeration).
pub fn signup_existing(lang: Lang, to: &str, public_url: &str) -> Mail {
    let m = &lang.texts().mail;
    let subject = fill(m.signup_existing_subject, &[("platform", &m.platform)]);
    let signin = format!("{public_url}/signin");
    let reset = format!("{public_url}/forgot-password");
    let lines = [
        m.signup_existing_intro.to_string(),
        fill(
            m.link_line,
            &[("label", &m.sign_in_label), ("link", &signin)],
        ),
        fill(m.signup_existing_reset, &[("link", &reset)]),
        m.signup_existing_not_you.to_string(),
    ];
    let html_lines = [
        escape(&lines[0]),
        anchor(&signin, m.sign_in_label),
        fill(
            &escape(m.signup_existing_reset_html),
            &[("link", &anchor(&reset, m.reset_it_label))],
        ),
        escape(&lines[3]),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(lang, &lines),
        html: layout(lang, &subject, &html_lines),
    }
}

/// After a reset with an e-mailed code: every session ended.
pub fn password_changed(lang: Lang, to: &str, username: &str, public_url: &str) -> Mail {
    password_changed_saying(
        lang,
        to,
        username,
        public_url,
        lang.texts().mail.password_changed_after_reset,
    )
}

/// After a change on the account page: the device it was made on stays signed in.
pub fn password_changed_on_account_page(
    lang: Lang,
    to: &str,
    username: &str,
    public_url: &str,
) -> Mail {
    password_changed_saying(
        lang,
        to,
        username,
        public_url,
        lang.texts().mail.password_changed_on_account_page,
    )
}

fn password_changed_saying(
    lang: Lang,
    to: &str,
    username: &str,
    public_url: &str,
    what: &str,
) -> Mail {
    let m = &lang.texts().mail;
    let subject = fill(m.password_changed_subject, &[("platform", &m.platform)]);
    let reset = format!("{public_url}/forgot-password");
    let lines = [
        fill(m.hello, &[("username", &username)]),
        what.to_string(),
        fill(m.password_changed_not_you, &[("link", &reset)]),
    ];
    let html_lines = [
        escape(&lines[0]),
        escape(&lines[1]),
        fill(
            &escape(m.password_changed_not_you_html),
            &[("link", &anchor(&reset, m.reset_password_now_label))],
        ),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(lang, &lines),
        html: layout(lang, &subject, &html_lines),
    }
}

/// After "Delete my account", to the address the account had: what went and what stayed.
pub fn account_deleted(lang: Lang, to: &str, username: &str, public_url: &str) -> Mail {
    let m = &lang.texts().mail;
    let subject = fill(m.account_deleted_subject, &[("platform", &m.platform)]);
    let signup = format!("{public_url}/signup");
    let lines = [
        fill(m.hello, &[("username", &username)]),
        m.account_deleted_what.to_string(),
        m.account_deleted_applications.to_string(),
        fill(m.account_deleted_not_you, &[("link", &signup)]),
    ];
    let html_lines = [
        escape(&lines[0]),
        escape(&lines[1]),
        escape(&lines[2]),
        fill(
            &escape(m.account_deleted_not_you_html),
            &[("link", &anchor(&signup, m.sign_up_again_label))],
        ),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(lang, &lines),
        html: layout(lang, &subject, &html_lines),
    }
}

/// Two-step verification changed on the account (`what`: turned on or off, new recovery
/// codes, the operator's reset), with a link to its page.
pub fn second_factor_changed(
    lang: Lang,
    to: &str,
    username: &str,
    public_url: &str,
    what: &str,
) -> Mail {
    let texts = lang.texts();
    let tf = &texts.second_factor;
    with_link(
        lang,
        to,
        fill(tf.mail_subject, &[("platform", &texts.mail.platform)]),
        vec![
            fill(texts.mail.hello, &[("username", &username)]),
            what.to_string(),
            tf.mail_not_you.to_string(),
        ],
        tf.title,
        &format!("{public_url}{}", crate::accounts::SECOND_FACTOR_PATH),
    )
}

/// Paragraphs of plain text followed by one link: the shape of every application mail.
pub fn with_link(
    lang: Lang,
    to: &str,
    subject: String,
    paragraphs: Vec<String>,
    label: &str,
    link: &str,
) -> Mail {
    let m = &lang.texts().mail;
    let mut lines = paragraphs.clone();
    lines.push(fill(m.link_line, &[("label", &label), ("link", &link)]));
    let mut html_lines: Vec<String> = paragraphs.iter().map(|p| escape(p)).collect();
    html_lines.push(anchor(link, label));
    Mail {
        to: to.into(),
        html: layout(lang, &subject, &html_lines),
        text: text(lang, &lines),
        subject,
    }
}

/// Sent when an application is submitted (or resubmitted).
pub fn application_received(
    lang: Lang,
    to: &str,
    username: &str,
    company: &str,
    id: &str,
    public_url: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.application_received_subject, &[("company", &company)]),
        vec![
            fill(m.hello, &[("username", &username)]),
            fill(
                m.application_received_thanks,
                &[("platform", &m.platform), ("company", &company)],
            ),
            m.application_received_next.to_string(),
        ],
        m.view_onboarding_label,
        &format!("{public_url}/workspaces/{id}/onboarding"),
    )
}

/// Seed Step 3: "Once your request is approved, you will receive an approval email. You can
/// click the link in the email to view the onboarding details."
pub fn application_approved(
    lang: Lang,
    to: &str,
    username: &str,
    company: &str,
    id: &str,
    public_url: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.application_approved_subject, &[("company", &company)]),
        vec![
            fill(m.hello, &[("username", &username)]),
            fill(
                m.application_approved_news,
                &[("platform", &m.platform), ("company", &company)],
            ),
            m.application_approved_owner.to_string(),
        ],
        m.view_onboarding_label,
        &format!("{public_url}/workspaces/{id}/onboarding"),
    )
}

/// The reviewer's `reason` goes in as they wrote it (never translated).
pub fn application_rejected(
    lang: Lang,
    to: &str,
    username: &str,
    company: &str,
    reason: &str,
    public_url: &str,
) -> Mail {
    let m = &lang.texts().mail;
    with_link(
        lang,
        to,
        fill(m.application_rejected_subject, &[("company", &company)]),
        vec![
            fill(m.hello, &[("username", &username)]),
            fill(m.application_rejected_intro, &[("company", &company)]),
            fill(m.application_rejected_reason, &[("reason", &reason)]),
            m.application_rejected_next.to_string(),
        ],
        m.start_new_application_label,
        &format!("{public_url}/onboarding/role"),
    )
}

/// Sent when a reviewer asks for changes: each field with the reviewer's note, and a link to
/// the form that marks them.
pub fn application_changes_requested(
    lang: Lang,
    to: &str,
    username: &str,
    company: &str,
    request: &crate::domain::ChangeRequest,
    public_url: &str,
) -> Mail {
    let texts = lang.texts();
    let m = &texts.mail;
    let mut paragraphs = vec![
        fill(m.hello, &[("username", &username)]),
        fill(m.changes_requested_intro, &[("company", &company)]),
    ];
    // Values typed by the reviewer go in last, so braces in them are never placeholders.
    paragraphs.extend(request.fields().iter().map(|f| {
        fill(
            m.changes_requested_item,
            &[("field", &f.field.label_in(texts)), ("note", &f.note)],
        )
    }));
    if !request.general().is_empty() {
        paragraphs.push(fill(
            m.changes_requested_note,
            &[("note", &request.general())],
        ));
    }
    paragraphs.push(m.changes_requested_next.to_string());
    with_link(
        lang,
        to,
        fill(m.changes_requested_subject, &[("company", &company)]),
        paragraphs,
        m.edit_and_resubmit_label,
        &format!("{public_url}/onboarding/business"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In every language, each mail fills every placeholder, and its HTML says its language;
    /// the reviewer's reason goes in as written.
    #[test]
    fn every_language_writes_every_mail_whole() {
        let (to, name, url) = ("ann@example.com", "annlee", "http://127.0.0.1:3000");
        for lang in Lang::ALL {
            let mails = [
                signup_code(lang, to, "123456"),
                reset_code(lang, to, "123456"),
                signup_existing(lang, to, url),
                password_changed(lang, to, name, url),
                password_changed_on_account_page(lang, to, name, url),
                account_deleted(lang, to, name, url),
                application_received(lang, to, name, "Acme", "a1", url),
                application_approved(lang, to, name, "Acme", "a1", url),
                application_rejected(lang, to, name, "Acme", "The logo is blurry.", url),
                application_changes_requested(
                    lang,
                    to,
                    name,
                    "Acme",
                    &crate::domain::ChangeRequest::parse(
                        &[(
                            crate::domain::BusinessField::Logo,
                            "The logo is blurry and too small.",
                        )],
                        "Thank you.",
                    )
                    .unwrap(),
                    url,
                ),
            ];
            for m in &mails {
                for part in [&m.subject, &m.text, &m.html] {
                    let whole = !part.contains('{') && !part.contains('}');
                    assert!(whole, "{lang:?}: {part}");
                }
                assert!(
                    m.html.contains(&format!("<html lang=\"{}\">", lang.tag())),
                    "{lang:?}: {}",
                    m.html
                );
                assert!(
                    m.text.contains(lang.texts().mail.platform),
                    "{lang:?}: {}",
                    m.text
                );
            }
            assert!(mails[0].text.contains("123456") && mails[0].html.contains("123456"));
            assert!(
                mails[9].text.contains("The logo is blurry and too small.")
                    && mails[9].text.contains("/onboarding/business"),
                "{}",
                mails[9].text
            );
            assert!(
                mails[8].text.contains("The logo is blurry."),
                "{}",
                mails[8].text
            );
        }
    }

    #[test]
    fn english_mails_read_as_they_always_did() {
        let m = signup_code(Lang::En, "ann@example.com", "123456");
        assert_eq!(m.subject, "Your Mini Program Platform sign-up code");
        let expected = "Use this code to finish creating your Mini Program Platform account.\n\n\
             Your verification code is 123456\n\n\
             It expires in 10 minutes and can be used once. Never share it with anyone.\n\n\
             -- \nMini Program Platform. If you did not expect this message, you can ignore it.\n";
        assert_eq!(m.text, expected);
        let code = "Your verification code is \
             <strong style=\"font-size:24px;letter-spacing:4px\">123456</strong>";
        let footer = "This message was sent by Mini Program Platform. \
             If you did not expect it, you can ignore it.";
        assert!(
            m.html.contains(code) && m.html.contains(footer),
            "{}",
            m.html
        );
        let m = signup_existing(Lang::En, "ann@example.com", "http://x");
        assert!(m.text.contains("Sign in: http://x/signin"), "{}", m.text);
        let reset = "Forgot your password? <a href=\"http://x/forgot-password\">Reset it</a>.";
        assert!(m.html.contains(reset), "{}", m.html);
    }
}
