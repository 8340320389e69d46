//! A moment shown to people: written by the server in UTC, naming the zone, in the request's
//! language (`crate::server::dates::format_date`), and rewritten by the hydrated browser in
//! the reader's own time zone and the page's language. Pages without JavaScript keep the
//! server's words; the `<time datetime>` attribute holds the moment for machines either way.

use crate::i18n::fill;
use leptos::either::Either;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A moment as the pages carry it: when (Unix milliseconds), and the server's UTC wording.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Moment {
    /// Unix milliseconds.
    pub ms: i64,
    /// "05 Mar 2025, 14:07 UTC" / "2025年3月5日 14:07 UTC", in the language of the request that
    /// read it (empty when out of range).
    pub text: String,
}

/// `ms` (Unix milliseconds) as a moment, worded in the request's language.
#[cfg(feature = "ssr")]
pub fn at(ms: i64) -> Moment {
    Moment {
        ms,
        text: crate::server::dates::format_date(ms),
    }
}

/// A sentence with a moment in its `{name}` placeholder: the moment as a [`When`], the words
/// around it with their other placeholders filled from `args` (as [`crate::i18n::fill`] does).
pub fn in_sentence(
    sentence: &str,
    name: &str,
    at: Moment,
    args: &[(&str, &dyn std::fmt::Display)],
) -> impl IntoView {
    with_moments(sentence, vec![(name, at)], args)
}

/// A sentence with moments in some of its placeholders (`("date", sent), ("expires", until)`),
/// in whatever order the language puts them: each moment as a [`When`], the words between
/// filled from `args`. The sentence is split before anything is filled, so a value a person
/// typed is never read as a placeholder.
pub fn with_moments(
    sentence: &str,
    mut moments: Vec<(&str, Moment)>,
    args: &[(&str, &dyn std::fmt::Display)],
) -> impl IntoView {
    let mut parts = Vec::new();
    let mut rest = sentence;
    // The first placeholder, in what is left, of a moment not placed yet.
    while let Some((start, i, len)) = moments
        .iter()
        .enumerate()
        .filter_map(|(i, (name, _))| {
            rest.find(&format!("{{{name}}}"))
                .map(|start| (start, i, name.len() + 2))
        })
        .min()
    {
        parts.push(Either::Left(fill(&rest[..start], args)));
        let (_, at) = moments.remove(i);
        parts.push(Either::Right(view! { <When at/> }));
        rest = &rest[start + len..];
    }
    parts.push(Either::Left(fill(rest, args)));
    parts
}

/// `ms` in UTC to the minute, "YYYY-MM-DDTHH:MMZ", on both sides (no `time` crate in the
/// browser): the civil date of a day count, after Howard Hinnant's `civil_from_days`.
pub fn iso_utc(ms: i64) -> String {
    const DAY_MS: i64 = 86_400_000;
    let days = ms.div_euclid(DAY_MS);
    let of_day = ms.rem_euclid(DAY_MS) / 60_000;
    let (hour, minute) = (of_day / 60, of_day % 60);
    // Days since 0000-03-01, in 400-year eras.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}Z")
}

/// In the browser: the moment in the reader's words. Elsewhere effects do not run.
#[cfg(feature = "hydrate")]
fn show_local(ms: i64, text: RwSignal<String>) {
    if let Some(local) = local_text(ms) {
        text.set(local);
    }
}

#[cfg(not(feature = "hydrate"))]
fn show_local(_ms: i64, _text: RwSignal<String>) {}

/// The moment in the browser's words: the page's language, the reader's time zone, named.
#[cfg(feature = "hydrate")]
fn local_text(ms: i64) -> Option<String> {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    if date.get_time().is_nan() {
        return None;
    }
    let options: JsValue = js_sys::Object::new().into();
    for (key, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value)).ok()?;
    }
    let text = String::from(date.to_locale_string(crate::i18n::lang().tag(), &options));
    (!text.is_empty()).then_some(text)
}

