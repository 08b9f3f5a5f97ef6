//! Executing requests: bounded concurrency, a rate limit per host, retries
//! with exponential backoff and jitter (honouring `Retry-After`), and a
//! circuit breaker per source. Every request a run makes goes through one
//! [`Executor`], which also counts what each source did for the summary.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::RngExt;
use romwatch_upstream::{ErrorKind, SourceError, SourceId};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::config::TrackerConfig;

/// What one source did during a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// Checks asked of the source (each may take several requests).
    pub checks: u64,
    /// Requests sent, retries included.
    pub requests: u64,
    pub retries: u64,
    /// Checks that failed after their retries.
    pub failed: u64,
    /// Checks not made because the source was suspended.
    pub skipped: u64,
    /// Whether the circuit breaker suspended the source.
    pub suspended: bool,
    /// Failed requests by cause ("http 503", "timeout", "bad json", …).
    pub errors: BTreeMap<String, u64>,
}

/// Why a check has no answer.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0} is suspended for the rest of the run")]
    Suspended(SourceId),
    #[error(transparent)]
    Failed(#[from] SourceError),
}

/// A source's circuit breaker: open after too many requests in a row
/// failed transiently.
#[derive(Debug, Default)]
struct Breaker {
    failures_in_a_row: u32,
    open: bool,
}

/// Runs requests under the run's limits.
pub struct Executor {
    permits: Semaphore,
    quota: Option<Quota>,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    breaker_threshold: u32,
    state: Mutex<BTreeMap<SourceId, (Breaker, SourceReport)>>,
}

/// Locks a mutex; a poisoned one still holds consistent counters (every
/// update is a single step).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Executor {
    pub fn new(config: &TrackerConfig) -> Executor {
        // Rates under one per second are kept as a longer replenish period.
        let quota = (config.rate > 0.0).then(|| {
            let per_second = config.rate.clamp(0.001, 1_000_000.0);
            let period = Duration::from_secs_f64(1.0 / per_second);
            Quota::with_period(period)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::MIN)
        });
        Executor {
            permits: Semaphore::new(config.concurrency.max(1)),
            quota,
            limiters: Mutex::new(HashMap::new()),
            retries: config.retries,
            backoff: config.backoff(),
            max_backoff: config.max_backoff(),
            breaker_threshold: config.breaker_threshold.max(1),
            state: Mutex::new(BTreeMap::new()),
        }
    }

    fn limiter(&self, host: &str) -> Option<Arc<DefaultDirectRateLimiter>> {
        let quota = self.quota?;
        let mut limiters = lock(&self.limiters);
        Some(Arc::clone(
            limiters
                .entry(host.to_string())
                .or_insert_with(|| Arc::new(RateLimiter::direct(quota))),
        ))
    }

    fn with_state<R>(
        &self,
        source: SourceId,
        f: impl FnOnce(&mut Breaker, &mut SourceReport) -> R,
    ) -> R {
        let mut state = lock(&self.state);
        let (breaker, report) = state.entry(source).or_default();
        f(breaker, report)
    }

    /// Makes one check of `source` on `host`: `attempt` is called once per
    /// request until it succeeds, fails for good, or the source is
    /// suspended.
    pub async fn check<T, F, Fut>(
        &self,
        source: SourceId,
        host: &str,
        mut attempt: F,
    ) -> Result<T, CheckError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SourceError>>,
    {
        self.with_state(source, |_, report| report.checks += 1);
        let mut retry = 0;
        loop {
            if let Some(limiter) = self.limiter(host) {
                limiter.until_ready().await;
            }
            // The semaphore is never closed; without a permit the request
            // would only run unbounded, never wrongly.
            let permit = self.permits.acquire().await.ok();
            // Asked again at each attempt: the breaker may have opened
            // while this check waited for its turn.
            let suspended = self.with_state(source, |breaker, report| {
                if breaker.open {
                    report.skipped += 1;
                }
                breaker.open
            });
            if suspended {
                return Err(CheckError::Suspended(source));
            }
            let result = attempt().await;
            drop(permit);
            let error = match result {
                Ok(value) => {
                    self.with_state(source, |breaker, report| {
                        report.requests += 1;
                        breaker.failures_in_a_row = 0;
                    });
                    return Ok(value);
                }
                Err(error) => error,
            };
            let wait = (error.is_transient() && retry < self.retries)
                .then(|| self.delay(retry, error.retry_after()))
                .flatten();
            self.with_state(source, |breaker, report| {
                report.requests += 1;
                *report.errors.entry(cause(&error.kind)).or_default() += 1;
                // Only a source that is unwell trips the breaker: an answer
                // saying "no such file" is a good answer.
                if error.is_transient() {
                    breaker.failures_in_a_row += 1;
                    if breaker.failures_in_a_row >= self.breaker_threshold && !breaker.open {
                        breaker.open = true;
                        report.suspended = true;
                        tracing::warn!(%source, "suspended for the rest of the run: it keeps failing");
                    }
                }
                if wait.is_some() {
                    report.retries += 1;
                } else {
                    report.failed += 1;
                }
            });
            match wait {
                Some(wait) => {
                    tracing::debug!(%source, %error, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                None => return Err(CheckError::Failed(error)),
            }
        }
    }

    /// The wait before retry number `retry` (0-based): exponential with
    /// jitter, at least what `Retry-After` asked, and `None` when the source
    /// asks for longer than the longest wait allowed.
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        let base = self
            .backoff
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_backoff);
        let jitter_ms = u64::try_from(base.as_millis() / 2).unwrap_or(u64::MAX);
        let jitter = Duration::from_millis(rand::rng().random_range(0..=jitter_ms));
        let wait = (base + jitter).max(retry_after.unwrap_or_default());
        match retry_after {
            Some(asked) if asked > self.max_backoff => None,
            _ => Some(wait.min(self.max_backoff.max(retry_after.unwrap_or_default()))),
        }
    }

    /// What each source did so far.
    pub fn reports(&self) -> BTreeMap<SourceId, SourceReport> {
        lock(&self.state)
            .iter()
            .map(|(source, (_, report))| (*source, report.clone()))
            .collect()
    }
}

