//! The words of every mail, as plain text and HTML.

use super::Mail;

pub const PLATFORM: &str = "Mini Program Platform";

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Wraps paragraphs (already HTML) in the platform's simple layout.
pub fn layout(title: &str, paragraphs: &[String]) -> String {
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p style=\"margin:0 0 16px;line-height:1.5\">{p}</p>"))
        .collect();
    format!(
        "<!doctype html><html><body style=\"margin:0;background:#f4f6fb;font-family:Arial,Helvetica,sans-serif;color:#1c2333\">\
         <div style=\"max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:32px\">\
         <div style=\"font-weight:bold;color:#1677ff;margin-bottom:24px\">{PLATFORM}</div>\
         <h1 style=\"font-size:20px;margin:0 0 16px\">{}</h1>{body}\
         <p style=\"color:#6b7385;font-size:12px;margin-top:32px\">This message was sent by {PLATFORM}. If you did not expect it, you can ignore it.</p>\
         </div></body></html>",
        escape(title)
    )
}

pub fn text(paragraphs: &[String]) -> String {
    let mut s = paragraphs.join("\n\n");
    s.push_str(&format!(
        "\n\n-- \n{PLATFORM}. If you did not expect this message, you can ignore it.\n"
    ));
    s
}

fn code_mail(to: &str, subject: &str, intro: &str, code: &str) -> Mail {
    let lines = [
        intro.to_string(),
        format!("Your verification code is {code}"),
        format!(
            "It expires in {} minutes and can be used once. Never share it with anyone.",
            crate::domain::CODE_VALID_MINUTES
        ),
    ];
    let html_lines = [
        escape(intro),
        format!(
            "Your verification code is <strong style=\"font-size:24px;letter-spacing:4px\">{code}</strong>"
        ),
        escape(&lines[2]),
    ];
    Mail {
        to: to.into(),
        subject: subject.into(),
        text: text(&lines),
        html: layout(subject, &html_lines),
    }
}

pub fn signup_code(to: &str, code: &str) -> Mail {
    code_mail(
        to,
        &format!("Your {PLATFORM} sign-up code"),
        &format!("Use this code to finish creating your {PLATFORM} account."),
        code,
    )
}

pub fn reset_code(to: &str, code: &str) -> Mail {
    code_mail(
        to,
        &format!("Your {PLATFORM} password reset code"),
        "Use this code to choose a new password for your account.",
        code,
    )
}

/// Sent instead of a code when the address already has an account (no enumeration).
pub fn signup_existing(to: &str, public_url: &str) -> Mail {
    let subject = format!("Someone tried to sign up to {PLATFORM} with your email");
    let signin = format!("{public_url}/signin");
    let reset = format!("{public_url}/forgot-password");
    let lines = [
        "Someone tried to create an account with this email address, but you already have an account.".to_string(),
        format!("Sign in: {signin}"),
        format!("Forgot your password? Reset it: {reset}"),
        "If this was not you, no action is needed: your account is unchanged.".to_string(),
    ];
    let html_lines = [
        escape(&lines[0]),
        format!("<a href=\"{}\">Sign in</a>", escape(&signin)),
        format!(
            "Forgot your password? <a href=\"{}\">Reset it</a>.",
            escape(&reset)
        ),
        escape(&lines[3]),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(&lines),
        html: layout(&subject, &html_lines),
    }
}

/// After a reset with an e-mailed code: every session ended.
pub fn password_changed(to: &str, username: &str, public_url: &str) -> Mail {
    password_changed_saying(
        to,
        username,
        public_url,
        "The password of your account was just changed, and every signed-in device was signed out.",
    )
}

/// After a change on the account page: the device it was made on stays signed in.
pub fn password_changed_on_account_page(to: &str, username: &str, public_url: &str) -> Mail {
    password_changed_saying(
        to,
        username,
        public_url,
        "The password of your account was just changed from your account page, and every other signed-in device was signed out.",
    )
}

