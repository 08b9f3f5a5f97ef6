//! A tracking run: check every device variant against every Xiaomi source
//! and record each release exactly once.
//!
//! [`Tracker::run`] plans the checks (variants from the community lists,
//! the China posts and the store), executes them under an [`Executor`]
//! (bounded concurrency, a rate limit per host, retries with backoff, a
//! circuit breaker per source), reconciles what several sources say of one
//! file, checks new files on the CDN before they may be announced, and
//! writes ROMs and their outbox events in batches, one transaction each.
//! [`MirrorChecker`] checks the files already recorded on every CDN mirror.
//! Nothing here renders anything or delivers notifications.

mod checks;
pub mod config;
pub mod error;
pub mod exec;
mod knowledge;
pub mod mirrors;
mod reconcile;
mod run;

pub use config::TrackerConfig;
pub use error::TrackError;
pub use exec::{CheckError, Executor, SourceReport};
pub use mirrors::{MirrorChecker, MirrorConfig, MirrorSummary};
pub use run::{BASELINE_DONE, Progress, Summary, Tracker};
