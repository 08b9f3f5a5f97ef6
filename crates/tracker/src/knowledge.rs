//! What the tracker knows before and during a run, per device variant: the
//! files already recorded, the newest full builds (the `ov` an OTA check
//! sends, so that the answer carries the incremental from it), and which
//! stable versions have a fastboot build (Stable Beta classification).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use romwatch_model::{Branch, Codename, Device, Kind, Method, OsFamily, Rom, Version, VersionForm};

/// A full recovery build of a variant, with what orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub version: Version,
    pub android: String,
    pub released: Option<NaiveDate>,
}

impl Build {
    /// Orders builds: a stable build by its place in the history (line,
    /// then build numbers), which holds even where a date is unknown (a
    /// pending file, a list that gives none); developer builds by date,
    /// then numbers.
    fn key(&self) -> (Option<StableRank>, Option<NaiveDate>, Vec<u32>) {
        (
            StableRank::of(&self.version),
            self.released,
            self.version.order_key(),
        )
    }
}

/// What is known of one variant.
#[derive(Debug, Clone, Default)]
pub struct Variant {
    pub device: Option<Device>,
    /// The newest stable full recovery build.
    pub stable: Option<Build>,
    /// The newest developer full recovery build (weekly, public beta).
    pub developer: Option<Build>,
    /// Stable versions with a fastboot build, ranked.
    pub fastboot: Vec<StableRank>,
    /// Stable Beta ROMs already in the store, candidates for promotion.
    pub stable_beta: Vec<Rom>,
}

/// The position of a stable build in a device's history: OS family, major
/// line, then the build numbers. `None` for versions that are not stable
/// releases (dated developer builds, public betas).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StableRank(bool, u16, Vec<u32>);

impl StableRank {
    pub fn of(version: &Version) -> Option<StableRank> {
        if !matches!(version.form(), VersionForm::Release { .. }) {
            return None;
        }
        let line = version.os_line();
        let mut numbers = version.order_key();
        // `V816.x` is HyperOS 1 written MIUI-style: rank it as `OS1.x`.
        if line.family == OsFamily::HyperOs && numbers.first() == Some(&816) {
            numbers[0] = 1;
        }
        Some(StableRank(
            line.family == OsFamily::HyperOs,
            line.major.unwrap_or(0),
            numbers,
        ))
    }
}

impl Variant {
    /// Notes a full build (recorded, or seen this run).
    pub fn note_build(&mut self, stable: bool, build: Build) {
        let slot = if stable {
            &mut self.stable
        } else {
            &mut self.developer
        };
        if slot.as_ref().is_none_or(|b| b.key() < build.key()) {
            *slot = Some(build);
        }
    }

    pub fn note_fastboot(&mut self, version: &Version) {
        if let Some(rank) = StableRank::of(version)
            && !self.fastboot.contains(&rank)
        {
            self.fastboot.push(rank);
        }
    }

    /// Whether a stable recovery build of `version` is Stable Beta: no
    /// fastboot build of it is known, nor of any later stable build (once a
    /// later build has its fastboot, this one's time as a beta is over).
    pub fn is_stable_beta(&self, version: &Version) -> bool {
        match StableRank::of(version) {
            Some(rank) => !self.fastboot.iter().any(|f| *f >= rank),
            None => false,
        }
    }

    /// The build an OTA check of `branch` says the phone runs.
    pub fn current(&self, stable: bool) -> Option<&Build> {
        let (own, other) = if stable {
            (&self.stable, &self.developer)
        } else {
            (&self.developer, &self.stable)
        };
        own.as_ref().or(other.as_ref())
    }
}

/// The store's knowledge, read once at the start of a run.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// Every recorded file name.
    pub recorded: HashSet<String>,
    pub variants: BTreeMap<Codename, Variant>,
}

impl Knowledge {
    pub fn new(devices: Vec<Device>, roms: &[Rom]) -> Knowledge {
        let mut knowledge = Knowledge::default();
        let names: HashMap<Codename, Device> = devices
            .into_iter()
            .map(|d| (d.variant.clone(), d))
            .collect();
        for (codename, device) in names {
            knowledge.variants.entry(codename).or_default().device = Some(device);
        }
        for rom in roms {
            knowledge.recorded.insert(rom.filename.to_string());
            knowledge.variant(&rom.variant).note_rom(rom);
        }
        knowledge
    }

    pub fn variant(&mut self, codename: &Codename) -> &mut Variant {
        self.variants.entry(codename.clone()).or_default()
    }
}

impl Variant {
    /// Notes a recorded ROM.
    pub fn note_rom(&mut self, rom: &Rom) {
        match (rom.method, &rom.kind) {
            (Method::Fastboot, _) => self.note_fastboot(&rom.version),
            (Method::Recovery, Kind::Full) => {
                let stable = matches!(rom.branch, Branch::Stable | Branch::StableBeta);
                let build = Build {
                    version: rom.version.clone(),
                    android: rom.android.clone().unwrap_or_default(),
                    released: rom.released,
                };
                self.note_build(stable, build);
                if rom.branch == Branch::StableBeta {
                    self.stable_beta.push(rom.clone());
                }
            }
            // An incremental package to a Stable Beta build is promoted
            // with it.
            (Method::Recovery, Kind::Incremental { .. }) => {
                if rom.branch == Branch::StableBeta {
                    self.stable_beta.push(rom.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_beta_until_a_fastboot_of_it_or_of_a_later_build() {
        let v = |text: &str| Version::parse(text).unwrap();
        let mut variant = Variant::default();
        assert!(variant.is_stable_beta(&v("OS2.0.3.0.VMLMIXM")));
        variant.note_fastboot(&v("OS2.0.2.0.VMLMIXM"));
        assert!(variant.is_stable_beta(&v("OS2.0.3.0.VMLMIXM")));
        assert!(!variant.is_stable_beta(&v("OS2.0.2.0.VMLMIXM")));
        assert!(
            !variant.is_stable_beta(&v("V14.0.9.0.TMLMIXM")),
            "an older line"
        );
        variant.note_fastboot(&v("OS2.0.4.0.VMLMIXM"));
        assert!(!variant.is_stable_beta(&v("OS2.0.3.0.VMLMIXM")));
        assert!(
            !variant.is_stable_beta(&v("22.3.23")),
            "developer builds are never Stable Beta"
        );
    }

    #[test]
    fn newest_build_by_its_place_in_the_history() {
        let build = |v: &str, d: Option<(i32, u32, u32)>| Build {
            version: Version::parse(v).unwrap(),
            android: "14.0".into(),
            released: d.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        };
        let mut variant = Variant::default();
        variant.note_build(true, build("OS1.0.5.0.UMLMIXM", Some((2024, 5, 1))));
        variant.note_build(true, build("OS1.0.4.0.UMLMIXM", Some((2024, 3, 1))));
        assert_eq!(
            variant.current(true).unwrap().version.as_str(),
            "OS1.0.5.0.UMLMIXM"
        );
        assert_eq!(
            variant.current(false).unwrap().version.as_str(),
            "OS1.0.5.0.UMLMIXM",
            "no developer build: the stable one is what the phone runs"
        );
    }
}
