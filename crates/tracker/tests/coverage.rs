//! What the tracker learns of the files Xiaomi's servers hand out, over a
//! catalog of real release history loaded as `romwatch sim --catalog`
//! loads it (a spread of the shared dataset's devices): after a baseline
//! run, 20 new releases and a run with the backfill, at least 99% of the
//! recovery packages found carry their security patch and fingerprint, and
//! every incremental's metadata names the build it updates from. The same
//! check for full MD5s (at least 99% of the files found whose catalog
//! record has one) is ignored while it fails; it lists every miss with its
//! reason (`cargo test --release -p romwatch-tracker --test coverage --
//! --include-ignored`).

mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use romwatch_model::{Kind, Md5, Method, PackageFacts, Record, Rom, fingerprint_version};
use romwatch_sim::{SimOptions, SimServer};
use romwatch_store::Store;
use romwatch_tracker::TrackerConfig;

use common::{config, shared_dataset, track};

/// Every how many device codenames of the shared dataset one is kept: a
/// spread of old and new devices, MIUI and HyperOS, small enough to track
/// in seconds.
const EVERY_NTH_DEVICE: usize = 12;

/// The records of every `EVERY_NTH_DEVICE`-th device codename (in sorted
/// order) of the shared dataset, written to `path`.
fn catalog_subset(dataset: &std::path::Path, path: &std::path::Path) -> usize {
    let lines: Vec<(String, String)> =
        std::io::BufReader::new(std::fs::File::open(dataset).unwrap())
            .lines()
            .map(|l| l.unwrap())
            .filter_map(|line| {
                let value: serde_json::Value = serde_json::from_str(&line).ok()?;
                Some((value["codename"].as_str()?.to_string(), line))
            })
            .collect();
    let codenames: BTreeSet<&str> = lines.iter().map(|(c, _)| c.as_str()).collect();
    let kept: BTreeSet<&str> = codenames.into_iter().step_by(EVERY_NTH_DEVICE).collect();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut written = 0;
    for (codename, line) in &lines {
        if kept.contains(codename.as_str()) {
            writeln!(out, "{line}").unwrap();
            written += 1;
        }
    }
    written
}

/// Why a file found lacks the full MD5 its catalog record carries.
fn md5_miss(stored: &Rom, full: Md5, unknown_to_api: &HashSet<String>) -> Option<String> {
    let reason = match stored.md5 {
        Some(m) if m == full => return None,
        Some(m) if m.is_full() => format!("stored another MD5 {m}"),
        _ if unknown_to_api.contains(stored.filename.as_str()) => {
            "the OTA API did not know the build when the backfill asked".to_string()
        }
        _ if stored.method == Method::Fastboot => {
            "a fastboot image no JSON full-ROM answer named".to_string()
        }
        _ if stored.kind.is_incremental() => "an incremental no answer gave an MD5 for".to_string(),
        _ => "a recovery build the backfill did not fill".to_string(),
    };
    Some(reason)
}

/// What a baseline run, 20 new releases and a run with an unbounded
/// backfill leave in a store, over the loaded subset of the shared
/// dataset; `None` without the dataset.
struct Tracked {
    /// The simulator's catalog, by file name.
    records: HashMap<String, Record>,
    stored: Vec<Rom>,
    facts: HashMap<String, PackageFacts>,
    /// Builds the OTA API did not know when the backfill asked.
    unknown_to_api: HashSet<String>,
}

async fn tracked() -> Option<Tracked> {
    let Some(dataset) = shared_dataset() else {
        eprintln!("shared/data/xfu-roms.jsonl not found: no history to load");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.jsonl");
    assert!(catalog_subset(&dataset, &path) > 1_000);
    let server = SimServer::start(SimOptions {
        catalog: Some(path),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let baseline = track(&server, &mut store, config(&server)).await;
    assert!(baseline.baseline);
    server.release(20);
    let with_backfill = TrackerConfig {
        backfill: 100_000,
        ..config(&server)
    };
    let run = track(&server, &mut store, with_backfill).await;
    assert!(run.backfill.filled > 0, "{:?}", run.backfill);
    Some(Tracked {
        records: server
            .records()
            .into_iter()
            .map(|r| (r.filename.clone(), r))
            .collect(),
        stored: store.roms().unwrap(),
        facts: store.package_facts().unwrap(),
        unknown_to_api: store.unknown_to_api(DateTime::<Utc>::UNIX_EPOCH).unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_packages_found_carry_their_security_patch_fingerprint_and_pre_build() {
    let Some(t) = tracked().await else { return };
    let recovery: Vec<&Rom> = t
        .stored
        .iter()
        .filter(|r| r.method == Method::Recovery)
        .collect();
    assert!(recovery.len() > 500, "{} recovery packages", recovery.len());
    let mut lacking = Vec::new();
    for rom in &recovery {
        let reason = match t.facts.get(rom.filename.as_str()) {
            None => "its metadata was never read",
            Some(f) if f.security_patch.is_none() => "no security patch",
            Some(f) if f.fingerprint.is_none() => "no fingerprint",
            Some(_) => continue,
        };
        lacking.push(format!("{}: {reason}", rom.filename));
    }
    assert!(
        lacking.len() * 100 <= recovery.len(),
        "{} of {} recovery packages lack their security patch or fingerprint:\n{}",
        lacking.len(),
        recovery.len(),
        lacking.join("\n")
    );

    // Every incremental updates from the build its metadata names.
    let mut incrementals = 0;
    for rom in &recovery {
        let Kind::Incremental { from } = &rom.kind else {
            continue;
        };
        incrementals += 1;
        let pre_build = t
            .facts
            .get(rom.filename.as_str())
            .and_then(|f| f.pre_build.as_deref());
        assert_eq!(
            pre_build.and_then(fingerprint_version),
            Some(from.as_str()),
            "{}: pre-build {pre_build:?}",
            rom.filename
        );
    }
    assert!(incrementals > 20, "{incrementals} incrementals");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "known gap (#11): about a third of the files found lack their MD5, mostly old China \
            builds the China posts name by package name only (miui_HM4_…), filed under a \
            variant derived from it (hm4, not prada) that the OTA API does not know"]
async fn files_found_carry_the_full_md5_their_catalog_record_has() {
    let Some(t) = tracked().await else { return };
    let (mut with_md5, mut misses) = (0, Vec::new());
    for rom in &t.stored {
        let full = t
            .records
            .get(rom.filename.as_str())
            .and_then(|r| r.md5.as_deref())
            .and_then(|m| m.parse::<Md5>().ok())
            .filter(Md5::is_full);
        let Some(full) = full else { continue };
        with_md5 += 1;
        if let Some(reason) = md5_miss(rom, full, &t.unknown_to_api) {
            misses.push(format!("{}: {reason}", rom.filename));
        }
    }
    assert!(with_md5 > 500, "a catalog worth the test: {with_md5}");
    assert!(
        misses.len() * 100 <= with_md5,
        "{} of {with_md5} files found lack their full MD5:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
