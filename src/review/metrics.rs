//! `/review/metrics`: how reviewing goes over a chosen range of days (UTC): submissions and
//! decisions per ISO week, the time to first assignment and to decision (median and 90th
//! percentile), the queue's age now with what is past the review SLA (`REVIEW_SLA_HOURS`), and
//! decisions per reviewer. Each is an SVG chart drawn on the server with a table of the same
//! numbers beside it, so the page reads the same without JavaScript and to a screen reader.
//! The range is the page's query (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), set by a plain GET form.
//! The queries are in `super::metrics_store`.

use crate::error::AppError;
use crate::i18n::fill;
use crate::ui::guard::ErrorView;
use crate::ui::page::Loading;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;

/// What the metrics page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// The range shown, first and last day included (UTC, `YYYY-MM-DD`): the one asked for,
    /// or the default (the last eight weeks, this one included), at most `MAX_DAYS` long.
    pub from: String,
    pub to: String,
    /// `REVIEW_SLA_HOURS`.
    pub sla_hours: i64,
    /// Every ISO week the range touches, in order (the first and last may be partial).
    pub weeks: Vec<WeekCounts>,
    /// From submission to first assignment, over the rounds first assigned in the range.
    pub assignment: Durations,
    /// From submission to decision, over the rounds decided in the range (open rounds have
    /// no time to decision yet and are not counted).
    pub decision: Durations,
    /// The applications under review now, whatever the range.
    pub queue: QueueAges,
    /// Decisions made in the range, per reviewer, most decisions first.
    pub reviewers: Vec<ReviewerCounts>,
}

/// One ISO week (Monday to Sunday, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCounts {
    /// Its Monday, `YYYY-MM-DD`.
    pub monday: String,
    /// `YYYY-Www` (ISO 8601).
    pub week: String,
    /// Rounds submitted in the week (in the range).
    pub submitted: i64,
    /// Rounds decided in the week (in the range), by decision.
    pub approved: i64,
    pub rejected: i64,
    pub changes_requested: i64,
}

impl WeekCounts {
    /// In the order of `SERIES`.
    fn values(&self) -> [i64; 4] {
        [
            self.submitted,
            self.approved,
            self.rejected,
            self.changes_requested,
        ]
    }
}

/// How long something took, over a number of rounds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Durations {
    /// The rounds measured.
    pub count: i64,
    /// Milliseconds; `None` when no round was measured.
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
    /// Of those, how many took longer than the SLA.
    pub over_sla: i64,
}

/// The applications under review now, by how long ago their current round was submitted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueAges {
    pub under_one_day: i64,
    pub one_to_two_days: i64,
    pub two_to_seven_days: i64,
    pub over_seven_days: i64,
    /// Waiting longer than the SLA (an application submitted exactly SLA hours ago is not).
    pub over_sla: i64,
    pub total: i64,
}

/// One reviewer's decisions in the range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerCounts {
    /// `None` when the deciding account is not known.
    pub username: Option<String>,
    pub approved: i64,
    pub rejected: i64,
    pub changes_requested: i64,
}

impl ReviewerCounts {
    pub fn total(&self) -> i64 {
        self.approved + self.rejected + self.changes_requested
    }
}

