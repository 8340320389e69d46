//! `isv-portal seed-queue <N>`: fills the reviewers' queue with N submitted applications, for
//! measuring it at scale (bench/queue.mjs) and for trying the dashboard with a real-looking
//! queue. Each application has its own applicant account (which cannot sign in), one round,
//! its workspace and member; countries are skewed (a few common, many rare), roles and statuses
//! mixed, company names made of syllables, submission times spread over the last year.
//!
//! Rows go in by multi-row INSERTs, a few hundred applications per transaction, on both
//! backends. The queue's upkeep is the one the portal does: the search index follows through
//! its triggers (SQLite) or the database's index (PostgreSQL), and the counts per status move
//! by atomic increments in each batch's transaction.

use crate::server::crypto::new_id;
use crate::server::db::{now_ms, Backend, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Executor;

/// Applications per transaction (and per INSERT): at 20 values a row, far below SQLite's
/// 32,766 and PostgreSQL's 65,535 placeholders.
const BATCH: usize = 250;

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Most common first: the share of a country falls with its place (1/k).
const COUNTRIES: &[&str] = &[
    "SG", "US", "CN", "DE", "GB", "JP", "IN", "FR", "MY", "ID", "TH", "VN", "PH", "AU", "KR", "HK",
    "TW", "CA", "NL", "IT", "ES", "BR", "MX", "AE", "SA", "CH", "SE", "NO", "DK", "FI", "PL", "IE",
    "NZ", "ZA", "NG", "KE", "EG", "TR", "AR", "CL",
];

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "tek", "so", "ven", "dor", "ix", "ul", "zen", "pa", "quo", "bri",
    "sta", "nex", "vo", "li", "mar", "tor", "flu", "gen", "ha", "jo", "wei", "xin", "yu", "oki",
    "del", "ros",
];
const WORDS: &[&str] = &[
    "Apps",
    "Labs",
    "Digital",
    "Systems",
    "Commerce",
    "Trading",
    "Ventures",
    "Studio",
    "Pay",
    "Retail",
    "Foods",
    "Logistics",
];
const SUFFIXES: &[&str] = &[
    "Pte. Ltd.",
    "GmbH",
    "Ltd",
    "Inc.",
    "S.A.",
    "K.K.",
    "LLC",
    "B.V.",
    "Co., Ltd.",
    "Sdn. Bhd.",
];
const MAILBOXES: &[&str] = &[
    "ops", "hello", "admin", "contact", "bizdev", "finance", "partners", "team",
];

