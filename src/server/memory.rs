//! Hands memory freed after a burst back to the system.
//!
//! The allocator (glibc's) keeps what a thread frees in that thread's arena for reuse, and gives
//! little of it back by itself: after 256 parallel sign-ins or 20 logo uploads the portal kept
//! tens of MB it no longer used (bench/RESULTS.md, memory table). Heavy work (a password hash,
//! a logo decode) marks the heap dirty; once no such work has happened for `QUIET`, a task
//! calls `malloc_trim(0)`, which returns the free pages of every arena. Trimming walks the
//! free lists holding each arena's lock, so it waits for a pause (under steady sign-ins it
//! would only give back pages that are taken again at once), and runs off the async threads.

use super::db::now_ms;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const QUIET: Duration = Duration::from_secs(2);

static DIRTY: AtomicBool = AtomicBool::new(false);
static LAST_HEAVY_MS: AtomicI64 = AtomicI64::new(0);

/// Call after work that allocated much and freed it again.
pub fn note_heavy_work() {
    LAST_HEAVY_MS.store(now_ms(), Ordering::Relaxed);
    DIRTY.store(true, Ordering::Relaxed);
}

pub fn spawn_trimmer(shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(QUIET / 2) => {}
                _ = shutdown.cancelled() => return,
            }
            let quiet =
                now_ms() - LAST_HEAVY_MS.load(Ordering::Relaxed) >= QUIET.as_millis() as i64;
            if quiet && DIRTY.swap(false, Ordering::Relaxed) {
                let _ = tokio::task::spawn_blocking(trim).await;
            }
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks and releases the allocator's own free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
