//! The reviewers' CSV files: the queue as the dashboard's filters show it (one row per
//! application, every page of it) and one application's whole history. Plain GETs served
//! beside the pages (`server::startup`), for reviewers only. A file is UTF-8 with a byte order
//! mark, so spreadsheet programs read Chinese as Chinese, and no cell can start a formula:
//! company names, usernames and notes are typed by applicants, and a spreadsheet would run
//! `=HYPERLINK(…)` written into one.

/// The queue's file; the dashboard's filters ride along as its query (`status`, `role`,
/// `country`, `q`, `sort`), see [`queue_csv_href`].
pub const QUEUE_CSV_PATH: &str = "/review/export.csv";

/// The route of an application's history file (axum's syntax); links use [`history_csv_href`].
/// Under `/review`, so the edge sends a signed-out visit to sign in first, and a segment of its
/// own after the id, so it never meets the page `/review/{id}`.
pub const HISTORY_CSV_ROUTE: &str = "/review/{id}/history.csv";

/// The queue's file with the dashboard's filters (empty ones left out). The page's cursor is
/// not among them: the file holds every page.
pub fn queue_csv_href(status: &str, role: &str, country: &str, q: &str, sort: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("status", status),
        ("role", role),
        ("country", country),
        ("q", q),
        ("sort", sort),
    ] {
        if !value.is_empty() {
            query.append_pair(key, value);
        }
    }
    match query.finish() {
        query if query.is_empty() => QUEUE_CSV_PATH.to_string(),
        query => format!("{QUEUE_CSV_PATH}?{query}"),
    }
}

/// Application `id`'s history file.
pub fn history_csv_href(id: &str) -> String {
    HISTORY_CSV_ROUTE.replace("{id}", id)
}

#[cfg(feature = "ssr")]
pub use ssr::{history_csv, queue_csv, queue_file_sized, safe_cell, QueueArgs, MAX_ROWS};

