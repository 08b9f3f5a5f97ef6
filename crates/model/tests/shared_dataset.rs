//! The grammar measured on the real release history in
//! `../shared/data/xfu-roms.jsonl` (52,786 records). Run with
//! `cargo test --release -p romwatch-model --test shared_dataset -- --nocapture`
//! to see the rates.
//!
//! Every name that does not parse, and every record whose parsed fields
//! disagree with it, must be listed with its reason in
//! `tests/fixtures/grammar-exceptions.tsv`; a listed exception that no longer
//! occurs fails the test too, so the list stays true.

use romwatch_model::{Branch, Method, PackageName, file_name_of_url};
use std::collections::{BTreeMap, BTreeSet};

fn dataset() -> Option<Vec<serde_json::Value>> {
    let path = std::env::var("ROMWATCH_DATA").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/xfu-roms.jsonl"
        )
        .into()
    });
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        text.lines()
            .map(|l| serde_json::from_str(l).expect("dataset line is JSON"))
            .collect(),
    )
}

/// (kind, key) → reason, from the fixture.
fn exceptions() -> BTreeMap<(String, String), String> {
    include_str!("fixtures/grammar-exceptions.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let kind = cols.next().unwrap_or_default().to_string();
            let key = cols.next().unwrap_or_default().to_string();
            let reason = cols.next().unwrap_or_default().to_string();
            assert!(!reason.trim().is_empty(), "exception without a reason: {l}");
            ((kind, key), reason)
        })
        .collect()
}

/// Stable Beta is a publication state of a stable build (its fastboot
/// build is not out yet), decided by the tracker from the catalog, not by
/// the name: a name parsed as Stable agrees with a record saying Stable Beta.
fn branch_agrees(parsed: Branch, record: &str) -> bool {
    parsed.name() == record || (parsed == Branch::Stable && record == Branch::StableBeta.name())
}

#[test]
fn grammar_covers_the_shared_dataset() {
    let Some(records) = dataset() else {
        eprintln!("shared dataset not found; skipping");
        return;
    };
    let expected = exceptions();
    let mut seen_exceptions = BTreeSet::new();

    let mut names = BTreeSet::new();
    for r in &records {
        names.insert(r["filename"].as_str().unwrap().to_string());
        if let Some(url) = r["incremental_url"].as_str() {
            names.insert(file_name_of_url(url).to_string());
        }
    }
    let mut failed = Vec::new();
    for name in &names {
        if let Err(e) = PackageName::parse(name) {
            let key = ("unparsed".to_string(), name.clone());
            if expected.contains_key(&key) {
                seen_exceptions.insert(key);
            } else {
                failed.push(e.to_string());
            }
        }
    }
    let unparsed = names
        .iter()
        .filter(|n| PackageName::parse(n).is_err())
        .count();
    let parse_rate = 1.0 - unparsed as f64 / names.len() as f64;

    let mut disagreeing = 0usize;
    let mut unexplained = Vec::new();
    for r in &records {
        let filename = r["filename"].as_str().unwrap();
        let Ok(pkg) = PackageName::parse(filename) else {
            // Listed as unparsed above; it cannot agree.
            disagreeing += 1;
            continue;
        };
        let method: Method = r["type"].as_str().unwrap().parse().unwrap();
        let version_ok = pkg.version.as_str() == r["version"].as_str().unwrap();
        let branch_ok = branch_agrees(pkg.version.branch(), r["branch"].as_str().unwrap());
        if version_ok && pkg.method == method && branch_ok {
            continue;
        }
        disagreeing += 1;
        let key = ("disagrees".to_string(), filename.to_string());
        if expected.contains_key(&key) {
            seen_exceptions.insert(key);
        } else {
            unexplained.push(format!(
                "{filename}: record {} {} {}, parsed {} {} {}",
                r["version"],
                r["type"],
                r["branch"],
                pkg.version,
                pkg.method,
                pkg.version.branch()
            ));
        }
    }
    let agreement = 1.0 - disagreeing as f64 / records.len() as f64;

    println!(
        "distinct names: {}, parsed: {} ({:.4}%)\nrecords: {}, agreeing on version, method and branch: {} ({:.4}%)",
        names.len(),
        names.len() - unparsed,
        parse_rate * 100.0,
        records.len(),
        records.len() - disagreeing,
        agreement * 100.0
    );
    assert!(
        failed.is_empty(),
        "names that fail and are not listed:\n{}",
        failed.join("\n")
    );
    assert!(
        unexplained.is_empty(),
        "records that disagree and are not listed:\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<_> = expected
        .keys()
        .filter(|k| !seen_exceptions.contains(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "listed exceptions that no longer occur: {stale:?}"
    );
    assert!(parse_rate >= 0.999, "parse rate {parse_rate}");
    assert!(agreement >= 0.995, "agreement {agreement}");
}
