//! The grammar of MIUI / HyperOS version strings (UPSTREAM.md §6).

use std::fmt;

use crate::{Branch, OsFamily, OsLine, Region};

/// A parsed version string. The text is kept as given; the parts say what
/// it means. Every version is safe as a URL path segment and a directory
/// name: ASCII letters, digits, `.`, `-` and `_`, starting with a letter or
/// digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    text: String,
    form: VersionForm,
}

/// The shapes a version comes in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionForm {
    /// A stable build: `V14.0.9.0.TKFMIXM`, `OS1.0.10.0.UKWEUXM`,
    /// `V816.0.4.0.UNACNXM` (HyperOS 1 labelled in MIUI style), `A15.0.2.0.VGWMIXM`.
    Release {
        prefix: Prefix,
        numbers: [u32; 4],
        tag: BuildTag,
    },
    /// A public beta: `V14.0.23.1.30.DEV`, `OS1.0.24.1.8.DEV` (line, then
    /// the build date as yy.m.d).
    PublicBeta { prefix: Prefix, numbers: Vec<u32> },
    /// A weekly developer build named by its date: `7.12.28`, `22.3.23`.
    Weekly { year: u16, month: u8, day: u8 },
    /// A pre-2015 build: `JHACNBH22.0`, `JLB54.0`, `KXDCNBF5.0`.
    Legacy { tag: BuildTag, build: String },
    /// A version of no known form, taken as given from a record
    /// ([`Version::lenient`]): the reference data holds misprints such as
    /// `V.9.5.10.0.ODHMIFA`.
    Unrecognised,
}

/// The letters before the numbers of a release or beta version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// `V`: MIUI (and `V816`, HyperOS 1).
    V,
    /// `OS`: HyperOS.
    Os,
    /// `A`: builds numbered after Android itself (Android Go devices).
    A,
}

/// The letter tag of a build (`TKFMIXM`): Android letter, device code,
/// region code and carrier pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BuildTag {
    pub android_letter: char,
    pub device_code: String,
    /// Absent on the oldest builds (`JLB54.0`).
    pub region: Option<Region>,
    /// `XM` for Xiaomi's own builds; carrier builds use other pairs.
    pub carrier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unrecognised version {text:?}: {reason}")]
pub struct VersionError {
    pub text: String,
    pub reason: &'static str,
}

/// The Android version a build-tag letter stands for: `K` → 4.4, `L` → 5.0,
/// … `U` → 14.0, `V` → 15.0, `W` → 16.0, and on in the same steps. `J`
/// (Jelly Bean, 4.1 to 4.3) names no single version.
pub fn android_of_letter(letter: char) -> Option<String> {
    match letter {
        'K' => Some("4.4".to_string()),
        'L'..='Z' => Some(format!("{}.0", 5 + (letter as u32 - 'L' as u32))),
        _ => None,
    }
}

/// Splits `text` on `.` into numbers; `None` if any part is not 1–6 digits.
fn numbers(text: &str) -> Option<Vec<u32>> {
    text.split('.')
        .map(|part| {
            let ok = (1..=6).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| part.parse().ok()).flatten()
        })
        .collect()
}

fn is_upper(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_uppercase())
}

impl BuildTag {
    /// Parses a 7-letter tag (`TKFMIXM`), or the 3- and 7-letter tags of
    /// legacy builds.
    fn parse(letters: &str) -> Option<BuildTag> {
        if !is_upper(letters) || !(letters.len() == 3 || letters.len() == 7) {
            return None;
        }
        let android_letter = letters.chars().next()?;
        Some(BuildTag {
            android_letter,
            device_code: letters[1..3].to_string(),
            region: letters.get(3..5).and_then(Region::from_tag_code),
            carrier: letters.get(5..7).map(str::to_string),
        })
    }
}

impl Version {
    pub fn parse(text: &str) -> Result<Version, VersionError> {
        let err = |reason| VersionError {
            text: text.to_string(),
            reason,
        };
        if text.is_empty() || text.len() > 64 {
            return Err(err("empty or longer than 64 characters"));
        }
        let form = if text.as_bytes()[0].is_ascii_digit() {
            Self::weekly(text).ok_or_else(|| err("a dated build must read yy.m.d"))?
        } else if let Some(rest) = text.strip_prefix("OS") {
            Self::numbered(Prefix::Os, rest)
                .ok_or_else(|| err("expected OS<n>.<n>.<n>.<n>.<TAG>"))?
        } else if let Some(rest) = text.strip_prefix('V') {
            Self::numbered(Prefix::V, rest).ok_or_else(|| err("expected V<n>.<n>.<n>.<n>.<TAG>"))?
        } else if let Some(rest) = text
            .strip_prefix('A')
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        {
            Self::numbered(Prefix::A, rest).ok_or_else(|| err("expected A<n>.<n>.<n>.<n>.<TAG>"))?
        } else {
            Self::legacy(text).ok_or_else(|| err("not a known version form"))?
        };
        Ok(Version {
            text: text.to_string(),
            form,
        })
    }