#[cfg(feature = "ssr")]
mod ssr {
    use super::QUEUE_CSV_PATH;
    use crate::applications::events::history;
    use crate::applications::store::find_submitted;
    use crate::domain::{CountryCode, Role, Status};
    use crate::error::AppError;
    use crate::review::store;
    use crate::server::db::{now_ms, Db};
    use crate::server::request::{AppState, OrInternal};
    use crate::server::sessions::{self, SessionUser};
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Response};
    use axum::Extension;
    use http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
    use std::borrow::Cow;

    /// The most rows a queue file holds; past it the file ends there and says so in its
    /// `x-export-truncated` header (the dashboard's filters narrow it down).
    pub const MAX_ROWS: usize = 100_000;

    /// Set (to [`MAX_ROWS`]) on a queue file that stopped at the cap with rows left over.
    const TRUNCATED: &str = "x-export-truncated";

    /// What spreadsheet programs read as the file's encoding (UTF-8) when it starts it.
    const BOM: &[u8] = b"\xEF\xBB\xBF";

    /// A cell as a spreadsheet may safely open it: one that would start a formula (`=`, `+`,
    /// `-`, `@`, after spaces or not, or a tab or line break first) gets a leading apostrophe, which makes
    /// the rest plain text (OWASP, "CSV Injection"). The full-width forms count too, which
    /// some spreadsheet programs take for their ASCII twins in Chinese locales. Quoting and
    /// doubled quotes are the CSV writer's.
    pub fn safe_cell(cell: &str) -> Cow<'_, str> {
        // Spaces before a formula do not stop some programs from running it.
        let first = cell
            .trim_start_matches([' ', '\u{3000}', '\u{a0}'])
            .chars()
            .next();
        match (cell.chars().next(), first) {
            (Some('\t' | '\r' | '\n'), _)
            | (_, Some('=' | '+' | '-' | '@' | '＝' | '＋' | '－' | '＠')) => {
                Cow::Owned(format!("'{cell}"))
            }
            _ => Cow::Borrowed(cell),
        }
    }

    /// A CSV file being written: the byte order mark, then records ended by CRLF (RFC 4180),
    /// every cell through [`safe_cell`].
    pub(super) struct CsvFile(csv::Writer<Vec<u8>>);

    impl CsvFile {
        pub(super) fn new() -> Self {
            CsvFile(
                csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(BOM.to_vec()),
            )
        }

        pub(super) fn record(&mut self, cells: &[&str]) -> Result<(), AppError> {
            let cells: Vec<Cow<'_, str>> = cells.iter().copied().map(safe_cell).collect();
            self.0
                .write_record(cells.iter().map(|c| c.as_bytes()))
                .or_internal("writing a CSV record")
        }

        pub(super) fn finish(self) -> Result<Vec<u8>, AppError> {
            self.0.into_inner().or_internal("finishing a CSV file")
        }
    }

    /// A moment (Unix milliseconds) as spreadsheet programs read a date and time: UTC, to the
    /// second ("2025-03-05 14:07:00"); the column's name says UTC.
    pub(super) fn utc(ms: i64) -> String {
        time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
            .ok()
            .and_then(|t| {
                t.format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]:[second]"
                ))
                .ok()
            })
            .unwrap_or_default()
    }

    /// The dashboard's filters, as its page puts them in the query (a missing one is empty).
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct QueueArgs {
        pub status: String,
        pub role: String,
        pub country: String,
        pub q: String,
        pub sort: String,
    }

    impl QueueArgs {
        /// Reads a query string (the first value of each name; anything else is ignored).
        pub fn read(query: &str) -> QueueArgs {
            let mut args = QueueArgs::default();
            let mut seen: Vec<&'static str> = Vec::new();
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                let (name, slot) = match &*key {
                    "status" => ("status", &mut args.status),
                    "role" => ("role", &mut args.role),
                    "country" => ("country", &mut args.country),
                    "q" => ("q", &mut args.q),
                    "sort" => ("sort", &mut args.sort),
                    _ => continue,
                };
                if !seen.contains(&name) {
                    seen.push(name);
                    *slot = value.into_owned();
                }
            }
            args
        }

        /// The store's filter for `page`, read exactly as `review_queue` reads its arguments,
        /// so the file holds what the dashboard shows.
        pub fn filter(&self, page: store::Page) -> store::Filter {
            store::Filter {
                status: Status::parse(&self.status)
                    .ok()
                    .filter(|s| *s != Status::Draft),
                role: Role::parse(&self.role).ok(),
                country: CountryCode::parse(&self.country).ok(),
                search: self.q.trim().chars().take(100).collect(),
                oldest_first: self.sort == "oldest",
                page,
            }
        }
    }

    /// How many lines one read of the queue brings for a file.
    const BATCH: i64 = 1000;

    /// How many columns a queue file has.
    const COLUMNS: usize = 11;

    /// The queue's file: every line of the queue under `args`, in the dashboard's order, read
    /// through the same filters as its pages (`store::queue_lines`), a batch at a time, up to
    /// [`MAX_ROWS`]; a file that stops there says so in a last line. Answers the file, its
    /// number of rows, and whether it stopped at the cap.
    async fn queue_file(db: &Db, args: &QueueArgs) -> Result<(Vec<u8>, usize, bool), AppError> {
        queue_file_sized(db, args, BATCH, MAX_ROWS).await
    }

    /// [`queue_file`] read `batch` lines at a time and stopping at `max` rows (the tests make
    /// both small, to cross batches and reach the cap with a few rows).
    pub async fn queue_file_sized(
        db: &Db,
        args: &QueueArgs,
        batch: i64,
        max: usize,
    ) -> Result<(Vec<u8>, usize, bool), AppError> {
        let t = &crate::i18n::t().review.export;
        let mut file = CsvFile::new();
        let header: [&str; COLUMNS] = [
            t.col_id,
            t.col_company,
            t.col_role,
            t.col_country,
            t.col_applicant,
            t.col_email,
            t.col_status,
            t.col_submitted_at,
            t.col_decided_at,
            t.col_assignee,
            t.col_rounds,
        ];
        file.record(&header)?;
        let filter = args.filter(store::Page::First);
        let mut after: Option<store::Key> = None;
        let mut written = 0;
        let batch = batch.max(1);
        let truncated = loop {
            let room = (max - written) as i64;
            let (lines, next) = store::queue_lines(db, &filter, after.as_ref(), room.min(batch))
                .await
                .or_internal("reading the queue for an export")?;
            for store::ExportLine {
                line: row,
                decided_at,
            } in &lines
            {
                let submitted = row
                    .submitted_at
                    .as_ref()
                    .map(|at| utc(at.ms))
                    .unwrap_or_default();
                let decided = decided_at.map(utc).unwrap_or_default();
                let rounds = row.rounds.to_string();
                file.record(&[
                    row.id.as_str(),
                    row.company_name.as_str(),
                    row.role.label(),
                    row.country_name.as_str(),
                    row.applicant.as_str(),
                    row.email.as_str(),
                    row.status.label(),
                    submitted.as_str(),
                    decided.as_str(),
                    row.assigned_to.as_deref().unwrap_or(""),
                    rounds.as_str(),
                ])?;
            }
            written += lines.len();
            match next {
                None => break false,
                Some(_) if written >= max => break true,
                key => after = key,
            }
        };
        if truncated {
            // In the first column of a row as wide as the others (a CSV's rows are all alike).
            let note = crate::i18n::fill(t.truncated, &[("max", &max)]);
            let mut cells = [""; COLUMNS];
            cells[0] = note.as_str();
            file.record(&cells)?;
        }
        Ok((file.finish()?, written, truncated))
    }

    /// Application `id`'s history file, oldest first, as its page shows the history to
    /// reviewers; `None` when there is no such submitted application.
    async fn history_file(db: &Db, id: &str) -> Result<Option<(Vec<u8>, usize)>, AppError> {
        if find_submitted(db, id)
            .await
            .or_internal("finding an application for an export")?
            .is_none()
        {
            return Ok(None);
        }
        let entries = history(db, id)
            .await
            .or_internal("reading history for an export")?;
        let t = &crate::i18n::t().review.export;
        let mut file = CsvFile::new();
        file.record(&[t.col_round, t.col_when, t.col_what, t.col_who])?;
        for e in &entries {
            let round = e.round.to_string();
            let when = utc(e.at.ms);
            file.record(&[
                round.as_str(),
                when.as_str(),
                e.note.as_str(),
                e.actor.as_deref().unwrap_or(""),
            ])?;
        }
        Ok(Some((file.finish()?, entries.len())))
    }

    /// Where a file was asked for (to come back to after signing in), `fallback` without one.
    fn here<'a>(uri: &'a Uri, fallback: &'a str) -> &'a str {
        uri.path_and_query().map_or(fallback, |p| p.as_str())
    }

    /// The way the edge sends a signed-out visit to a signed-in page, back to `here` after.
    fn sign_in_first(here: &str) -> Response {
        let location = format!("/signin?next={}", crate::ui::guard::next_value(here));
        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
    }

    /// The error's status and sentence (an internal one was logged with its cause already).
    fn failed(e: AppError) -> Response {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, e.message).into_response()
    }

    /// The signed-in reviewer, or the answer for anyone else: sign in first (`here` is where
    /// to come back), or 403 for an account that is not a reviewer's.
    async fn reviewer(
        st: &AppState,
        signed_in: Option<Extension<SessionUser>>,
        headers: &HeaderMap,
        here: &str,
    ) -> Result<SessionUser, Response> {
        // The edge looked the session up already (the paths are under `/review`).
        let user = match signed_in {
            Some(Extension(user)) => Some(user),
            None => match sessions::from_headers(&st.db, &st.config, headers).await {
                Ok(found) => found.map(|(_, user)| user),
                Err(e) => {
                    tracing::error!(error = %e, "looking up a session for a CSV export");
                    return Err(failed(AppError::internal()));
                }
            },
        };
        let Some(user) = user else {
            return Err(sign_in_first(here));
        };
        tracing::Span::current().record("user", user.user_id.as_str());
        if !user.is_reviewer {
            return Err(failed(AppError::forbidden()));
        }
        Ok(user)
    }

    /// A CSV file to download as `filename` (ASCII letters, digits, `-` and `.` only).
    fn csv_response(body: Vec<u8>, filename: &str) -> Response {
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"export.csv\""));
        (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                // Applicants' names and addresses: no shared cache, no copy left on disk.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
            ],
            body,
        )
            .into_response()
    }

    /// `GET /review/export.csv?status=&role=&country=&q=&sort=`: the applications the
    /// dashboard shows under these filters, every page of them, as a CSV file; its header row,
    /// statuses, roles and countries in the language the reader reads the pages in.
    #[tracing::instrument(skip_all, fields(user = tracing::field::Empty))]
    pub async fn queue_csv(
        state: State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        let lang = crate::i18n::switch::of_request(&headers);
        crate::i18n::switch::speaking_async(lang, queue_now(state, signed_in, uri, headers)).await
    }

    async fn queue_now(
        State(st): State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        let here = here(&uri, QUEUE_CSV_PATH);
        if let Err(refused) = reviewer(&st, signed_in, &headers, here).await {
            return refused;
        }
        // A file of the whole queue is the heaviest read there is: two at a time per instance;
        // a third waits a moment for its turn, then is told to come back.
        let turn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            st.exports.clone().acquire_owned(),
        )
        .await;
        let Ok(Ok(_turn)) = turn else {
            let t = &crate::i18n::t().review.export;
            return failed(AppError::too_many(t.busy, 5));
        };
        let args = QueueArgs::read(uri.query().unwrap_or(""));
        let (body, rows, truncated) = match queue_file(&st.db, &args).await {
            Ok(file) => file,
            Err(e) => return failed(e),
        };
        if truncated {
            tracing::warn!(rows, "a queue export stopped at its cap");
        }
        tracing::info!(rows, bytes = body.len(), "exported the review queue");
        let day = utc(now_ms());
        let day = day.split(' ').next().unwrap_or_default();
        let mut res = csv_response(body, &format!("isv-portal-applications-{day}.csv"));
        if truncated {
            res.headers_mut().insert(
                HeaderName::from_static(TRUNCATED),
                HeaderValue::from(MAX_ROWS),
            );
        }
        res
    }

    /// `GET /review/{id}/history.csv`: every entry of the application's history, oldest
    /// first, as a CSV file; its notes in the language the reader reads the pages in.
    #[tracing::instrument(
        skip_all,
        fields(user = tracing::field::Empty, application = tracing::field::Empty)
    )]
    pub async fn history_csv(
        state: State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        path: Path<String>,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        let Path(id) = path;
        tracing::Span::current().record("application", id.as_str());
        let lang = crate::i18n::switch::of_request(&headers);
        crate::i18n::switch::speaking_async(lang, history_now(state, signed_in, id, uri, headers))
            .await
    }

    async fn history_now(
        State(st): State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        id: String,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        let here = here(&uri, "/review");
        if let Err(refused) = reviewer(&st, signed_in, &headers, here).await {
            return refused;
        }
        let (body, entries) = match history_file(&st.db, &id).await {
            Ok(Some(file)) => file,
            Ok(None) => return failed(AppError::not_found()),
            Err(e) => return failed(e),
        };
        tracing::info!(
            entries,
            bytes = body.len(),
            "exported an application's history"
        );
        // Found, so `id` is one the portal made (hex): safe in a header.
        csv_response(body, &format!("isv-portal-history-{id}.csv"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_filters_that_are_set_and_nothing_else() {
        assert_eq!(queue_csv_href("", "", "", "", ""), "/review/export.csv");
        assert_eq!(
            queue_csv_href("approved", "", "SG", "星河 & co", "oldest"),
            "/review/export.csv?status=approved&country=SG&q=%E6%98%9F%E6%B2%B3+%26+co&sort=oldest"
        );
        assert_eq!(history_csv_href("ab12"), "/review/ab12/history.csv");
    }

    #[cfg(feature = "ssr")]
    mod server {
        use super::super::ssr::{utc, CsvFile};
        use super::super::*;

        #[test]
        fn a_cell_that_would_start_a_formula_starts_with_an_apostrophe() {
            for cell in [
                "=HYPERLINK(\"x\")",
                "+1",
                "-2+3",
                "@SUM(A1)",
                "\t=1",
                "\r=1",
                "＝1+1",
                " =1",
                "\u{3000}@x",
                "\nA",
            ] {
                assert_eq!(safe_cell(cell), format!("'{cell}"), "{cell:?}");
            }
            for cell in [
                "Acme Pte. Ltd.",
                "星河科技有限公司",
                "",
                "a=b",
                " a=1",
                "1-2",
                "'quoted",
            ] {
                assert_eq!(safe_cell(cell), cell, "{cell:?}");
                assert!(matches!(safe_cell(cell), std::borrow::Cow::Borrowed(_)));
            }
        }

        #[test]
        fn a_file_starts_with_the_bom_and_quotes_what_needs_it() {
            let mut file = CsvFile::new();
            file.record(&["Company", "Status"]).unwrap();
            file.record(&["=HYPERLINK(\"x\")", "审核中"]).unwrap();
            file.record(&["a, b", "line\nbreak"]).unwrap();
            let bytes = file.finish().unwrap();
            assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
            let text = std::str::from_utf8(&bytes[3..]).unwrap();
            assert_eq!(
                text,
                "Company,Status\r\n\"'=HYPERLINK(\"\"x\"\")\",审核中\r\n\"a, b\",\"line\nbreak\"\r\n"
            );
        }

        #[test]
        fn moments_are_written_in_utc_to_the_second() {
            assert_eq!(utc(1_741_183_620_000), "2025-03-05 14:07:00");
            assert_eq!(utc(1_741_183_620_999), "2025-03-05 14:07:00");
            assert_eq!(utc(0), "1970-01-01 00:00:00");
        }

        #[test]
        fn the_filters_are_read_as_the_dashboard_reads_them() {
            let args = QueueArgs::read("status=approved&role=isv&country=SG&q=%20acme%20&sort=oldest&after=x&status=rejected");
            assert_eq!(
                args,
                QueueArgs {
                    status: "approved".into(),
                    role: "isv".into(),
                    country: "SG".into(),
                    q: " acme ".into(),
                    sort: "oldest".into(),
                }
            );
            let f = args.filter(crate::review::store::Page::First);
            assert_eq!(f.status, Some(crate::domain::Status::Approved));
            assert_eq!(f.role, Some(crate::domain::Role::Isv));
            assert_eq!(f.country.map(|c| c.code()), Some("SG"));
            assert_eq!(f.search, "acme");
            assert!(f.oldest_first);
            // Drafts are never in the queue; nonsense is no filter.
            let f = QueueArgs::read("status=draft&role=nope&country=Atlantis")
                .filter(crate::review::store::Page::First);
            assert_eq!((f.status, f.role, f.country), (None, None, None));
        }
    }
}
