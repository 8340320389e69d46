//! Server entry: read settings, open and migrate the database, serve the portal.

use isv_portal::server::{config::Config, db::Db, startup};
use leptos::prelude::get_configuration;
use std::process::ExitCode;

const USAGE: &str = "usage: isv-portal [migrate | create-reviewer --email EMAIL --username NAME | reset-second-factor --email EMAIL | seed-queue N [--append]]\n\
  (no command)     run pending migrations, then serve the portal\n\
  migrate          run pending migrations and exit\n\
  create-reviewer  make a reviewer account (password read from standard input), or make an\n\
                   existing account with that email a reviewer (reviewers set up two-step\n\
                   verification at their first sign-in)\n\
  reset-second-factor  remove an account's two-step verification (its phone and recovery\n\
                   codes are lost); signs it out everywhere, kept in its history, mailed to it\n\
  seed-queue       fill an empty database with N submitted applications (for benchmarks and\n\
                   demos of the review queue; their accounts cannot sign in)\n\
Settings come from DATABASE_URL, SMTP_URL, MAIL_FROM, PUBLIC_URL, LEPTOS_SITE_ADDR (see README).";

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(e) = init_tracing() {
        eprintln!("isv-portal: bad setting {e}");
        return ExitCode::from(2);
    }

    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [] => "serve",
        [c] if c == "migrate" => "migrate",
        [c, ..] if c == "create-reviewer" => "create-reviewer",
        [c, ..] if c == "reset-second-factor" => "reset-second-factor",
        [c, ..] if c == "seed-queue" => "seed-queue",
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

    if command == "create-reviewer" {
        return create_reviewer(&config, &args[1..]).await;
    }
    if command == "reset-second-factor" {
        return reset_second_factor(&config, &args[1..]).await;
    }
    if command == "seed-queue" {
        return seed_queue(&config, &args[1..]).await;
    }

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

    let metrics_addr = config.metrics_addr;

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
    // Metrics on a listener of their own, never on the portal's port.
    if let Some(metrics_addr) = metrics_addr {
        match tokio::net::TcpListener::bind(metrics_addr).await {
            Ok(l) => {
                startup::serve_metrics(l, &portal);
                tracing::info!("metrics at http://{metrics_addr}/metrics");
            }
            Err(e) => {
                eprintln!("isv-portal: cannot listen on {metrics_addr} (METRICS_ADDR): {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    tracing::info!("serving at http://{addr}");
    match startup::serve(listener, portal).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("isv-portal: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The log, on standard output: lines of text, or one JSON object per line with
/// `LOG_FORMAT=json`; levels from `RUST_LOG`.
fn init_tracing() -> Result<(), isv_portal::server::config::ConfigError> {
    use isv_portal::server::config::LogFormat;
    let format = LogFormat::from_env()?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,leptos=warn".into());
    match format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_env_filter(filter)
            .init(),
    }
    Ok(())
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix(&format!("{name}=")).map(str::to_string))
        })
}

async fn create_reviewer(config: &Config, args: &[String]) -> ExitCode {
    use isv_portal::accounts::reviewers::{create_reviewer, Created};
    let Some(email) = flag(args, "--email") else {
        eprintln!("create-reviewer needs --email EMAIL\n{USAGE}");
        return ExitCode::from(2);
    };
    let username = flag(args, "--username").unwrap_or_default();
    let db = match open_migrated(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    // The password comes from standard input (one line), never from the command line.
    let mut password = String::new();
    if !username.is_empty() {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            eprint!(
                "Password for the new reviewer (typed text is shown; pipe it in to avoid that): "
            );
        }
        let _ = std::io::stdin().read_line(&mut password);
    }
    let password = password.trim_end_matches(['\n', '\r']);
    match create_reviewer(&db, &email, &username, Some(password)).await {
        Ok(Created::New) => {
            println!(
                "Reviewer account created for {email}. They can sign in at /signin, where they \
                 set up two-step verification (an authenticator app) before reviewing."
            );
            ExitCode::SUCCESS
        }
        Ok(Created::Promoted) => {
            println!(
                "{email} is now a reviewer. Without two-step verification they set it up at \
                 their next page before reviewing."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("isv-portal: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `reset-second-factor --email EMAIL`: the account lost its phone and its recovery codes.
async fn reset_second_factor(config: &Config, args: &[String]) -> ExitCode {
    let Some(email) = flag(args, "--email") else {
        eprintln!("reset-second-factor needs --email EMAIL\n{USAGE}");
        return ExitCode::from(2);
    };
    let db = match open_migrated(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match isv_portal::accounts::second_factor::operator::reset_second_factor(
        &db,
        &email,
        &config.public_url,
    )
    .await
    {
        Ok(()) => {
            println!(
                "Two-step verification removed from {email}; every session ended, the account \
                 was mailed. They sign in with their password (a reviewer sets it up again)."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("isv-portal: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `seed-queue N [--append]`: N submitted applications, for the queue benchmark
/// (`bench/queue.mjs` reads the "between A and B" of its answer).
async fn seed_queue(config: &Config, args: &[String]) -> ExitCode {
    let Some(n) = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .and_then(|a| a.replace(['_', ','], "").parse::<usize>().ok())
    else {
        eprintln!("seed-queue needs a number of applications\n{USAGE}");
        return ExitCode::from(2);
    };
    let append = args.iter().any(|a| a == "--append");
    let db = match open_migrated(config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    match isv_portal::review::seed::seed_queue(&db, n, append).await {
        Ok(s) => {
            println!(
                "seeded {} applications, submitted between {} and {} (Unix ms)",
                s.applications, s.from_ms, s.to_ms
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("isv-portal: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The database of a command, migrated; the failure already said.
async fn open_migrated(config: &Config) -> Result<Db, ExitCode> {
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        eprintln!("isv-portal: cannot open the database: {e}");
        ExitCode::FAILURE
    })?;
    db.migrate().await.map_err(|e| {
        eprintln!("isv-portal: migration failed: {e}");
        ExitCode::FAILURE
    })?;
    Ok(db)
}