/// A moment: the server's UTC words (what the hydrating page starts from, so both sides
/// match), then, in the browser, the reader's local time.
#[component]
pub fn When(at: Moment) -> impl IntoView {
    let Moment { ms, text } = at;
    let datetime = iso_utc(ms);
    let text = RwSignal::new(text);
    Effect::new(move |_| show_local(ms, text));
    view! { <time datetime=datetime>{move || text.get()}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_reads_the_utc_calendar_to_the_minute() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00Z");
        assert_eq!(iso_utc(1_741_183_620_000), "2025-03-05T14:07Z");
        assert_eq!(iso_utc(1_741_183_679_999), "2025-03-05T14:07Z");
        // A leap day, the last minute of a year, and before 1970.
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00Z");
        assert_eq!(iso_utc(1_704_067_199_000), "2023-12-31T23:59Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59Z");
        assert_eq!(iso_utc(-86_400_000 * 365), "1969-01-01T00:00Z");
    }

    #[test]
    fn iso_agrees_with_the_calendar_day_by_day() {
        // Walk forty years (2000 is a leap year, by the 400-year rule) one day at a time.
        let (mut y, mut m, mut d) = (1990_i64, 1_i64, 1_i64);
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days_in = |y: i64, m: i64| -> i64 {
            match m {
                2 if leap(y) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            }
        };
        let start = 631_152_000_000_i64; // 1990-01-01T00:00Z
        for n in 0..40 * 366_i64 {
            let ms = start + n * 86_400_000 + 13 * 3_600_000 + 45 * 60_000;
            assert_eq!(iso_utc(ms), format!("{y:04}-{m:02}-{d:02}T13:45Z"));
            d += 1;
            if d > days_in(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}

/// A length of time in words: under a minute; whole minutes under an hour; hours under three
/// days (so an SLA of 48 hours reads as such); then days; hours and days to a tenth under ten
/// ("1.5 hours", "8.4 hours", "13 days").
pub fn duration(ms: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    let t = &crate::i18n::t().ui;
    let ms = ms.max(0);
    if ms < MINUTE {
        return t.under_a_minute.to_string();
    }
    let (n, one, other) = if ms < HOUR {
        ((ms / MINUTE).to_string(), t.minutes_one, t.minutes_other)
    } else if ms < 72 * HOUR {
        (tenths(ms, HOUR), t.hours_one, t.hours_other)
    } else {
        (tenths(ms, 24 * HOUR), t.days_one, t.days_other)
    };
    if n == "1" {
        one.to_string()
    } else {
        fill(other, &[("n", &n)])
    }
}

/// `ms` in `unit`s: to a tenth under ten ("1.5", "2"), whole from ten ("12").
fn tenths(ms: i64, unit: i64) -> String {
    let tenths = (ms * 10 + unit / 2) / unit;
    if tenths >= 100 {
        ((ms + unit / 2) / unit).to_string()
    } else if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod duration_tests {
    use super::duration;

    #[test]
    fn durations_read_in_their_largest_unit() {
        const MINUTE: i64 = 60_000;
        const HOUR: i64 = 60 * MINUTE;
        assert_eq!(duration(-5), "under a minute");
        assert_eq!(duration(30_000), "under a minute");
        assert_eq!(duration(MINUTE), "1 minute");
        assert_eq!(duration(20 * MINUTE), "20 minutes");
        assert_eq!(duration(HOUR), "1 hour");
        assert_eq!(duration(HOUR * 3 / 2), "1.5 hours");
        assert_eq!(duration(2 * HOUR), "2 hours");
        assert_eq!(duration(30_240_000), "8.4 hours");
        assert_eq!(duration(48 * HOUR), "48 hours");
        assert_eq!(duration(84 * HOUR), "3.5 days");
        assert_eq!(duration(300 * HOUR), "13 days");
    }
}
