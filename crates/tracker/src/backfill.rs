//! The backfill: stored recovery builds that lack their full MD5 or their
//! changelog are asked about on the OTA API, one query each claiming the
//! phone runs that build. The answer's `CurrentRom` fills what was missing
//! and its `IncrementRom` (from that build to the newest) is a package the
//! phones still on it need. Builds whose package metadata was never read
//! have it read by range. A run takes at most its budget of builds, newest
//! first; what is left waits for the next run, so a killed run loses
//! nothing. A build the API does not know (no `CurrentRom`) is remembered
//! and not asked about again for [`UNKNOWN_MEMORY_DAYS`].

use std::collections::{BTreeMap, HashSet};

use romwatch_model::{Branch, Codename, Kind, Method, Rom};
use serde::Serialize;

use crate::knowledge::Build;

/// How long a build the API did not know is left alone.
pub const UNKNOWN_MEMORY_DAYS: i64 = 30;

/// A stored build to fill: asked about on the OTA API (claiming the phone
/// runs it), its package metadata read, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillAsk {
    /// The stored file of the build.
    pub filename: String,
    /// Its download link.
    pub link: Option<String>,
    pub build: Build,
    /// Asked on the stable branch (`F`), else the developer one (`X`).
    pub stable: bool,
    /// Whether to ask the OTA API (its MD5 or changelog is missing).
    pub ask_api: bool,
    /// Whether to read its package metadata (never read yet).
    pub read_metadata: bool,
}

/// What the backfill of a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BackfillReport {
    /// Builds taken from the backlog (one OTA query and one metadata read
    /// at most each).
    pub asked: usize,
    /// Builds that got what they lacked: their `CurrentRom` came back
    /// (their MD5 and changelog are what the API knows), their metadata was
    /// read.
    pub filled: usize,
    /// Builds still lacking their MD5 or changelog (not counting those the
    /// API did not know in the last 30 days) or their package metadata
    /// after the run.
    pub left: usize,
}

/// What the stores knows that tells what a build lacks.
pub struct Known<'a> {
    /// Builds the API did not know in the last 30 days.
    pub unknown_to_api: &'a HashSet<String>,
    /// Packages whose metadata was read.
    pub with_facts: &'a HashSet<String>,
}

impl Known<'_> {
    /// Whether to ask the API about `rom`: its full MD5 or changelog is
    /// missing, and the API was not found not to know it.
    fn ask_api(&self, rom: &Rom) -> bool {
        (rom.md5.is_none_or(|m| !m.is_full()) || rom.changelog.is_none())
            && !self.unknown_to_api.contains(rom.filename.as_str())
    }

    /// Whether to read the package metadata of `rom`.
    fn read_metadata(&self, rom: &Rom) -> bool {
        rom.url.is_some() && !self.with_facts.contains(rom.filename.as_str())
    }
}

/// The builds the backfill may fill, newest first (by release date, then
/// version): full recovery builds of a variant the run checks lacking
/// something it can fill.
pub fn candidates<'a>(
    roms: &'a [Rom],
    known: &Known,
    checked: &dyn Fn(&Codename) -> bool,
) -> Vec<&'a Rom> {
    let mut found: Vec<&Rom> = roms
        .iter()
        .filter(|r| r.method == Method::Recovery && r.kind == Kind::Full && checked(&r.variant))
        .filter(|r| known.ask_api(r) || known.read_metadata(r))
        .collect();
    found.sort_by_cached_key(|r| std::cmp::Reverse((r.released, r.version.order_key())));
    found
}