fn password_changed_saying(to: &str, username: &str, public_url: &str, what: &str) -> Mail {
    let subject = format!("Your {PLATFORM} password was changed");
    let reset = format!("{public_url}/forgot-password");
    let lines = [
        format!("Hello {username},"),
        what.to_string(),
        format!("If you did not do this, reset your password now: {reset}"),
    ];
    let html_lines = [
        escape(&lines[0]),
        escape(&lines[1]),
        format!(
            "If you did not do this, <a href=\"{}\">reset your password now</a>.",
            escape(&reset)
        ),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(&lines),
        html: layout(&subject, &html_lines),
    }
}

/// After "Delete my account", to the address the account had: what went and what stayed.
pub fn account_deleted(to: &str, username: &str, public_url: &str) -> Mail {
    let subject = format!("Your {PLATFORM} account was deleted");
    let signup = format!("{public_url}/signup");
    let lines = [
        format!("Hello {username},"),
        "Your account was just deleted from your account page, and every signed-in device was signed out. Your drafts were deleted.".to_string(),
        "Applications you submitted stay with the platform's reviewers for their records, with your email address replaced.".to_string(),
        format!("If you did not do this, someone who knew your password did. You can sign up again with this address: {signup}"),
    ];
    let html_lines = [
        escape(&lines[0]),
        escape(&lines[1]),
        escape(&lines[2]),
        format!(
            "If you did not do this, someone who knew your password did. You can <a href=\"{}\">sign up again</a> with this address.",
            escape(&signup)
        ),
    ];
    Mail {
        to: to.into(),
        subject: subject.clone(),
        text: text(&lines),
        html: layout(&subject, &html_lines),
    }
}

/// Paragraphs of plain text followed by one link: the shape of every application mail.
pub fn with_link(
    to: &str,
    subject: String,
    paragraphs: Vec<String>,
    label: &str,
    link: &str,
) -> Mail {
    let mut lines = paragraphs.clone();
    lines.push(format!("{label}: {link}"));
    let mut html_lines: Vec<String> = paragraphs.iter().map(|p| escape(p)).collect();
    html_lines.push(format!(
        "<a href=\"{}\">{}</a>",
        escape(link),
        escape(label)
    ));
    Mail {
        to: to.into(),
        html: layout(&subject, &html_lines),
        text: text(&lines),
        subject,
    }
}

/// Sent when an application is submitted (or resubmitted).
pub fn application_received(
    to: &str,
    username: &str,
    company: &str,
    id: &str,
    public_url: &str,
) -> Mail {
    with_link(
        to,
        format!("We received your application for {company}"),
        vec![
            format!("Hello {username},"),
            format!("Thank you for applying to {PLATFORM}. Your application for {company} is now Under Review."),
            "We will email you when it has been reviewed. You can track its status in your console at any time.".to_string(),
        ],
        "View the onboarding details",
        &format!("{public_url}/workspaces/{id}/onboarding"),
    )
}

/// Seed Step 3: "Once your request is approved, you will receive an approval email. You can
/// click the link in the email to view the onboarding details."
pub fn application_approved(
    to: &str,
    username: &str,
    company: &str,
    id: &str,
    public_url: &str,
) -> Mail {
    with_link(
        to,
        format!("Your application for {company} is approved"),
        vec![
            format!("Hello {username},"),
            format!("Good news: your request to join {PLATFORM} as {company} has been approved."),
            "Your account is now the Owner of the workspace. Sign in and open the workspace to manage your business.".to_string(),
        ],
        "View the onboarding details",
        &format!("{public_url}/workspaces/{id}/onboarding"),
    )
}

pub fn application_rejected(
    to: &str,
    username: &str,
    company: &str,
    reason: &str,
    public_url: &str,
) -> Mail {
    with_link(
        to,
        format!("Your application for {company} needs changes"),
        vec![
            format!("Hello {username},"),
            format!("We reviewed your application for {company} and could not approve it yet."),
            format!("Reason: {reason}"),
            "You can edit your business information and submit it again.".to_string(),
        ],
        "Edit and resubmit",
        &format!("{public_url}/onboarding/business"),
    )
}
