//! What a recovery package's own metadata (`META-INF/com/android/metadata`)
//! says of the build inside it. Every field is optional: a value the
//! package does not give stays missing.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Kind, Method, Rom};

/// The facts a package's metadata gives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// `post-security-patch-level`: the Android security patch of the build.
    pub security_patch: Option<NaiveDate>,
    /// `post-build`: the build fingerprint
    /// (`Xiaomi/corot_global/corot:14/UKQ1.230905.001/OS1.0.5.0.UMLMIXM:user/release-keys`).
    pub fingerprint: Option<String>,
    /// `post-timestamp`: when the build was made.
    pub build_time: Option<DateTime<Utc>>,
    /// `pre-build`: for an incremental, the fingerprint of the build it
    /// applies to.
    pub pre_build: Option<String>,
}

/// The security patch of each ROM whose package metadata gives one, by
/// file name. A fastboot image (a `.tgz`, not readable by range) takes the
/// security patch of the full recovery package of its variant and version.
pub fn security_patches<'a>(
    roms: &'a [Rom],
    facts: &HashMap<String, PackageFacts>,
) -> HashMap<&'a str, NaiveDate> {
    let patch = |rom: &Rom| facts.get(rom.filename.as_str())?.security_patch;
    let recovery: HashMap<(&str, &str), NaiveDate> = roms
        .iter()
        .filter(|r| r.method == Method::Recovery && r.kind == Kind::Full)
        .filter_map(|r| Some(((r.variant.as_str(), r.version.as_str()), patch(r)?)))
        .collect();
    roms.iter()
        .filter_map(|rom| {
            let own = patch(rom);
            let found = match rom.method {
                Method::Fastboot => own.or_else(|| {
                    recovery
                        .get(&(rom.variant.as_str(), rom.version.as_str()))
                        .copied()
                }),
                Method::Recovery => own,
            };
            Some((rom.filename.as_str(), found?))
        })
        .collect()
}

/// The longest fingerprint kept (real ones are under 150 characters).
const MAX_FINGERPRINT: usize = 256;

impl PackageFacts {
    /// Reads the `key=value` lines of a metadata entry; values that do not
    /// parse are left missing.
    pub fn from_metadata(text: &str) -> PackageFacts {
        let mut facts = PackageFacts::default();
        let fingerprint = |v: &str| {
            (!v.is_empty() && v.len() <= MAX_FINGERPRINT && !v.chars().any(char::is_control))
                .then(|| v.to_string())
        };
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "post-security-patch-level" => {
                    facts.security_patch = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
                }
                "post-build" => facts.fingerprint = fingerprint(value),
                "post-timestamp" => {
                    facts.build_time = value
                        .parse::<i64>()
                        .ok()
                        .and_then(|s| DateTime::from_timestamp(s, 0));
                }
                "pre-build" => facts.pre_build = fingerprint(value),
                _ => {}
            }
        }
        facts
    }

    /// Whether the metadata gave anything at all.
    pub fn is_empty(&self) -> bool {
        *self == PackageFacts::default()
    }
}

/// The version (incremental) field of a fingerprint: `OS1.0.5.0.UMLMIXM` of
/// `Xiaomi/corot_global/corot:14/UKQ1.230905.001/OS1.0.5.0.UMLMIXM:user/release-keys`.
pub fn fingerprint_version(fingerprint: &str) -> Option<&str> {
    let (before_tags, _) = fingerprint.rsplit_once(':')?;
    before_tags.rsplit('/').next().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_lines_give_the_facts_and_bad_values_stay_missing() {
        let facts = PackageFacts::from_metadata(
            "ota-type=AB\npost-build=Xiaomi/corot_global/corot:14/UKQ1.230905.001/OS1.0.5.0.UMLMIXM:user/release-keys\n\
             post-security-patch-level=2024-05-01\npost-timestamp=1715000000\npre-build=Xiaomi/a/a:14/X/OS1.0.4.0.UMLMIXM:user/release-keys\n",
        );
        assert_eq!(facts.security_patch, NaiveDate::from_ymd_opt(2024, 5, 1));
        assert_eq!(facts.build_time.map(|t| t.timestamp()), Some(1_715_000_000));
        assert_eq!(
            facts.fingerprint.as_deref().and_then(fingerprint_version),
            Some("OS1.0.5.0.UMLMIXM")
        );
        assert_eq!(
            facts.pre_build.as_deref().and_then(fingerprint_version),
            Some("OS1.0.4.0.UMLMIXM")
        );
        let bad = PackageFacts::from_metadata("post-security-patch-level=soon\npost-timestamp=x\n");
        assert!(bad.is_empty());
    }
}
