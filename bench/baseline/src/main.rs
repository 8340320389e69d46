//! The baseline's server: the page, the server function, the site's files (precompressed when
//! built with `--precompress`).

#[tokio::main]
async fn main() {
    use axum::Router;
    use bench_baseline::{shell, App};
    use leptos::prelude::*;
    use leptos_axum::{generate_route_list, LeptosRoutes};

    let options = get_configuration(None).unwrap().leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(App);
    let app = Router::new()
        // The floor of an open event stream on axum + hyper: a stream that only keeps alive.
        .route("/events", axum::routing::get(events))
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options);
    use axum::serve::ListenerExt;
    // As the portal: no Nagle delay on small responses.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap()
        .tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
    axum::serve(listener, app.into_make_service()).await.unwrap();
}

/// Server-sent events that never say anything but keep-alives: what one open stream costs
/// before any state of the portal's own (`bench/run memory` compares).
#[cfg(feature = "ssr")]
async fn events() -> axum::response::sse::Sse<
    impl futures_core::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{KeepAlive, Sse};
    Sse::new(futures_util::stream::pending::<
        Result<axum::response::sse::Event, std::convert::Infallible>,
    >())
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
}
