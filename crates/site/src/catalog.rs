//! The catalog: the input grouped the ways the site shows it (update pages,
//! devices, incremental links), with ROMs that cannot be published set
//! aside.
//!
//! Grouping uses each ROM's own codename and variant, never a prefix match,
//! and an incremental package is linked only from a card of its own variant:
//! the two mistakes of the reference site.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use romwatch_model::{Branch, Device, Kind, Method, OsFamily, Rom, security_patches};
use serde::{Deserialize, Serialize};

use crate::SiteData;
use crate::dates::{published, rfc2822};
use crate::views::device_key;

/// One update page: an OS family, a device, a branch and a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct UpdateKey<'a> {
    pub family: OsFamily,
    pub codename: &'a str,
    pub branch: Branch,
    pub version: &'a str,
}

/// One device page: an OS family and a device codename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DeviceKey<'a> {
    pub family: OsFamily,
    pub codename: &'a str,
}

/// A ROM the builder leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub filename: String,
    pub reason: String,
}

/// A publishable ROM with what sorting needs, computed once.
pub(crate) struct Entry<'a> {
    pub rom: &'a Rom,
    /// Position in store order.
    pub index: usize,
    /// [`romwatch_model::Version::order_key`], empty for a version of no known form.
    pub order: Vec<u32>,
}

/// Orders entries newest first: by release date (undated last), then by
/// version, then the later recorded first.
fn newest_first(a: &Entry, b: &Entry) -> Ordering {
    b.rom
        .released
        .cmp(&a.rom.released)
        .then_with(|| b.order.cmp(&a.order))
        .then_with(|| b.index.cmp(&a.index))
}

pub(crate) struct Catalog<'a> {
    /// Files published as given.
    pub extra_files: &'a [crate::ExtraFile],
    /// Mirror checks by file name.
    mirrors: &'a HashMap<String, romwatch_model::FileMirrors>,
    /// Each mirror host's record, for the mirrors page.
    pub hosts: &'a [romwatch_model::HostHealth],
    /// Variant codename → device variant.
    variants: HashMap<&'a str, &'a Device>,
    /// Publishable ROMs in store order.
    pub entries: Vec<Entry<'a>>,
    pub skipped: Vec<Skipped>,
    /// Each update page's cards (indices into `entries`), in store order.
    pub updates: BTreeMap<UpdateKey<'a>, Vec<usize>>,
    /// Each device's releases, newest first.
    pub devices: BTreeMap<DeviceKey<'a>, Vec<usize>>,
    /// Incremental packages by (variant, target version), in store order.
    incrementals: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Security patches by file name (a fastboot build's: its recovery
    /// package's).
    security_patches: HashMap<&'a str, NaiveDate>,
    /// When each entry became available ([`distinct_times`]).
    published: Vec<Option<DateTime<Utc>>>,
}

/// When each entry became available, distinct: [`published`], and where
/// several entries share one time (ROMs imported with only their release
/// date are all at midnight; one tracking batch shares a first-seen time)
/// a second more per place from the oldest of them to the newest, in the
/// site's newest-first order. Feed readers tell entries apart by their
/// time too, and a feed lists its items newest first by it.
fn distinct_times(entries: &[Entry]) -> Vec<Option<DateTime<Utc>>> {
    let mut times: Vec<Option<DateTime<Utc>>> = entries.iter().map(|e| published(e.rom)).collect();
    let mut ties: HashMap<DateTime<Utc>, Vec<usize>> = HashMap::new();
    for (i, time) in times.iter().enumerate() {
        if let Some(time) = time {
            ties.entry(*time).or_default().push(i);
        }
    }
    for (time, mut tied) in ties {
        if tied.len() < 2 {
            continue;
        }
        tied.sort_by(|a, b| newest_first(&entries[*a], &entries[*b]));
        let oldest = tied.len() - 1;
        for (place, i) in tied.into_iter().enumerate() {
            times[i] = Some(time + TimeDelta::seconds((oldest - place) as i64));
        }
    }
    times
}