/// The metrics over `from`..=`to` (`YYYY-MM-DD`, UTC); either empty or unreadable takes the
/// default (see `Metrics::from`).
#[server(name = ReadReviewMetrics, endpoint = "review/metrics")]
#[cfg_attr(
    feature = "ssr",
    tracing::instrument(skip_all, fields(user = tracing::field::Empty))
)]
pub async fn review_metrics(
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<Metrics, AppError> {
    use crate::review::metrics_store as store;
    use crate::server::request::{state, OrInternal};
    crate::review::require_reviewer().await?;
    let st = state()?;
    let now = crate::server::db::now_ms();
    let range = store::Range::read(&from, &to, now);
    store::metrics(&st.db, range, now, st.config.review_sla_hours)
        .await
        .or_internal("reading the review metrics")
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let texts = crate::i18n::t();
    let t = &texts.review.metrics;
    let query = use_query_map();
    let asked = move || {
        query.with(|q| {
            (
                q.get("from").unwrap_or_default(),
                q.get("to").unwrap_or_default(),
            )
        })
    };
    let metrics = Resource::new(asked, |(from, to)| review_metrics(from, to));
    view! {
        <Title text=t.title/>
        <section class="panel panel--wide metrics">
            <p class="breadcrumb"><a href="/review">{texts.review.dashboard.title}</a> {t.breadcrumb}</p>
            <h1>{t.title}</h1>
            <p class="muted">{t.intro}</p>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match metrics.await {
                        Ok(m) => Either::Left(view! { <Report m/> }),
                        Err(e) => Either::Right(view! { <ErrorView error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The range form and the four sections.
#[component]
fn Report(m: Metrics) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let Metrics {
        from,
        to,
        sla_hours,
        weeks,
        assignment,
        decision,
        queue,
        reviewers,
    } = m;
    let sla = crate::ui::moment::duration(sla_hours * HOUR_MS);
    let shown = fill(t.range_shown, &[("from", &from), ("to", &to)]);
    let sla_note = fill(t.sla_note, &[("sla", &sla)]);
    view! {
        <Form method="GET" action="/review/metrics" attr:class="filters metrics-range">
            <div class="field field--inline">
                <label for="metrics-from" class="field__label">{t.from_label}</label>
                <input id="metrics-from" name="from" type="date" value=from autocomplete="off"/>
            </div>
            <div class="field field--inline">
                <label for="metrics-to" class="field__label">{t.to_label}</label>
                <input id="metrics-to" name="to" type="date" value=to autocomplete="off"/>
            </div>
            <button type="submit" class="btn btn--secondary">{t.show}</button>
        </Form>
        <p class="muted metrics-range__shown">{shown} " " {sla_note}</p>
        <Weekly weeks/>
        <Times assignment decision sla_hours/>
        <Queue queue sla_hours/>
        <Reviewers reviewers/>
    }
}

// ---- drawing ----

/// What a bar stands for: its classes (`metrics-bar--…`, coloured by the style sheet) and,
/// so that colour is not all that tells them apart, a pattern laid over it.
#[derive(Clone, Copy)]
enum Series {
    Submitted,
    Approved,
    Rejected,
    ChangesRequested,
}

/// The weekly chart's bars, in each week's group from left to right (`WeekCounts::values`).
const SERIES: [Series; 4] = [
    Series::Submitted,
    Series::Approved,
    Series::Rejected,
    Series::ChangesRequested,
];

/// The reviewers' chart's bars, from top to bottom in each reviewer's group.
const DECISIONS: [Series; 3] = [Series::Approved, Series::Rejected, Series::ChangesRequested];

impl Series {
    fn class(self) -> &'static str {
        match self {
            Series::Submitted => "metrics-bar metrics-bar--submitted",
            Series::Approved => "metrics-bar metrics-bar--approved",
            Series::Rejected => "metrics-bar metrics-bar--rejected",
            Series::ChangesRequested => "metrics-bar metrics-bar--changes-requested",
        }
    }

    /// The pattern over its bars (see `patterns`): none, stripes or dots.
    fn pattern(self) -> Option<&'static str> {
        match self {
            Series::Submitted | Series::Approved => None,
            Series::Rejected => Some("hatch"),
            Series::ChangesRequested => Some("dots"),
        }
    }

    fn label(self) -> &'static str {
        let t = &crate::i18n::t().review.metrics;
        match self {
            Series::Submitted => t.series_submitted,
            Series::Approved => t.series_approved,
            Series::Rejected => t.series_rejected,
            Series::ChangesRequested => t.series_changes_requested,
        }
    }
}

/// `value` as a length out of `full`, where `max` is full; a value above zero shows at least
/// one unit.
fn scaled(value: i64, max: i64, full: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    ((value.min(max) * full + max / 2) / max).max(1)
}

/// The patterns a chart's bars may wear (`{chart}-hatch`, `{chart}-dots`), drawn in the
/// chart's `currentColor` (`.metrics-pattern__line`, `.metrics-pattern__dot` to restyle).
fn patterns(chart: &'static str) -> impl IntoView {
    view! {
        <defs>
            <pattern id=format!("{chart}-hatch") width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <line class="metrics-pattern__line" x1="0" y1="0" x2="0" y2="6" stroke="currentColor" stroke-width="2"/>
            </pattern>
            <pattern id=format!("{chart}-dots") width="6" height="6" patternUnits="userSpaceOnUse">
                <circle class="metrics-pattern__dot" cx="3" cy="3" r="1.4" fill="currentColor"/>
            </pattern>
        </defs>
    }
}

/// One bar, with its pattern (`{chart}-{pattern}`) over it.
fn bar(
    class: &'static str,
    pattern: Option<String>,
    x: i64,
    y: i64,
    width: i64,
    height: i64,
) -> impl IntoView {
    let overlay = pattern
        .filter(|_| width > 0 && height > 0)
        .map(|id| {
            view! {
                <rect class="metrics-bar__pattern" x=x y=y width=width height=height fill=format!("url(#{id})")/>
            }
        });
    view! {
        <rect class=class x=x y=y width=width height=height/>
        {overlay}
    }
}

/// The key to a chart's bars (hidden from screen readers, who have the table).
fn legend(chart: &'static str, series: &[Series]) -> impl IntoView {
    let items = series
        .iter()
        .map(|s| {
            let pattern = s.pattern().map(|p| format!("{chart}-{p}"));
            view! {
                <li class="metrics-legend__item">
                    <svg class="metrics-legend__swatch" width="14" height="14" viewBox="0 0 14 14" focusable="false">
                        {bar(s.class(), pattern, 0, 0, 14, 14)}
                    </svg>
                    {s.label()}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="metrics-legend" aria-hidden="true">{items}</ul> }
}

/// A section: its heading, what it counts, and its figure (or why there is none).
fn section(
    id: &'static str,
    heading: &'static str,
    text: &'static str,
    body: impl IntoView,
) -> impl IntoView {
    view! {
        <section class="metrics-section" aria-labelledby=id>
            <h2 id=id>{heading}</h2>
            <p class="muted">{text}</p>
            {body}
        </section>
    }
}

/// A chart and its table, side by side; each scrolls sideways on a narrow screen, so each can
/// take the keyboard's focus (named by the section's heading, `labelled_by`).
fn figure(
    labelled_by: &'static str,
    chart: impl IntoView,
    legend: impl IntoView,
    table: impl IntoView,
) -> impl IntoView {
    view! {
        <div class="metrics-figure">
            <div class="metrics-chart">
                <div class="metrics-chart__scroll" tabindex="0" role="group" aria-labelledby=labelled_by>{chart}</div>
                {legend}
            </div>
            <div class="table-wrap metrics-data" tabindex="0" role="group" aria-labelledby=labelled_by>{table}</div>
        </div>
    }
}

fn empty(text: &'static str) -> impl IntoView {
    view! { <p class="metrics-empty">{text}</p> }
}

// ---- (a) submissions and decisions per week ----

#[component]
fn Weekly(weeks: Vec<WeekCounts>) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let nothing = weeks.iter().all(|w| w.values().iter().all(|v| *v == 0));
    let body = if nothing {
        Either::Left(empty(t.weekly_empty))
    } else {
        Either::Right(figure(
            "metrics-weekly-heading",
            weekly_chart(&weeks),
            legend("metrics-weekly", &SERIES),
            weekly_table(&weeks),
        ))
    };
    section(
        "metrics-weekly-heading",
        t.weekly_heading,
        t.weekly_text,
        body,
    )
}

fn weekly_chart(weeks: &[WeekCounts]) -> impl IntoView {
    const BAR_W: i64 = 16;
    const BAR_GAP: i64 = 3;
    const GROUP_GAP: i64 = 20;
    const SIDE: i64 = 12;
    const TOP: i64 = 22;
    const PLOT_H: i64 = 160;
    const BOTTOM: i64 = 40;
    let t = &crate::i18n::t().review.metrics;
    let n = weeks.len() as i64;
    let group_w = 4 * BAR_W + 3 * BAR_GAP;
    let width = 2 * SIDE + n * group_w + (n - 1).max(0) * GROUP_GAP;
    let baseline = TOP + PLOT_H;
    let height = baseline + BOTTOM;
    let max = weeks.iter().flat_map(|w| w.values()).max().unwrap_or(0);
    let groups = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let gx = SIDE + i as i64 * (group_w + GROUP_GAP);
            let bars = SERIES
                .iter()
                .zip(w.values())
                .enumerate()
                .map(|(j, (series, value))| {
                    let x = gx + j as i64 * (BAR_W + BAR_GAP);
                    let h = scaled(value, max, PLOT_H);
                    let pattern = series.pattern().map(|p| format!("metrics-weekly-{p}"));
                    view! {
                        {bar(series.class(), pattern, x, baseline - h, BAR_W, h)}
                        <text class="metrics-chart__value" x={x + BAR_W / 2} y={baseline - h - 4}
                            text-anchor="middle" font-size="10">{value}</text>
                    }
                })
                .collect_view();
            // "03-03" under the group, and its ISO week ("2025-W10" as "W10") under that.
            let day = w.monday.get(5..).unwrap_or_default().to_string();
            let week = w
                .week
                .split_once('-')
                .map(|(_, wk)| wk.to_string())
                .unwrap_or_default();
            let cx = gx + group_w / 2;
            view! {
                <g class="metrics-chart__group">
                    {bars}
                    <text class="metrics-chart__label" x=cx y={baseline + 16} text-anchor="middle" font-size="11">{day}</text>
                    <text class="metrics-chart__sublabel" x=cx y={baseline + 30} text-anchor="middle" font-size="10">{week}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="metrics-chart__svg" role="img" aria-labelledby="metrics-weekly-title" aria-describedby="metrics-weekly-desc"
            width=width height=height viewBox={format!("0 0 {width} {height}")} focusable="false">
            <title id="metrics-weekly-title">{t.weekly_chart_title}</title>
            <desc id="metrics-weekly-desc">{t.chart_desc}</desc>
            {patterns("metrics-weekly")}
            <line class="metrics-chart__axis" x1="0" y1=baseline x2=width y2=baseline stroke="currentColor"/>
            {groups}
        </svg>
    }
}

fn weekly_table(weeks: &[WeekCounts]) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let mut totals = [0_i64; 4];
    for w in weeks {
        for (total, v) in totals.iter_mut().zip(w.values()) {
            *total += v;
        }
    }
    let rows = weeks
        .iter()
        .map(|w| {
            let head = fill(t.week_row, &[("week", &w.week), ("date", &w.monday)]);
            view! {
                <tr>
                    <th scope="row">{head}</th>
                    {numbers(w.values())}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="metrics-table">
            <caption>{t.weekly_caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t.col_week}</th>
                    {SERIES.iter().map(|s| view! { <th scope="col">{s.label()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">{t.total}</th>
                    {numbers(totals)}
                </tr>
            </tfoot>
        </table>
    }
}

/// Table cells of numbers.
fn numbers<const N: usize>(values: [i64; N]) -> impl IntoView {
    values
        .into_iter()
        .map(|v| view! { <td class="metrics-table__n">{v}</td> })
        .collect_view()
}

// ---- (b) time to first assignment and to decision ----

#[component]
fn Times(assignment: Durations, decision: Durations, sla_hours: i64) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let body = if assignment.count == 0 && decision.count == 0 {
        Either::Left(empty(t.times_empty))
    } else {
        Either::Right(figure(
            "metrics-times-heading",
            times_chart(&assignment, &decision, sla_hours),
            (),
            times_table(&assignment, &decision, sla_hours),
        ))
    };
    section("metrics-times-heading", t.times_heading, t.times_text, body)
}

fn times_chart(assignment: &Durations, decision: &Durations, sla_hours: i64) -> impl IntoView {
    const LABEL_W: i64 = 210;
    const PLOT_W: i64 = 360;
    const VALUE_W: i64 = 150;
    const TOP: i64 = 30;
    const ROW_H: i64 = 30;
    const BAR_H: i64 = 18;
    let t = &crate::i18n::t().review.metrics;
    let sla_ms = sla_hours * HOUR_MS;
    // The 90th percentiles are striped: told from the medians by more than their colour.
    let rows = [
        (
            t.bar_assignment_median,
            assignment.median_ms,
            "metrics-bar metrics-bar--assignment",
            false,
        ),
        (
            t.bar_assignment_p90,
            assignment.p90_ms,
            "metrics-bar metrics-bar--assignment metrics-bar--p90",
            true,
        ),
        (
            t.bar_decision_median,
            decision.median_ms,
            "metrics-bar metrics-bar--decision",
            false,
        ),
        (
            t.bar_decision_p90,
            decision.p90_ms,
            "metrics-bar metrics-bar--decision metrics-bar--p90",
            true,
        ),
    ];
    let max = rows
        .iter()
        .filter_map(|r| r.1)
        .max()
        .unwrap_or(0)
        .max(sla_ms);
    let width = LABEL_W + PLOT_W + VALUE_W;
    let bottom = TOP + rows.len() as i64 * ROW_H;
    let height = bottom + 6;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, class, striped))| {
            let y = TOP + i as i64 * ROW_H;
            let text_y = y + BAR_H / 2 + 4;
            let (w, words) = match value {
                Some(ms) => (scaled(ms, max, PLOT_W), crate::ui::moment::duration(ms)),
                None => (0, t.no_value.to_string()),
            };
            let pattern = striped.then(|| "metrics-times-hatch".to_string());
            view! {
                <text class="metrics-chart__label" x={LABEL_W - 8} y=text_y text-anchor="end" font-size="12">{label}</text>
                {bar(class, pattern, LABEL_W, y, w, BAR_H)}
                <text class="metrics-chart__value" x={LABEL_W + w + 6} y=text_y font-size="12">{words}</text>
            }
        })
        .collect_view();
    let sla_x = LABEL_W + scaled(sla_ms, max, PLOT_W);
    let sla_label = fill(
        t.sla_marker,
        &[("sla", &crate::ui::moment::duration(sla_ms))],
    );
    view! {
        <svg class="metrics-chart__svg" role="img" aria-labelledby="metrics-times-title" aria-describedby="metrics-times-desc"
            width=width height=height viewBox={format!("0 0 {width} {height}")} focusable="false">
            <title id="metrics-times-title">{t.times_chart_title}</title>
            <desc id="metrics-times-desc">{t.chart_desc}</desc>
            {patterns("metrics-times")}
            <line class="metrics-chart__axis" x1=LABEL_W y1={TOP - 4} x2=LABEL_W y2=bottom stroke="currentColor"/>
            {bars}
            <line class="metrics-chart__sla" x1=sla_x y1={TOP - 8} x2=sla_x y2=bottom stroke="currentColor" stroke-dasharray="4 3"/>
            <text class="metrics-chart__sla-label" x=sla_x y={TOP - 12} text-anchor="end" font-size="11">{sla_label}</text>
        </svg>
    }
}

fn times_table(assignment: &Durations, decision: &Durations, sla_hours: i64) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let sla = crate::ui::moment::duration(sla_hours * HOUR_MS);
    let words =
        |ms: Option<i64>| ms.map_or_else(|| t.no_value.to_string(), crate::ui::moment::duration);
    let row = |label: &'static str, d: &Durations| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td>{words(d.median_ms)}</td>
                <td>{words(d.p90_ms)}</td>
                <td class="metrics-table__n">{d.count}</td>
                <td class="metrics-table__n">{d.over_sla}</td>
            </tr>
        }
    };
    view! {
        <table class="metrics-table">
            <caption>{t.times_caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t.col_measure}</th>
                    <th scope="col">{t.col_median}</th>
                    <th scope="col">{t.col_p90}</th>
                    <th scope="col">{t.col_rounds}</th>
                    <th scope="col">{fill(t.col_over_sla, &[("sla", &sla)])}</th>
                </tr>
            </thead>
            <tbody>
                {row(t.row_assignment, assignment)}
                {row(t.row_decision, decision)}
            </tbody>
        </table>
    }
}

// ---- (c) the queue's age now ----

#[component]
fn Queue(queue: QueueAges, sla_hours: i64) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let sla = crate::ui::moment::duration(sla_hours * HOUR_MS);
    let late = queue.over_sla;
    let sentence = match late {
        0 => t.sla_late_none,
        1 => t.sla_late_one,
        _ => t.sla_late_other,
    };
    let callout = fill(sentence, &[("count", &late), ("sla", &sla)]);
    // (label, count, youngest age in hours): a group whose youngest have waited the SLA or
    // longer is all past it, and marked so.
    let buckets = [
        (t.age_under_1d, queue.under_one_day, 0),
        (t.age_1d_2d, queue.one_to_two_days, 24),
        (t.age_2d_7d, queue.two_to_seven_days, 48),
        (t.age_over_7d, queue.over_seven_days, 168),
    ]
    .map(|(label, n, youngest): (&'static str, i64, i64)| (label, n, youngest >= sla_hours));
    let body = if queue.total == 0 {
        Either::Left(empty(t.queue_empty))
    } else {
        Either::Right(view! {
            <p class="metrics-sla" class:metrics-sla--late={late > 0}>
                {callout}
                " "
                <a href="/review?status=under_review&sort=oldest">{t.open_queue}</a>
            </p>
            {figure("metrics-queue-heading", queue_chart(&buckets), (), queue_table(&buckets, &queue, &sla))}
        })
    };
    section("metrics-queue-heading", t.queue_heading, t.queue_text, body)
}

fn queue_chart(buckets: &[(&'static str, i64, bool); 4]) -> impl IntoView {
    const SLOT_W: i64 = 130;
    const BAR_W: i64 = 56;
    const TOP: i64 = 22;
    const PLOT_H: i64 = 140;
    const BOTTOM: i64 = 46;
    let t = &crate::i18n::t().review.metrics;
    let width = SLOT_W * buckets.len() as i64;
    let baseline = TOP + PLOT_H;
    let height = baseline + BOTTOM;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0);
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, (label, n, late))| {
            let cx = i as i64 * SLOT_W + SLOT_W / 2;
            let h = scaled(*n, max, PLOT_H);
            let (class, pattern) = if *late {
                (
                    "metrics-bar metrics-bar--late",
                    Some("metrics-queue-hatch".to_string()),
                )
            } else {
                ("metrics-bar metrics-bar--queue", None)
            };
            let marker = late.then(|| {
                view! {
                    <text class="metrics-chart__late" x=cx y={baseline + 32} text-anchor="middle" font-size="11">{t.late_marker}</text>
                }
            });
            view! {
                {bar(class, pattern, cx - BAR_W / 2, baseline - h, BAR_W, h)}
                <text class="metrics-chart__value" x=cx y={baseline - h - 4} text-anchor="middle" font-size="11">{*n}</text>
                <text class="metrics-chart__label" x=cx y={baseline + 16} text-anchor="middle" font-size="11">{*label}</text>
                {marker}
            }
        })
        .collect_view();
    view! {
        <svg class="metrics-chart__svg" role="img" aria-labelledby="metrics-queue-title" aria-describedby="metrics-queue-desc"
            width=width height=height viewBox={format!("0 0 {width} {height}")} focusable="false">
            <title id="metrics-queue-title">{t.queue_chart_title}</title>
            <desc id="metrics-queue-desc">{t.chart_desc}</desc>
            {patterns("metrics-queue")}
            <line class="metrics-chart__axis" x1="0" y1=baseline x2=width y2=baseline stroke="currentColor"/>
            {bars}
        </svg>
    }
}

fn queue_table(
    buckets: &[(&'static str, i64, bool); 4],
    queue: &QueueAges,
    sla: &str,
) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let rows = buckets
        .iter()
        .map(|(label, n, late)| {
            view! {
                <tr class:metrics-table__row--late={*late}>
                    <th scope="row">
                        {*label}
                        {late.then(|| view! { " " <span class="tag tag--late">{t.late_marker}</span> })}
                    </th>
                    <td class="metrics-table__n">{*n}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="metrics-table">
            <caption>{t.queue_caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t.col_waited}</th>
                    <th scope="col">{t.col_applications}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">{t.queue_total}</th>
                    <td class="metrics-table__n">{queue.total}</td>
                </tr>
                <tr class:metrics-table__row--late={queue.over_sla > 0}>
                    <th scope="row">{fill(t.queue_over_sla, &[("sla", &sla)])}</th>
                    <td class="metrics-table__n">{queue.over_sla}</td>
                </tr>
            </tfoot>
        </table>
    }
}

// ---- (d) decisions per reviewer ----

#[component]
fn Reviewers(reviewers: Vec<ReviewerCounts>) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let body = if reviewers.is_empty() {
        Either::Left(empty(t.reviewers_empty))
    } else {
        Either::Right(figure(
            "metrics-reviewers-heading",
            reviewers_chart(&reviewers),
            legend("metrics-reviewers", &DECISIONS),
            reviewers_table(&reviewers),
        ))
    };
    section(
        "metrics-reviewers-heading",
        t.reviewers_heading,
        t.reviewers_text,
        body,
    )
}

/// A reviewer's name as shown (`None`: an account no longer known).
fn reviewer_name(r: &ReviewerCounts) -> String {
    r.username
        .clone()
        .unwrap_or_else(|| crate::i18n::t().review.metrics.unknown_reviewer.to_string())
}

fn reviewers_chart(reviewers: &[ReviewerCounts]) -> impl IntoView {
    const LABEL_W: i64 = 170;
    const PLOT_W: i64 = 340;
    const VALUE_W: i64 = 50;
    const TOP: i64 = 8;
    const BAR_H: i64 = 12;
    const BAR_GAP: i64 = 2;
    const GROUP_GAP: i64 = 16;
    // Longer names are cut in the chart (the table has them whole).
    const NAME_CHARS: usize = 20;
    let t = &crate::i18n::t().review.metrics;
    let n = reviewers.len() as i64;
    let group_h = 3 * BAR_H + 2 * BAR_GAP;
    let width = LABEL_W + PLOT_W + VALUE_W;
    let height = 2 * TOP + n * group_h + (n - 1).max(0) * GROUP_GAP;
    let max = reviewers
        .iter()
        .flat_map(|r| [r.approved, r.rejected, r.changes_requested])
        .max()
        .unwrap_or(0);
    let groups = reviewers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let gy = TOP + i as i64 * (group_h + GROUP_GAP);
            let name = reviewer_name(r);
            let name = if name.chars().count() > NAME_CHARS {
                let cut: String = name.chars().take(NAME_CHARS - 1).collect();
                format!("{cut}…")
            } else {
                name
            };
            let bars = DECISIONS
                .iter()
                .zip([r.approved, r.rejected, r.changes_requested])
                .enumerate()
                .map(|(j, (series, value))| {
                    let y = gy + j as i64 * (BAR_H + BAR_GAP);
                    let w = scaled(value, max, PLOT_W);
                    let pattern = series.pattern().map(|p| format!("metrics-reviewers-{p}"));
                    view! {
                        {bar(series.class(), pattern, LABEL_W, y, w, BAR_H)}
                        <text class="metrics-chart__value" x={LABEL_W + w + 4} y={y + BAR_H - 2} font-size="10">{value}</text>
                    }
                })
                .collect_view();
            view! {
                <g class="metrics-chart__group">
                    <text class="metrics-chart__label" x={LABEL_W - 8} y={gy + group_h / 2 + 4} text-anchor="end" font-size="12">{name}</text>
                    {bars}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="metrics-chart__svg" role="img" aria-labelledby="metrics-reviewers-title" aria-describedby="metrics-reviewers-desc"
            width=width height=height viewBox={format!("0 0 {width} {height}")} focusable="false">
            <title id="metrics-reviewers-title">{t.reviewers_chart_title}</title>
            <desc id="metrics-reviewers-desc">{t.chart_desc}</desc>
            {patterns("metrics-reviewers")}
            <line class="metrics-chart__axis" x1=LABEL_W y1="0" x2=LABEL_W y2=height stroke="currentColor"/>
            {groups}
        </svg>
    }
}

fn reviewers_table(reviewers: &[ReviewerCounts]) -> impl IntoView {
    let t = &crate::i18n::t().review.metrics;
    let rows = reviewers
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{reviewer_name(r)}</th>
                    {numbers([r.approved, r.rejected, r.changes_requested, r.total()])}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="metrics-table">
            <caption>{t.reviewers_caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t.col_reviewer}</th>
                    {DECISIONS.iter().map(|s| view! { <th scope="col">{s.label()}</th> }).collect_view()}
                    <th scope="col">{t.total}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_a_count_above_zero_shows() {
        assert_eq!(scaled(0, 10, 160), 0);
        assert_eq!(scaled(10, 10, 160), 160);
        assert_eq!(scaled(5, 10, 160), 80);
        assert_eq!(scaled(1, 10_000, 160), 1);
        assert_eq!(scaled(3, 0, 160), 0);
    }
}
