//! "Export my data" on the account page: one JSON file with the account, the legal documents it
//! accepted, its workspace memberships, its two-step verification and security history, and its
//! applications with their rounds and history, each as this user sees it on their own pages (a
//! reviewer is "a reviewer", never a login). Never in it: the password hash, session tokens,
//! code hashes, the second factor's secret, recovery codes, a logo's bytes.

use leptos::prelude::*;

/// Where the file is downloaded from: a plain GET served beside the pages (`server::startup`),
/// under `/account`, so the edge sends a signed-out visit to sign in first.
pub const EXPORT_PATH: &str = "/account/export";

#[cfg(feature = "ssr")]
pub use ssr::export;

#[component]
pub fn ExportSection() -> impl IntoView {
    let t = crate::i18n::t();
    view! {
        <section class="account__section" aria-labelledby="export-title">
            <h2 id="export-title">{t.account.export_title}</h2>
            <p>
                {t.account.export_intro}
            </p>
            // `download` (and `rel="external"`) leave the click to the browser: the router
            // navigates client-side only to links that have neither.
            <a class="btn btn--secondary" href=EXPORT_PATH download="" rel="external">
                {t.account.export_download}
            </a>
        </section>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::EXPORT_PATH;
    use crate::applications::events::{self, seen_by_member};
    use crate::applications::{
        store, ApplicationView, BusinessFields, HistoryEntry, MemberRole, RoundView,
    };
    use crate::error::AppError;
    use crate::server::dates::format_date;
    use crate::server::db::{now_ms, Db};
    use crate::server::request::{AppState, OrInternal};
    use crate::server::sessions::{self, SessionUser};
    use axum::extract::State;
    use axum::response::{IntoResponse, Response};
    use axum::Extension;
    use http::{header, HeaderMap, HeaderValue, StatusCode};
    use serde::{Serialize, Serializer};

    /// Names this file's layout, so a reader (or a later version) knows what it holds.
    const FORMAT: &str = "isv-portal export 1";

    /// A stored moment (Unix milliseconds) the way the pages write it.
    fn date<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(*ms))
    }

    /// `date`, or null for a moment that has not come.
    fn optional_date<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => date(ms, s),
            None => s.serialize_none(),
        }
    }

    #[derive(Serialize)]
    struct Export {
        format: &'static str,
        exported_at: String,
        account: Account,
        acceptances: Vec<Acceptance>,
        memberships: Vec<Membership>,
        /// Whether two-step verification is on, and what happened to the account's security.
        two_step_verification: bool,
        /// The passkeys' names and dates (never their keys).
        passkeys: Vec<PasskeyEntry>,
        security_history: Vec<SecurityEntry>,
        applications: Vec<Application>,
    }

    #[derive(Serialize)]
    struct PasskeyEntry {
        name: String,
        #[serde(serialize_with = "date")]
        added_at: i64,
        #[serde(serialize_with = "optional_date")]
        last_used_at: Option<i64>,
    }

    #[derive(Serialize, sqlx::FromRow)]
    struct Account {
        username: String,
        email: String,
        #[serde(serialize_with = "date")]
        created_at: i64,
        #[serde(serialize_with = "date")]
        password_changed_at: i64,
    }

    /// A legal document accepted (`terms`, `privacy`), which version, when and from where.
    #[derive(Serialize, sqlx::FromRow)]
    struct Acceptance {
        document: String,
        version: String,
        #[serde(serialize_with = "date")]
        accepted_at: i64,
        ip: String,
        user_agent: String,
    }

    /// An entry of the security history (`second_factor_enabled`, `recovery_code_used`, ...).
    #[derive(Serialize)]
    struct SecurityEntry {
        what: String,
        #[serde(serialize_with = "date")]
        at: i64,
    }

    #[derive(Serialize, sqlx::FromRow)]
    struct Membership {
        workspace_id: String,
        workspace_name: String,
        #[serde(serialize_with = "member_role")]
        #[sqlx(try_from = "String")]
        role: MemberRole,
        #[serde(serialize_with = "date")]
        added_at: i64,
    }

    fn member_role<S: Serializer>(role: &MemberRole, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(role.key())
    }

    /// An application as its applicant sees it on the console and its onboarding details.
    #[derive(Serialize)]
    struct Application {
        id: String,
        role: &'static str,
        status: &'static str,
        /// As stored: the country as its code (named in `country_name`).
        #[serde(flatten)]
        fields: BusinessFields,
        country_name: String,
        /// Where the logo can be downloaded while signed in; its bytes are not in this file.
        logo_url: Option<String>,
        created_at: String,
        submitted_at: Option<String>,
        /// How many times it was submitted.
        round: i64,
        /// While rejected: the reviewer's reason.
        rejection_reason: Option<String>,
        /// While changes are requested: the fields asked about, with the reviewer's notes.
        requested_changes: Option<crate::domain::ChangeRequest>,
        /// Every submission, first to last, as it was sent for review, with its decision.
        rounds: Vec<Round>,
        /// Oldest first, as the onboarding details show it.
        history: Vec<HistoryEntry>,
    }

    impl Application {
        fn new(
            app: ApplicationView,
            rounds: Vec<Round>,
            history: Vec<HistoryEntry>,
            public_url: &str,
        ) -> Self {
            Application {
                id: app.id,
                role: app.role.key(),
                status: app.status.key(),
                fields: app.fields,
                country_name: app.country_name,
                logo_url: app.logo_url.map(|path| format!("{public_url}{path}")),
                created_at: app.created_at.text,
                submitted_at: app.submitted_at.map(|m| m.text),
                round: app.round,
                rejection_reason: app.rejection_reason,
                requested_changes: app.requested_changes,
                rounds,
                history,
            }
        }
    }

    #[derive(Serialize)]
    struct Round {
        round: i64,
        /// Its decision (`under_review` until decided).
        status: &'static str,
        submitted_at: Option<String>,
        decided_at: Option<String>,
        rejection_reason: Option<String>,
        /// What the reviewer asked to change on this round, if they did.
        requested_changes: Option<crate::domain::ChangeRequest>,
        #[serde(flatten)]
        fields: BusinessFields,
    }

    impl From<RoundView> for Round {
        fn from(r: RoundView) -> Self {
            // Who decided is the reviewers' side's to know: the applicant never sees it.
            let RoundView {
                app,
                decided_at,
                decided_by: _,
                changed_fields: _,
            } = r;
            Round {
                round: app.round,
                status: app.status.key(),
                submitted_at: app.submitted_at.map(|m| m.text),
                decided_at: decided_at.map(|m| m.text),
                rejection_reason: app.rejection_reason,
                requested_changes: app.requested_changes,
                fields: app.fields,
            }
        }
    }

    async fn account(db: &Db, user_id: &str) -> Result<Option<Account>, sqlx::Error> {
        sqlx::query_as(
            "SELECT username, email, created_at, password_changed_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
    }

    async fn acceptances(db: &Db, user_id: &str) -> Result<Vec<Acceptance>, sqlx::Error> {
        sqlx::query_as(
            "SELECT document, version, accepted_at, ip, user_agent FROM acceptances \
             WHERE user_id = $1 ORDER BY accepted_at, id",
        )
        .bind(user_id)
        .fetch_all(&db.pool)
        .await
    }

    async fn memberships(db: &Db, user_id: &str) -> Result<Vec<Membership>, sqlx::Error> {
        sqlx::query_as(
            "SELECT m.workspace_id AS workspace_id, w.name AS workspace_name, m.role AS role, \
             m.added_at AS added_at FROM workspace_members m \
             JOIN workspaces w ON w.id = m.workspace_id \
             WHERE m.user_id = $1 ORDER BY m.added_at, m.workspace_id",
        )
        .bind(user_id)
        .fetch_all(&db.pool)
        .await
    }

    /// Everything the file holds; `None` when the account is gone (deleted since the session
    /// was looked up, which ended the session too).
    async fn gather(st: &AppState, user: &SessionUser) -> Result<Option<Export>, AppError> {
        let Some(account) = account(&st.db, &user.user_id)
            .await
            .or_internal("reading the account")?
        else {
            return Ok(None);
        };
        let acceptances = acceptances(&st.db, &user.user_id)
            .await
            .or_internal("reading acceptances")?;
        let memberships = memberships(&st.db, &user.user_id)
            .await
            .or_internal("reading memberships")?;
        use crate::accounts::second_factor::store as second_factor;
        let two_step_verification = second_factor::is_on(&st.db, &user.user_id)
            .await
            .or_internal("reading a second factor")?;
        let passkeys = crate::accounts::second_factor::passkeys::store::list(&st.db, &user.user_id)
            .await
            .or_internal("reading passkeys")?
            .into_iter()
            .map(|p| PasskeyEntry {
                name: p.name,
                added_at: p.created_at,
                last_used_at: p.last_used_at,
            })
            .collect();
        let security_history = second_factor::history(&st.db, &user.user_id, i64::MAX)
            .await
            .or_internal("reading the security history")?
            .into_iter()
            .map(|(what, at)| SecurityEntry { what, at })
            .collect();
        let mut applications = Vec::new();
        for app in store::all_for_user(&st.db, &user.user_id)
            .await
            .or_internal("listing applications")?
        {
            let history = events::history(&st.db, &app.id)
                .await
                .or_internal("reading history")?
                .into_iter()
                .map(|e| seen_by_member(e, &user.user_id))
                .collect();
            let rounds = store::rounds(&st.db, &app.id)
                .await
                .or_internal("reading rounds")?
                .into_iter()
                .map(Round::from)
                .collect();
            applications.push(Application::new(
                app,
                rounds,
                history,
                &st.config.public_url,
            ));
        }
        Ok(Some(Export {
            format: FORMAT,
            exported_at: format_date(now_ms()),
            account,
            acceptances,
            memberships,
            two_step_verification,
            passkeys,
            security_history,
            applications,
        }))
    }

    /// The way the edge sends a signed-out visit to a signed-in page (`server::http::signed_in`).
    fn sign_in_first() -> Response {
        let location = format!("/signin?next={}", crate::ui::guard::next_value(EXPORT_PATH));
        (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
    }

    /// The error's status and sentence (an internal one was logged with its cause already).
    fn failed(e: AppError) -> Response {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, e.message).into_response()
    }

    /// `GET /account/export`: the signed-in user's data as a JSON file to download, its words
    /// (history, dates) in the language the reader reads the pages in.
    #[tracing::instrument(skip_all, fields(user = tracing::field::Empty))]
    pub async fn export(
        state: State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        headers: HeaderMap,
    ) -> Response {
        let lang = crate::i18n::switch::of_request(&headers);
        crate::i18n::switch::speaking_async(lang, export_now(state, signed_in, headers)).await
    }

    async fn export_now(
        State(st): State<AppState>,
        signed_in: Option<Extension<SessionUser>>,
        headers: HeaderMap,
    ) -> Response {
        // The edge looked the session up for this path already (it is under `/account`).
        let user = match signed_in {
            Some(Extension(user)) => Some(user),
            None => match sessions::from_headers(&st.db, &st.config, &headers).await {
                Ok(found) => found.map(|(_, user)| user),
                Err(e) => {
                    tracing::error!(error = %e, "looking up a session for an export");
                    return failed(AppError::internal());
                }
            },
        };
        // (A reviewer who has not set up a second factor yet gets nothing but that.)
        let Some(user) = user.filter(|u| !u.must_enrol) else {
            return sign_in_first();
        };
        tracing::Span::current().record("user", user.user_id.as_str());
        let data = match gather(&st, &user).await {
            Ok(Some(data)) => data,
            Ok(None) => return sign_in_first(),
            Err(e) => return failed(e),
        };
        let body = match serde_json::to_vec_pretty(&data) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "writing an export");
                return failed(AppError::internal());
            }
        };
        tracing::info!(
            applications = data.applications.len(),
            bytes = body.len(),
            "exported account data"
        );
        // Usernames are letters, digits, dots, underscores and hyphens: safe in a header.
        let disposition = HeaderValue::from_str(&format!(
            "attachment; filename=\"isv-portal-data-{}.json\"",
            user.username
        ))
        .unwrap_or_else(|_| {
            HeaderValue::from_static("attachment; filename=\"isv-portal-data.json\"")
        });
        (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                // The account's data: no shared cache, and no copy left on disk by the browser.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
            ],
            body,
        )
            .into_response()
    }
}
