//! The one way the portal writes a moment for people: pages, history and the dev mailbox.

/// `ms` (Unix milliseconds) as "05 Mar 2025, 14:07 UTC"; empty when out of range.
pub fn format_date(ms: i64) -> String {
    let format =
        time::macros::format_description!("[day] [month repr:short] [year], [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::format_date;

    #[test]
    fn dates_read_as_day_month_year_and_utc_time() {
        assert_eq!(format_date(1_741_183_620_000), "05 Mar 2025, 14:07 UTC");
        assert_eq!(format_date(i64::MAX), "");
    }
}
