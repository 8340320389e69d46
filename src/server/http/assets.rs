//! The site's own files under `/pkg/` (the WASM module, its JavaScript, the stylesheet): served
//! by leptos_axum's fallback from the site directory, brotli or gzip when cargo-leptos made
//! precompressed copies (`cargo leptos build --release --precompress`) and the browser takes
//! them. This module names the files and says how long a browser may keep them.
//!
//! With `hash-files` (Cargo.toml), cargo-leptos puts a hash of each file's content in its
//! name and writes the hashes to `hash.txt` beside the server binary. A name then stands for
//! one content forever, so a browser keeps the file a year without asking again
//! (`immutable`): a repeat visit downloads only the page. Without the hash file (a test
//! binary, a build made without it) names are plain and every use revalidates.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{CACHE_CONTROL, VARY};
use http::HeaderValue;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The content hashes cargo-leptos wrote for this binary's site, if it wrote any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hashes {
    pub js: Option<String>,
    pub wasm: Option<String>,
    pub css: Option<String>,
}

impl Hashes {
    /// Reads `hash.txt`'s `kind: hash` lines; anything else is ignored.
    pub fn parse(text: &str) -> Hashes {
        let mut h = Hashes::default();
        for line in text.lines() {
            let Some((kind, hash)) = line.split_once(':') else {
                continue;
            };
            let hash = hash.trim();
            // A hash names a file: nothing but URL-safe base64 goes into a path.
            if hash.is_empty()
                || !hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                continue;
            }
            let slot = match kind.trim() {
                "js" => &mut h.js,
                "wasm" => &mut h.wasm,
                "css" => &mut h.css,
                _ => continue,
            };
            *slot = Some(hash.to_string());
        }
        h
    }

    fn complete(&self) -> bool {
        self.js.is_some() && self.wasm.is_some() && self.css.is_some()
    }
}

/// Where leptos looks for the hash file: beside the running binary.
fn hash_file(options: &LeptosOptions) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(options.hash_file.as_ref()))
}

/// This process's hashes, read once: the binary and its hash file do not change under it.
fn hashes(options: &LeptosOptions) -> Option<&'static Hashes> {
    static HASHES: OnceLock<Option<Hashes>> = OnceLock::new();
    HASHES
        .get_or_init(|| {
            let text = std::fs::read_to_string(hash_file(options)?).ok()?;
            Some(Hashes::parse(&text)).filter(Hashes::complete)
        })
        .as_ref()
}

/// Turns hashed names on when cargo-leptos left hashes for this binary (whatever
/// `LEPTOS_HASH_FILES` says: the files in the site directory are named so either way).
pub fn use_hashed_names(options: &mut LeptosOptions) {
    options.hash_files = hashes(options).is_some();
}

/// The stylesheet's address, hashed when the site's files are.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let pkg = &options.site_pkg_dir;
    let name = &options.output_name;
    match hashes(options).filter(|_| options.hash_files) {
        Some(Hashes { css: Some(h), .. }) => format!("/{pkg}/{name}.{h}.css"),
        _ => format!("/{pkg}/{name}.css"),
    }
}

/// The caching of the site's files: a year and `immutable` for exactly the three files whose
/// names carry their content's hash, revalidation for anything else under `/pkg/` (a file
/// cargo-leptos does not hash, a leftover of an unhashed build); `Vary: Accept-Encoding`
/// either way, since the same address may be answered brotli, gzip or plain.
#[derive(Clone)]
pub struct AssetCaching {
    /// `/pkg/`
    prefix: String,
    /// `/pkg/isv-portal.<hash>.wasm` and its `.js` and `.css`.
    immutable: Vec<String>,
}

impl AssetCaching {
    pub fn new(options: &LeptosOptions) -> Self {
        let pkg = &options.site_pkg_dir;
        let name = &options.output_name;
        let immutable = match hashes(options).filter(|_| options.hash_files) {
            Some(h) => [("js", &h.js), ("wasm", &h.wasm), ("css", &h.css)]
                .into_iter()
                .filter_map(|(ext, hash)| Some(format!("/{pkg}/{name}.{}.{ext}", hash.as_ref()?)))
                .collect(),
            None => Vec::new(),
        };
        AssetCaching {
            prefix: format!("/{pkg}/"),
            immutable,
        }
    }
}

pub async fn asset_caching(
    axum::extract::State(caching): axum::extract::State<AssetCaching>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let ours = path.starts_with(&caching.prefix);
    let immutable = caching.immutable.iter().any(|p| p == path);
    let mut res = next.run(req).await;
    if ours && res.status().is_success() {
        let h = res.headers_mut();
        h.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(if immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
        h.append(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, routing::get, Router};
    use tower::ServiceExt;

    async fn cache_control(
        caching: AssetCaching,
        path: &str,
        status: http::StatusCode,
    ) -> Option<String> {
        let app = Router::new()
            .fallback(get(move || async move { (status, "x") }))
            .layer(axum::middleware::from_fn_with_state(caching, asset_caching));
        let res = app
            .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        res.headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_string())
    }

    #[tokio::test]
    async fn only_the_hashed_files_are_kept_a_year() {
        let caching = AssetCaching {
            prefix: "/pkg/".into(),
            immutable: vec!["/pkg/isv-portal.abc.wasm".into()],
        };
        let ok = http::StatusCode::OK;
        let year = Some("public, max-age=31536000, immutable".to_string());
        assert_eq!(
            cache_control(caching.clone(), "/pkg/isv-portal.abc.wasm", ok).await,
            year
        );
        // A name without the hash, another file, a missing one: never immutable.
        let again = Some("no-cache".to_string());
        assert_eq!(
            cache_control(caching.clone(), "/pkg/isv-portal.wasm", ok).await,
            again
        );
        assert_eq!(
            cache_control(caching.clone(), "/pkg/snippets/x.js", ok).await,
            again
        );
        let missing = cache_control(
            caching.clone(),
            "/pkg/isv-portal.zzz.wasm",
            http::StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(missing, None);
        // Pages are not this layer's business.
        assert_eq!(cache_control(caching, "/signup", ok).await, None);
    }

    #[test]
    fn the_hash_file_names_each_kind_and_nothing_else() {
        let h = Hashes::parse("js: abc-_1\nwasm: Zz9\ncss: q\nsplit: x\n");
        assert_eq!(h.js.as_deref(), Some("abc-_1"));
        assert_eq!(h.wasm.as_deref(), Some("Zz9"));
        assert_eq!(h.css.as_deref(), Some("q"));
        assert!(h.complete());
        // A hash that would leave the file name is not a hash.
        let h = Hashes::parse("js: ../x\nwasm: a b\ncss:\n");
        assert_eq!(h, Hashes::default());
        assert!(!h.complete());
    }
}
