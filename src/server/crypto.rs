//! Secrets: argon2id password hashes (off the async threads, bounded), random tokens and codes.

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use rand::{rngs::OsRng, Rng, RngCore};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane.
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 params")
}

/// Hashing runs on threads of its own: one fewer than the cores (at least one), each at a
/// lower OS priority (nice 10), each owning one argon2 memory block (19 MiB), allocated on its
/// first hash and kept for the life of the process. So hashing never holds more than threads ×
/// 19 MiB however many requests arrive, and a storm of sign-ins leaves page requests a core
/// and the scheduler's preference on the others: the async threads answer pages at once
/// while hashes queue (measured in bench/RESULTS.md, "Password hashing under load").
///
/// Why not allocate per hash: glibc serves a 19 MiB request by `mmap` at first, but freeing
/// such a block raises its mmap threshold, after which the next ones come from the heap and
/// are not given back; a burst of 64 sign-ins left 526 MB resident. Reused blocks make the
/// allocator's choice irrelevant, so the system allocator stays (no other was measured to help).
///
/// A job, once queued, runs to its end on its thread whether or not its caller still waits: a
/// client that goes away mid-hash neither frees a thread early nor drops a block.
struct Hashing {
    size: usize,
    jobs: std::sync::mpsc::Sender<Job>,
    /// Hashes running now (for the tests: "every thread is busy").
    running: std::sync::atomic::AtomicUsize,
}

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Niceness of the hashing threads: well below the async threads (weight 110 against 1,024),
/// yet never starved.
const HASHING_NICE: libc::c_int = 10;

fn hashing() -> &'static Hashing {
    static HASHING: OnceLock<Hashing> = OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let size = cores.saturating_sub(1).max(1);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..size {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || hashing_thread(&queue))
                .expect("cannot start a hashing thread");
        }
        Hashing {
            size,
            jobs,
            running: std::sync::atomic::AtomicUsize::new(0),
        }
    })
}

fn hashing_thread(queue: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) {
    // On Linux a thread has its own nice value: `who = 0` is this thread only. Failing to lower
    // it (a sandbox forbidding it) leaves hashing at normal priority, which still works.
    // SAFETY: setpriority reads no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICE);
    }
    let mut memory: Option<Vec<Block>> = None;
    loop {
        let job = match queue.lock() {
            Ok(q) => match q.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let memory = memory.get_or_insert_with(|| {
            BLOCKS_ALLOCATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            vec![Block::default(); params().block_count()]
        });
        hashing()
            .running
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // A panicking job loses its answer, not the thread.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(memory)));
        hashing()
            .running
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        // The block is kept, but a burst leaves request buffers behind in the allocator's arenas.
        super::memory::note_heavy_work();
    }
}

/// The number of hashes that may run at once (and of memory blocks kept for them).
pub fn hashing_permits() -> usize {
    hashing().size
}

async fn bounded<T: Send + 'static>(f: impl FnOnce(&mut [Block]) -> T + Send + 'static) -> T {
    let h = hashing();
    let asked = std::time::Instant::now();
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory: &mut [Block]| {
        // The queue in front of the hashes: how long this one waited for a thread.
        super::metrics::hash_queue_wait(asked.elapsed());
        // A caller gone while its hash waited (a client that connected and left) costs
        // nothing; one that leaves once its hash runs lets it finish in its block.
        if answer.is_closed() {
            return;
        }
        HASHES_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _ = answer.send(f(memory));
    });
    h.jobs.send(job).expect("hashing threads never stop");
    answered.await.expect("hashing job panicked")
}

static BLOCKS_ALLOCATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Hashes actually computed (a job whose caller left before it ran is not).
static HASHES_RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many argon2 memory blocks this process has ever allocated (at most one per permit).
pub fn hashing_blocks_allocated() -> usize {
    BLOCKS_ALLOCATED.load(std::sync::atomic::Ordering::Relaxed)
}

/// argon2id with this portal's parameters into `memory`, as a PHC string.
fn hash_into(memory: &mut [Block], password: &[u8]) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt_bytes, &mut out, memory)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a PHC string, computing into `memory` when it is large enough
/// (hashes made with other parameters, e.g. before a change, get memory of their own).
fn verify_into(
    memory: &mut [Block],
    password: &[u8],
    phc: &str,
) -> Result<bool, password_hash::Error> {
    let parsed = PasswordHash::new(phc)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let salt = parsed.salt.ok_or(password_hash::Error::SaltInvalid(
        password_hash::errors::InvalidValue::Malformed,
    ))?;
    let expected = parsed.hash.ok_or(password_hash::Error::Password)?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    if params.block_count() <= memory.len() {
        argon2.hash_password_into_with_memory(
            password,
            salt_bytes,
            &mut out,
            &mut memory[..params.block_count()],
        )?;
    } else {
        argon2.hash_password_into(password, salt_bytes, &mut out)?;
    }
    // Output's equality is constant-time.
    Ok(Output::new(&out)? == expected)
}

