//! Reconciling what several sources say of one file into one ROM: the
//! MD5 from the OTA API, the size and date from the CDN `HEAD`, the
//! changelog flattened to text, the branch decided (Stable Beta until a
//! fastboot build appears), and a download link on a public mirror.

use chrono::{DateTime, Utc};
use romwatch_model::{
    Branch, Codename, DeviceRef, FileName, Link, Md5, Method, RomParts, Size, variant_codename,
};
use romwatch_upstream::cdn::{MIRRORS, public_link};
use romwatch_upstream::{CdnFile, Observation, SourceId};

use crate::knowledge::Variant;

/// The variant a package belongs to: what the source filed it under, else
/// what its name says. Old recovery names carry a package name (`ALIOTH`)
/// rather than a codename; it is taken as the codename, lower-cased.
pub fn variant_of(observation: &Observation) -> Option<Codename> {
    if let Some(variant) = &observation.variant {
        return Some(variant.clone());
    }
    match &observation.package.device {
        DeviceRef::Variant(variant) => Some(variant.clone()),
        DeviceRef::PackageName(name) => {
            let device = Codename::new(&name.to_ascii_lowercase()).ok()?;
            Some(variant_codename(&device, &observation.package.region))
        }
    }
}

/// Everything seen of one file during a run.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub observations: Vec<Observation>,
    /// The CDN's answer, for a file checked there this run.
    pub head: Option<Result<CdnFile, String>>,
}

/// The variant's marketing name as the sources give it: the OTA API's
/// first, then the community device list's. A line package's name reads
/// "★ Redmi 13 Latest Global Stable…": no device name.
pub fn device_name<'a>(sightings: impl IntoIterator<Item = &'a Sighting>) -> Option<String> {
    let mut best: Option<(u8, &str)> = None;
    for observation in sightings.into_iter().flat_map(|s| &s.observations) {
        let rank = match observation.source {
            SourceId::Ota => 0,
            SourceId::Community if observation.variant.is_none() => 1,
            SourceId::FullRom => 2,
            _ => continue,
        };
        if let Some(name) = observation
            .device_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            && best.is_none_or(|(r, _)| rank < r)
        {
            best = Some((rank, name));
        }
    }
    best.map(|(_, name)| name.to_string())
}

/// The branch of a package: from its version, except that a developer
/// mark in the name makes it Weekly and a stable recovery build with no
/// fastboot build yet is Stable Beta.
pub fn branch_of(observation: &Observation, variant: &Variant) -> Branch {
    let package = &observation.package;
    let branch = if package.developer {
        Branch::Weekly
    } else {
        package.version.branch()
    };
    let recovery = package.method == Method::Recovery;
    if branch == Branch::Stable && recovery && variant.is_stable_beta(&package.version) {
        Branch::StableBeta
    } else {
        branch
    }
}

