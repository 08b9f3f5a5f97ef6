//! A tracking run: plan, execute, reconcile, record.
//!
//! Discovery reads the lists; every variant they name, every variant the
//! store knows (unless end-of-life) and every variant with a pending file
//! is checked in its own task. Each variant's findings come back to the
//! run, are reconciled against what the store knows, and are written in
//! batches of whole variants, each batch one transaction with its events:
//! a run killed at any point keeps its finished batches and nothing else.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use romwatch_model::{Branch, Codename, Device, Incoming, Method, RomParts, Size};
use romwatch_store::{Announce, Held, PendingFile, Store};
use romwatch_upstream::{Observation, Upstream, UpstreamConfig};
use serde::Serialize;

use crate::checks::{self, Hosts, Shared, VariantOutcome, VariantPlan, full_build};
use crate::config::TrackerConfig;
use crate::error::TrackError;
use crate::exec::{Executor, SourceReport};
use crate::knowledge::{Build, Knowledge, Variant};
use crate::reconcile::{self, Sighting};

/// The `meta` key set once the silent baseline run has completed.
pub const BASELINE_DONE: &str = "tracker.baseline_done";

/// Follows a run's progress (a terminal bar, say).
pub trait Progress: Send + Sync {
    /// The number of variants to check, once discovery knows it.
    fn planned(&self, variants: u64);
    /// One more variant checked and recorded.
    fn checked(&self);
}

/// No progress shown.
impl Progress for () {
    fn planned(&self, _: u64) {}
    fn checked(&self) {}
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Whether this was the silent baseline run (nothing announced).
    pub baseline: bool,
    pub variants: usize,
    /// Checks asked, over all sources, CDN included.
    pub checks: u64,
    /// Checks answered.
    pub checks_ok: u64,
    /// ROMs recorded for the first time.
    pub new: usize,
    /// ROMs already stored that learned something (an MD5, a size, a promotion).
    pub changed: usize,
    /// Files waiting for the CDN at the end of the run.
    pub pending: usize,
    /// ROMs recorded but not announced at the end of the run: the check
    /// that decides their branch (Stable or Stable Beta) has not answered.
    pub held: usize,
    /// Outbox events written.
    pub events: usize,
    /// Facts that contradicted the store (kept as stored).
    pub conflicts: usize,
    /// Packages whose variant could not be told or whose record was refused.
    pub unusable: usize,
    /// Store transactions.
    pub batches: usize,
    pub elapsed_ms: u128,
    /// Per source: checks, requests, retries, failures by cause.
    pub sources: BTreeMap<String, SourceReport>,
}

impl Summary {
    /// Whether the run could check nothing at all (every source down).
    pub fn nothing_checked(&self) -> bool {
        self.checks_ok == 0
    }
}

/// Checks Xiaomi's sources and records what is new.
pub struct Tracker {
    upstream: Upstream,
    hosts: Hosts,
    config: TrackerConfig,
}

/// Writes waiting for the next transaction.
#[derive(Default)]
struct Batch {
    incoming: Vec<Incoming>,
    pending: Vec<PendingFile>,
    held: Held,
}

impl Tracker {
    pub fn new(upstream: &UpstreamConfig, config: TrackerConfig) -> Result<Tracker, TrackError> {
        Ok(Tracker {
            upstream: Upstream::new(upstream)?,
            hosts: Hosts::new(upstream),
            config,
        })
    }

