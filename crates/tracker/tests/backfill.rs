//! The backfill against the simulated upstream: a store holding the
//! release history without full MD5s or changelogs (names only, as the
//! China posts and old lists give them) is filled through the OTA API's
//! `CurrentRom`, newest first, within each run's budget, and the
//! incrementals its `IncrementRom` names are recorded.

mod common;

use std::collections::BTreeMap;

use chrono::Utc;
use romwatch_model::{Kind, Method, Record};
use romwatch_store::{Announce, Store, to_incoming};
use romwatch_tracker::TrackerConfig;

use common::{config, is_full_recovery, published, sim, track};

/// A store holding every full recovery build of the catalog as a history
/// without its MD5 (only the name's prefix) or changelog; the first run on
/// it is then no baseline.
fn history(records: &[Record]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let now = Utc::now();
    let names_only: Vec<_> = records
        .iter()
        .filter(|r| is_full_recovery(r))
        .map(|r| {
            let bare = Record {
                md5: None,
                changelog: None,
                ..r.clone()
            };
            to_incoming(&bare, now).unwrap()
        })
        .collect();
    store.merge(&names_only, Announce::Nothing).unwrap();
    store
        .set_meta(romwatch_tracker::BASELINE_DONE, &now.to_rfc3339())
        .unwrap();
    store
}

fn with_backfill(server: &romwatch_sim::SimServer, budget: usize) -> TrackerConfig {
    TrackerConfig {
        backfill: budget,
        ..config(server)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_fills_every_full_md5_and_records_the_incrementals() {
    let server = sim(30, 21, &[]).await;
    let records = server.records();
    let mut store = history(&records);

    let summary = track(&server, &mut store, with_backfill(&server, 100_000)).await;
    assert!(summary.backfill.asked > 0);
    assert_eq!(summary.backfill.left, 0, "{:?}", summary.backfill);

    let stored: BTreeMap<String, _> = store
        .roms()
        .unwrap()
        .into_iter()
        .map(|r| (r.filename.to_string(), r))
        .collect();
    let (mut with_md5, mut filled, mut misses) = (0, 0, Vec::new());
    for record in records.iter().filter(|r| is_full_recovery(r)) {
        let Some(full) = record
            .md5
            .as_deref()
            .and_then(|m| m.parse::<romwatch_model::Md5>().ok())
            .filter(|m| m.is_full())
        else {
            continue;
        };
        with_md5 += 1;
        let rom = &stored[&record.filename];
        if rom.md5 == Some(full) && rom.changelog.is_some() {
            filled += 1;
        } else {
            misses.push(&record.filename);
        }
    }
    assert!(with_md5 > 100, "a catalog worth the test: {with_md5}");
    assert!(
        published(&records).iter().all(|f| stored.contains_key(f)),
        "the run's own checks still find what the sources list"
    );
    assert_eq!(filled, with_md5, "not filled: {misses:?}");

    // Each answer's IncrementRom, from the claimed build to the newest, is
    // recorded as the incremental of the newest build's variant.
    let incrementals: Vec<_> = stored
        .values()
        .filter(|r| matches!(r.kind, Kind::Incremental { .. }))
        .collect();
    assert!(!incrementals.is_empty());
    for inc in &incrementals {
        let record = records
            .iter()
            .find(|r| r.filename == inc.filename.as_str())
            .expect("an incremental the simulator publishes");
        let Kind::Incremental { from } = &inc.kind else {
            unreachable!()
        };
        assert_eq!(Some(from), record.incremental_from.as_ref());
        assert_eq!(inc.method, Method::Recovery);
    }

    // Nothing is left: a further run asks nothing.
    let again = track(&server, &mut store, with_backfill(&server, 100_000)).await;
    assert_eq!(again.backfill.asked, 0);
}

/// The full recovery builds of the store still lacking their full MD5,
/// changelog or package metadata, with their release dates.
fn lacking(store: &Store) -> BTreeMap<String, Option<chrono::NaiveDate>> {
    let facts = store.package_facts().unwrap();
    store
        .roms()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == Kind::Full && r.method == Method::Recovery)
        .filter(|r| {
            r.md5.is_none_or(|m| !m.is_full())
                || r.changelog.is_none()
                || !facts.contains_key(r.filename.as_str())
        })
        .map(|r| (r.filename.to_string(), r.released))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backfill_spends_its_budget_newest_first_and_resumes() {
    let server = sim(20, 22, &[]).await;
    let records = server.records();
    let mut store = history(&records);
    // Without the backfill, each variant's own checks fill only the builds
    // they claim the phone runs (its newest).
    let off = track(&server, &mut store, with_backfill(&server, 0)).await;
    assert_eq!(off.backfill.asked, 0);
    let before = lacking(&store);

    let first = track(&server, &mut store, with_backfill(&server, 10)).await;
    assert_eq!((first.backfill.asked, first.backfill.filled), (10, 10));
    let ota_asks = first.sources["ota"].checks - off.sources["ota"].checks;
    assert!(
        (1..=10).contains(&ota_asks),
        "one OTA check per build whose MD5 or changelog was missing: {ota_asks}"
    );
    let after = lacking(&store);
    let filled: Vec<_> = before
        .iter()
        .filter(|(name, _)| !after.contains_key(*name))
        .map(|(_, date)| *date)
        .collect();
    assert_eq!(filled.len(), 10);
    let newest_lacking = after.values().max().copied().flatten();
    assert!(
        filled.iter().all(|d| *d >= newest_lacking),
        "the newest first: {filled:?} before {newest_lacking:?}"
    );
    assert_eq!(first.backfill.left, after.len());

    let second = track(&server, &mut store, with_backfill(&server, 10)).await;
    assert_eq!(second.backfill.asked, 10);
    assert_eq!(
        second.backfill.left,
        after.len() - 10,
        "resumed where it stopped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_the_api_does_not_know_is_not_asked_again() {
    let server = sim(10, 23, &[]).await;
    let records = server.records();
    let mut store = history(&records);
    // A build no server knows, stored as history.
    let known = records
        .iter()
        .find(|r| is_full_recovery(r) && r.variant.as_deref().is_some_and(|v| v.contains('_')))
        .unwrap();
    let unknown = Record {
        version: format!("{}9", known.version),
        filename: known
            .filename
            .replace(&known.version, &format!("{}9", known.version)),
        md5: None,
        changelog: None,
        date: Some("2011-01-01".into()),
        // No link: only the API is asked about it.
        url: None,
        mirror_hosts: Vec::new(),
        ..known.clone()
    };
    let incoming = to_incoming(&unknown, Utc::now()).unwrap();
    store.merge(&[incoming], Announce::Nothing).unwrap();

    let first = track(&server, &mut store, with_backfill(&server, 100_000)).await;
    assert_eq!(first.backfill.asked, first.backfill.filled + 1);
    assert_eq!(
        first.backfill.left, 0,
        "the unknown build is not left to ask"
    );
    let second = track(&server, &mut store, with_backfill(&server, 100_000)).await;
    assert_eq!(second.backfill.asked, 0, "remembered for 30 days");
}