/// The parts of a file's ROM from its sightings, or `None` if nothing
/// placeable was seen. `name` is the variant's marketing name where the
/// store knows it: a run never renames a device on the word of a line
/// package. `now` is the first-seen time.
pub fn parts(
    variant_codename: &Codename,
    sighting: &Sighting,
    variant: &Variant,
    name: Option<&str>,
    now: DateTime<Utc>,
) -> Option<RomParts> {
    let first = sighting.observations.first()?;
    let package = &first.package;
    // The OTA API's answer is the most complete: read it first.
    let mut ordered: Vec<&Observation> = sighting.observations.iter().collect();
    ordered.sort_by_key(|o| match o.source {
        SourceId::Ota => 0,
        SourceId::FullRom => 1,
        SourceId::Community if o.variant.is_none() => 2,
        _ => 3,
    });
    let md5 = ordered.iter().map(|o| o.md5).fold(None::<Md5>, |known, m| {
        Some(known.map_or(m, |k| k.most_known(m)))
    });
    let head = sighting.head.as_ref().and_then(|h| h.as_ref().ok());
    let size: Option<Size> = head.map(|h| h.size).or_else(|| {
        ordered.iter().filter_map(|o| o.size).reduce(|a, b| {
            if a.agrees_with(&b) {
                a.most_known(b)
            } else {
                a
            }
        })
    });
    let released = head
        .and_then(|h| h.last_modified)
        .map(|t| t.date_naive())
        .or_else(|| ordered.iter().find_map(|o| o.released));
    let device_name = name
        .map(str::to_string)
        .or_else(|| device_name(std::slice::from_ref(sighting)))
        .unwrap_or_else(|| variant_codename.as_str().to_string());
    let url = ordered
        .iter()
        .find_map(|o| Link::parse(o.url.as_deref()?).ok())
        .map(public_link);
    Some(RomParts {
        filename: FileName::new(&first.filename).ok()?,
        codename: variant_codename.device(),
        variant: Some(variant_codename.clone()),
        device_name,
        os: package.version.os_line().family,
        version: package.version.clone(),
        branch: branch_of(first, variant),
        method: package.method,
        size,
        md5,
        released,
        first_seen: now,
        mirror_hosts: if url.is_some() {
            MIRRORS.iter().map(|h| h.to_string()).collect()
        } else {
            Vec::new()
        },
        url,
        changelog: ordered
            .iter()
            .find_map(|o| o.changelog.as_ref())
            .filter(|c| !c.is_empty())
            .map(|c| c.to_text()),
        android: Some(package.android.clone()),
        incremental_from: package.from.clone(),
        incremental_url: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::Version;
    use romwatch_upstream::Changelog;

    fn seen(source: SourceId, url: &str) -> Observation {
        Observation::of_url(source, url).unwrap()
    }

    const NAME: &str = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";

    #[test]
    fn sources_are_merged_into_one_record() {
        let mut ota = seen(
            SourceId::Ota,
            &format!("https://bigota.d.miui.com/OS2.0.3.0.VMLMIXM/{NAME}"),
        );
        ota.md5 = "0123456789abcdef0123456789abcdef".parse().unwrap();
        ota.size = Some(Size::parse_human("6.2 GB").unwrap());
        ota.device_name = Some("Xiaomi 13T Pro Global".into());
        ota.changelog = serde_json::from_str::<Changelog>(r#"{"System": {"txt": ["Fixes"]}}"#).ok();
        let community = seen(
            SourceId::Community,
            &format!("https://ultimateota.d.miui.com/OS2.0.3.0.VMLMIXM/{NAME}?t=1&s=2"),
        );
        let head = CdnFile {
            size: Size::exact(6_200_123_456),
            last_modified: DateTime::parse_from_rfc2822("Tue, 07 Jan 2025 08:00:00 GMT")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        };
        let sighting = Sighting {
            observations: vec![community.clone(), ota],
            head: Some(Ok(head)),
        };
        let variant = variant_of(&community).unwrap();
        assert_eq!(variant.as_str(), "corot_global");
        let now = Utc::now();
        let parts = parts(&variant, &sighting, &Variant::default(), None, now).unwrap();
        assert_eq!(
            parts.md5.map(|m| m.to_string()).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(parts.size, Some(Size::exact(6_200_123_456)));
        assert_eq!(parts.released, chrono::NaiveDate::from_ymd_opt(2025, 1, 7));
        assert_eq!(parts.device_name, "Xiaomi 13T Pro Global");
        assert_eq!(parts.branch, Branch::StableBeta, "no fastboot build yet");
        assert!(parts.changelog.is_some_and(|c| c.contains("Fixes")));
        assert_eq!(
            parts.url.as_ref().map(Link::as_str),
            Some(format!("https://bigota.d.miui.com/OS2.0.3.0.VMLMIXM/{NAME}").as_str())
        );
        let mut with_fastboot = Variant::default();
        with_fastboot.note_fastboot(&Version::parse("OS2.0.3.0.VMLMIXM").unwrap());
        let promoted =
            super::parts(&variant, &sighting, &with_fastboot, Some("Known Name"), now).unwrap();
        assert_eq!(promoted.branch, Branch::Stable);
        assert_eq!(promoted.device_name, "Known Name");
    }

    #[test]
    fn old_names_are_placed_by_their_package_name() {
        let old = seen(
            SourceId::ChinaCommunity,
            "https://bigota.d.miui.com/V14.0.6.0.TKHCNXM/miui_ALIOTH_V14.0.6.0.TKHCNXM_0123456789_13.0.zip",
        );
        assert_eq!(variant_of(&old).unwrap().as_str(), "alioth");
    }
}
