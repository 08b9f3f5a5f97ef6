//! The one validating constructor of a release: [`Incoming::checked`] takes
//! what a source or a file says of one ROM ([`RomParts`], already typed
//! field by field) and checks it as a whole, so that a ROM is valid however
//! it was made.
//!
//! What the parts say wins (version, branch, method are what the source
//! states); the package-name grammar fills in what they leave out (variant,
//! region, MD5 prefix, Android version, incremental from-version).

use chrono::{DateTime, NaiveDate, Utc};

use crate::bounds::{check_mirror_count, check_release_date, check_size};
use crate::{
    Branch, Codename, Device, DeviceRef, FileName, Kind, Link, Md5, Method, OsFamily, OsLine,
    PackageName, Region, Rom, Size, Version, VersionForm, variant_codename,
};

/// A ROM that cannot be taken, and which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct RecordError {
    /// The field as the interchange [`Record`](crate::Record) names it.
    pub field: &'static str,
    pub message: String,
}

impl RecordError {
    pub fn new(field: &'static str, message: impl Into<String>) -> RecordError {
        RecordError {
            field,
            message: message.into(),
        }
    }
}

/// What is known of one ROM file, each field typed, not yet checked as a
/// whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RomParts {
    pub filename: FileName,
    /// The device codename (`corot`).
    pub codename: Codename,
    /// The variant codename, when the source says it; else the file name
    /// or the region tells it.
    pub variant: Option<Codename>,
    /// The variant's marketing name with its region.
    pub device_name: String,
    /// The OS family, for versions that do not say it.
    pub os: OsFamily,
    pub version: Version,
    pub branch: Branch,
    pub method: Method,
    pub size: Option<Size>,
    pub md5: Option<Md5>,
    pub released: Option<NaiveDate>,
    pub first_seen: DateTime<Utc>,
    pub url: Option<Link>,
    /// Other CDN hosts serving the same path as `url`.
    pub mirror_hosts: Vec<String>,
    pub changelog: Option<String>,
    /// The Android version ("14.0").
    pub android: Option<String>,
    /// For an incremental package, the version it updates from.
    pub incremental_from: Option<Version>,
    /// The incremental package to this version, when one is linked.
    pub incremental_url: Option<Link>,
}

/// A checked ROM: the device variant, the ROM, and the incremental package
/// to it when the parts link one of the same variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub device: Device,
    pub rom: Rom,
    pub incremental: Option<Rom>,
}

const MAX_TEXT: usize = 256;
const MAX_ANDROID: usize = 16;
const MAX_CHANGELOG: usize = 64 * 1024;

