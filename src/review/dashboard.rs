//! `/review`: the queue with counts, filters, search, sort and paging. It follows the live
//! feed without fetching its page again: each event that moves the queue brings the
//! application's line as it now stands and the counts (`crate::live`), which are applied to the
//! rows shown as a fetch would show them (changed in place, put where the order puts them,
//! taken off when they no longer match). New ones are marked and announced, and the filters,
//! page, focus and scroll position stay as they are: a row that did not change keeps its
//! elements. An event without a line, or one the page cannot place, fetches the page again.
//! Pages go by cursor (`after=`/`before=` a row's key), in plain links that carry the
//! filters, so paging works before the WASM has loaded.

use super::{review_queue, LiveRow, QueuePage, QueueRow, PAGE_SIZE};
use crate::applications::StatusBadge;
use crate::domain::{CountryCode, Role, Status};
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
use std::cmp::Ordering;

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

impl Query {
    /// The page's query as `get` reads its parameters (a missing one is empty).
    fn read(get: impl Fn(&str) -> String) -> Query {
        Query {
            status: get("status"),
            role: get("role"),
            country: get("country"),
            q: get("q"),
            sort: get("sort"),
            after: get("after"),
            before: get("before"),
        }
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let t = crate::i18n::t();
    let query = use_query_map();
    let params = move || query.with(|q| Query::read(|k| q.get(k).unwrap_or_default()));
    let refresh = RwSignal::new(0u32);
    // The lines received since the page was last asked for (the latest of each application,
    // in the order they came). The answer may have been read before some of them: they are
    // applied to it again when it is drawn (a line is as it stood, and the counts with it, so
    // applying one twice changes nothing).
    let since_asked = StoredValue::new(Vec::<LiveRow>::new());
    let queue = Resource::new(
        move || (params(), refresh.get()),
        move |(p, _)| {
            since_asked.set_value(Vec::new());
            review_queue(p.status, p.role, p.country, p.q, p.sort, p.after, p.before)
        },
    );
    // The page drawn: what it was asked for, and how it came (`None` while none is); and how
    // the live feed has changed it since (`None`: as it came).
    let drawn = StoredValue::new(None::<(Query, QueuePage)>);
    let changed = RwSignal::new(None::<QueuePage>);
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
            "changes_requested" => t.announce_changes_requested.to_string(),
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
            // A workspace team's news: nothing the queue shows.
            if !LiveEvent::moves_queue(&event.kind) {
                return;
            }
            let applied = event.row.as_ref().and_then(|row| {
                drawn.with_value(|d| {
                    let (asked, first) = d.as_ref()?;
                    let page = changed.get_untracked().unwrap_or_else(|| first.clone());
                    apply(page, asked, row, Some(event.kind.as_str()))
                })
            });
            match (applied, event.row) {
                (Some(page), Some(row)) => {
                    changed.set(Some(page));
                    let kept = since_asked.with_value(|rows| rows.len()) < LINES_KEPT;
                    since_asked.update_value(|rows| {
                        rows.retain(|r| r.line.id != row.line.id);
                        rows.push(row);
                    });
                    // Open for long without asking: ask once more rather than keep them all.
                    if !kept {
                        refresh.update(|n| *n += 1);
                    }
                }
                // No line (it could not be read), a line this page cannot place, or no page
                // drawn: the page is asked for again.
                _ => refresh.update(|n| *n += 1),
            }
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
                    let answer = queue.await;
                    let asked = params();
                    match answer {
                        Ok(page) => {
                            // With what arrived while it was on its way.
                            let mut first = page;
                            let mut placed = true;
                            since_asked.with_value(|rows| {
                                for row in rows {
                                    match apply(first.clone(), &asked, row, None) {
                                        Some(page) => first = page,
                                        None => placed = false,
                                    }
                                }
                            });
                            if !placed {
                                ask_again(refresh);
                            }
                            drawn.set_value(Some((asked.clone(), first.clone())));
                            *changed.write_untracked() = None;
                            let shown = Memo::new(move |_| changed.get().unwrap_or_else(|| first.clone()));
                            Either::Left(view! { <Queue shown query=asked fresh/> })
                        }
                        Err(e) => {
                            drawn.set_value(None);
                            Either::Right(view! { <ErrorView error=e/> })
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// At most this many lines are kept for a page being asked for (see `since_asked`).
const LINES_KEPT: usize = 1000;

/// Asks for the page again, after the render that found it could not bring the page it drew
/// up to date (only ever in the browser: the server's page has no live feed).
fn ask_again(refresh: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move { refresh.update(|n| *n += 1) });
    #[cfg(not(feature = "hydrate"))]
    let _ = refresh;
}

/// The queue as drawn: `shown` is the page as it came, then as the live feed changes it
/// (see `ReviewPage`); the filters are drawn once, the rest follows `shown`.
#[component]
fn Queue(shown: Memo<QueuePage>, query: Query, fresh: RwSignal<Vec<String>>) -> impl IntoView {
    let t = &crate::i18n::t().review.dashboard;
    let location = use_location();
    // Kept in the detail links, so "Back to the queue" returns to the same filters and page.
    let list_query = match location.search.get_untracked().trim_start_matches('?') {
        "" => String::new(),
        q => format!("?{q}"),
    };
    let export_href = super::export::queue_csv_href(
        &query.status,
        &query.role,
        &query.country,
        &query.q,
        &query.sort,
    );
    let counts = Memo::new(move |_| shown.with(|p| p.counts.clone()));
    let counts = move || {
        counts
            .get()
            .into_iter()
            .map(|(status, n)| {
                let href = format!("/review?status={}", status.key());
                view! {
                    <li class=format!("count count--{}", status.key())>
                        <a href=href>
                            <span class="count__n">{n}</span>
                            <span class="count__label">{status.label()}</span>
                        </a>
                    </li>
                }
            })
            .collect_view()
    };
    let option = |value: &str, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value.to_string() selected=selected>{label}</option> }
    };
    let status_options = Status::SUBMITTED
        .into_iter()
        .map(|s| option(s.key(), s.label().to_string(), &query.status))
        .collect_view();
    let role_options = [Role::Isv, Role::Merchant]
        .into_iter()
        .map(|r| option(r.key(), r.label().to_string(), &query.role))
        .collect_view();
    // The countries as the page came (a new one appears when the page is next asked for).
    let country_options = shown
        .with_untracked(|p| p.countries.clone())
        .iter()
        .map(|(code, name)| option(code, name.clone(), &query.country))
        .collect_view();
    let previous = Memo::new(move |_| shown.with(|p| p.previous.clone()));
    let next = Memo::new(move |_| shown.with(|p| p.next.clone()));
    let previous_link = {
        let query = query.clone();
        move || {
            previous.get().map(|c| {
                view! { <a href=pager_href(&query, ("before", c.as_str())) rel="prev">{t.previous}</a> }
            })
        }
    };
    let next_link = {
        let query = query.clone();
        move || {
            next.get().map(|c| {
                view! { <a href=pager_href(&query, ("after", c.as_str())) rel="next">{t.next}</a> }
            })
        }
    };
    let total = Memo::new(move |_| shown.with(|p| (p.total, p.total_capped)));
    let total_text = move || {
        let (n, capped) = total.get();
        fill(
            if capped {
                t.total_capped
            } else if n == 1 {
                t.total_one
            } else {
                t.total_other
            },
            &[("count", &n)],
        )
    };
    let filtered = !(query.status.is_empty()
        && query.role.is_empty()
        && query.country.is_empty()
        && query.q.is_empty());
    let empty = Memo::new(move |_| shown.with(|p| p.rows.is_empty()));
    // Lateness as of the page's answer (a live change keeps it: minutes do not matter here).
    let late_before = shown.with_untracked(|p| (p.late_before_ms, p.sla_hours));
    let rows = move || {
        if empty.get() {
            Either::Left(view! {
                <div class="empty-state">
                    <h2>{if filtered { t.empty_filtered_title } else { t.empty_title }}</h2>
                    <p>{if filtered { t.empty_filtered_text } else { t.empty_text }}</p>
                </div>
            })
        } else {
            let list_query = list_query.clone();
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
                            // Keyed by the whole line: a line that did not change is left as it is.
                            <For each=move || shown.with(|p| p.rows.clone()) key=drawn_as children=move |row| view! {
                                <Row row fresh list_query=list_query.clone() late_before/>
                            }/>
                        </tbody>
                    </table>
                </div>
            })
        }
    };
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
        <p class="queue-tools">
            <a class="btn btn--ghost btn--small" href=export_href download="" rel="external">{crate::i18n::t().review.export.export_csv}</a>
            <a class="btn btn--ghost btn--small" href="/review/metrics">{crate::i18n::t().review.metrics.dashboard_link}</a>
        </p>
        {rows}
        <nav class="pager" aria-label=t.pages_label>
            <span>{total_text}</span>
            {previous_link}
            {next_link}
        </nav>
    }
}