/// What was seeded: how many, and the span of their submission times (Unix ms).
#[derive(Debug)]
pub struct Seeded {
    pub applications: usize,
    pub from_ms: i64,
    pub to_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database has applications already (`--append` adds to them anyway).
    #[error("the database has {0} applications already; add --append to add more anyway")]
    NotEmpty(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A value for a numbered placeholder.
enum V {
    T(String),
    I(i64),
    NoInt,
    NoText,
}

/// One seeded application, every table's values.
struct Made {
    users: Vec<V>,
    applications: Vec<V>,
    rounds: Vec<V>,
    workspaces: Vec<V>,
    members: Vec<V>,
    status: &'static str,
}

/// Seeds `n` submitted applications into a migrated database (`Db::migrate` made the search
/// index, whose SQLite triggers follow every row written here). Refuses when there are
/// applications already, unless `append`.
pub async fn seed_queue(db: &Db, n: usize, append: bool) -> Result<Seeded, SeedError> {
    if !append {
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM applications")
            .fetch_one(&db.pool)
            .await?;
        if existing > 0 {
            return Err(SeedError::NotEmpty(existing));
        }
    }
    let to_ms = now_ms();
    let from_ms = to_ms - YEAR_MS;
    let mut rng = StdRng::seed_from_u64(to_ms as u64);
    let weights: Vec<f64> = (1..=COUNTRIES.len()).map(|k| 1.0 / k as f64).collect();
    let total_weight: f64 = weights.iter().sum();

    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        let batch: Vec<Made> = (0..size)
            .map(|_| made(&mut rng, &weights, total_weight, from_ms, to_ms))
            .collect();
        write_batch(db, &batch).await?;
        done += size;
        if done % 10_000 == 0 || done == n {
            tracing::info!(seeded = done, of = n, "seeding the queue");
        }
    }
    // Fresh statistics, so the planner knows the table is large now (and, on PostgreSQL, the
    // trigram index's pending entries merged and the visibility map set, as autovacuum would
    // later). Plain text, outside a transaction: VACUUM cannot run in one.
    match db.backend {
        Backend::Sqlite => {
            let _turn = db.writer_turn().await;
            (&db.pool).execute("ANALYZE").await?;
        }
        Backend::Postgres => {
            (&db.pool).execute("VACUUM ANALYZE applications").await?;
            (&db.pool).execute("ANALYZE users").await?;
        }
    }
    Ok(Seeded {
        applications: n,
        from_ms,
        to_ms,
    })
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn made(rng: &mut StdRng, weights: &[f64], total: f64, from_ms: i64, to_ms: i64) -> Made {
    let id = new_id();
    let user_id = new_id();
    let short = &user_id[..16];
    let stem: String = (0..rng.gen_range(2..=3))
        .map(|_| pick(rng, SYLLABLES))
        .collect();
    let company = if rng.gen_bool(0.6) {
        format!(
            "{} {} {}",
            capitalised(&stem),
            pick(rng, WORDS),
            pick(rng, SUFFIXES)
        )
    } else {
        format!("{} {}", capitalised(&stem), pick(rng, SUFFIXES))
    };
    let email = format!("{}.{short}@{stem}.example", pick(rng, MAILBOXES));
    let username = format!("seed_{short}");
    let country = {
        let mut at = rng.gen::<f64>() * total;
        let mut chosen = COUNTRIES[COUNTRIES.len() - 1];
        for (code, w) in COUNTRIES.iter().zip(weights) {
            if at < *w {
                chosen = *code;
                break;
            }
            at -= w;
        }
        chosen
    };
    let role = if rng.gen_bool(0.6) { "isv" } else { "merchant" };
    let status = match rng.gen_range(0..10) {
        0..=4 => "under_review",
        5..=7 => "approved",
        _ => "rejected",
    };
    let submitted_at = rng.gen_range(from_ms..to_ms);
    let created_at = submitted_at - rng.gen_range(0..7 * DAY_MS);
    let decided_at = (status != "under_review")
        .then(|| (submitted_at + rng.gen_range(0..14 * DAY_MS)).min(to_ms));
    let reason = if status == "rejected" {
        "The documents do not match the company name."
    } else {
        ""
    };
    let address = format!(
        "{} Market Street, #{:02}-{:02}",
        rng.gen_range(1..300),
        rng.gen_range(1..40),
        rng.gen_range(1..20)
    );
    let representative = format!(
        "{} {}",
        capitalised(pick(rng, SYLLABLES)),
        capitalised(&stem)
    );
    let website = format!("https://{stem}.example");
    let phone = format!("+65{}", rng.gen_range(60_000_000..99_999_999));
    let search = format!("{}\n{}", company.to_lowercase(), email.to_lowercase());
    let decided = || decided_at.map(V::I).unwrap_or(V::NoInt);
    let t = |s: &str| V::T(s.to_string());
    Made {
        users: vec![
            t(&user_id),
            t(&email),
            t(&username),
            t(&username),
            // Not a PHC string: no password verifies against it (as for a deleted account).
            t("!seeded"),
            V::I(created_at),
            V::I(created_at),
        ],
        applications: vec![
            t(&id),
            t(&user_id),
            t(role),
            t(status),
            t(&company),
            t(&address),
            t(country),
            t(&representative),
            t(&website),
            t(&phone),
            t(&email),
            V::I(created_at),
            V::I(decided_at.unwrap_or(submitted_at)),
            V::I(submitted_at),
            decided(),
            t(reason),
            t(role),
            t(country),
            t(&company),
            t(&search),
        ],
        rounds: vec![
            t(&id),
            t(role),
            t(&company),
            t(&address),
            t(country),
            t(&representative),
            t(&website),
            t(&phone),
            t(&email),
            V::I(submitted_at),
            decided(),
            // A round's decision: none while under review.
            match status {
                "under_review" => V::NoText,
                s => t(s),
            },
            t(reason),
        ],
        workspaces: vec![t(&id), t(&company), V::I(submitted_at)],
        members: vec![
            t(&id),
            t(&user_id),
            t(if status == "approved" {
                "owner"
            } else {
                "applicant"
            }),
            V::I(submitted_at),
        ],
        status,
    }
}

/// `(…), (…)` for `rows` rows of `columns` placeholders each, numbered from 1; `fixed` are
/// SQL literals appended to every row (after the placeholders).
fn values(rows: usize, columns: usize, fixed: &str) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (0..columns)
                .map(|c| format!("${}", r * columns + c + 1))
                .collect();
            format!("({}{fixed})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    head: &str,
    fixed: &str,
    rows: Vec<&Vec<V>>,
) -> Result<(), sqlx::Error> {
    let columns = rows.first().map(|r| r.len()).unwrap_or(0);
    let sql = format!("{head} VALUES {}", values(rows.len(), columns, fixed));
    let mut q = sqlx::query(&sql);
    for row in rows {
        for v in row {
            q = match v {
                V::T(s) => q.bind(s.clone()),
                V::I(i) => q.bind(*i),
                V::NoInt => q.bind(None::<i64>),
                V::NoText => q.bind(None::<String>),
            };
        }
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn write_batch(db: &Db, batch: &[Made]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    insert(
        &mut tx,
        "INSERT INTO users (id, email, username, username_key, password_hash, created_at, \
         password_changed_at)",
        "",
        batch.iter().map(|m| &m.users).collect(),
    )
    .await?;
    insert(
        &mut tx,
        "INSERT INTO applications (id, user_id, role, status, company_name, business_address, \
         country, representative, website, service_phone, service_email, created_at, updated_at, \
         submitted_at, decided_at, decision_reason, queue_role, queue_country, queue_company, \
         queue_search, round)",
        ", 1",
        batch.iter().map(|m| &m.applications).collect(),
    )
    .await?;
    insert(
        &mut tx,
        "INSERT INTO application_rounds (application_id, role, company_name, business_address, \
         country, representative, website, service_phone, service_email, submitted_at, \
         decided_at, decision, decision_reason, round)",
        ", 1",
        batch.iter().map(|m| &m.rounds).collect(),
    )
    .await?;
    insert(
        &mut tx,
        "INSERT INTO workspaces (id, name, created_at)",
        "",
        batch.iter().map(|m| &m.workspaces).collect(),
    )
    .await?;
    insert(
        &mut tx,
        "INSERT INTO workspace_members (workspace_id, user_id, role, added_at)",
        "",
        batch.iter().map(|m| &m.members).collect(),
    )
    .await?;
    // The counts per status, moved in the batch's transaction as every submission and
    // decision moves them.
    for status in ["under_review", "approved", "rejected"] {
        let k = batch.iter().filter(|m| m.status == status).count() as i64;
        if k > 0 {
            sqlx::query("UPDATE queue_counts SET n = n + $1 WHERE status = $2")
                .bind(k)
                .bind(status)
                .execute(&mut **tx)
                .await?;
        }
    }
    tx.commit().await
}
