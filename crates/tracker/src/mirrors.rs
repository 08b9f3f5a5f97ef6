//! A mirror run: `HEAD` on every mirror host for the files the store picks,
//! recording what each host answered and how fast.
//!
//! The store picks the files ([`Store::mirror_candidates`]): every file
//! first seen in the last `recent_days`, then older files in turn, as many
//! as the request budget allows (`budget` / number of hosts). Each request
//! goes through an [`Executor`], so hosts get the tracker's per-host rate
//! limit; it is not retried (a check records what the host said) and no
//! breaker suspends the run (one dead host must not hide the others). A
//! host has a file (`ok`, or `slow` when the answer took `slow_ms` or
//! more) when it answers 2xx with a package-sized `Content-Length` that
//! matches the known exact size; anything else is `down`, and a 404 or 410
//! also counts towards withdrawal ([`Store::record_mirror_checks`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use romwatch_model::{MirrorStatus, Rom};
use romwatch_store::{FileCheck, MirrorCheck, MirrorReport, Store};
use romwatch_upstream::cdn::{MIRRORS, mirror_base, package_path};
use romwatch_upstream::{CdnSource, ErrorKind, SourceConfig, SourceId};
use serde::{Deserialize, Serialize};

use crate::{CheckError, Executor, TrackError, TrackerConfig};

/// The `[mirrors]` table of `romwatch.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MirrorConfig {
    /// Whether `romwatch run` checks mirrors after tracking.
    pub enabled: bool,
    /// Requests per run, over all hosts.
    pub budget: usize,
    /// Requests per second to one host; 0 means unlimited.
    pub rate: f64,
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// An answer that takes this long or longer makes the host `slow`.
    pub slow_ms: u64,
    /// Files first seen this many days ago or less are checked every run.
    pub recent_days: i64,
    /// How long one check may take.
    pub timeout_ms: u64,
    /// The hosts checked.
    pub hosts: Vec<String>,
}

impl Default for MirrorConfig {
    fn default() -> MirrorConfig {
        MirrorConfig {
            enabled: true,
            budget: 2_000,
            rate: 2.0,
            concurrency: 8,
            slow_ms: 2_000,
            recent_days: 90,
            timeout_ms: 15_000,
            hosts: MIRRORS.iter().map(|h| h.to_string()).collect(),
        }
    }
}

/// What one host answered in a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostTally {
    pub ok: u64,
    pub slow: u64,
    pub down: u64,
}

/// What a mirror run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MirrorSummary {
    /// Requests sent.
    pub requests: u64,
    /// By host.
    pub hosts: BTreeMap<String, HostTally>,
    /// What the store recorded.
    pub recorded: MirrorReport,
}

/// Checks mirrors; build one with [`MirrorChecker::new`].
pub struct MirrorChecker {
    config: MirrorConfig,
    hosts: Vec<(String, CdnSource)>,
    executor: Executor,
}

impl MirrorChecker {
    /// Each host is asked at `https://<host>`, or at `<upstream>/<host>`
    /// when one base URL stands for them all (the simulator). `cdn` gives
    /// the user agent and body limit.
    pub fn new(
        config: MirrorConfig,
        cdn: &SourceConfig,
        upstream: Option<&str>,
    ) -> Result<MirrorChecker, TrackError> {
        let hosts = config
            .hosts
            .iter()
            .map(|host| {
                let source = SourceConfig {
                    base_url: mirror_base(host, upstream),
                    timeout_ms: config.timeout_ms,
                    ..cdn.clone()
                };
                Ok((host.clone(), CdnSource::new(&source)?))
            })
            .collect::<Result<_, TrackError>>()?;
        let executor = Executor::new(&TrackerConfig {
            concurrency: config.concurrency,
            rate: config.rate,
            retries: 0,
            breaker_threshold: u32::MAX,
            ..TrackerConfig::default()
        });
        Ok(MirrorChecker {
            config,
            hosts,
            executor,
        })
    }

    /// One run at `now`: picks the files, checks them on every host, and
    /// records the results.
    pub async fn run(
        &self,
        store: &mut Store,
        now: DateTime<Utc>,
    ) -> Result<MirrorSummary, TrackError> {
        let files = if self.hosts.is_empty() {
            0
        } else {
            self.config.budget / self.hosts.len()
        };
        let roms = store.mirror_candidates(now, self.config.recent_days, files)?;
        let checked = join_all(roms.iter().map(|rom| self.check_file(rom))).await;
        let mut summary = MirrorSummary::default();
        for check in checked.iter().flat_map(|f| &f.checks) {
            summary.requests += 1;
            let tally = summary.hosts.entry(check.host.clone()).or_default();
            match check.status {
                MirrorStatus::Ok => tally.ok += 1,
                MirrorStatus::Slow => tally.slow += 1,
                _ => tally.down += 1,
            }
        }
        summary.recorded = store.record_mirror_checks(&checked, now)?;
        Ok(summary)
    }

    async fn check_file(&self, rom: &Rom) -> FileCheck {
        let link = rom.url.as_ref().map_or_else(
            || package_path(rom.version.as_str(), rom.filename.as_str()),
            |u| u.to_string(),
        );
        let checks = join_all(
            self.hosts
                .iter()
                .map(|(host, cdn)| self.check_host(host, cdn, &link, rom)),
        )
        .await;
        FileCheck {
            filename: rom.filename.as_str().to_string(),
            checks,
        }
    }

    async fn check_host(&self, host: &str, cdn: &CdnSource, link: &str, rom: &Rom) -> MirrorCheck {
        let answer = self
            .executor
            .check(SourceId::Cdn, host, || async {
                // Timed here, not around the executor: its waits for the
                // rate limit are not the host's latency.
                let started = Instant::now();
                cdn.head(link).await.map(|file| (file, started.elapsed()))
            })
            .await;
        let down = |missing| MirrorCheck {
            host: host.to_string(),
            status: MirrorStatus::Down,
            missing,
            latency_ms: None,
        };
        match answer {
            Ok((file, elapsed)) => {
                let wrong_size = rom
                    .size
                    .is_some_and(|s| s.exact && s.bytes != file.size.bytes);
                if wrong_size {
                    return down(false);
                }
                let slow = elapsed >= Duration::from_millis(self.config.slow_ms);
                MirrorCheck {
                    host: host.to_string(),
                    status: if slow {
                        MirrorStatus::Slow
                    } else {
                        MirrorStatus::Ok
                    },
                    missing: false,
                    latency_ms: Some(u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)),
                }
            }
            Err(CheckError::Failed(error)) => down(matches!(
                error.kind,
                ErrorKind::Status {
                    status: 404 | 410,
                    ..
                }
            )),
            Err(CheckError::Suspended(_)) => down(false),
        }
    }
}
