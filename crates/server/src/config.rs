//! How much the server lets one client cost: the `[serve]` table of
//! `romwatch.toml`. The defaults keep a single small host answering under
//! a flood of expensive requests or idle connections (see `SECURITY.md`).

use std::time::Duration;

use serde::Deserialize;

/// Blocking threads for the file service's reads.
const FILE_THREADS: usize = 8;

/// The server's limits. Read from a file, any subset may be given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// Connections open at once; one more is answered 503 and closed. It
    /// is lowered to fit the file-descriptor limit.
    pub max_connections: usize,
    /// The time a client has to send a request's head, counted from when
    /// the server starts waiting for it: so also the longest a kept-alive
    /// connection stays open idle between requests.
    pub header_timeout_ms: u64,
    /// The longest a request may take in all; beyond it the answer is 408.
    pub request_timeout_ms: u64,
    /// Store queries (API and search) running at once; one more is
    /// answered 503 with `Retry-After` at once rather than queued.
    pub max_store_calls: usize,
    /// The time one store query may run before it is stopped and answered
    /// 503.
    pub query_budget_ms: u64,
    /// The longest search text (`q`), in characters.
    pub max_query_chars: usize,
    /// The most terms (runs of letters and digits: `V14.0.3` is three) a
    /// search may look up.
    pub max_query_terms: usize,
    /// The seconds a 503 answer asks the client to wait (`Retry-After`).
    pub retry_after_secs: u64,
    /// The origins whose pages may read the answers from a browser
    /// (`Access-Control-Allow-Origin`): `["*"]` for any, full origins
    /// (`https://example.org`) for some, empty for none. The data is
    /// public and read-only, so any is the default.
    pub cors_origins: Vec<String>,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            max_connections: 1024,
            header_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            max_store_calls: 8,
            query_budget_ms: 2_000,
            max_query_chars: 200,
            max_query_terms: 16,
            retry_after_secs: 1,
            cors_origins: vec!["*".to_string()],
        }
    }
}

impl ServeConfig {
    /// Checks that every limit lets something through.
    pub fn validate(&self) -> Result<(), String> {
        let zero = [
            ("max_connections", self.max_connections as u64),
            ("header_timeout_ms", self.header_timeout_ms),
            ("request_timeout_ms", self.request_timeout_ms),
            ("max_store_calls", self.max_store_calls as u64),
            ("query_budget_ms", self.query_budget_ms),
            ("max_query_chars", self.max_query_chars as u64),
            ("max_query_terms", self.max_query_terms as u64),
        ]
        .into_iter()
        .find(|(_, value)| *value == 0);
        if let Some((key, _)) = zero {
            return Err(format!("serve.{key} must be at least 1"));
        }
        let is_origin = |o: &str| {
            o == "*"
                || ((o.starts_with("https://") || o.starts_with("http://"))
                    && !o.ends_with('/')
                    && axum::http::HeaderValue::from_str(o).is_ok())
        };
        let bad_origin = self.cors_origins.iter().find(|o| !is_origin(o));
        if let Some(origin) = bad_origin {
            return Err(format!(
                "serve.cors_origins: {origin:?} is not an origin (\"*\", or scheme and host such as \"https://example.org\", no path)"
            ));
        }
        if self.cors_origins.len() > 1 && self.cors_origins.iter().any(|o| o == "*") {
            return Err("serve.cors_origins: \"*\" allows every origin; list it alone".into());
        }
        Ok(())
    }

    /// The blocking threads the server needs at most: one per store slot
    /// and `/healthz`'s, and a few for reading site files. Bounding the
    /// runtime's pool to this keeps a flood from piling up threads.
    pub fn blocking_threads(&self) -> usize {
        self.max_store_calls + 1 + FILE_THREADS
    }

    pub(crate) fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub(crate) fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    pub(crate) fn query_budget(&self) -> Duration {
        Duration::from_millis(self.query_budget_ms)
    }
}
