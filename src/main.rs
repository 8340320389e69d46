//! Server entry: read settings, open and migrate the database, serve the portal.

use isv_portal::server::{config::Config, db::Db, startup};
use leptos::prelude::get_configuration;
use std::process::ExitCode;

const USAGE: &str = "usage: isv-portal [migrate]\n\
  (no command)  run pending migrations, then serve the portal\n\
  migrate       run pending migrations and exit\n\
Settings come from DATABASE_URL, SMTP_URL, MAIL_FROM, PUBLIC_URL, LEPTOS_SITE_ADDR (see README).";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,leptos=warn".into()),
        )
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [] => "serve",
        [c] if c == "migrate" => "migrate",
        [c] if c == "--help" || c == "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("unknown arguments: {}\n{USAGE}", args.join(" "));
            return ExitCode::from(2);
        }
    };

    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("isv-portal: bad setting {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!("settings: {}", config.summary());

    if command == "migrate" {
        let result = async {
            let db = Db::connect(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())
        }
        .await;
        return match result {
            Ok(()) => {
                tracing::info!("migrations are up to date");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("isv-portal: migration failed: {e}");
                ExitCode::FAILURE
            }
        };
    }

    let mut leptos_options = match get_configuration(None) {
        Ok(c) => c.leptos_options,
        Err(e) => {
            eprintln!("isv-portal: cannot read the Leptos configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    leptos_options.site_addr = config.site_addr;
    let addr = config.site_addr;

    let portal = match startup::build(config, leptos_options).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("isv-portal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("isv-portal: cannot listen on {addr} (LEPTOS_SITE_ADDR): {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("serving at http://{addr}");
    match startup::serve(listener, portal.router).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("isv-portal: server error: {e}");
            ExitCode::FAILURE
        }
    }
}
