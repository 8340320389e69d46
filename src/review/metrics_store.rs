//! The queries behind `/review/metrics` (`super::metrics`), read from the rounds (each
//! submission, with when it was first assigned and when and how it was decided) and, for the
//! queue now, from the applications. Counts are made by the database, grouped per week by
//! integer division from a Monday; the medians and 90th percentiles are taken here from the
//! durations of the rounds in range (neither database offers percentiles portably).
//! Days are UTC day numbers (days since 1970-01-01); times are Unix milliseconds.

use super::metrics::{Durations, Metrics, QueueAges, ReviewerCounts, WeekCounts, HOUR_MS};
use crate::applications::store::percentile;
use crate::domain::Status;
use crate::server::db::Db;

pub const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;
/// The longest range, in days: a year, a leap day included.
pub const MAX_DAYS: i64 = 366;
/// The default range: this many weeks, this one included.
pub const DEFAULT_WEEKS: i64 = 8;

/// The days shown, `from` and `to` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
}

impl Range {
    /// The range asked for (`YYYY-MM-DD`, UTC): `to` defaults to today and `from` to the Monday
    /// `DEFAULT_WEEKS - 1` weeks before `to`'s; given the wrong way round they are swapped, and
    /// a range longer than `MAX_DAYS` keeps its last `MAX_DAYS`.
    pub fn read(from: &str, to: &str, now_ms: i64) -> Range {
        let today = now_ms.div_euclid(DAY_MS);
        let to = parse_day(to).unwrap_or(today);
        let from = parse_day(from).unwrap_or_else(|| monday(to) - 7 * (DEFAULT_WEEKS - 1));
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        Range {
            from: from.max(to - (MAX_DAYS - 1)),
            to,
        }
    }

    /// Its first moment.
    pub fn start_ms(&self) -> i64 {
        self.from * DAY_MS
    }

    /// The first moment after it.
    pub fn end_ms(&self) -> i64 {
        (self.to + 1) * DAY_MS
    }
}

// ---- the calendar (proleptic Gregorian, after Howard Hinnant's algorithms) ----

