//! Helpers shared by the tracker's tests: a simulator, a tracker pointed
//! at it, and the files the simulated sources publish.

#![allow(dead_code)] // each test file uses a different part of it

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use romwatch_model::{Record, Region, Version};
use romwatch_sim::{FaultConfig, SimOptions, SimServer};
use romwatch_store::Store;
use romwatch_tracker::{Summary, Tracker, TrackerConfig};

/// Client timeout; the simulator's `timeout` fault holds a request longer.
pub const TIMEOUT: Duration = Duration::from_millis(400);

pub async fn sim(devices: usize, seed: u64, rules: &[&str]) -> SimServer {
    let mut faults = FaultConfig::from_rules(rules).unwrap_or_else(|e| panic!("{e}"));
    faults.timeout_hold_ms = 1_500;
    SimServer::start(SimOptions {
        devices,
        seed,
        faults,
        ..SimOptions::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Fast settings: no rate limit, short backoff, no backfill (its own tests
/// turn it on).
pub fn config(server: &SimServer) -> TrackerConfig {
    TrackerConfig {
        concurrency: 16,
        rate: 0.0,
        backoff_ms: 5,
        max_backoff_ms: 2_000,
        batch_files: 40,
        china_posts: server.post_ids(),
        backfill: 0,
        ..TrackerConfig::default()
    }
}

pub async fn track(server: &SimServer, store: &mut Store, config: TrackerConfig) -> Summary {
    let tracker = Tracker::new(&server.upstream_config(TIMEOUT), config).unwrap();
    tracker.run(store, &()).await.unwrap()
}

fn key(record: &Record) -> (Option<String>, Vec<u32>) {
    let numbers = Version::parse(&record.version)
        .map(|v| v.order_key())
        .unwrap_or_default();
    (record.date.clone(), numbers)
}

pub fn is_full_recovery(r: &Record) -> bool {
    r.method == "Recovery" && r.incremental_from.is_none()
}

fn is_stable(r: &Record) -> bool {
    r.branch == "Stable" || r.branch == "Stable Beta"
}

/// The files the simulated sources publish for a store that knew nothing:
/// per variant the newest stable and developer recovery builds and the
/// newest stable fastboot build, and every China recovery package (the
/// China posts list them all). Older builds are history no source lists.
pub fn published(records: &[Record]) -> BTreeSet<String> {
    let mut by_variant: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        by_variant
            .entry(record.variant.as_deref().unwrap_or(""))
            .or_default()
            .push(record);
    }
    let mut files = BTreeSet::new();
    for (variant, roms) in by_variant {
        let newest = |keep: &dyn Fn(&Record) -> bool| {
            roms.iter()
                .filter(|r| keep(r))
                .max_by_key(|r| key(r))
                .map(|r| r.filename.clone())
        };
        files.extend(newest(&|r| is_full_recovery(r) && is_stable(r)));
        files.extend(newest(&|r| is_full_recovery(r) && !is_stable(r)));
        files.extend(newest(&|r| r.method == "Fastboot" && is_stable(r)));
        if Region::of_variant(variant) == Region::China {
            files.extend(
                roms.iter()
                    .filter(|r| r.method == "Recovery")
                    .map(|r| r.filename.clone()),
            );
        }
    }
    files
}

/// The shared dataset (`../shared/data/xfu-roms.jsonl` beside the
/// repository), if it is there.
pub fn shared_dataset() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/xfu-roms.jsonl");
    path.exists().then_some(path)
}
