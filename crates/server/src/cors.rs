//! Cross-origin reads: the data is public and read-only, so pages of the
//! configured origins (`[serve] cors_origins`, any by default) may read
//! every answer — the API, feeds, `latest.yml`, the static JSON — and get
//! their preflight `OPTIONS` answered.

use std::time::Duration;

use axum::http::header::{ETAG, RETRY_AFTER};
use axum::http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(86_400);

/// The layer for the configured origins (checked by
/// [`crate::ServeConfig::validate`]); none when the list is empty, and
/// then an `OPTIONS` request is a method not allowed like any other.
pub(crate) fn layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .allow_headers(Any)
            .expose_headers([ETAG, RETRY_AFTER])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}