/// The day number of a civil date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (month + 9) % 12; // [0, 11], March first
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `YYYY-MM-DD` (a real date, 1970 to 9999) as a day number; anything else is `None`.
pub fn parse_day(text: &str) -> Option<i64> {
    let s = text.trim();
    let b = s.as_bytes();
    if b.len() != 10 || !s.is_ascii() || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |part: &str| -> Option<i64> {
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (year, month, day) = (number(&s[0..4])?, number(&s[5..7])?, number(&s[8..10])?);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // 31 February reads as a day of March: not a date.
    (civil_from_days(days) == (year, month, day)).then_some(days)
}

/// A day number as `YYYY-MM-DD`.
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Monday of the ISO week of a day (1970-01-01, day 0, was a Thursday).
pub fn monday(days: i64) -> i64 {
    days - (days + 3).rem_euclid(7)
}

/// The ISO 8601 (year, week) of the week that starts on `monday`: the year of its Thursday.
pub fn iso_week(monday: i64) -> (i64, i64) {
    let thursday = monday + 3;
    let (year, _, _) = civil_from_days(thursday);
    (year, (thursday - days_from_civil(year, 1, 1)) / 7 + 1)
}

fn empty_week(monday: i64) -> WeekCounts {
    let (year, week) = iso_week(monday);
    WeekCounts {
        monday: format_day(monday),
        week: format!("{year}-W{week:02}"),
        submitted: 0,
        approved: 0,
        rejected: 0,
        changes_requested: 0,
    }
}

// ---- percentiles ----

/// Durations (ms; a negative one, from clocks that disagreed, counts as none).
pub fn summarise(mut ms: Vec<i64>, sla_ms: i64) -> Durations {
    for v in &mut ms {
        *v = (*v).max(0);
    }
    ms.sort_unstable();
    Durations {
        count: ms.len() as i64,
        median_ms: percentile(&ms, 50),
        p90_ms: percentile(&ms, 90),
        over_sla: ms.iter().filter(|v| **v > sla_ms).count() as i64,
    }
}

// ---- the queries ----

#[derive(sqlx::FromRow)]
struct WeekRow {
    week: i64,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    week: i64,
    #[sqlx(try_from = "String")]
    decision: Status,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct ReviewerRow {
    reviewer_id: Option<String>,
    username: Option<String>,
    #[sqlx(try_from = "String")]
    decision: Status,
    n: i64,
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    total: i64,
    under_one_day: i64,
    one_to_two_days: i64,
    two_to_seven_days: i64,
    over_seven_days: i64,
    over_sla: i64,
}

/// Adds `n` decisions of a kind to their counts; what is no decision is left out, and said.
fn tally(
    decision: Status,
    n: i64,
    approved: &mut i64,
    rejected: &mut i64,
    changes_requested: &mut i64,
) {
    match decision {
        Status::Approved => *approved += n,
        Status::Rejected => *rejected += n,
        Status::ChangesRequested => *changes_requested += n,
        other => tracing::warn!(decision = other.key(), "a round decided as no decision"),
    }
}

/// Everything the page shows, over `range`, with the queue as it stands at `now`.
pub async fn metrics(
    db: &Db,
    range: Range,
    now: i64,
    sla_hours: i64,
) -> Result<Metrics, sqlx::Error> {
    let (start, end) = (range.start_ms(), range.end_ms());
    let sla_ms = sla_hours * HOUR_MS;

    // Weeks are counted from the Monday of the first day's week: every time in range is at or
    // after it, so the integer division is a week's index on both databases.
    let first_monday = monday(range.from);
    let anchor = first_monday * DAY_MS;
    let n_weeks = (monday(range.to) - first_monday) / 7 + 1;
    let mut weeks: Vec<WeekCounts> = (0..n_weeks)
        .map(|i| empty_week(first_monday + 7 * i))
        .collect();

    let submitted: Vec<WeekRow> = sqlx::query_as(&format!(
        "SELECT week, COUNT(*) AS n FROM ( \
           SELECT (r.submitted_at - $1) / {WEEK_MS} AS week FROM application_rounds r \
           WHERE r.submitted_at >= $2 AND r.submitted_at < $3 \
         ) t GROUP BY week"
    ))
    .bind(anchor)
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    for row in submitted {
        if let Some(w) = usize::try_from(row.week)
            .ok()
            .and_then(|i| weeks.get_mut(i))
        {
            w.submitted += row.n;
        }
    }

    let decided: Vec<DecisionRow> = sqlx::query_as(&format!(
        "SELECT week, decision, COUNT(*) AS n FROM ( \
           SELECT (r.decided_at - $1) / {WEEK_MS} AS week, r.decision AS decision \
           FROM application_rounds r \
           WHERE r.decided_at >= $2 AND r.decided_at < $3 AND r.decision IS NOT NULL \
         ) t GROUP BY week, decision"
    ))
    .bind(anchor)
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    for row in decided {
        if let Some(w) = usize::try_from(row.week)
            .ok()
            .and_then(|i| weeks.get_mut(i))
        {
            tally(
                row.decision,
                row.n,
                &mut w.approved,
                &mut w.rejected,
                &mut w.changes_requested,
            );
        }
    }

    // An open round has no time to decision yet: only decided ones are measured.
    let to_decision: Vec<i64> = sqlx::query_scalar(
        "SELECT r.decided_at - r.submitted_at AS ms FROM application_rounds r \
         WHERE r.decided_at >= $1 AND r.decided_at < $2 AND r.decision IS NOT NULL",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    let to_assignment: Vec<i64> = sqlx::query_scalar(
        "SELECT r.assigned_at - r.submitted_at AS ms FROM application_rounds r \
         WHERE r.assigned_at >= $1 AND r.assigned_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;

    let by_reviewer: Vec<ReviewerRow> = sqlx::query_as(
        "SELECT r.decided_by AS reviewer_id, u.username AS username, r.decision AS decision, \
         COUNT(*) AS n FROM application_rounds r LEFT JOIN users u ON u.id = r.decided_by \
         WHERE r.decided_at >= $1 AND r.decided_at < $2 AND r.decision IS NOT NULL \
         GROUP BY r.decided_by, u.username, r.decision",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&db.pool)
    .await?;
    let mut reviewers: Vec<(Option<String>, ReviewerCounts)> = Vec::new();
    for row in by_reviewer {
        let i = match reviewers.iter().position(|(id, _)| *id == row.reviewer_id) {
            Some(i) => i,
            None => {
                reviewers.push((
                    row.reviewer_id.clone(),
                    ReviewerCounts {
                        username: row.username.clone(),
                        approved: 0,
                        rejected: 0,
                        changes_requested: 0,
                    },
                ));
                reviewers.len() - 1
            }
        };
        let c = &mut reviewers[i].1;
        tally(
            row.decision,
            row.n,
            &mut c.approved,
            &mut c.rejected,
            &mut c.changes_requested,
        );
    }
    let mut reviewers: Vec<ReviewerCounts> = reviewers
        .into_iter()
        .map(|(_, c)| c)
        .filter(|c| c.total() > 0)
        .collect();
    reviewers.sort_by(|a, b| {
        b.total()
            .cmp(&a.total())
            .then_with(|| a.username.cmp(&b.username))
    });

    Ok(Metrics {
        from: format_day(range.from),
        to: format_day(range.to),
        sla_hours,
        weeks,
        assignment: summarise(to_assignment, sla_ms),
        decision: summarise(to_decision, sla_ms),
        queue: queue_ages(db, now, sla_ms).await?,
        reviewers,
    })
}

/// The applications under review at `now` by how long ago their current round was submitted
/// (one walk of `applications_queue_status`); late: submitted more than `sla_ms` ago.
async fn queue_ages(db: &Db, now: i64, sla_ms: i64) -> Result<QueueAges, sqlx::Error> {
    let q: QueueRow = sqlx::query_as(
        "SELECT COUNT(*) AS total, \
         COUNT(CASE WHEN a.submitted_at > $1 THEN 1 END) AS under_one_day, \
         COUNT(CASE WHEN a.submitted_at <= $1 AND a.submitted_at > $2 THEN 1 END) AS one_to_two_days, \
         COUNT(CASE WHEN a.submitted_at <= $2 AND a.submitted_at > $3 THEN 1 END) AS two_to_seven_days, \
         COUNT(CASE WHEN a.submitted_at <= $3 THEN 1 END) AS over_seven_days, \
         COUNT(CASE WHEN a.submitted_at < $4 THEN 1 END) AS over_sla \
         FROM applications a WHERE a.status = 'under_review' AND a.submitted_at IS NOT NULL",
    )
    .bind(now - DAY_MS)
    .bind(now - 2 * DAY_MS)
    .bind(now - 7 * DAY_MS)
    .bind(now - sla_ms)
    .fetch_one(&db.pool)
    .await?;
    Ok(QueueAges {
        under_one_day: q.under_one_day,
        one_to_two_days: q.one_to_two_days,
        two_to_seven_days: q.two_to_seven_days,
        over_seven_days: q.over_seven_days,
        over_sla: q.over_sla,
        total: q.total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-03-03, a Monday (ISO week 10 of 2025).
    const MARCH_3: i64 = 20_150;

    #[test]
    fn the_calendar_agrees_with_the_pages_dates() {
        for days in (-1_000..30_000).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            let iso = crate::ui::moment::iso_utc(days * DAY_MS);
            assert_eq!(format_day(days), iso[..10]);
        }
        assert_eq!(format_day(MARCH_3), "2025-03-03");
    }

    #[test]
    fn dates_read_only_as_real_days() {
        assert_eq!(parse_day("2025-03-03"), Some(MARCH_3));
        assert_eq!(parse_day(" 2025-03-03 "), Some(MARCH_3));
        assert_eq!(parse_day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        for bad in [
            "",
            "2025-02-29",
            "2025-13-01",
            "2025-3-3",
            "03/03/2025",
            "2025-03-3x",
            "1969-12-31",
            "+025-03-03",
            "２０２５-03-0",
            "2025-04-31",
        ] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn weeks_start_on_monday_and_are_numbered_as_iso_does() {
        assert_eq!(monday(MARCH_3), MARCH_3);
        assert_eq!(monday(MARCH_3 + 6), MARCH_3, "Sunday");
        assert_eq!(monday(MARCH_3 + 7), MARCH_3 + 7);
        assert_eq!(monday(0), -3, "1970-01-01 was a Thursday");
        assert_eq!(iso_week(MARCH_3), (2025, 10));
        assert_eq!(iso_week(days_from_civil(2024, 12, 30)), (2025, 1));
        assert_eq!(iso_week(days_from_civil(2020, 12, 28)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2026, 12, 28)), (2026, 53));
        assert_eq!(iso_week(days_from_civil(2021, 1, 4)), (2021, 1));
        assert_eq!(empty_week(MARCH_3).week, "2025-W10");
    }

    #[test]
    fn a_range_defaults_to_eight_weeks_and_holds_at_most_a_year() {
        let noon = (MARCH_3 + 2) * DAY_MS + 12 * HOUR_MS; // Wednesday 5 March, 12:00
        let default = Range::read("", "", noon);
        assert_eq!(format_day(default.to), "2025-03-05");
        assert_eq!(format_day(default.from), "2025-01-13");
        assert_eq!((monday(default.to) - monday(default.from)) / 7 + 1, 8);
        assert_eq!(Range::read("soon", "later", noon), default);
        let asked = Range::read("2025-03-03", "2025-03-16", noon);
        assert_eq!((asked.from, asked.to), (MARCH_3, MARCH_3 + 13));
        assert_eq!(asked.end_ms() - asked.start_ms(), 14 * DAY_MS);
        assert_eq!(
            Range::read("2025-03-16", "2025-03-03", noon),
            asked,
            "swapped"
        );
        let long = Range::read("2020-01-01", "2025-03-16", noon);
        assert_eq!(format_day(long.from), "2024-03-16");
        assert_eq!(long.to - long.from + 1, MAX_DAYS);
        let one = Range::read("2025-03-03", "2025-03-03", noon);
        assert_eq!(one.end_ms() - one.start_ms(), DAY_MS);
    }

    #[test]
    fn percentiles_lie_between_the_nearest_ranks() {
        let h = HOUR_MS;
        let three = [h, 2 * h, 10 * h];
        assert_eq!(percentile(&three, 50), Some(2 * h));
        // 2 h + 0.8 × (10 h − 2 h)
        assert_eq!(percentile(&three, 90), Some(30_240_000));
        assert_eq!(percentile(&[h, 2 * h, 3 * h, 4 * h], 50), Some(5 * h / 2));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
        let d = summarise(vec![10 * h, h, 2 * h, -5], 2 * h);
        assert_eq!((d.count, d.median_ms, d.over_sla), (4, Some(3 * h / 2), 1));
        assert_eq!(summarise(Vec::new(), h), Durations::default());
    }
}
