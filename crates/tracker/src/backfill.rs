//! The backfill: stored recovery builds that lack their full MD5 or their
//! changelog are asked about on the OTA API, one query each claiming the
//! phone runs that build. The answer's `CurrentRom` fills what was missing
//! and its `IncrementRom` (from that build to the newest) is a package the
//! phones still on it need. A run asks at most its budget of builds, newest
//! first; what is left waits for the next run, so a killed run loses
//! nothing. A build the API does not know (no `CurrentRom`) is remembered
//! and not asked about again for [`UNKNOWN_MEMORY_DAYS`].

use std::collections::{BTreeMap, HashSet};

use romwatch_model::{Branch, Codename, Kind, Method, Rom};
use serde::Serialize;

use crate::knowledge::Build;

/// How long a build the API did not know is left alone.
pub const UNKNOWN_MEMORY_DAYS: i64 = 30;

/// A stored build to ask the OTA API about, claiming the phone runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillAsk {
    /// The stored file of the build.
    pub filename: String,
    pub build: Build,
    /// Asked on the stable branch (`F`), else the developer one (`X`).
    pub stable: bool,
}

/// What the backfill of a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BackfillReport {
    /// Builds asked about (one OTA query each).
    pub asked: usize,
    /// Builds whose `CurrentRom` came back: their MD5 and changelog are
    /// what the API knows.
    pub filled: usize,
    /// Builds still lacking their MD5 or changelog after the run, not
    /// counting those the API did not know in the last 30 days.
    pub left: usize,
}

/// Whether a stored ROM is a build the backfill may fill: a full recovery
/// build without its full MD5 or its changelog.
fn lacking(rom: &Rom) -> bool {
    rom.method == Method::Recovery
        && rom.kind == Kind::Full
        && (rom.md5.is_none_or(|m| !m.is_full()) || rom.changelog.is_none())
}

/// The builds the backfill may ask about, newest first (by release date,
/// then version): those lacking something, not remembered as unknown to
/// the API, of a variant the run checks.
pub fn candidates<'a>(
    roms: &'a [Rom],
    unknown: &HashSet<String>,
    checked: &dyn Fn(&Codename) -> bool,
) -> Vec<&'a Rom> {
    let mut found: Vec<&Rom> = roms
        .iter()
        .filter(|r| lacking(r) && !unknown.contains(r.filename.as_str()) && checked(&r.variant))
        .collect();
    found.sort_by_cached_key(|r| std::cmp::Reverse((r.released, r.version.order_key())));
    found
}

/// The asks of a run, by variant: the first `budget` candidates, skipping
/// the builds a variant's own OTA checks claim anyway (`claimed`).
pub fn asks(
    candidates: &[&Rom],
    budget: usize,
    claimed: &dyn Fn(&Codename, &str) -> bool,
) -> BTreeMap<Codename, Vec<BackfillAsk>> {
    let mut asks: BTreeMap<Codename, Vec<BackfillAsk>> = BTreeMap::new();
    for rom in candidates
        .iter()
        .filter(|r| !claimed(&r.variant, r.version.as_str()))
        .take(budget)
    {
        asks.entry(rom.variant.clone())
            .or_default()
            .push(BackfillAsk {
                filename: rom.filename.to_string(),
                build: Build {
                    version: rom.version.clone(),
                    android: rom.android.clone().unwrap_or_default(),
                    released: rom.released,
                },
                stable: matches!(rom.branch, Branch::Stable | Branch::StableBeta),
            });
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
        let found = candidates(&roms, &unknown, &|_| true);
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
        assert!(candidates(&roms, &unknown, &|_| false).is_empty());

        let claimed = |_: &Codename, version: &str| version == "OS2.0.4.0.VMLMIXM";
        let asked: Vec<String> = asks(&found, 2, &claimed)
            .into_values()
            .flatten()
            .map(|a| a.build.version.to_string())
            .collect();
        assert_eq!(asked, ["OS2.0.3.0.VMLMIXM", "OS2.0.1.0.VMLMIXM"]);
        assert!(asks(&found, 0, &claimed).is_empty());
    }
}
