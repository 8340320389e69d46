//! The dev mailbox (`/dev/mailbox`): with no SMTP server configured, every mail the portal
//! sends is kept here, newest first. With `SMTP_URL` set it does not exist.

use crate::error::{AppError, ErrorKind};
use crate::ui::moment::{Moment, When};
use crate::ui::page::{answer_not_found, Loading};
use leptos::either::Either;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevMail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub created_at: Moment,
}

#[server(endpoint = "dev/mailbox")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn dev_mailbox() -> Result<Vec<DevMail>, AppError> {
    use crate::server::request::{state, OrInternal};
    use crate::ui::moment;

    #[derive(sqlx::FromRow)]
    struct OutboxRow {
        id: String,
        recipient: String,
        subject: String,
        text_body: String,
        status: String,
        created_at: i64,
    }

    let st = state()?;
    if !st.config.dev_mailbox() {
        return Err(AppError::not_found());
    }
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, recipient, subject, text_body, status, created_at FROM outbox \
         ORDER BY created_at DESC, id LIMIT 200",
    )
    .fetch_all(&st.db.pool)
    .await
    .or_internal("reading the dev mailbox")?;
    Ok(rows
        .into_iter()
        .map(|r| DevMail {
            id: r.id,
            to: r.recipient,
            subject: r.subject,
            body: r.text_body,
            status: r.status,
            created_at: moment::at(r.created_at),
        })
        .collect())
}

/// The mail's text with its web addresses as links, as a mail program shows them.
fn linkify(body: &str) -> impl IntoView {
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = [rest.find("http://"), rest.find("https://")]
        .into_iter()
        .flatten()
        .min()
    {
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |n| start + n);
        parts.push(Either::Left(rest[..start].to_string()));
        let href = rest[start..end].to_string();
        let text = href.clone();
        parts.push(Either::Right(view! { <a href=href>{text}</a> }));
        rest = &rest[end..];
    }
    parts.push(Either::Left(rest.to_string()));
    parts
}

#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let t = &crate::i18n::t().review.mailbox;
    let mails = Resource::new(|| (), |_| dev_mailbox());
    view! {
        <Title text=t.title/>
        <section class="panel">
            <h1>{t.title}</h1>
            <p class="muted">{t.intro}</p>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match mails.await {
                        Ok(list) if list.is_empty() => EitherOf3::A(view! {
                            <div class="empty-state"><h2>{t.empty_title}</h2><p>{t.empty_text}</p></div>
                        }),
                        Ok(list) => EitherOf3::B(view! {
                            <ol class="mail-list">
                                {list.into_iter().map(|m| {
                                    let label = crate::i18n::fill(t.mail_label, &[("to", &m.to), ("subject", &m.subject)]);
                                    view! {
                                    <li class="mail" aria-label=label>
                                        <div class="mail__head">
                                            <span class="mail__subject">{m.subject}</span>
                                            <span class="mail__meta">{t.to_prefix} <span class="mail__to">{m.to}</span> " · " <When at=m.created_at/> " · " {m.status}</span>
                                        </div>
                                        <pre class="mail__body">{linkify(&m.body)}</pre>
                                    </li>
                                }}).collect_view()}
                            </ol>
                        }),
                        Err(e) => {
                            let text = if e.kind == ErrorKind::NotFound {
                                answer_not_found();
                                t.no_mailbox.to_string()
                            } else {
                                e.message
                            };
                            EitherOf3::C(view! { <div class="empty-state"><h2>{t.not_available}</h2><p>{text}</p></div> })
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
