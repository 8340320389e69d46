//! How an application looks wherever it is shown (the console, the confirmation after Submit,
//! the review pages): its status badge, its business details and its history.

use super::{ApplicationView, HistoryEntry, RoundView};
use crate::domain::BusinessField;
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

/// What a reviewer asked to change: each field with its note (linking to the form's field
/// when `link` is set, as on the applicant's form), and the general note.
#[component]
pub fn RequestedChanges(
    request: crate::domain::ChangeRequest,
    #[prop(optional)] link: bool,
) -> impl IntoView {
    let t = &crate::i18n::t().review.application;
    let general = (!request.general().is_empty())
        .then(|| view! { <p class="requested__general">{fill(t.requested_general, &[("note", &request.general())])}</p> });
    view! {
        <div class="requested">
            <p class="requested__title"><strong>{t.requested_changes}</strong></p>
            <ul class="requested__list">
                {request.fields().iter().map(|f| {
                    let label = f.field.label();
                    let name = if link {
                        Either::Left(view! { <a href=format!("#{}", f.field.key())>{label}</a> })
                    } else {
                        Either::Right(view! { <strong>{label}</strong> })
                    };
                    view! { <li>{name} ": " {f.note.clone()}</li> }
                }).collect_view()}
            </ul>
            {general}
        </div>
    }
}

/// What a comparison of rounds compares: the role applied for, and each business field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Role,
    Field(BusinessField),
}

impl Part {
    fn all() -> impl Iterator<Item = Part> {
        std::iter::once(Part::Role).chain(BusinessField::ALL.into_iter().map(Part::Field))
    }

    fn label(self) -> &'static str {
        match self {
            Part::Role => crate::i18n::t().review.application.role,
            Part::Field(f) => f.label(),
        }
    }

    fn value(self, app: &ApplicationView) -> Option<String> {
        match self {
            Part::Role => Some(app.role.label().to_string()),
            Part::Field(f) => shown_value(app, f),
        }
    }
}

/// What changed in round `shown` since the round before: each changed part old → new (the
/// logos side by side), the reviewer's request on the earlier round beside its field, and the
/// unchanged parts folded away. Nothing for a first round. It counts what the server counts
/// (`applications::store`'s `CHANGED`): the role and the eight fields.
#[component]
pub fn Comparison(rounds: Vec<RoundView>, shown: i64) -> impl IntoView {
    let t = &crate::i18n::t().review.detail;
    let now = rounds.iter().find(|r| r.app.round == shown)?;
    let before = rounds.iter().find(|r| r.app.round == shown - 1)?;
    let asked = before.app.requested_changes.clone().unwrap_or_default();
    let note_on = |p: Part| match p {
        Part::Field(f) => asked.note_on(f).map(str::to_string),
        Part::Role => None,
    };
    let (changed, unchanged): (Vec<Part>, Vec<Part>) =
        Part::all().partition(|p| p.value(&before.app) != p.value(&now.app));
    // A field the reviewer asked about that did not change stays in sight, said so.
    let (asked_unchanged, unchanged): (Vec<Part>, Vec<Part>) =
        unchanged.into_iter().partition(|p| note_on(*p).is_some());
    let summary = match changed.len() {
        0 => t.compare_none.to_string(),
        1 => t.compare_one.to_string(),
        n => fill(t.compare_other, &[("count", &n)]),
    };
    let (old_round, new_round) = (
        fill(
            crate::i18n::t().review.application.round,
            &[("round", &before.app.round)],
        ),
        fill(
            crate::i18n::t().review.application.round,
            &[("round", &shown)],
        ),
    );
    let cell = |app: &ApplicationView, part: Part| match (part, app.logo_url.clone()) {
        (Part::Field(BusinessField::Logo), Some(src)) => Either::Left(view! {
            <img class="comparison__logo" src=src alt=fill(t.compare_logo_alt, &[("round", &app.round)]) width="64" height="64"/>
        }),
        _ => Either::Right(
            part.value(app)
                .unwrap_or_else(|| crate::i18n::t().review.application.not_provided.to_string()),
        ),
    };
    let asked_line = |p: Part| {
        note_on(p).map(
            |n| view! { <p class="comparison__asked">{fill(t.compare_asked, &[("note", &n)])}</p> },
        )
    };
    let rows = changed
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{p.label()} {asked_line(*p)}</th>
                    <td class="comparison__old">{cell(&before.app, *p)}</td>
                    <td class="comparison__new">{cell(&now.app, *p)}</td>
                </tr>
            }
        })
        .collect_view();
    let kept_rows = asked_unchanged
        .iter()
        .map(|p| {
            view! {
                <tr class="comparison__row--kept">
                    <th scope="row">{p.label()} {asked_line(*p)}</th>
                    <td>{cell(&before.app, *p)}</td>
                    <td class="comparison__kept">{t.compare_not_changed}</td>
                </tr>
            }
        })
        .collect_view();
    let folded = (!unchanged.is_empty()).then(|| {
        view! {
            <details class="comparison__unchanged">
                <summary>{fill(t.compare_unchanged, &[("count", &unchanged.len())])}</summary>
                <ul>{unchanged.iter().map(|p| view! { <li>{p.label()}</li> }).collect_view()}</ul>
            </details>
        }
    });
    let table = (!changed.is_empty() || !asked_unchanged.is_empty()).then(|| {
        view! {
            <table class="comparison__table">
                <thead><tr><th scope="col">{t.compare_field}</th><th scope="col">{old_round.clone()}</th><th scope="col">{new_round.clone()}</th></tr></thead>
                <tbody>{rows}{kept_rows}</tbody>
            </table>
        }
    });
    Some(view! {
        <section class="comparison" aria-labelledby=format!("comparison-{shown}")>
            <h2 id=format!("comparison-{shown}")>{fill(t.compare_title, &[("round", &before.app.round)])}</h2>
            <p class="comparison__summary">{summary}</p>
            {table}
            {folded}
        </section>
    })
}

/// A field of a round as the comparison shows it (`None`: empty); the logo by its stored
/// file, so a new upload of the same picture counts as a change, as the server counts it.
fn shown_value(app: &ApplicationView, field: BusinessField) -> Option<String> {
    let f = &app.fields;
    let v = match field {
        BusinessField::CompanyName => f.company_name.clone(),
        BusinessField::BusinessAddress => f.business_address.clone(),
        BusinessField::Country => app.country_name.clone(),
        BusinessField::Representative => f.representative.clone(),
        BusinessField::Logo => app.logo_url.clone().unwrap_or_default(),
        BusinessField::Website => f.website.clone(),
        BusinessField::ServicePhone => f.service_phone.clone(),
        BusinessField::ServiceEmail => f.service_email.clone(),
    };
    (!v.is_empty()).then_some(v)
}
