//! Memory stays bounded: a burst of sign-in attempts (each an argon2 hash of 19 MiB) must not
//! leave the process holding more than one memory block per hashing permit.

mod common;
use common::process::Process;
use common::*;
use futures::future::join_all;
use isv_portal::server::db::Backend;

/// What the resident size may grow by, beyond one 19 MiB block per permit: the runtime's
/// threads, connection buffers and allocator slack of 64 requests.
const MARGIN_KIB: u64 = 32 * 1024;
const BLOCK_KIB: u64 = isv_portal::server::crypto::M_COST_KIB as u64;

async fn burst_stays_within_the_hashing_blocks(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    // Every attempt from its own client behind the (trusted) test proxy, each for its own
    // unknown login, so all 64 reach argon2 instead of being throttled.
    let server = Process::start_with(
        &url,
        None,
        None,
        &[("TRUSTED_PROXIES", "127.0.0.1"), ("RUST_LOG", "error")],
    )
    .await;
    let client = browser(&server.address);
    let attempt = |i: usize| {
        let client = client.clone();
        let url = server.url("/api/accounts/sign_in");
        async move {
            client
                .post(url)
                .header("x-forwarded-for", format!("198.51.100.{}", i % 250 + 1))
                .form(&[
                    ("login", format!("nobody{i}")),
                    ("password", "not the password".into()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Warm up: one hash, so the baseline already has the runtime and one block.
    assert_eq!(attempt(1000).await, 422);
    let (before, _) = server.memory_kib();
    let got = join_all((0..64).map(attempt)).await;
    assert!(
        got.iter().all(|s| *s == 422),
        "every attempt was checked: {got:?}"
    );
    let (after, peak) = server.memory_kib();
    let permits = isv_portal::server::crypto::hashing_permits() as u64;
    // The warm-up already holds one block: the burst may add one for each other permit.
    let allowed = (permits - 1) * BLOCK_KIB + MARGIN_KIB;
    eprintln!("memory: before {before} KiB, after {after} KiB, peak {peak} KiB, allowed growth {allowed} KiB");
    assert!(
        peak.saturating_sub(before) <= allowed,
        "peak grew by {} KiB (> {allowed} KiB)",
        peak - before
    );
    assert!(after.saturating_sub(before) <= allowed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_64_sign_ins_stays_within_the_hashing_blocks_on_sqlite() {
    burst_stays_within_the_hashing_blocks(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_64_sign_ins_stays_within_the_hashing_blocks_on_postgres() {
    burst_stays_within_the_hashing_blocks(Backend::Postgres).await;
}