/// A short name for the cause of a failed request, for the summary.
fn cause(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::Timeout => "timeout".into(),
        ErrorKind::Connection(_) => "connection".into(),
        ErrorKind::Status { status, .. } => format!("http {status}"),
        ErrorKind::Html => "html page".into(),
        ErrorKind::TooLarge { .. } => "too large".into(),
        ErrorKind::Base64(_) => "bad base64".into(),
        ErrorKind::Cipher(_) => "bad ciphertext".into(),
        ErrorKind::Json(_) => "bad json".into(),
        ErrorKind::ErrorReply { .. } => "error reply".into(),
        ErrorKind::MissingField(_) => "missing field".into(),
        ErrorKind::PackageName(_) => "bad package name".into(),
        ErrorKind::Redirect(_) => "bad redirect".into(),
        ErrorKind::NotAPackage(_) => "not a package".into(),
        ErrorKind::RangeIgnored => "range ignored".into(),
        ErrorKind::Truncated { .. } => "truncated".into(),
        ErrorKind::Zip(_) => "bad zip".into(),
        ErrorKind::Request(_) => "bad request".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn executor(retries: u32, threshold: u32) -> Executor {
        Executor::new(&TrackerConfig {
            rate: 0.0,
            retries,
            backoff_ms: 1,
            max_backoff_ms: 20,
            breaker_threshold: threshold,
            ..TrackerConfig::default()
        })
    }

    fn status(code: u16, retry_after: Option<Duration>) -> SourceError {
        SourceError::new(
            SourceId::Ota,
            "http://127.0.0.1/x",
            ErrorKind::Status {
                status: code,
                retry_after,
            },
        )
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let exec = executor(3, 10);
        let mut calls = 0;
        let result = exec
            .check(SourceId::Ota, "h", || {
                calls += 1;
                let n = calls;
                async move { if n < 3 { Err(status(503, None)) } else { Ok(n) } }
            })
            .await;
        assert_eq!(result.unwrap(), 3);
        let report = &exec.reports()[&SourceId::Ota];
        assert_eq!((report.requests, report.retries, report.failed), (3, 2, 0));
        assert_eq!(report.errors["http 503"], 2);
    }

    #[tokio::test]
    async fn permanent_failures_are_not_retried() {
        let exec = executor(3, 10);
        let result: Result<(), _> = exec
            .check(SourceId::Ota, "h", || async {
                Err(SourceError::new(SourceId::Ota, "u", ErrorKind::Html))
            })
            .await;
        assert!(matches!(result, Err(CheckError::Failed(_))));
        assert_eq!(exec.reports()[&SourceId::Ota].requests, 1);
    }

    #[tokio::test]
    async fn a_source_failing_in_a_row_is_suspended_and_others_are_not() {
        let exec = executor(0, 3);
        for _ in 0..3 {
            let _ = exec
                .check(SourceId::Ota, "h", || async {
                    Err::<(), _>(status(502, None))
                })
                .await;
        }
        let skipped = exec.check(SourceId::Ota, "h", || async { Ok(()) }).await;
        assert!(matches!(skipped, Err(CheckError::Suspended(SourceId::Ota))));
        assert!(
            exec.check(SourceId::Cdn, "h", || async { Ok(()) })
                .await
                .is_ok()
        );
        let ota = &exec.reports()[&SourceId::Ota];
        assert!(ota.suspended);
        assert_eq!((ota.failed, ota.skipped), (3, 1));
    }

    #[test]
    fn backoff_grows_honours_retry_after_and_gives_up_on_long_waits() {
        let exec = Executor::new(&TrackerConfig {
            backoff_ms: 100,
            max_backoff_ms: 1_000,
            ..TrackerConfig::default()
        });
        let first = exec.delay(0, None).unwrap();
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(150));
        let third = exec.delay(2, None).unwrap();
        assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(600));
        assert_eq!(exec.delay(9, None).unwrap(), Duration::from_millis(1_000));
        assert_eq!(
            exec.delay(0, Some(Duration::from_millis(800))).unwrap(),
            Duration::from_millis(800)
        );
        assert_eq!(exec.delay(0, Some(Duration::from_secs(5))), None);
    }
}