impl<'a> Catalog<'a> {
    pub fn new(data: &'a SiteData) -> Catalog<'a> {
        let variants = data
            .devices
            .iter()
            .map(|d| (d.variant.as_str(), d))
            .collect();
        let mut entries = Vec::with_capacity(data.roms.len());
        let mut skipped = Vec::new();
        let mut seen = HashSet::new();
        for (index, rom) in data.roms.iter().enumerate() {
            // Outside years 0 to 9999 a date cannot be written in a feed;
            // the store refuses such dates, but the builder does not rely
            // on that either.
            if let Some(date) = published(rom)
                && rfc2822(date).is_none()
            {
                skipped.push(Skipped {
                    filename: rom.filename.to_string(),
                    reason: format!("its date {} cannot be shown", date.date_naive()),
                });
                continue;
            }
            if !seen.insert(rom.filename.as_str()) {
                skipped.push(Skipped {
                    filename: rom.filename.to_string(),
                    reason: "listed twice; the first record is shown".into(),
                });
                continue;
            }
            let order = rom.version.order_key();
            entries.push(Entry { rom, index, order });
        }

        let full_recovery: HashSet<(&str, &str)> = entries
            .iter()
            .filter(|e| e.rom.kind == Kind::Full && e.rom.method == Method::Recovery)
            .map(|e| (e.rom.variant.as_str(), e.rom.version.as_str()))
            .collect();
        let mut updates: BTreeMap<UpdateKey, Vec<usize>> = BTreeMap::new();
        let mut devices: BTreeMap<DeviceKey, Vec<usize>> = BTreeMap::new();
        let mut incrementals: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let rom = entry.rom;
            let variant_version = (rom.variant.as_str(), rom.version.as_str());
            let linked = rom.kind.is_incremental() && full_recovery.contains(&variant_version);
            if rom.kind.is_incremental() {
                incrementals.entry(variant_version).or_default().push(i);
            }
            // An incremental shown as a link on its full ROM's card needs no
            // card of its own.
            if !linked {
                updates
                    .entry(UpdateKey {
                        family: rom.os.family,
                        codename: rom.codename.as_str(),
                        branch: rom.branch,
                        version: rom.version.as_str(),
                    })
                    .or_default()
                    .push(i);
            }
            devices.entry(device_key(rom)).or_default().push(i);
        }
        for list in devices.values_mut() {
            list.sort_by(|a, b| newest_first(&entries[*a], &entries[*b]));
        }
        Catalog {
            published: distinct_times(&entries),
            extra_files: &data.extra_files,
            mirrors: &data.mirrors,
            hosts: &data.hosts,
            variants,
            entries,
            skipped,
            updates,
            devices,
            incrementals,
            security_patches: security_patches(&data.roms, &data.facts),
        }
    }

    /// The security patch of a ROM's build, where its package metadata (or,
    /// for a fastboot image, its recovery package's) gives one.
    pub fn security_patch(&self, rom: &Rom) -> Option<NaiveDate> {
        self.security_patches.get(rom.filename.as_str()).copied()
    }

    /// When entry `i` became available, as feeds date it: distinct from
    /// every other entry's ([`distinct_times`]); `None` when undated.
    pub fn published(&self, i: usize) -> Option<DateTime<Utc>> {
        self.published[i]
    }

    pub fn rom(&self, i: usize) -> &'a Rom {
        self.entries[i].rom
    }

    /// What the mirror checks found of a ROM file, if it was checked.
    pub fn mirrors_of(&self, rom: &Rom) -> Option<&'a romwatch_model::FileMirrors> {
        self.mirrors.get(rom.filename.as_str())
    }

    /// Orders two entries (indices into `entries`) newest first.
    pub fn newest_first(&self, a: usize, b: usize) -> Ordering {
        newest_first(&self.entries[a], &self.entries[b])
    }

    /// The marketing name of a ROM's variant ("Mi 5s Global"), or its variant
    /// codename when the device list does not know it.
    pub fn variant_name(&self, rom: &'a Rom) -> &'a str {
        self.variants
            .get(rom.variant.as_str())
            .map_or(rom.variant.as_str(), |d| d.name.as_str())
    }

    /// The device variant of a ROM, when the device list has it.
    pub fn variant(&self, rom: &Rom) -> Option<&'a Device> {
        self.variants.get(rom.variant.as_str()).copied()
    }

    /// The device's name without the region ("Mi 5s"), taken from its
    /// newest release's variant.
    pub fn device_name(&self, key: &DeviceKey<'a>) -> String {
        let Some(&newest) = self.devices.get(key).and_then(|l| l.first()) else {
            return key.codename.to_string();
        };
        let rom = self.rom(newest);
        match self.variants.get(rom.variant.as_str()) {
            Some(device) => device.model_name().to_string(),
            None => key.codename.to_string(),
        }
    }

    /// The incremental packages that update *to* this full Recovery ROM, of
    /// the same variant only.
    pub fn incrementals_to(&self, rom: &'a Rom) -> &[usize] {
        if rom.kind != Kind::Full || rom.method != Method::Recovery {
            return &[];
        }
        self.incrementals
            .get(&(rom.variant.as_str(), rom.version.as_str()))
            .map_or(&[], Vec::as_slice)
    }

    /// All publishable entries, newest first.
    pub fn all_newest_first(&self) -> Vec<usize> {
        let mut all: Vec<usize> = (0..self.entries.len()).collect();
        all.sort_by(|a, b| self.newest_first(*a, *b));
        all
    }
}
