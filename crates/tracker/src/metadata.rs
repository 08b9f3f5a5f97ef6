//! Reading packages' metadata during a run: every recovery package new this
//! run (once the CDN has it) and the backfill's builds never read, by HTTP
//! range (see `romwatch_upstream::metadata`). Each read is one CDN check,
//! rate-limited like every other; what it cost is counted for the summary.
//! An incremental's `pre-build` must name the version it updates from: a
//! package that says otherwise is reported.

use futures_util::future::join_all;
use romwatch_model::{PackageFacts, fingerprint_version};
use romwatch_upstream::SourceId;
use serde::Serialize;

use crate::checks::Shared;

/// What the metadata reads of a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MetadataReport {
    /// Packages whose metadata was read.
    pub read: usize,
    /// Reads that failed (the server ignored `Range`, a truncated answer,
    /// an unreadable zip, …).
    pub failed: usize,
    /// Range requests sent by the reads that succeeded.
    pub requests: u64,
    /// Bytes they received.
    pub bytes: u64,
    /// Incrementals whose `pre-build` names another version than the one
    /// their name says they update from.
    pub pre_build_mismatches: usize,
}

impl MetadataReport {
    pub fn add(&mut self, other: &MetadataReport) {
        self.read += other.read;
        self.failed += other.failed;
        self.requests += other.requests;
        self.bytes += other.bytes;
        self.pre_build_mismatches += other.pre_build_mismatches;
    }
}

/// One package to read: its file name, its link, and for an incremental
/// the version it updates from.
pub struct ToRead {
    pub filename: String,
    pub link: String,
    pub from: Option<String>,
}

/// Reads the metadata of `packages`: the facts of those read, and the report.
pub async fn read_all(
    shared: &Shared,
    packages: Vec<ToRead>,
) -> (Vec<(String, PackageFacts)>, MetadataReport) {
    let reads = join_all(packages.iter().map(|p| {
        shared.exec.check(SourceId::Cdn, shared.hosts.cdn(), || {
            shared.upstream.cdn.metadata(&p.link)
        })
    }))
    .await;
    let mut report = MetadataReport::default();
    let mut facts = Vec::new();
    for (package, read) in packages.into_iter().zip(reads) {
        let Ok(read) = read else {
            report.failed += 1;
            continue;
        };
        report.read += 1;
        report.requests += u64::from(read.requests);
        report.bytes += read.bytes;
        if let Some(from) = &package.from {
            let said = read
                .facts
                .pre_build
                .as_deref()
                .and_then(fingerprint_version);
            if said != Some(from.as_str()) {
                tracing::warn!(
                    file = package.filename,
                    from,
                    ?said,
                    "an incremental's pre-build names another version"
                );
                report.pre_build_mismatches += 1;
            }
        }
        facts.push((package.filename, read.facts));
    }
    (facts, report)
}