    fn weekly(text: &str) -> Option<VersionForm> {
        let n = numbers(text)?;
        let [year, month, day] = n[..] else {
            return None;
        };
        let valid =
            (1..=99).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
        valid.then_some(VersionForm::Weekly {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }

    /// `<n>.<n>.<n>.<n>.<TAG>` or `<n>.<n>…DEV` after the prefix.
    fn numbered(prefix: Prefix, rest: &str) -> Option<VersionForm> {
        let (head, last) = rest.rsplit_once('.')?;
        if last == "DEV" {
            let numbers = numbers(head)?;
            return (numbers.len() >= 3).then_some(VersionForm::PublicBeta { prefix, numbers });
        }
        let n = numbers(head)?;
        let numbers: [u32; 4] = n.try_into().ok()?;
        let tag = BuildTag::parse(last).filter(|t| t.region.is_some())?;
        Some(VersionForm::Release {
            prefix,
            numbers,
            tag,
        })
    }

    /// `JHACNBH22.0`: letters, then `<n>.<n>`.
    fn legacy(text: &str) -> Option<VersionForm> {
        let split = text.find(|c: char| c.is_ascii_digit())?;
        let (letters, build) = text.split_at(split);
        let n = numbers(build)?;
        if n.len() != 2 {
            return None;
        }
        let tag = BuildTag::parse(letters)?;
        Some(VersionForm::Legacy {
            tag,
            build: build.to_string(),
        })
    }

    /// The grammar's reading of `text` where it has one; otherwise, if the
    /// text is safe as a path segment (1 to 64 ASCII letters, digits, `.`,
    /// `-`, `_`, starting with a letter or digit), a version of
    /// [`VersionForm::Unrecognised`] form. For versions that records state:
    /// the grammar must not refuse a file the source lists.
    pub fn lenient(text: &str) -> Result<Version, VersionError> {
        if let Ok(version) = Version::parse(text) {
            return Ok(version);
        }
        let safe = (1..=64).contains(&text.len())
            && text.as_bytes()[0].is_ascii_alphanumeric()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if safe {
            Ok(Version {
                text: text.to_string(),
                form: VersionForm::Unrecognised,
            })
        } else {
            Err(VersionError {
                text: text.chars().take(64).collect(),
                reason: "expected 1 to 64 ASCII letters, digits, '.', '-' or '_', starting with a letter or digit",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn form(&self) -> &VersionForm {
        &self.form
    }

    pub fn tag(&self) -> Option<&BuildTag> {
        match &self.form {
            VersionForm::Release { tag, .. } | VersionForm::Legacy { tag, .. } => Some(tag),
            _ => None,
        }
    }

    /// The branch the version's form implies. A stable build is `Stable`;
    /// whether it is `Stable Beta` depends on what else is published, which
    /// the tracker decides.
    pub fn branch(&self) -> Branch {
        match self.form {
            VersionForm::Release { .. } | VersionForm::Legacy { .. } => Branch::Stable,
            VersionForm::PublicBeta { .. } => Branch::PublicBeta,
            VersionForm::Weekly { .. } => Branch::Weekly,
            VersionForm::Unrecognised => Branch::Stable,
        }
    }

    /// The OS line. Dated builds say no MIUI number; `V816` is HyperOS 1.
    pub fn os_line(&self) -> OsLine {
        let line = |family, major: Option<u32>| OsLine {
            family,
            major: major.and_then(|m| u16::try_from(m).ok()),
        };
        let first = match &self.form {
            VersionForm::Release {
                prefix, numbers, ..
            } => Some((*prefix, numbers[0])),
            VersionForm::PublicBeta { prefix, numbers } => Some((*prefix, numbers[0])),
            _ => None,
        };
        match first {
            Some((Prefix::Os, major)) => line(OsFamily::HyperOs, Some(major)),
            Some((Prefix::V, 816)) => line(OsFamily::HyperOs, Some(1)),
            Some((Prefix::V, major)) => line(OsFamily::Miui, Some(major)),
            _ => line(OsFamily::Miui, None),
        }
    }

    /// The Android version from the tag letter (`U` → `14.0`), when there is one.
    pub fn android(&self) -> Option<String> {
        self.tag().and_then(|t| android_of_letter(t.android_letter))
    }

    /// The region from the tag (`MI` → Global), when there is one.
    pub fn region(&self) -> Option<&Region> {
        self.tag().and_then(|t| t.region.as_ref())
    }

    /// A key that orders versions of one line by build: numbers compared
    /// as numbers. Versions of different forms do not compare meaningfully.
    pub fn order_key(&self) -> Vec<u32> {
        match &self.form {
            VersionForm::Release { numbers, .. } => numbers.to_vec(),
            VersionForm::PublicBeta { numbers, .. } => numbers.clone(),
            VersionForm::Weekly { year, month, day } => {
                vec![u32::from(*year), u32::from(*month), u32::from(*day)]
            }
            VersionForm::Legacy { build, .. } => numbers(build).unwrap_or_default(),
            VersionForm::Unrecognised => Vec::new(),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Reads leniently, as stored versions may be of no known form.
impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Version::lenient(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn stable_miui() {
        let ver = v("V14.0.9.0.TKFMIXM");
        assert_eq!(ver.branch(), Branch::Stable);
        assert_eq!(ver.os_line().to_string(), "MIUI 14");
        assert_eq!(ver.android().as_deref(), Some("13.0"));
        assert_eq!(ver.region(), Some(&Region::Global));
        let tag = ver.tag().unwrap();
        assert_eq!(
            (tag.device_code.as_str(), tag.carrier.as_deref()),
            ("KF", Some("XM"))
        );
    }

    #[test]
    fn hyperos_lines() {
        assert_eq!(v("OS1.0.10.0.UKWEUXM").os_line().to_string(), "HyperOS 1");
        assert_eq!(v("OS3.0.306.0.WDTMIXM").os_line().to_string(), "HyperOS 3");
        assert_eq!(v("OS3.0.306.0.WDTMIXM").android().as_deref(), Some("16.0"));
        assert_eq!(v("V816.0.4.0.UNACNXM").os_line().to_string(), "HyperOS 1");
        assert_eq!(v("OS1.0.10.0.UKWEUXM").region(), Some(&Region::Eea));
        // A line and an Android letter that do not exist yet still parse.
        assert_eq!(v("OS4.0.1.0.XABKRXM").os_line().to_string(), "HyperOS 4");
        assert_eq!(v("OS4.0.1.0.XABKRXM").android().as_deref(), Some("17.0"));
        assert_eq!(
            v("OS4.0.1.0.XABMXXM").region(),
            Some(&Region::Other("mx".into()))
        );
    }

    #[test]
    fn public_beta_weekly_legacy_and_android_numbered() {
        assert_eq!(v("V14.0.23.1.30.DEV").branch(), Branch::PublicBeta);
        assert_eq!(v("OS1.0.24.1.8.DEV").os_line().to_string(), "HyperOS 1");
        let weekly = v("7.12.28");
        assert_eq!(weekly.branch(), Branch::Weekly);
        assert_eq!(weekly.os_line().to_string(), "MIUI");
        assert_eq!(weekly.order_key(), vec![7, 12, 28]);
        let legacy = v("JHACNBH22.0");
        assert_eq!(legacy.region(), Some(&Region::China));
        assert_eq!(legacy.android(), None);
        assert_eq!(v("JLB54.0").branch(), Branch::Stable);
        assert_eq!(v("KXDCNBF5.0").android().as_deref(), Some("4.4"));
        assert_eq!(v("A15.0.2.0.VGWMIXM").android().as_deref(), Some("15.0"));
    }

    #[test]
    fn rejects_malformed_versions() {
        for bad in [
            "",
            "V14",
            "V14.0.9.0",
            "V14.0.9.0.tkfmixm",
            "V14.0.9.0.TKFMIX",
            "7.13.28",
            "7.12",
            "OS1.0.DEV",
            "V.9.5.10.0.ODHMIFA",
            "1.2.3.4",
            "../x",
            "V14.0.9.0.TKF-IXM",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn lenient_versions_are_still_path_safe() {
        let misprint = Version::lenient("V.9.5.10.0.ODHMIFA").unwrap();
        assert_eq!(misprint.form(), &VersionForm::Unrecognised);
        assert_eq!(misprint.as_str(), "V.9.5.10.0.ODHMIFA");
        assert!(matches!(
            Version::lenient("7.12.28").unwrap().form(),
            VersionForm::Weekly { .. }
        ));
        for bad in [
            "",
            "..",
            ".",
            "../x",
            ".hidden",
            "a/b",
            "a b",
            &"1".repeat(65),
        ] {
            assert!(Version::lenient(bad).is_err(), "{bad:?}");
        }
    }
}