fn check_plain_text(field: &'static str, text: &str, max: usize) -> Result<(), RecordError> {
    if text.len() > max {
        return Err(RecordError::new(field, format!("longer than {max} bytes")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(RecordError::new(field, "holds control characters"));
    }
    Ok(())
}

impl Incoming {
    /// Checks `parts` and builds the device variant and ROM they describe.
    pub fn checked(parts: RomParts) -> Result<Incoming, RecordError> {
        let parsed = PackageName::parse(&parts.filename).ok();
        let region = parsed
            .as_ref()
            .map(|p| p.region.clone())
            .or_else(|| parts.version.region().cloned())
            .unwrap_or(Region::China);
        let variant = match (parts.variant, parsed.as_ref().map(|p| &p.device)) {
            (Some(v), _) => v,
            (None, Some(DeviceRef::Variant(v))) => v.clone(),
            _ => variant_codename(&parts.codename, &region),
        };
        let os = match parts.version.form() {
            VersionForm::Unrecognised => OsLine {
                family: parts.os,
                major: None,
            },
            _ => parts.version.os_line(),
        };

        let device_name = parts.device_name.trim();
        if device_name.is_empty() {
            return Err(RecordError::new("device", "empty device name"));
        }
        check_plain_text("device", device_name, MAX_TEXT)?;
        let device = Device {
            variant: variant.clone(),
            codename: parts.codename.clone(),
            name: device_name.to_string(),
            region: Region::of_variant(variant.as_str()),
        };

        if let Some(size) = parts.size {
            check_size(size.bytes).map_err(|e| RecordError::new("size", e))?;
        }
        if let Some(date) = parts.released {
            check_release_date(date, Utc::now().date_naive())
                .map_err(|e| RecordError::new("date", e))?;
        }
        check_mirror_count(parts.mirror_hosts.len())
            .map_err(|e| RecordError::new("mirror_hosts", e))?;
        if let Some(text) = &parts.changelog {
            check_plain_text("changelog", text, MAX_CHANGELOG)?;
        }
        if let Some(android) = &parts.android {
            check_plain_text("android", android, MAX_ANDROID)?;
        }
        let mirrors = match &parts.url {
            Some(url) => mirrors_of(url, &parts.mirror_hosts)?,
            None => Vec::new(),
        };
        let kind = match (
            &parts.incremental_from,
            parsed.as_ref().and_then(|p| p.from.as_ref()),
        ) {
            (Some(from), _) | (None, Some(from)) => Kind::Incremental {
                from: from.as_str().to_string(),
            },
            (None, None) => Kind::Full,
        };
        let rom = Rom {
            codename: parts.codename,
            variant,
            version: parts.version,
            android: parts
                .android
                .or_else(|| parsed.as_ref().map(|p| p.android.clone())),
            os,
            branch: parts.branch,
            method: parts.method,
            kind,
            size: parts.size.filter(Size::is_plausible),
            md5: parts.md5.or(parsed.as_ref().map(|p| p.md5)),
            url: parts.url,
            mirrors,
            changelog: parts.changelog,
            released: parts.released,
            first_seen: parts.first_seen,
            filename: parts.filename,
        };
        let incremental = parts
            .incremental_url
            .and_then(|url| incremental_of(&rom, url));
        Ok(Incoming {
            device,
            rom,
            incremental,
        })
    }
}

impl RomParts {
    /// The parts a stored ROM was made of, to export it. `incremental_url`
    /// is the stored incremental package to this ROM, if any.
    pub fn of_rom(rom: &Rom, device: &Device, incremental_url: Option<&Link>) -> RomParts {
        let (from, incremental_url) = match &rom.kind {
            Kind::Incremental { from } => (Version::lenient(from).ok(), None),
            Kind::Full => (None, incremental_url.cloned()),
        };
        RomParts {
            filename: rom.filename.clone(),
            codename: rom.codename.clone(),
            variant: Some(rom.variant.clone()),
            device_name: device.name.clone(),
            os: rom.os.family,
            version: rom.version.clone(),
            branch: rom.branch,
            method: rom.method,
            size: rom.size,
            md5: rom.md5,
            released: rom.released,
            first_seen: rom.first_seen,
            url: rom.url.clone(),
            mirror_hosts: rom.mirrors.iter().map(|m| m.authority()).collect(),
            changelog: rom.changelog.clone(),
            android: rom.android.clone(),
            incremental_from: from,
            incremental_url,
        }
    }
}

/// The mirrors of `url`: the same path on each listed host, `url` itself left out.
fn mirrors_of(url: &Link, hosts: &[String]) -> Result<Vec<Link>, RecordError> {
    let mut mirrors = Vec::new();
    for host in hosts {
        let mirror = url
            .on_host(host)
            .map_err(|e| RecordError::new("mirror_hosts", e.to_string()))?;
        if mirror != *url && !mirrors.contains(&mirror) {
            mirrors.push(mirror);
        }
    }
    Ok(mirrors)
}

/// The incremental package linked to `full`, if it is for the same variant
/// and updates to the same version. The reference looked incrementals up by
/// version alone and linked other devices' packages; those are not taken.
fn incremental_of(full: &Rom, url: Link) -> Option<Rom> {
    let name = FileName::new(url.file_name()).ok()?;
    let pkg = PackageName::parse(&name).ok()?;
    let (Some(from), DeviceRef::Variant(variant)) = (&pkg.from, &pkg.device) else {
        return None;
    };
    let same_device = variant.device() == full.codename
        && pkg.region == Region::of_variant(full.variant.as_str());
    if !same_device || pkg.version.as_str() != full.version.as_str() {
        return None;
    }
    Some(Rom {
        filename: name,
        codename: full.codename.clone(),
        variant: full.variant.clone(),
        version: full.version.clone(),
        android: Some(pkg.android.clone()),
        os: full.os,
        branch: full.branch,
        method: Method::Recovery,
        kind: Kind::Incremental {
            from: from.as_str().to_string(),
        },
        size: None,
        md5: Some(pkg.md5),
        url: Some(url),
        mirrors: Vec::new(),
        changelog: None,
        released: None,
        first_seen: full.first_seen,
    })
}