    /// One run against `store`.
    pub async fn run(
        &self,
        store: &mut Store,
        progress: &dyn Progress,
    ) -> Result<Summary, TrackError> {
        let started = Instant::now();
        let now = Utc::now();
        let mut knowledge = Knowledge::new(store.devices()?, &store.roms()?);
        let end_of_life: HashSet<Codename> = store.end_of_life()?.into_iter().collect();
        let mut pending: BTreeMap<Codename, Vec<PendingFile>> = BTreeMap::new();
        for file in store.pending_files()? {
            pending.entry(file.variant.clone()).or_default().push(file);
        }
        let mut held: BTreeMap<Codename, Vec<String>> = BTreeMap::new();
        for (filename, variant) in store.held_roms()? {
            held.entry(variant).or_default().push(filename);
        }
        let baseline = store.meta(BASELINE_DONE)?.is_none();
        let announce = if baseline && !self.config.announce_baseline {
            Announce::Nothing
        } else {
            Announce::Changes
        };
        let shared = Arc::new(Shared {
            upstream: self.upstream.clone(),
            exec: Executor::new(&self.config),
            hosts: self.hosts.clone(),
            recorded: knowledge.recorded.clone(),
        });

        let discovery = checks::discover(&shared, &self.config.china_posts).await;
        let mut summary = Summary {
            baseline,
            unusable: discovery.unplaced,
            ..Summary::default()
        };
        let plans = plan(&knowledge, &end_of_life, discovery.by_variant, pending);
        summary.variants = plans.len();
        progress.planned(plans.len() as u64);

        // A window of variants in flight, not all at once: variants finish
        // (and are committed) steadily, so a killed run keeps what it did.
        let window = self.config.concurrency.max(1) * 2;
        let mut plans = plans.into_iter();
        let mut tasks = tokio::task::JoinSet::new();
        let mut batch = Batch::default();
        loop {
            while tasks.len() < window
                && let Some((variant, plan)) = plans.next()
            {
                tasks.spawn(checks::check_variant(Arc::clone(&shared), variant, plan));
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let outcome: VariantOutcome = match joined {
                Ok(outcome) => outcome,
                Err(error) => {
                    tracing::error!(%error, "a variant's checks stopped");
                    continue;
                }
            };
            let held_before = held.remove(&outcome.variant).unwrap_or_default();
            let variant = knowledge.variant(&outcome.variant);
            reconcile_variant(
                variant,
                &shared.recorded,
                outcome,
                held_before,
                now,
                &mut batch,
                &mut summary,
            );
            if batch.incoming.len() + batch.pending.len() >= self.config.batch_files {
                self.flush(store, &mut batch, announce, &mut summary)?;
            }
            progress.checked();
        }
        self.flush(store, &mut batch, announce, &mut summary)?;

        for (source, report) in shared.exec.reports() {
            summary.checks += report.checks;
            summary.checks_ok += report.checks - report.failed - report.skipped;
            summary.sources.insert(source.key().to_string(), report);
        }
        summary.pending = store.pending_files()?.len();
        summary.held = store.held_roms()?.len();
        if baseline && !summary.nothing_checked() {
            store.set_meta(BASELINE_DONE, &now.to_rfc3339())?;
        }
        summary.elapsed_ms = started.elapsed().as_millis();
        Ok(summary)
    }

    fn flush(
        &self,
        store: &mut Store,
        batch: &mut Batch,
        announce: Announce,
        summary: &mut Summary,
    ) -> Result<(), TrackError> {
        if batch.incoming.is_empty() && batch.pending.is_empty() && batch.held.decide.is_empty() {
            return Ok(());
        }
        let report = store.merge_tracked(&batch.incoming, announce, &batch.pending, &batch.held)?;
        summary.new += report.new_roms;
        summary.changed += report.updated_roms;
        summary.events += report.events;
        summary.conflicts += report.conflicts.len();
        summary.batches += 1;
        for conflict in &report.conflicts {
            tracing::warn!(
                file = conflict.filename,
                field = conflict.field,
                stored = conflict.stored,
                seen = conflict.incoming,
                "a source contradicts the store; the stored fact is kept"
            );
        }
        *batch = Batch::default();
        Ok(())
    }
}

/// The variants to check and what to ask each: every variant discovery
/// found, every variant the store knows unless it is end-of-life, and every
/// variant with a pending file.
fn plan(
    knowledge: &Knowledge,
    end_of_life: &HashSet<Codename>,
    discovered: BTreeMap<Codename, Vec<Observation>>,
    pending: BTreeMap<Codename, Vec<PendingFile>>,
) -> BTreeMap<Codename, VariantPlan> {
    let mut plans: BTreeMap<Codename, VariantPlan> = BTreeMap::new();
    for variant in knowledge
        .variants
        .keys()
        .filter(|v| !end_of_life.contains(*v))
    {
        plans.entry(variant.clone()).or_default();
    }
    for (variant, observations) in discovered {
        plans.entry(variant).or_default().discovered = observations;
    }
    for (variant, files) in pending {
        plans.entry(variant).or_default().pending = files;
    }
    for (variant, plan) in &mut plans {
        // What the phone runs: the newest build recorded, else the newest
        // the lists show. Asking from a recorded build brings the
        // incremental package from it.
        let mut seen = knowledge.variants.get(variant).cloned().unwrap_or_default();
        // A pending build was seen on an earlier run: the phone may run it.
        for file in &plan.pending {
            let parts = &file.parts;
            if parts.method == Method::Recovery && parts.incremental_from.is_none() {
                let stable = matches!(parts.branch, Branch::Stable | Branch::StableBeta);
                seen.note_build(
                    stable,
                    Build {
                        version: parts.version.clone(),
                        android: parts.android.clone().unwrap_or_default(),
                        released: None,
                    },
                );
            }
        }
        let recorded = (seen.current(true).cloned(), seen.current(false).cloned());
        for (stable, build) in plan.discovered.iter().filter_map(full_build) {
            seen.note_build(stable, build);
        }
        plan.current_stable = recorded.0.or_else(|| seen.current(true).cloned());
        plan.current_developer = recorded.1.or_else(|| seen.current(false).cloned());
    }
    plans
}

/// Turns one variant's findings into store writes: recorded and CDN-checked
/// files become records, others pending; recorded Stable Beta builds whose
/// fastboot build has appeared are promoted. When the check that tells
/// Stable from Stable Beta failed, new Stable Beta ROMs are recorded but
/// held back from announcement; `held_before`, the variant's ROMs held by
/// earlier runs, are announced once that check has answered.
fn reconcile_variant(
    variant: &mut Variant,
    recorded: &HashSet<String>,
    outcome: VariantOutcome,
    held_before: Vec<String>,
    now: DateTime<Utc>,
    batch: &mut Batch,
    summary: &mut Summary,
) {
    let codename = outcome.variant;
    let decided = outcome.branch_decided;
    if decided {
        batch.held.decide.extend(held_before);
    }
    let undecided = |incoming: &Incoming| {
        !decided
            && incoming.rom.branch == Branch::StableBeta
            && !recorded.contains(incoming.rom.filename.as_str())
    };
    let published = |name: &str, sighting: &Sighting| {
        recorded.contains(name) || matches!(sighting.head, Some(Ok(_)))
    };
    // Fastboot builds first: they decide what is Stable Beta.
    for (name, sighting) in &outcome.sightings {
        if let Some(first) = sighting.observations.first()
            && first.package.method == Method::Fastboot
            && published(name, sighting)
        {
            variant.note_fastboot(&first.package.version);
        }
    }
    let name = variant
        .device
        .as_ref()
        .map(|d| d.name.clone())
        .or_else(|| reconcile::device_name(outcome.sightings.values()));
    let mut device: Option<Device> = variant.device.clone();
    for (filename, sighting) in &outcome.sightings {
        let Some(parts) = reconcile::parts(&codename, sighting, variant, name.as_deref(), now)
        else {
            continue;
        };
        if published(filename, sighting) {
            if let Some(incoming) = checked(parts, summary) {
                device.get_or_insert_with(|| incoming.device.clone());
                if undecided(&incoming) {
                    batch.held.hold.push(incoming.rom.filename.to_string());
                }
                batch.incoming.push(incoming);
            }
        } else {
            let reason = match &sighting.head {
                Some(Err(reason)) => reason.clone(),
                _ => "not checked on the CDN".to_string(),
            };
            batch.pending.push(PendingFile {
                first_seen: now,
                parts,
                variant: codename.clone(),
                reason,
                checks: 1,
            });
        }
    }
    for (mut file, answer) in outcome.rechecked {
        match answer {
            Ok(cdn) => {
                let mut parts = file.parts;
                parts.size = Some(Size::exact(cdn.size.bytes));
                if let Some(modified) = cdn.last_modified {
                    parts.released = Some(modified.date_naive());
                }
                if let Some(incoming) = checked(parts, summary) {
                    if undecided(&incoming) {
                        batch.held.hold.push(incoming.rom.filename.to_string());
                    }
                    batch.incoming.push(incoming);
                }
            }
            Err(reason) => {
                file.reason = reason;
                batch.pending.push(file);
            }
        }
    }
    // Stable Beta builds not seen again still learn of their fastboot build.
    let (promoted, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut variant.stable_beta)
        .into_iter()
        .partition(|rom| !variant.is_stable_beta(&rom.version));
    variant.stable_beta = waiting;
    if let Some(device) = device.clone() {
        for rom in promoted {
            if outcome.sightings.contains_key(rom.filename.as_str()) {
                continue;
            }
            batch.incoming.push(Incoming {
                device: device.clone(),
                rom: romwatch_model::Rom {
                    branch: Branch::Stable,
                    ..rom
                },
                incremental: None,
            });
        }
    }
    variant.device = device;
}

/// The checked ROM of `parts`, or `None` (counted as unusable) if they do
/// not make one.
fn checked(parts: RomParts, summary: &mut Summary) -> Option<Incoming> {
    let filename = parts.filename.to_string();
    Incoming::checked(parts)
        .inspect_err(|error| {
            tracing::warn!(file = filename, %error, "ROM refused");
            summary.unusable += 1;
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::{FileName, OsFamily, Version};
    use romwatch_upstream::{CdnFile, SourceId};

    const VERSION: &str = "OS2.0.3.0.VMLMIXM";

    fn stable_beta() -> Incoming {
        let filename = format!("corot_global-ota_full-{VERSION}-user-15.0-abcdef0123.zip");
        let parts = RomParts {
            filename: FileName::new(&filename).unwrap(),
            codename: Codename::new("corot").unwrap(),
            variant: Some(Codename::new("corot_global").unwrap()),
            device_name: "Xiaomi 13T Pro Global".into(),
            os: OsFamily::HyperOs,
            version: Version::parse(VERSION).unwrap(),
            branch: Branch::StableBeta,
            method: Method::Recovery,
            size: None,
            md5: None,
            released: None,
            first_seen: Utc::now(),
            url: None,
            mirror_hosts: Vec::new(),
            changelog: None,
            android: None,
            incremental_from: None,
            incremental_url: None,
        };
        Incoming::checked(parts).unwrap()
    }

    #[test]
    fn a_stable_beta_is_promoted_when_its_fastboot_build_appears() {
        let recorded = stable_beta();
        let mut variant = Variant {
            device: Some(recorded.device.clone()),
            ..Variant::default()
        };
        variant.note_rom(&recorded.rom);
        assert_eq!(variant.stable_beta.len(), 1);

        let fastboot = Observation::of_url(
            SourceId::FullRom,
            &format!("https://bigota.d.miui.com/{VERSION}/corot_global-images-{VERSION}-user-20250101.0000.00-15.0-global-0123456789.tgz"),
        )
        .unwrap();
        let outcome = VariantOutcome {
            variant: recorded.device.variant.clone(),
            sightings: BTreeMap::from([(
                fastboot.filename.clone(),
                Sighting {
                    observations: vec![fastboot],
                    head: Some(Ok(CdnFile {
                        size: Size::exact(7_000_000_000),
                        last_modified: None,
                    })),
                },
            )]),
            rechecked: Vec::new(),
            branch_decided: true,
        };
        let (mut batch, mut summary) = (Batch::default(), Summary::default());
        let seen = HashSet::from([recorded.rom.filename.to_string()]);
        reconcile_variant(
            &mut variant,
            &seen,
            outcome,
            Vec::new(),
            Utc::now(),
            &mut batch,
            &mut summary,
        );

        let promoted = batch
            .incoming
            .iter()
            .find(|i| i.rom.filename == recorded.rom.filename)
            .expect("the Stable Beta build is written again");
        assert_eq!(promoted.rom.branch, Branch::Stable);
        assert!(
            batch
                .incoming
                .iter()
                .any(|i| i.rom.method == Method::Fastboot)
        );
        assert!(variant.stable_beta.is_empty());

        let mut store = Store::open_in_memory().unwrap();
        store.merge(&[recorded], Announce::Nothing).unwrap();
        let report = store
            .merge_tracked(
                &batch.incoming,
                Announce::Changes,
                &batch.pending,
                &batch.held,
            )
            .unwrap();
        assert_eq!(
            (report.new_roms, report.updated_roms, report.events),
            (1, 1, 2)
        );
    }
}