/// The asks of a run, by variant: the first `budget` candidates. The builds
/// a variant's own OTA checks claim anyway (`claimed`) are not asked about
/// on the API twice.
pub fn asks(
    candidates: &[&Rom],
    known: &Known,
    budget: usize,
    claimed: &dyn Fn(&Codename, &str) -> bool,
) -> BTreeMap<Codename, Vec<BackfillAsk>> {
    let mut asks: BTreeMap<Codename, Vec<BackfillAsk>> = BTreeMap::new();
    let wanted = candidates.iter().filter_map(|rom| {
        let ask_api = known.ask_api(rom) && !claimed(&rom.variant, rom.version.as_str());
        let read_metadata = known.read_metadata(rom);
        (ask_api || read_metadata).then(|| {
            (
                rom.variant.clone(),
                BackfillAsk {
                    filename: rom.filename.to_string(),
                    link: rom.url.as_ref().map(|l| l.to_string()),
                    build: Build {
                        version: rom.version.clone(),
                        android: rom.android.clone().unwrap_or_default(),
                        released: rom.released,
                    },
                    stable: matches!(rom.branch, Branch::Stable | Branch::StableBeta),
                    ask_api,
                    read_metadata,
                },
            )
        })
    });
    for (variant, ask) in wanted.take(budget) {
        asks.entry(variant).or_default().push(ask);
    }
    asks
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Utc};
    use romwatch_model::{FileName, Md5, OsLine, Version};

    fn rom(version: &str, date: Option<(i32, u32, u32)>, md5: &str) -> Rom {
        let variant = Codename::new("corot_global").unwrap();
        Rom {
            filename: FileName::new(&format!(
                "corot_global-ota_full-{version}-user-15.0-{}.zip",
                &md5[..10]
            ))
            .unwrap(),
            codename: variant.device(),
            variant,
            version: Version::parse(version).unwrap(),
            android: Some("15.0".into()),
            os: "HyperOS 2".parse::<OsLine>().unwrap(),
            branch: Branch::Stable,
            method: Method::Recovery,
            kind: Kind::Full,
            size: None,
            md5: Some(md5.parse::<Md5>().unwrap()),
            url: None,
            mirrors: Vec::new(),
            changelog: Some("Fixes.".into()),
            released: date.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            first_seen: Utc::now(),
        }
    }

    #[test]
    fn builds_lacking_a_full_md5_or_changelog_are_asked_newest_first_within_the_budget() {
        let full = "0123456789abcdef0123456789abcdef";
        let roms = vec![
            rom("OS2.0.1.0.VMLMIXM", Some((2025, 1, 5)), "0123456789"),
            rom("OS2.0.3.0.VMLMIXM", Some((2025, 3, 5)), "0123456789"),
            rom("OS2.0.2.0.VMLMIXM", Some((2025, 2, 5)), full),
            Rom {
                changelog: None,
                ..rom("OS2.0.4.0.VMLMIXM", Some((2025, 4, 5)), full)
            },
            rom("OS2.0.5.0.VMLMIXM", None, "0123456789"),
            rom("OS2.0.6.0.VMLMIXM", Some((2025, 6, 5)), "0123456789"),
        ];
        let unknown = HashSet::from([roms[5].filename.to_string()]);
        let with_facts = HashSet::new();
        let known = Known {
            unknown_to_api: &unknown,
            with_facts: &with_facts,
        };
        let found = candidates(&roms, &known, &|_| true);
        let versions: Vec<&str> = found.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(
            versions,
            [
                "OS2.0.4.0.VMLMIXM",
                "OS2.0.3.0.VMLMIXM",
                "OS2.0.1.0.VMLMIXM",
                "OS2.0.5.0.VMLMIXM"
            ],
            "full and known-unknown builds are left out; undated ones come last"
        );
        assert!(candidates(&roms, &known, &|_| false).is_empty());

        let claimed = |_: &Codename, version: &str| version == "OS2.0.4.0.VMLMIXM";
        let asked: Vec<String> = asks(&found, &known, 2, &claimed)
            .into_values()
            .flatten()
            .map(|a| a.build.version.to_string())
            .collect();
        assert_eq!(asked, ["OS2.0.3.0.VMLMIXM", "OS2.0.1.0.VMLMIXM"]);
        assert!(asks(&found, &known, 0, &claimed).is_empty());
    }
}
