//! Tracking runs against the simulated upstream over real HTTP on
//! 127.0.0.1: what a run finds, what a second run changes, releases,
//! pending files, and faults.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use romwatch_model::{Kind, Record};
use romwatch_store::Store;
use romwatch_tracker::TrackerConfig;

use common::{config, published, sim, track};

fn filenames(store: &Store) -> BTreeSet<String> {
    store
        .roms()
        .unwrap()
        .into_iter()
        .map(|r| r.filename.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_finds_every_published_file_with_what_the_sources_know() {
    let server = sim(40, 3, &[]).await;
    let mut store = Store::open_in_memory().unwrap();
    let summary = track(&server, &mut store, config(&server)).await;

    let truth: BTreeMap<String, Record> = server
        .records()
        .into_iter()
        .map(|r| (r.filename.clone(), r))
        .collect();
    let expected = published(&truth.values().cloned().collect::<Vec<_>>());
    assert_eq!(filenames(&store), expected);
    assert!(summary.baseline);
    assert_eq!(summary.new, expected.len());
    assert_eq!(
        (summary.events, store.event_count().unwrap()),
        (0, 0),
        "a baseline announces nothing"
    );
    assert_eq!(summary.pending, 0);

    let devices: BTreeMap<String, String> = store
        .devices()
        .unwrap()
        .into_iter()
        .map(|d| (d.variant.as_str().to_string(), d.name))
        .collect();
    for rom in store.roms().unwrap() {
        let record = &truth[rom.filename.as_str()];
        let what = &rom.filename;
        assert_eq!(
            Some(rom.variant.as_str()),
            record.variant.as_deref(),
            "{what}"
        );
        assert_eq!(devices[rom.variant.as_str()], record.device, "{what}");
        assert_eq!(rom.codename.as_str(), record.codename, "{what}");
        assert_eq!(rom.version.as_str(), record.version, "{what}");
        assert_eq!(rom.method.name(), record.method, "{what}");
        let from = match &rom.kind {
            Kind::Incremental { from } => Some(from.clone()),
            Kind::Full => None,
        };
        assert_eq!(from, record.incremental_from, "{what}");
        assert_eq!(
            rom.size.map(|s| s.bytes),
            record.size_bytes,
            "{what}: size from the CDN"
        );
        assert_eq!(
            rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
            record.date,
            "{what}: date from the CDN"
        );
        let md5: romwatch_model::Md5 = record.md5.as_deref().unwrap().parse().unwrap();
        assert!(rom.md5.is_some_and(|m| m.agrees_with(&md5)), "{what}");
        if rom.method.name() == "Recovery"
            && record.variant.as_deref().is_some_and(|v| v.contains('_'))
        {
            assert_eq!(rom.md5, Some(md5), "{what}: the OTA API gives the full MD5");
        }
        if rom.method.name() == "Fastboot" {
            assert_eq!(
                rom.md5,
                Some(md5),
                "{what}: the full-ROM endpoint's JSON form gives the full MD5"
            );
        }
        // Stable Beta is decided by what is published: a stable recovery
        // build without its fastboot build is Stable Beta whatever the
        // simulator labelled it.
        let has_fastboot = truth.values().any(|r| {
            r.method == "Fastboot" && r.variant == record.variant && r.version == record.version
        });
        let branch = rom.branch.name();
        let ok = branch == record.branch
            || (branch == "Stable Beta" && record.branch == "Stable" && !has_fastboot);
        assert!(
            ok,
            "{what}: {branch} but the simulator says {}",
            record.branch
        );
        assert!(
            rom.url
                .as_ref()
                .is_some_and(|u| u.as_str().starts_with("https://bigota.d.miui.com/"))
        );
    }

    // A second run finds nothing new and changes nothing.
    let again = track(&server, &mut store, config(&server)).await;
    assert!(!again.baseline);
    assert_eq!((again.new, again.changed, again.events), (0, 0, 0));
    assert_eq!(filenames(&store), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn releases_are_found_and_announced_once_each() {
    let server = sim(40, 5, &[]).await;
    let mut store = Store::open_in_memory().unwrap();
    track(&server, &mut store, config(&server)).await;
    let before = filenames(&store);
    store.register_channel("test", "webhook").unwrap();

    let released: BTreeSet<String> = server.release(9).into_iter().collect();
    let summary = track(&server, &mut store, config(&server)).await;
    let added: BTreeSet<String> = filenames(&store).difference(&before).cloned().collect();
    assert_eq!(
        added, released,
        "exactly the released files, incrementals included"
    );
    assert_eq!(summary.new, released.len());

    let events = store.pending_events("test", 1_000).unwrap();
    let new: BTreeSet<String> = events
        .iter()
        .filter(|e| e.kind == romwatch_store::EventKind::New)
        .map(|e| e.rom.filename.to_string())
        .collect();
    assert_eq!(new, released);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == romwatch_store::EventKind::New)
            .count(),
        released.len(),
        "one event per new file"
    );
    let incremental = store
        .roms()
        .unwrap()
        .into_iter()
        .find(|r| released.contains(r.filename.as_str()) && r.kind.is_incremental())
        .expect("a release brings an incremental package");
    let full = store.roms().unwrap().into_iter().find(|r| {
        r.variant == incremental.variant
            && r.version == incremental.version
            && !r.kind.is_incremental()
            && r.method.name() == "Recovery"
    });
    assert!(
        full.is_some(),
        "the incremental's full ROM of the same variant and version"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_recovery_package_found_has_its_metadata_read_by_range() {
    let server = sim(40, 3, &[]).await;
    let mut store = Store::open_in_memory().unwrap();
    let summary = track(&server, &mut store, config(&server)).await;
    let facts = store.package_facts().unwrap();
    let recovery: Vec<_> = store
        .roms()
        .unwrap()
        .into_iter()
        .filter(|r| r.method.name() == "Recovery")
        .collect();
    assert!(recovery.len() > 40);
    let mut incrementals = 0;
    for rom in &recovery {
        let what = rom.filename.as_str();
        let expected = server.package_metadata(what).unwrap();
        let read = facts
            .get(what)
            .unwrap_or_else(|| panic!("{what}: no metadata"));
        assert_eq!(read.security_patch, expected.security_patch, "{what}");
        assert_eq!(
            read.fingerprint.as_ref(),
            Some(&expected.fingerprint),
            "{what}"
        );
        assert_eq!(
            read.build_time.map(|t| t.timestamp()),
            expected.build_time,
            "{what}"
        );
        if let Kind::Incremental { from } = &rom.kind {
            incrementals += 1;
            assert_eq!(
                read.pre_build
                    .as_deref()
                    .and_then(romwatch_model::fingerprint_version),
                Some(from.as_str()),
                "{what}: its pre-build is its from-version"
            );
        }
    }
    assert!(incrementals > 0);
    let metadata = summary.metadata;
    assert_eq!((metadata.read, metadata.failed), (recovery.len(), 0));
    assert_eq!(metadata.pre_build_mismatches, 0);
    assert_eq!(
        metadata.requests, metadata.read as u64,
        "one request a package"
    );
    assert!(metadata.bytes <= metadata.read as u64 * 64 * 1024);
    assert_eq!(server.package_bytes_served(), metadata.bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastboot_builds_come_from_the_redirect_form_when_the_json_form_fails() {
    // Only the JSON form has JSON to cut: the redirect form answers as usual.
    let server = sim(30, 4, &["fullrom:truncated"]).await;
    let mut store = Store::open_in_memory().unwrap();
    let summary = track(&server, &mut store, config(&server)).await;
    let expected = published(&server.records());
    assert_eq!(filenames(&store), expected);
    let fastboot: Vec<_> = store
        .roms()
        .unwrap()
        .into_iter()
        .filter(|r| r.method.name() == "Fastboot")
        .collect();
    assert!(!fastboot.is_empty());
    assert!(
        fastboot.iter().all(|r| r.md5.is_some_and(|m| !m.is_full())),
        "the redirect form names the file only: the MD5 is the name's prefix"
    );
    let fullrom = &summary.sources["fullrom"];
    assert_eq!(
        fullrom.requests, fullrom.checks,
        "one request per form: the JSON form's broken answer is not retried"
    );
    assert_eq!(fullrom.failed * 2, fullrom.checks, "{fullrom:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_missing_on_the_cdn_wait_unannounced_until_it_has_them() {
    let server = sim(30, 7, &["cdn:small-body@1-60"]).await;
    let mut store = Store::open_in_memory().unwrap();
    let baseline = track(&server, &mut store, config(&server)).await;
    store.register_channel("test", "webhook").unwrap();
    let expected = published(&server.records());
    assert!(baseline.pending > 0);
    assert_eq!(filenames(&store).len() + baseline.pending, expected.len());

    // The CDN has caught up (the fault covered the first 400 requests):
    // pending files are recorded, announced only if the baseline is done.
    let released: BTreeSet<String> = server.release(3).into_iter().collect();
    let later = track(&server, &mut store, config(&server)).await;
    assert_eq!(later.pending, 0);
    assert_eq!(filenames(&store), &expected | &released);
    let announced: BTreeSet<String> = store
        .pending_events("test", 10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.rom.filename.to_string())
        .collect();
    assert!(released.is_subset(&announced));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_file_is_never_announced() {
    let server = sim(30, 8, &[]).await;
    let mut store = Store::open_in_memory().unwrap();
    track(&server, &mut store, config(&server)).await;
    let names = server.release(3);
    // Every CDN answer is now an error page: the released files wait.
    let faulty = sim(30, 8, &["cdn:small-body"]).await;
    faulty.release(3);
    let summary = track(
        &faulty,
        &mut store,
        TrackerConfig {
            china_posts: faulty.post_ids(),
            ..config(&faulty)
        },
    )
    .await;
    assert_eq!(summary.pending, names.len());
    assert_eq!(summary.new, 0);
    assert_eq!(store.event_count().unwrap(), 0);
    let pending: BTreeSet<String> = store
        .pending_files()
        .unwrap()
        .into_iter()
        .map(|p| p.parts.filename.to_string())
        .collect();
    assert_eq!(pending, names.into_iter().collect());
}

/// Runs until the store holds `expected` with nothing pending (at most
/// `runs` times); every run's summary must report faults it met.
async fn converge(
    server: &romwatch_sim::SimServer,
    store: &mut Store,
    expected: &BTreeSet<String>,
    runs: usize,
    met: &mut BTreeMap<String, u64>,
) {
    for _ in 0..runs {
        let summary = track(server, store, config(server)).await;
        let faults: u64 = summary
            .sources
            .values()
            .flat_map(|r| r.errors.values())
            .sum();
        assert!(
            faults > 0,
            "the summary reports the faults met: {summary:?}"
        );
        for report in summary.sources.values() {
            for (cause, n) in &report.errors {
                *met.entry(cause.clone()).or_default() += n;
            }
        }
        if &filenames(store) == expected && summary.pending == 0 {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_runs_through_faults_converge_on_the_catalog() {
    let rules = [
        // Scheduled rather than drawn, so that a 429 is surely met; first,
        // because the first rule that fires decides a request's fault.
        "ota:429=1@3",
        "500@0.05",
        "503@0.05",
        "timeout@0.05",
        "truncated@0.02",
    ];
    let server = sim(30, 9, &rules).await;
    let expected = published(&server.records());
    let mut store = Store::open_in_memory().unwrap();
    let mut met = BTreeMap::<String, u64>::new();
    converge(&server, &mut store, &expected, 6, &mut met).await;
    assert_eq!(filenames(&store), expected);
    for cause in ["http 500", "http 503", "timeout", "http 429"] {
        assert!(
            met.get(cause).is_some_and(|n| *n > 0),
            "{cause} reported: {met:?}"
        );
    }

    // Releases through the same faults: each announced exactly once.
    store.register_channel("test", "webhook").unwrap();
    let released: BTreeSet<String> = server.release(6).into_iter().collect();
    converge(&server, &mut store, &(&expected | &released), 6, &mut met).await;
    assert_eq!(filenames(&store), &expected | &released);
    let mut announced: Vec<String> = store
        .pending_events("test", 10_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == romwatch_store::EventKind::New)
        .map(|e| e.rom.filename.to_string())
        .collect();
    announced.sort();
    assert_eq!(announced, released.into_iter().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn end_of_life_variants_are_no_longer_checked_unless_listed() {
    let server = sim(30, 13, &[]).await;
    let mut store = Store::open_in_memory().unwrap();
    let first = track(&server, &mut store, config(&server)).await;
    // A China variant: only the China posts list it.
    let china = store
        .devices()
        .unwrap()
        .into_iter()
        .find(|d| !d.variant.as_str().contains('_'))
        .expect("a China variant");
    assert!(store.set_end_of_life(&china.variant, true).unwrap());
    let unlisted = TrackerConfig {
        china_posts: Vec::new(),
        ..config(&server)
    };
    let second = track(&server, &mut store, unlisted).await;
    assert_eq!(second.variants, first.variants - 1);
    assert_eq!(
        second.sources["ota"].checks,
        first.sources["ota"].checks - 2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_source_is_suspended_and_the_others_still_checked() {
    let server = sim(30, 10, &["fullrom:503"]).await;
    let mut store = Store::open_in_memory().unwrap();
    let summary = track(
        &server,
        &mut store,
        TrackerConfig {
            concurrency: 4,
            retries: 1,
            breaker_threshold: 5,
            ..config(&server)
        },
    )
    .await;
    let fullrom = &summary.sources["fullrom"];
    assert!(fullrom.suspended);
    assert!(fullrom.skipped > 0);
    assert!(
        fullrom.requests < fullrom.checks,
        "fewer requests than checks once the breaker opened: {fullrom:?}"
    );
    assert!(!summary.sources["ota"].suspended);
    assert!(summary.new > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_checked_when_every_source_is_down() {
    let server = sim(10, 12, &["503"]).await;
    let mut store = Store::open_in_memory().unwrap();
    let summary = track(
        &server,
        &mut store,
        TrackerConfig {
            retries: 0,
            ..config(&server)
        },
    )
    .await;
    assert!(summary.nothing_checked());
    assert!(
        store
            .meta(romwatch_tracker::BASELINE_DONE)
            .unwrap()
            .is_none(),
        "still owed a baseline"
    );
}
