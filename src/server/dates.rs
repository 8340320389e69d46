//! The one way the portal writes a moment for people: pages, history, mail and the dev
//! mailbox. Without the reader's time zone (the server does not know it) a moment is written
//! in UTC and says so, in the reader's language.

use crate::i18n::Lang;

/// `ms` (Unix milliseconds) in the language of the request being answered: "05 Mar 2025,
/// 14:07 UTC" or "2025年3月5日 14:07 UTC"; empty when out of range.
pub fn format_date(ms: i64) -> String {
    format_date_in(crate::i18n::lang(), ms)
}

/// `ms` in `lang` (mail goes out in its recipient's language, whatever the request's).
pub fn format_date_in(lang: Lang, ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms / 1000) else {
        return String::new();
    };
    match lang {
        Lang::En => t
            .format(time::macros::format_description!(
                "[day] [month repr:short] [year], [hour]:[minute] UTC"
            ))
            .unwrap_or_default(),
        Lang::ZhCn => format!(
            "{}年{}月{}日 {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_day_month_year_and_utc_time() {
        assert_eq!(format_date(1_741_183_620_000), "05 Mar 2025, 14:07 UTC");
        assert_eq!(format_date(i64::MAX), "");
        assert_eq!(
            format_date_in(Lang::ZhCn, 1_741_183_620_000),
            "2025年3月5日 14:07 UTC"
        );
    }
}
