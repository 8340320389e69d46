//! How an application looks wherever it is shown (the console, the confirmation after Submit,
//! the review pages): its status badge, its business details and its history.

use super::{ApplicationView, HistoryEntry};
use crate::domain::Status;
use crate::i18n::fill;
use crate::ui::moment::When;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! { <span class=format!("badge badge--{}", status.key())>{status.label()}</span> }
}

#[component]
pub fn BusinessDetails(app: ApplicationView) -> impl IntoView {
    let t = &crate::i18n::t().review.application;
    let f = app.fields;
    let optional = |v: String| {
        if v.is_empty() {
            t.not_provided.to_string()
        } else {
            v
        }
    };
    view! {
        <dl class="details">
            <div><dt>{t.role}</dt><dd>{app.role.label()}</dd></div>
            <div><dt>{t.company_name}</dt><dd>{f.company_name}</dd></div>
            <div><dt>{t.business_address}</dt><dd>{f.business_address}</dd></div>
            <div><dt>{t.country}</dt><dd>{app.country_name}</dd></div>
            <div><dt>{t.representative}</dt><dd>{f.representative}</dd></div>
            <div><dt>{t.website}</dt><dd>{optional(f.website)}</dd></div>
            <div><dt>{t.service_phone}</dt><dd>{optional(f.service_phone)}</dd></div>
            <div><dt>{t.service_email}</dt><dd>{optional(f.service_email)}</dd></div>
        </dl>
    }
}

/// An application's history, oldest first: what happened, when, by whom, and in which round.
#[component]
pub fn History(
    entries: Vec<HistoryEntry>,
    /// A round's label links to this followed by the round's number (`#round-` for a section of
    /// this page); `None` leaves it plain text.
    round_href: Option<String>,
) -> impl IntoView {
    let t = &crate::i18n::t().review.application;
    view! {
        <ol class="history">
            {entries.into_iter().map(|h| {
                let round = (h.round > 0).then(|| {
                    let label = fill(t.round, &[("round", &h.round)]);
                    let link = match &round_href {
                        Some(prefix) => Either::Left(view! { <a href=format!("{prefix}{}", h.round)>{label}</a> }),
                        None => Either::Right(view! { <span>{label}</span> }),
                    };
                    view! { " · " {link} }
                });
                view! {
                    <li class=format!("history__item history__item--{}", h.kind)>
                        <span class="history__what">{h.note}</span>
                        <span class="history__meta"><When at=h.at/> {h.actor.map(|w| fill(t.history_by, &[("name", &w)]))}
                            {round}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
