//! `/review`: the queue with counts, filters, search, sort and paging. It follows the live
//! feed: rows change in place, new ones are marked and announced, and the filters, page and
//! scroll position stay as they are. Pages go by cursor (`after=`/`before=` a row's key), in
//! plain links that carry the filters, so paging works before the WASM has loaded.

use super::{review_queue, QueuePage, QueueRow};
use crate::applications::StatusBadge;
use crate::domain::{Role, Status};
use crate::i18n::fill;
use crate::live::{use_live_events, LiveEvent, LiveIndicator};
use crate::ui::guard::ErrorView;
use crate::ui::moment::When;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_query_map};

#[derive(Clone, Debug, PartialEq, Eq)]
struct Query {
    status: String,
    role: String,
    country: String,
    q: String,
    sort: String,
    /// The cursor of the page shown (`QueuePage::next` or `previous` of the one before).
    after: String,
    before: String,
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let t = crate::i18n::t();
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            Query {
                status: get("status"),
                role: get("role"),
                country: get("country"),
                q: get("q"),
                sort: get("sort"),
                after: get("after"),
                before: get("before"),
            }
        })
    };
    let refresh = RwSignal::new(0u32);
    let queue = Resource::new(
        move || (params(), refresh.get()),
        |(p, _)| review_queue(p.status, p.role, p.country, p.q, p.sort, p.after, p.before),
    );
    // Ids of applications submitted while the page was open, marked "New" until reload.
    let fresh = RwSignal::new(Vec::<String>::new());
    // What the polite live region says last: the latest arrivals or decision.
    let announcement = RwSignal::new(String::new());
    let announce = move |event: &LiveEvent| {
        let t = &crate::i18n::t().review.dashboard;
        let text = match event.kind.as_str() {
            "submitted" | "resubmitted" => match fresh.with_untracked(Vec::len) {
                1 => t.arrived_one.to_string(),
                n => crate::i18n::fill(t.arrived_other, &[("count", &n)]),
            },
            "approved" => t.announce_approved.to_string(),
            "rejected" => t.announce_rejected.to_string(),
            // Assignments are not news.
            _ => return,
        };
        announcement.set(text);
    };
    let live = use_live_events(
        move |event| {
            if event.is_new_submission() {
                fresh.update(|f| {
                    if !f.contains(&event.application_id) {
                        f.push(event.application_id.clone());
                    }
                });
            }
            announce(&event);
            refresh.update(|n| *n += 1);
        },
        move || refresh.update(|n| *n += 1),
    );

    view! {
        <Title text=t.review.dashboard.title/>
        <section class="panel panel--wide">
            <div class="panel__head">
                <h1>{t.review.dashboard.title}</h1>
                <LiveIndicator state=live/>
            </div>
            <p class="visually-hidden" role="status" aria-live="polite">{move || announcement.get()}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(page) => Either::Left(view! { <Queue page query=params() fresh/> }),
                        Err(e) => Either::Right(view! { <ErrorView error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Queue(page: QueuePage, query: Query, fresh: RwSignal<Vec<String>>) -> impl IntoView {
    let t = &crate::i18n::t().review.dashboard;
    let location = use_location();
    // Kept in the detail links, so "Back to the queue" returns to the same filters and page.
    let list_query = match location.search.get_untracked().trim_start_matches('?') {
        "" => String::new(),
        q => format!("?{q}"),
    };
    let counts = page
        .counts
        .iter()
        .map(|(status, n)| {
            let href = format!("/review?status={}", status.key());
            view! {
                <li class=format!("count count--{}", status.key())>
                    <a href=href>
                        <span class="count__n">{*n}</span>
                        <span class="count__label">{status.label()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let option = |value: &str, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value.to_string() selected=selected>{label}</option> }
    };
    let status_options = [Status::UnderReview, Status::Approved, Status::Rejected]
        .into_iter()
        .map(|s| option(s.key(), s.label().to_string(), &query.status))
        .collect_view();
    let role_options = [Role::Isv, Role::Merchant]
        .into_iter()
        .map(|r| option(r.key(), r.label().to_string(), &query.role))
        .collect_view();
    let country_options = page
        .countries
        .iter()
        .map(|(code, name)| option(code, name.clone(), &query.country))
        .collect_view();
    // `cursor` is `after=…` or `before=…`: the other filters stay as they are.
    let pager_href = {
        let query = query.clone();
        move |cursor: (&str, &str)| {
            format!(
                "/review?status={}&role={}&country={}&q={}&sort={}&{}={}",
                encode(&query.status),
                encode(&query.role),
                encode(&query.country),
                encode(&query.q),
                encode(&query.sort),
                cursor.0,
                encode(cursor.1)
            )
        }
    };
    let previous_href = page.previous.as_deref().map(|c| pager_href(("before", c)));
    let next_href = page.next.as_deref().map(|c| pager_href(("after", c)));
    let filtered = !(query.status.is_empty()
        && query.role.is_empty()
        && query.country.is_empty()
        && query.q.is_empty());
    let rows = page.rows.clone();
    view! {
        <ul class="counts" aria-label=t.counts_label>{counts}</ul>
        <Form method="GET" action="/review" attr:class="filters" attr:role="search">
            <div class="field field--inline">
                <label for="status" class="field__label">{t.status}</label>
                <select id="status" name="status" autocomplete="off">
                    <option value="">{t.all_statuses}</option>
                    {status_options}
                </select>
            </div>
            <div class="field field--inline">
                <label for="role" class="field__label">{t.role}</label>
                <select id="role" name="role" autocomplete="off">
                    <option value="">{t.all_roles}</option>
                    {role_options}
                </select>
            </div>
            <div class="field field--inline">
                <label for="country" class="field__label">{t.country}</label>
                <select id="country" name="country" autocomplete="off">
                    <option value="">{t.all_countries}</option>
                    {country_options}
                </select>
            </div>
            <div class="field field--inline field--grow">
                <label for="q" class="field__label">{t.search}</label>
                <input id="q" name="q" type="search" value=query.q.clone() placeholder=t.search_placeholder
                    maxlength="100" autocomplete="off"/>
            </div>
            <div class="field field--inline">
                <label for="sort" class="field__label">{t.sort}</label>
                <select id="sort" name="sort" autocomplete="off">
                    <option value="" selected=query.sort != "oldest">{t.newest_first}</option>
                    <option value="oldest" selected=query.sort == "oldest">{t.oldest_first}</option>
                </select>
            </div>
            <button type="submit" class="btn btn--secondary">{t.apply}</button>
            {filtered.then(|| view! { <a class="btn btn--ghost" href="/review">{t.clear}</a> })}
        </Form>
        {if rows.is_empty() {
            Either::Left(view! {
                <div class="empty-state">
                    <h2>{if filtered { t.empty_filtered_title } else { t.empty_title }}</h2>
                    <p>{if filtered { t.empty_filtered_text } else { t.empty_text }}</p>
                </div>
            })
        } else {
            Either::Right(view! {
                <div class="table-wrap">
                    <table class="queue">
                        <caption class="visually-hidden">{t.table_caption}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t.col_company}</th>
                                <th scope="col">{t.role}</th>
                                <th scope="col">{t.country}</th>
                                <th scope="col">{t.col_applicant}</th>
                                <th scope="col">{t.col_submitted}</th>
                                <th scope="col">{t.status}</th>
                                <th scope="col">{t.col_assigned_to}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().map(|row| view! { <Row row fresh list_query=list_query.clone()/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })
        }}
        <nav class="pager" aria-label=t.pages_label>
            <span>{fill(
                if page.total_capped { t.total_capped } else if page.total == 1 { t.total_one } else { t.total_other },
                &[("count", &page.total)],
            )}</span>
            {previous_href.map(|href| view! { <a href=href rel="prev">{t.previous}</a> })}
            {next_href.map(|href| view! { <a href=href rel="next">{t.next}</a> })}
        </nav>
    }
}

#[component]
fn Row(row: QueueRow, fresh: RwSignal<Vec<String>>, list_query: String) -> impl IntoView {
    let t = &crate::i18n::t().review.dashboard;
    let id = row.id.clone();
    let is_new = Signal::derive(move || fresh.with(|f| f.contains(&id)));
    let href = format!("/review/{}{}", row.id, list_query);
    view! {
        <tr class:queue__row--new=is_new>
            <th scope="row">
                <a href=href>{row.company_name.clone()}</a>
                {move || is_new.get().then(|| view! { <span class="tag tag--new">{t.tag_new}</span> })}
                {row.resubmitted.then(|| view! { <span class="tag">{t.tag_resubmitted}</span> })}
            </th>
            <td>{row.role.label()}</td>
            <td>{row.country_name.clone()}</td>
            <td><span class="queue__applicant">{row.applicant.clone()}</span><span class="queue__email">{row.email.clone()}</span></td>
            <td>{row.submitted_at.clone().map(|at| view! { <When at/> })}</td>
            <td><StatusBadge status=row.status/></td>
            <td>{row.assigned_to.clone().unwrap_or_else(|| t.unassigned.into())}</td>
        </tr>
    }
}

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