#[component]
fn Row(
    row: QueueRow,
    fresh: RwSignal<Vec<String>>,
    list_query: String,
    /// Under review since before this (Unix ms): past the review SLA.
    late_before: (i64, i64),
) -> impl IntoView {
    let t = &crate::i18n::t().review.dashboard;
    let id = row.id.clone();
    let is_new = Signal::derive(move || fresh.with(|f| f.contains(&id)));
    let href = format!("/review/{}{}", row.id, list_query);
    let (before, sla_hours) = late_before;
    let late = row.status == Status::UnderReview
        && row.submitted_at.as_ref().is_some_and(|at| at.ms < before);
    let changed = row.changed_fields.map(|n| match n {
        0 => t.tag_changed_none.to_string(),
        1 => t.tag_changed_one.to_string(),
        n => fill(t.tag_changed_other, &[("count", &n)]),
    });
    view! {
        <tr class:queue__row--new=is_new class:queue__row--late=late>
            <th scope="row">
                <a href=href>{row.company_name.clone()}</a>
                {move || is_new.get().then(|| view! { <span class="tag tag--new">{t.tag_new}</span> })}
                {row.resubmitted.then(|| view! { <span class="tag">{t.tag_resubmitted}</span> })}
                {changed.map(|c| view! { <span class="tag tag--changed">{c}</span> })}
                {late.then(|| view! { <span class="tag tag--late">{fill(t.tag_late, &[("hours", &sla_hours)])}</span> })}
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

/// A link to another page of the queue: `cursor` is `after=…` or `before=…`, and the other
/// filters stay as they are.
fn pager_href(query: &Query, cursor: (&str, &str)) -> String {
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

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// What a line of the table shows, all of it (the `For` key): a line whose key did not change
/// keeps its elements, so the focus and a selection in it survive another line's news.
fn drawn_as(row: &QueueRow) -> String {
    format!("{row:?}")
}

// ---- applying a line from the live feed to the page drawn ----

/// A row's place in the queue, as `store::Key`: its submission time (ms) and its id.
type Key = (i64, String);

fn key(row: &QueueRow) -> Key {
    (
        row.submitted_at.as_ref().map_or(0, |at| at.ms),
        row.id.clone(),
    )
}

/// `a` against `b` in the order shown: newest first, or `oldest` first.
fn order(a: &Key, b: &Key, oldest: bool) -> Ordering {
    let ascending = a.cmp(b);
    if oldest {
        ascending
    } else {
        ascending.reverse()
    }
}

/// A cursor as `QueuePage::next`/`previous` write it (`<ms>.<id>`).
fn cursor(key: &Key) -> String {
    format!("{}.{}", key.0, key.1)
}

/// Reads a cursor as `store::Key::parse` does (anything else is none).
fn parse_cursor(text: &str) -> Option<Key> {
    let (ms, id) = text.split_once('.')?;
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    Some((ms.parse().ok()?, id.to_string()))
}

/// Which page was asked for, as `review_queue` reads the cursors.
enum Anchor {
    First,
    /// The rows after this one.
    After(Key),
    /// The rows before this one (the nearest a page's worth).
    Before(Key),
}

impl Anchor {
    fn of(asked: &Query) -> Anchor {
        match (parse_cursor(&asked.after), parse_cursor(&asked.before)) {
            (Some(key), _) => Anchor::After(key),
            (None, Some(key)) => Anchor::Before(key),
            (None, None) => Anchor::First,
        }
    }
}

/// The status filter, as `review_queue` reads it.
fn status_filter(asked: &Query) -> Option<Status> {
    Status::parse(&asked.status)
        .ok()
        .filter(|s| *s != Status::Draft)
}

/// Whether a line passes the page's filters, as `review_queue` and `store::queue` test them;
/// `None` when that cannot be told here.
fn passes(asked: &Query, line: &QueueRow, country: &str) -> Option<bool> {
    if status_filter(asked).is_some_and(|s| s != line.status) {
        return Some(false);
    }
    passes_but_status(asked, line, country)
}

/// `passes`, the status filter left out: what only a (re)submission can change.
fn passes_but_status(asked: &Query, line: &QueueRow, country: &str) -> Option<bool> {
    if Role::parse(&asked.role).is_ok_and(|r| r != line.role)
        || CountryCode::parse(&asked.country).is_ok_and(|c| c.code() != country)
    {
        return Some(false);
    }
    found(&asked.q, line)
}

/// Whether the search finds a line, as `store::Search` matches: one or two characters start
/// the company name, three or more appear in it or in the applicant's e-mail, in any case.
/// `None` for a search beyond ASCII: each database folds other letters its own way (SQLite's
/// `LOWER` not at all), so only the server can tell.
fn found(q: &str, line: &QueueRow) -> Option<bool> {
    let typed: String = q.trim().chars().take(100).collect();
    let text: String = typed.trim().chars().filter(|c| !c.is_control()).collect();
    if text.is_empty() {
        return Some(true);
    }
    if !text.is_ascii() {
        return None;
    }
    let text = text.to_ascii_lowercase();
    let company = line.company_name.to_ascii_lowercase();
    Some(if text.len() <= 2 {
        company.starts_with(&text)
    } else {
        company.contains(&text) || line.email.to_ascii_lowercase().contains(&text)
    })
}

/// Whether a line with key `k` falls on the page drawn: past where it starts (the cursor it
/// was asked after, or its first row when there are rows before it) and up to where it ends
/// (the cursor it was asked before, or its last row when there are rows after it).
fn on_page(page: &QueuePage, anchor: &Anchor, k: &Key, oldest: bool) -> Option<bool> {
    let starts = match (anchor, &page.previous) {
        (Anchor::After(after), _) => order(k, after, oldest) == Ordering::Greater,
        (_, Some(previous)) => order(k, &parse_cursor(previous)?, oldest) != Ordering::Less,
        (_, None) => true,
    };
    let ends = match (anchor, &page.next) {
        (Anchor::Before(before), _) => order(k, before, oldest) == Ordering::Less,
        (_, Some(next)) => order(k, &parse_cursor(next)?, oldest) != Ordering::Greater,
        (_, None) => true,
    };
    Some(starts && ends)
}

/// The page `page`, asked for as `asked`, with `live` applied as a fetch would show it now:
/// the application's row changed in place, or put where the order puts it when it belongs on
/// this page (the last row making way when the page is full, which moves `next`), or taken
/// off when it no longer does; the counts as read with the line, and the total when it is
/// counted from them (other totals stay as they came). `None` when that cannot be told here:
/// the page is asked for again.
///
/// `kind` is the event's (None when a line is applied again to a page fetched meanwhile,
/// whose total may already count it: the total is then left as it came).
fn apply(
    mut page: QueuePage,
    asked: &Query,
    live: &LiveRow,
    kind: Option<&str>,
) -> Option<QueuePage> {
    let oldest = asked.sort == "oldest";
    // A page asked for before a cursor with nothing before it is the first page: the server
    // draws the first page when fewer than a page's worth come before the cursor, rows at and
    // after the cursor included.
    let anchor = match Anchor::of(asked) {
        Anchor::Before(_) if page.previous.is_none() => Anchor::First,
        anchor => anchor,
    };
    let mut line = live.line.clone();
    // In the page's words: the country named as the page names it, the time as first read.
    if let Some((_, name)) = page
        .countries
        .iter()
        .find(|(code, _)| *code == live.country)
    {
        line.country_name = name.clone();
    }
    let was = page.rows.iter().position(|r| r.id == line.id);
    if let Some(i) = was {
        let before = page.rows.remove(i);
        if key(&before).0 == key(&line).0 {
            line.submitted_at = before.submitted_at;
        }
    }
    let k = key(&line);
    let now_in = passes(asked, &line, &live.country)?;
    // Role, country, company and e-mail as they stand (a decision does not change them).
    let others_in = passes_but_status(asked, &line, &live.country)?;
    if now_in && on_page(&page, &anchor, &k, oldest)? {
        let at = page
            .rows
            .partition_point(|r| order(&key(r), &k, oldest) == Ordering::Less);
        // A page before a cursor is the rows nearest to it: one more there, and the server
        // would draw another page (its first row gone to the one before).
        if matches!(anchor, Anchor::Before(_)) && was != Some(at) {
            return None;
        }
        page.rows.insert(at, line);
        if page.rows.len() > PAGE_SIZE as usize {
            page.rows.truncate(PAGE_SIZE as usize);
            page.next = page.rows.last().map(|r| cursor(&key(r)));
        }
    }
    // Its last row gone while there are others before or after: only a fetch can tell which.
    if page.rows.is_empty() && (page.previous.is_some() || page.next.is_some()) {
        return None;
    }
    page.counts = live.counts.clone();
    let only_status = Role::parse(&asked.role).is_err()
        && CountryCode::parse(&asked.country).is_err()
        && asked.q.trim().is_empty();
    if only_status {
        let wanted = status_filter(asked);
        page.total = page
            .counts
            .iter()
            .filter(|(s, _)| wanted.is_none_or(|w| w == *s))
            .map(|(_, n)| n)
            .sum();
        page.total_capped = false;
    } else if let (Some(kind), false) = (kind, page.total_capped) {
        // Counted matches: whether the application matched before the event and does now.
        // Role, country, company and e-mail change only with a (re)submission; a decision
        // moves the status from under review.
        let was_in = match kind {
            "submitted" => false,
            "approved" | "rejected" | "changes_requested" => {
                others_in && status_filter(asked).is_none_or(|s| s == Status::UnderReview)
            }
            "assigned" | "unassigned" => now_in,
            // A resubmission may have changed what the filters read: only a fetch can tell.
            _ => return None,
        };
        page.total += i64::from(now_in) - i64::from(was_in);
    }
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::moment::Moment;

    fn row(id: &str, ms: i64, status: Status, role: Role) -> QueueRow {
        QueueRow {
            id: id.into(),
            company_name: format!("Company {id}"),
            role,
            country_name: "Singapore".into(),
            applicant: "ann".into(),
            email: format!("{id}@example.com"),
            submitted_at: Some(Moment {
                ms,
                text: String::new(),
            }),
            status,
            assigned_to: None,
            resubmitted: false,
            rounds: 1,
            changed_fields: None,
        }
    }

    fn asked(query: &[(&str, &str)]) -> Query {
        Query::read(|k| {
            query
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        })
    }

    fn page(rows: Vec<QueueRow>, total: i64) -> QueuePage {
        QueuePage {
            rows,
            counts: vec![
                (Status::UnderReview, 2),
                (Status::Approved, 0),
                (Status::Rejected, 0),
            ],
            total,
            total_capped: false,
            previous: None,
            next: None,
            countries: vec![("SG".into(), "Singapore".into())],
            late_before_ms: 0,
            sla_hours: 48,
        }
    }

    fn live(line: QueueRow) -> LiveRow {
        LiveRow {
            line,
            country: "SG".into(),
            counts: vec![
                (Status::UnderReview, 1),
                (Status::Approved, 1),
                (Status::Rejected, 0),
            ],
        }
    }

    #[test]
    fn a_page_before_a_cursor_with_nothing_before_it_keeps_its_rows() {
        // "Previous" from page two after rows left page one: the server drew the first page,
        // rows at and after the cursor included.
        let shown = page(
            vec![
                row("b", 2_000, Status::UnderReview, Role::Isv),
                row("a", 1_000, Status::UnderReview, Role::Isv),
            ],
            2,
        );
        let query = asked(&[("before", "1000.a")]);
        let decided = live(row("a", 1_000, Status::Approved, Role::Isv));
        let after = apply(shown, &query, &decided, Some("approved")).expect("placed");
        let ids: Vec<_> = after.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "a"], "the decided row stays, changed in place");
        assert_eq!(after.rows[1].status, Status::Approved);
    }

    #[test]
    fn a_counted_total_follows_what_enters_and_leaves_a_filtered_view() {
        // Under review ISVs: a decision takes one off, and the total with it.
        let query = asked(&[("status", "under_review"), ("role", "isv")]);
        let shown = page(
            vec![
                row("b", 2_000, Status::UnderReview, Role::Isv),
                row("a", 1_000, Status::UnderReview, Role::Isv),
            ],
            2,
        );
        let after = apply(
            shown,
            &query,
            &live(row("a", 1_000, Status::Approved, Role::Isv)),
            Some("approved"),
        )
        .unwrap();
        assert_eq!((after.rows.len(), after.total), (1, 1));
        // A new ISV comes in at the top, one more; a merchant changes nothing.
        let arrived = apply(
            after,
            &query,
            &live(row("c", 3_000, Status::UnderReview, Role::Isv)),
            Some("submitted"),
        )
        .unwrap();
        assert_eq!(arrived.rows[0].id, "c");
        assert_eq!(arrived.total, 2);
        let merchant = apply(
            arrived,
            &query,
            &live(row("d", 4_000, Status::UnderReview, Role::Merchant)),
            Some("submitted"),
        )
        .unwrap();
        assert_eq!((merchant.rows.len(), merchant.total), (2, 2));
        // A resubmission may change what the filters read: the page is fetched again.
        assert!(apply(
            merchant,
            &query,
            &live(row("e", 5_000, Status::UnderReview, Role::Isv)),
            Some("resubmitted")
        )
        .is_none());
    }
}
