//! Assembles the portal: database, migrations, mail worker, the router behind its edge (each
//! middleware given its configuration here), and `/metrics` apart; and serves them.

use super::config::Config;
use super::db::Db;
use super::feed::Feed;
use super::http::{
    body_limit, client_and_origin, error_status, log_requests, security_headers, signed_errors,
    signed_in_pages, BodyLimits, SignedInPages,
};
use super::mail::worker;
use super::request::AppState;
use crate::app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, LazyLock};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Largest request body of an ordinary form (the business form with its logo has its own).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The page routes, listed once per process, before any portal of it serves a page.
///
/// Listing runs the app with a process-wide flag raised (leptos_server's
/// `IS_SUPPRESSING_RESOURCE_LOAD`) under which a resource whose future is first polled waits
/// forever, even after the flag falls (leptos-rs/leptos#4773). A second portal in the same
/// process (the tests start many) listing its routes while the first renders a page would hang
/// that render; listed once, no listing ever overlaps a render.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The page routes every portal of this process serves (listed on the first call only).
pub fn routes() -> Vec<AxumRouteListing> {
    ROUTES.clone()
}

pub struct Portal {
    pub router: Router,
    pub state: AppState,
    /// `/metrics`, for a listener of its own (`serve_metrics`); `None` unless `METRICS_ADDR`.
    pub metrics: Option<Router>,
}

impl Portal {
    /// Ends open event streams, so a graceful shutdown does not wait for them.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.state.feed.shutdown()
    }
}

pub async fn build(config: Config, mut leptos_options: LeptosOptions) -> Result<Portal, String> {
    super::http::assets::use_hashed_names(&mut leptos_options);
    let asset_caching = super::http::AssetCaching::new(&leptos_options);
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    super::crypto::warm_up();
    let secret = Arc::new(super::crypto::Secret::resolve(&config)?);
    if config.dev_mailbox_forced {
        tracing::warn!(
            "DEV_MAILBOX=1: mail is kept at /dev/mailbox, readable by anyone who opens it; \
             set SMTP_URL for a real deployment"
        );
    }

    let config = Arc::new(config);
    let shutdown = CancellationToken::new();
    let feed = Feed::new(shutdown.clone());
    feed.start(db.clone(), &config.database_url, config.feed_poll)
        .await
        .map_err(|e| format!("cannot read the event feed: {e}"))?;
    let mail_ready = Arc::new(Notify::new());
    let mail_worker = Arc::new(worker::spawn(
        db.clone(),
        config.clone(),
        mail_ready.clone(),
    ));
    let state = AppState {
        db,
        config: config.clone(),
        mail_ready,
        feed,
        secret,
        mail_worker,
        typical_wait: Default::default(),
        exports: Arc::new(tokio::sync::Semaphore::new(2)),
        relying_party: crate::accounts::second_factor::passkeys::relying_party(&config)
            .map(Arc::new),
    };
    super::memory::spawn_trimmer(shutdown.clone());
    let metrics = config.metrics_addr.map(|_| {
        super::metrics::spawn_upkeep(shutdown.clone());
        super::metrics::router(state.db.clone())
    });

    // The edge's configuration: what it applies comes from the features that own it.
    let limits = Arc::new(BodyLimits {
        form: BODY_LIMIT,
        uploads: crate::onboarding::uploads(),
    });
    let signed_in = SignedInPages {
        app: state.clone(),
        paths: crate::app::SIGNED_IN_PATHS,
    };

    let routes = routes();
    let context_state = state.clone();
    let handlers = Router::new()
        .route(
            "/logos/{id}",
            axum::routing::get(crate::onboarding::logo::serve),
        )
        .route(
            crate::live::EVENTS_PATH,
            axum::routing::get(super::feed::stream),
        )
        .route(
            crate::accounts::EXPORT_PATH,
            axum::routing::get(crate::accounts::export_my_data),
        )
        .route(
            crate::accounts::RECOVERY_CODES_PATH,
            axum::routing::get(crate::accounts::second_factor::recovery_codes_file),
        )
        .route(
            crate::review::export::QUEUE_CSV_PATH,
            axum::routing::get(crate::review::export::queue_csv),
        )
        .route(
            crate::review::export::HISTORY_CSV_ROUTE,
            axum::routing::get(crate::review::export::history_csv),
        )
        .route(
            crate::i18n::SWITCH_PATH,
            axum::routing::post(crate::i18n::switch::switch),
        )
        .route("/healthz", axum::routing::get(super::health::healthz))
        .route("/readyz", axum::routing::get(super::health::readyz))
        .with_state(state.clone());
    // What every render and server function gets, a page's or the "not found" fallback's: the
    // state, the request's language, and the CSP nonce the middleware put in the header
    // (without it the hydration scripts are refused).
    let context = move || {
        provide_context(context_state.clone());
        if let Some(parts) = use_context::<http::request::Parts>() {
            provide_context(crate::i18n::switch::of_request(&parts.headers));
            if let Some(nonce) = parts.extensions.get::<leptos::nonce::Nonce>() {
                provide_context(nonce.clone());
            }
        }
    };
    let router = Router::new()
        .leptos_routes_with_context(&leptos_options, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(leptos_options)
        .merge(handlers)
        // The edge, innermost first (each `layer` wraps the ones before it; see `http`).
        .layer(axum::middleware::from_fn(error_status))
        .layer(axum::middleware::from_fn_with_state(
            asset_caching,
            super::http::asset_caching,
        ))
        .layer(axum::middleware::from_fn_with_state(
            signed_in,
            signed_in_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(limits, body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            signed_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config.clone(),
            client_and_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config,
            security_headers,
        ))
        .layer(axum::middleware::from_fn(log_requests));
    Ok(Portal {
        router,
        state,
        metrics,
    })
}

/// Serves until SIGINT or SIGTERM; open event streams end at once, requests in flight finish.
pub async fn serve(listener: TcpListener, portal: Portal) -> std::io::Result<()> {
    let streams = portal.shutdown_token();
    serve_until(listener, portal.router, async move {
        shutdown_signal().await;
        streams.cancel();
    })
    .await
}

/// Serves `/metrics` on `listener` (bound to `METRICS_ADDR`) until the portal shuts down;
/// `false` when metrics are off.
pub fn serve_metrics(listener: TcpListener, portal: &Portal) -> bool {
    let Some(router) = portal.metrics.clone() else {
        return false;
    };
    let stop = portal.shutdown_token();
    tokio::spawn(async move {
        if let Err(e) = serve_until(listener, router, stop.cancelled_owned()).await {
            tracing::error!(error = %e, "serving /metrics");
        }
    });
    true
}

pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Nagle's algorithm costs ~40 ms per small response; see shared notes.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