pub async fn hash_password(password: String) -> Result<String, password_hash::Error> {
    bounded(move |memory| hash_into(memory, password.as_bytes())).await
}

/// Verifies against `hash`; with `None` it verifies against a dummy hash so that an unknown
/// user takes as long as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    bounded(move |memory| {
        let hash = hash.unwrap_or_else(|| dummy_hash().to_string());
        verify_into(memory, password.as_bytes(), &hash).unwrap_or(false)
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut memory = vec![Block::default(); params().block_count()];
        hash_into(&mut memory, b"not a real password, only for timing").expect("hash")
    })
}

/// Computes the dummy hash at start-up so the first unknown-user sign-in is not faster.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// A random token of 256 bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A random id for rows (128 bits, hex).
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn six_digit_code() -> String {
    format!("{:06}", OsRng.gen_range(0..1_000_000u32))
}

/// SHA-256 in hex: tokens and codes are stored only in this form.
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The server's secret: keys the HMAC under which verification codes are stored, so a copy of
/// the table alone does not let anyone try the million codes offline.
pub struct Secret {
    key: Vec<u8>,
}

impl Secret {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    /// `SECRET_KEY`, or for an embedded SQLite portal one generated on first start and kept
    /// beside the database file (mode 0600). PostgreSQL means several instances may share the
    /// database: each must be given the same key, so none is invented.
    pub fn resolve(config: &super::config::Config) -> Result<Self, String> {
        if let Some(k) = &config.secret_key {
            return Ok(Self::new(k.as_bytes()));
        }
        let Some(db_file) = super::db::sqlite_file(&config.database_url) else {
            return Err(
                "SECRET_KEY must be set unless the database is a SQLite file (with PostgreSQL \
                 every instance needs the same one; e.g. `openssl rand -hex 32`)"
                    .into(),
            );
        };
        let path = std::path::PathBuf::from(format!("{db_file}.secret-key"));
        match std::fs::read_to_string(&path) {
            Ok(k) if k.trim().len() >= 32 => return Ok(Self::new(k.trim().as_bytes())),
            Ok(_) => {
                return Err(format!(
                    "{} is too short; delete it or set SECRET_KEY",
                    path.display()
                ))
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot read {}: {e}", path.display()))
            }
            Err(_) => {}
        }
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // Written whole to a file of its own, then linked into place: a process that starts
        // at the same moment finds either no key or a whole one, never half of one.
        let tmp = path.with_extension(format!("tmp-{}-{}", std::process::id(), new_id()));
        write_private(&tmp, &key).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let k = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                return Ok(Self::new(k.trim().as_bytes()));
            }
            Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
        }
        tracing::info!(path = %path.display(), "generated a secret key (set SECRET_KEY to choose one)");
        Ok(Self::new(key.as_bytes()))
    }

    /// A key of its own for `purpose`, derived from the server's secret.
    fn derived_key(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(b"isv-portal derived key\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// `plain` encrypted and authenticated (XChaCha20-Poly1305, a random nonce) under a key
    /// derived for `purpose`, bound to `bound_to` (a row's owner: the sealed value opens only
    /// for it). Base64 of nonce and ciphertext.
    pub fn seal(&self, purpose: &str, bound_to: &str, plain: &[u8]) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let cipher = XChaCha20Poly1305::new(&self.derived_key(purpose).into());
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: bound_to.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any length this portal uses");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
    }

    /// What `seal` sealed with the same `purpose` and `bound_to`; `None` for anything else
    /// (another key, another owner, a changed byte).
    pub fn open(&self, purpose: &str, bound_to: &str, sealed: &str) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(sealed)
            .ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, body) = bytes.split_at(24);
        XChaCha20Poly1305::new(&self.derived_key(purpose).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: bound_to.as_bytes(),
                },
            )
            .ok()
    }

    /// HMAC-SHA256 of the length-prefixed parts, in hex.
    pub fn mac_hex(&self, parts: &[&str]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Creates `path` readable by its owner only; fails if it already exists.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// Compares two strings in time that depends only on their length.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_purpose_and_owner() {
        let secret = Secret::new(b"0123456789abcdef0123456789abcdef");
        let sealed = secret.seal("purpose", "user-1", b"the secret");
        assert_ne!(
            sealed,
            secret.seal("purpose", "user-1", b"the secret"),
            "a fresh nonce"
        );
        assert!(!sealed.contains("the secret"));
        assert_eq!(
            secret.open("purpose", "user-1", &sealed).as_deref(),
            Some(&b"the secret"[..])
        );
        assert_eq!(
            secret.open("purpose", "user-2", &sealed),
            None,
            "another owner"
        );
        assert_eq!(
            secret.open("other", "user-1", &sealed),
            None,
            "another purpose"
        );
        let other_key = Secret::new(b"another key of thirty-two bytes!");
        assert_eq!(other_key.open("purpose", "user-1", &sealed), None);
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 2;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            secret.open("purpose", "user-1", std::str::from_utf8(&flipped).unwrap()),
            None,
            "a changed byte"
        );
        assert_eq!(secret.open("purpose", "user-1", "short"), None);
    }

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_required_cost_and_verifies() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong".into(), Some(h)).await);
        assert!(!verify_password("anything".into(), None).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_that_goes_away_mid_hash_keeps_its_block_and_its_permit() {
        // Many hashes, most of them abandoned at once by their callers.
        for _ in 0..3 {
            let hashes: Vec<_> = (0..8)
                .map(|_| tokio::spawn(hash_password("correct horse battery".into())))
                .collect();
            // Abandon them once every hashing thread is busy, i.e. hashes are running.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while hashing().running.load(std::sync::atomic::Ordering::SeqCst) < hashing_permits() {
                assert!(std::time::Instant::now() < deadline, "no hash started");
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            for h in &hashes {
                h.abort();
            }
        }
        // Let the abandoned ones finish, then one more: never more blocks than permits, ever.
        hash_password("correct horse battery".into()).await.unwrap();
        let allocated = hashing_blocks_allocated();
        assert!(
            (1..=hashing_permits()).contains(&allocated),
            "{allocated} blocks allocated"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hash_whose_caller_left_before_it_ran_is_not_computed() {
        let threads = hashing_permits();
        // Keep every thread busy, then queue four more behind them and walk away from all.
        for _round in 0..3 {
            let hashes: Vec<_> = (0..threads + 4)
                .map(|_| tokio::spawn(hash_password("correct horse battery".into())))
                .collect();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while hashing().running.load(std::sync::atomic::Ordering::SeqCst) < threads {
                assert!(std::time::Instant::now() < deadline, "no hash started");
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            let before = HASHES_RUN.load(std::sync::atomic::Ordering::SeqCst);
            for h in &hashes {
                h.abort();
            }
            // The queue drains: the running ones finish, the waiting ones are skipped.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            hash_password("correct horse battery".into()).await.unwrap();
            let ran = HASHES_RUN.load(std::sync::atomic::Ordering::SeqCst) - before;
            // The one last hash, plus at most one that started between the check and the
            // aborts; never the four left waiting. (Other tests of this binary hash in
            // parallel and may add to the count: one quiet round of three suffices.)
            if ran <= 2 {
                return;
            }
            eprintln!("{ran} hashes ran in a round; again");
        }
        panic!("hashes ran for callers that had left, in every round");
    }

    #[tokio::test]
    async fn hashing_runs_on_fewer_threads_than_cores_at_a_lower_priority() {
        hash_password("correct horse battery".into()).await.unwrap();
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(hashing_permits(), cores.saturating_sub(1).max(1));
        // Each of this process's threads named `argon2-N`, with its nice value (stat field 19).
        let mut niceness = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let dir = task.unwrap().path();
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if comm.trim().starts_with("argon2-") {
                let stat = std::fs::read_to_string(dir.join("stat")).unwrap();
                // Fields after the command's closing parenthesis: state is field 3.
                let after = &stat[stat.rfind(')').unwrap() + 2..];
                let nice: i32 = after.split(' ').nth(16).unwrap().parse().unwrap();
                niceness.push(nice);
            }
        }
        assert_eq!(niceness.len(), hashing_permits(), "{niceness:?}");
        assert!(niceness.iter().all(|&n| n == HASHING_NICE), "{niceness:?}");
    }

    #[test]
    fn hashes_from_the_reused_memory_verify_with_the_standard_verifier() {
        use argon2::password_hash::PasswordVerifier;
        let mut memory = vec![Block::default(); params().block_count()];
        let phc = hash_into(&mut memory, b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        // And a standard hash verifies in the reused memory (a dirty block changes nothing).
        let other = argon2::password_hash::PasswordHasher::hash_password(
            &Argon2::new(Algorithm::Argon2id, Version::V0x13, params()),
            b"tr0ub4dor",
            &SaltString::generate(&mut OsRng),
        )
        .unwrap()
        .to_string();
        assert!(verify_into(&mut memory, b"tr0ub4dor", &other).unwrap());
        assert!(!verify_into(&mut memory, b"tr0ub4dor!", &other).unwrap());
    }

    #[test]
    fn codes_are_six_digits_and_tokens_are_long() {
        for _ in 0..100 {
            let c = six_digit_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|c| c.is_ascii_digit()));
        }
        assert!(random_token().len() >= 43);
        assert_ne!(random_token(), random_token());
    }
}
