//! How a tracking run behaves: the `[tracker]` table of `romwatch.toml`.
//! The defaults are polite to Xiaomi's servers; tests and benchmarks turn
//! the rate limit off.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Settings of a tracking run. Read from a file, any subset may be given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerConfig {
    /// Requests in flight at once, over all sources.
    pub concurrency: usize,
    /// Requests per second to one host; 0 means unlimited.
    pub rate: f64,
    /// Retries of a request that failed transiently (timeout, broken
    /// connection, 429, 5xx).
    pub retries: u32,
    /// The wait before the first retry; each further retry doubles it, and
    /// a random jitter of up to half of it is added.
    pub backoff_ms: u64,
    /// The longest wait before a retry, `Retry-After` included: a source
    /// asking for more is given up on for this check.
    pub max_backoff_ms: u64,
    /// Requests to one source failing in a row (timeouts, broken
    /// connections, 429, 5xx) that suspend the source for the rest of the
    /// run.
    pub breaker_threshold: u32,
    /// Files written to the store per transaction (at least one variant's
    /// files go together, whatever this says).
    pub batch_files: usize,
    /// China community posts that list recovery packages (post ids).
    pub china_posts: Vec<u64>,
    /// Announce the first run on an empty store too (normally a silent
    /// baseline, so channels are not flooded with history).
    pub announce_baseline: bool,
    /// OTA queries per run that fill stored builds lacking their full MD5
    /// or changelog (see the backfill module); 0 turns the backfill off.
    pub backfill: usize,
}

impl Default for TrackerConfig {
    fn default() -> TrackerConfig {
        TrackerConfig {
            concurrency: 4,
            rate: 2.0,
            retries: 3,
            backoff_ms: 500,
            max_backoff_ms: 30_000,
            breaker_threshold: 10,
            batch_files: 500,
            china_posts: Vec::new(),
            announce_baseline: false,
            backfill: 500,
        }
    }
}

impl TrackerConfig {
    pub fn backoff(&self) -> Duration {
        Duration::from_millis(self.backoff_ms)
    }

    pub fn max_backoff(&self) -> Duration {
        Duration::from_millis(self.max_backoff_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_tables_keep_defaults_and_unknown_keys_are_refused() {
        let config: TrackerConfig =
            serde_json::from_str(r#"{"rate": 0, "concurrency": 64}"#).unwrap();
        assert_eq!(config.concurrency, 64);
        assert_eq!(config.rate, 0.0);
        assert_eq!(config.retries, TrackerConfig::default().retries);
        assert!(serde_json::from_str::<TrackerConfig>(r#"{"concurency": 1}"#).is_err());
    }
}
