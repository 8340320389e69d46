//! The edge: what every request goes through, one middleware per module. `startup` stacks them
//! (outermost first) in the order listed here and gives each its configuration as state; none
//! of them knows a feature.
//!
//! - `request_log`: one log line per request, the request's span and id (`x-request-id`), and
//!   the request metrics.
//! - `headers`: the CSP nonce for the hydration scripts, and the security headers.
//! - `origin`: the client's address (proxies believed only when trusted), and the Origin check
//!   on state-changing requests.
//! - `signed_errors`: form errors carried in a redirect are signed, and unsigned ones dropped.
//! - `body_limit`: bounded request bodies, uploads with limits of their own.
//! - `signed_in`: the signed-in user of a page request, and signed-out visits to signed-in pages
//!   sent to sign in.
//! - `error_status`: a server function's error answers with the HTTP status of its kind.
//! - `assets`: the site's own files, their (hashed) names and how long browsers keep them.

pub mod assets;
pub mod body_limit;
pub mod error_status;
pub mod headers;
pub mod origin;
pub mod request_log;
pub mod signed_errors;
pub mod signed_in;

pub use assets::{asset_caching, AssetCaching};
pub use body_limit::{body_limit, BodyLimits, Upload};
pub use error_status::error_status;
pub use headers::security_headers;
pub use origin::client_and_origin;
pub use request_log::{log_requests, REQUEST_ID};
pub use signed_errors::signed_errors;
pub use signed_in::{signed_in_pages, SignedInPages};
