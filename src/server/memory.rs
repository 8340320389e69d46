//! Hands memory freed after a burst back to the system.
//!
//! The allocator (glibc's) keeps what a thread frees in that thread's arena for reuse, and gives
//! little of it back by itself: after 256 parallel sign-ins or 20 logo uploads the portal kept
//! tens of MB it no longer used (bench/RESULTS.md, memory table). Heavy work (a password hash,
//! a logo decode) marks the heap dirty; at most every `EVERY` a task then calls
//! `malloc_trim(0)`, which returns the free pages of every arena. Trimming costs a walk over
//! the free lists (milliseconds), so it runs only after such work, off the async threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(2);

static DIRTY: AtomicBool = AtomicBool::new(false);

/// Call after work that allocated much and freed it again.
pub fn note_heavy_work() {
    DIRTY.store(true, Ordering::Relaxed);
}

pub fn spawn_trimmer(shutdown: CancellationToken) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = shutdown.cancelled() => return,
            }
            if DIRTY.swap(false, Ordering::Relaxed) {
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
