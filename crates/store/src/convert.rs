//! Turning an interchange [`Record`] into checked model values, and back.
//!
//! The record's own fields (version, branch, type) are what the source says
//! and win; the package-name grammar fills in what the record leaves out
//! (variant, region, MD5 prefix, incremental from-version). Every string
//! that will become a path or a URL is validated here.

use std::collections::HashSet;

use crate::bounds::{check_mirror_count, check_release_date, check_size};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use romwatch_model::{
    Branch, Codename, Device, DeviceRef, Kind, Md5, Method, OsFamily, OsLine, PackageName, Record,
    Region, Rom, Size, Version, file_name_of_url, variant_codename,
};

/// A record that cannot be taken, and which field is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct RecordError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> RecordError {
    RecordError {
        field,
        message: message.into(),
    }
}

/// A checked record: the device variant, the ROM, and the incremental
/// package to it when the record names one of the same device.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub device: Device,
    pub rom: Rom,
    pub incremental: Option<Rom>,
}

const MAX_TEXT: usize = 256;
const MAX_CHANGELOG: usize = 64 * 1024;

/// A file name that is safe to store and show: no path separators, no
/// control characters, not `.` or `..`.
fn check_filename(name: &str) -> Result<(), RecordError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_TEXT
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    ok.then_some(())
        .ok_or_else(|| bad("filename", format!("{name:?} is not a plain file name")))
}

/// A version becomes a URL path segment: letters, digits, `.`, `-`, `_`
/// only, and not `.` or `..`.
fn check_version(version: &str) -> Result<(), RecordError> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && version.chars().any(|c| c.is_ascii_alphanumeric())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    ok.then_some(())
        .ok_or_else(|| bad("version", format!("{version:?} is not a version")))
}

fn check_plain_text(field: &'static str, text: &str, max: usize) -> Result<(), RecordError> {
    if text.len() > max {
        return Err(bad(field, format!("longer than {max} bytes")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(bad(field, "holds control characters"));
    }
    Ok(())
}

/// An `http(s)` URL without a query string (signed links carry `?t=…&s=…`
/// that expire) and without characters that would need escaping.
pub fn clean_url(field: &'static str, url: &str) -> Result<String, RecordError> {
    let url = url.trim();
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..end];
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad(field, format!("{url:?} is not an http(s) URL")))?;
    let host = rest.split('/').next().unwrap_or_default();
    let ok = !host.is_empty()
        && url.len() <= 1024
        && check_host(host)
        && rest.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^')
        });
    ok.then(|| url.to_string())
        .ok_or_else(|| bad(field, format!("{url:?} is not a valid URL")))
}

fn check_host(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host);
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// A `YYYY-MM-DD` date within the plausible range of a release.
fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, RecordError> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| bad(field, format!("{text:?} is not a YYYY-MM-DD date")))?;
    check_release_date(date, Utc::now().date_naive()).map_err(|e| bad(field, e))
}

/// Empty strings mean "not given" in the files romwatch reads.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a record and builds what the store takes from it. `now` is the
/// first-seen time of records that do not carry one.
pub fn to_incoming(record: &Record, now: DateTime<Utc>) -> Result<Incoming, RecordError> {
    check_filename(&record.filename)?;
    let parsed = PackageName::parse(&record.filename).ok();
    let codename_text = given(&record.card_codename).unwrap_or(record.codename.trim());
    let codename = Codename::new(codename_text).map_err(|e| bad("codename", e.to_string()))?;
    let method: Method = record
        .method
        .parse()
        .map_err(|e: romwatch_model::UnknownName| bad("type", e.to_string()))?;
    let branch: Branch = record
        .branch
        .parse()
        .map_err(|e: romwatch_model::UnknownName| bad("branch", e.to_string()))?;
    let version = record.version.trim();
    check_version(version)?;
    let grammar_version = Version::parse(version).ok();

    let region = parsed
        .as_ref()
        .map(|p| p.region.clone())
        .or_else(|| grammar_version.as_ref().and_then(|v| v.region().cloned()))
        .unwrap_or(Region::China);
    let variant = match (given(&record.variant), parsed.as_ref().map(|p| &p.device)) {
        (Some(v), _) => Codename::new(v).map_err(|e| bad("variant", e.to_string()))?,
        (None, Some(DeviceRef::Variant(v))) => v.clone(),
        _ => variant_codename(&codename, &region),
    };
    let os = match &grammar_version {
        Some(v) => v.os_line(),
        None => OsLine {
            family: record
                .os
                .parse::<OsFamily>()
                .map_err(|e| bad("os", e.to_string()))?,
            major: None,
        },
    };

    let device_name = record.device.trim();
    if device_name.is_empty() {
        return Err(bad("device", "empty device name"));
    }
    check_plain_text("device", device_name, MAX_TEXT)?;
    let device = Device {
        codename: variant.clone(),
        device: codename.clone(),
        name: device_name.to_string(),
        region: Region::of_variant(variant.as_str()),
    };

    let size = match record.size_bytes {
        Some(bytes) => Some(Size::exact(bytes)),
        None => given(&record.size)
            .map(Size::parse_human)
            .transpose()
            .map_err(|e| bad("size", e.to_string()))?,
    }
    .map(|size| check_size(size.bytes).map(|_| size))
    .transpose()
    .map_err(|e| bad("size", e))?
    .filter(Size::is_plausible);
    let md5 = match given(&record.md5) {
        Some(text) if text.eq_ignore_ascii_case("unknown") => None,
        Some(text) => Some(text.parse::<Md5>().map_err(|e| bad("md5", e.to_string()))?),
        None => None,
    }
    .or(parsed.as_ref().map(|p| p.md5));
    let released = given(&record.date)
        .map(|d| parse_date("date", d))
        .transpose()?;
    let first_seen = match given(&record.first_seen) {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|_| bad("first_seen", format!("{t:?} is not an RFC 3339 time")))?
            .with_timezone(&Utc),
        None => now,
    };
    let url = given(&record.url)
        .map(|u| clean_url("url", u))
        .transpose()?;
    let mirrors = mirror_urls(url.as_deref(), &record.mirror_hosts)?;
    let changelog = given(&record.changelog).map(str::to_string);
    if let Some(text) = &changelog {
        check_plain_text("changelog", text, MAX_CHANGELOG)?;
    }
    let android = given(&record.android)
        .map(|a| {
            check_plain_text("android", a, 16)?;
            Ok::<_, RecordError>(a.to_string())
        })
        .transpose()?
        .or_else(|| parsed.as_ref().map(|p| p.android.clone()));
    let kind = match (
        given(&record.incremental_from),
        parsed.as_ref().and_then(|p| p.from.as_ref()),
    ) {
        (Some(from), _) => {
            check_version(from).map_err(|e| bad("incremental_from", e.message))?;
            Kind::Incremental {
                from: from.to_string(),
            }
        }
        (None, Some(from)) => Kind::Incremental {
            from: from.as_str().to_string(),
        },
        (None, None) => Kind::Full,
    };

    let rom = Rom {
        filename: record.filename.clone(),
        codename,
        variant,
        version: version.to_string(),
        android,
        os,
        branch,
        method,
        kind,
        size,
        md5,
        url,
        mirrors,
        changelog,
        released,
        first_seen,
    };
    let incremental = given(&record.incremental_url)
        .map(|u| incremental_of(&rom, u))
        .transpose()?
        .flatten();
    Ok(Incoming {
        device,
        rom,
        incremental,
    })
}

/// The mirrors of `url`: the same path on each listed host, `url` itself left out.
fn mirror_urls(url: Option<&str>, hosts: &[String]) -> Result<Vec<String>, RecordError> {
    check_mirror_count(hosts.len()).map_err(|e| bad("mirror_hosts", e))?;
    let Some(url) = url else {
        return Ok(Vec::new());
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(Vec::new());
    };
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let mut seen = HashSet::new();
    let mut mirrors = Vec::new();
    for host in hosts {
        if !check_host(host) {
            return Err(bad("mirror_hosts", format!("{host:?} is not a host name")));
        }
        let mirror = format!("{scheme}://{host}{path}");
        if mirror != url && seen.insert(host.as_str()) {
            mirrors.push(mirror);
        }
    }
    Ok(mirrors)
}

/// The incremental package a record links, if it is for the same variant
/// and updates to the same version. The reference looked incrementals up by
/// version alone and linked other devices' packages; those are not taken.
fn incremental_of(full: &Rom, url: &str) -> Result<Option<Rom>, RecordError> {
    let url = clean_url("incremental_url", url)?;
    let name = file_name_of_url(&url);
    let Ok(pkg) = PackageName::parse(name) else {
        return Ok(None);
    };
    let (Some(from), DeviceRef::Variant(variant)) = (&pkg.from, &pkg.device) else {
        return Ok(None);
    };
    let same_device = variant.device() == full.codename
        && pkg.region == Region::of_variant(full.variant.as_str());
    if !same_device || pkg.version.as_str() != full.version {
        return Ok(None);
    }
    check_filename(name)?;
    Ok(Some(Rom {
        filename: name.to_string(),
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
    }))
}

/// The record that exports a stored ROM. `incremental_url` is the stored
/// incremental package to this ROM, if any.
pub fn to_record(rom: &Rom, device: &Device, incremental_url: Option<&str>) -> Record {
    let (from, incremental_url) = match &rom.kind {
        Kind::Incremental { from } => (Some(from.clone()), None),
        Kind::Full => (None, incremental_url.map(str::to_string)),
    };
    Record {
        codename: rom.codename.to_string(),
        device: device.name.clone(),
        os: rom.os.family.slug().to_string(),
        version: rom.version.clone(),
        branch: rom.branch.name().to_string(),
        method: rom.method.name().to_string(),
        size: rom.size.map(|s| s.human()),
        date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
        filename: rom.filename.clone(),
        md5: rom.md5.filter(Md5::is_full).map(|m| m.to_string()),
        url: rom.url.clone(),
        changelog: rom.changelog.clone(),
        android: rom.android.clone(),
        mirror_hosts: rom
            .mirrors
            .iter()
            .filter_map(|m| m.split("://").nth(1)?.split('/').next().map(str::to_string))
            .collect(),
        incremental_url,
        card_codename: None,
        variant: Some(rom.variant.to_string()),
        size_bytes: rom.size.filter(|s| s.exact).map(|s| s.bytes),
        incremental_from: from,
        first_seen: Some(rom.first_seen.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            codename: "capricorn".into(),
            device: "Mi 5s Global".into(),
            os: "miui".into(),
            version: "7.12.28".into(),
            branch: "Weekly".into(),
            method: "Recovery".into(),
            size: Some("1.5 GB".into()),
            date: Some("2017-12-28".into()),
            filename: "miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip".into(),
            url: Some("https://bigota.d.miui.com/7.12.28/miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip?t=1&s=2".into()),
            mirror_hosts: vec!["bigota.d.miui.com".into(), "hugeota.d.miui.com".into()],
            ..Record::default()
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn fills_what_the_record_leaves_out_from_the_name() {
        let inc = to_incoming(&record(), now()).unwrap();
        assert_eq!(inc.rom.variant.as_str(), "capricorn_global");
        assert_eq!(inc.device.region, Region::Global);
        assert_eq!(inc.rom.md5.unwrap().to_string(), "409451bb85");
        assert_eq!(inc.rom.android.as_deref(), Some("7.0"));
        assert_eq!(
            inc.rom.url.as_deref(),
            Some("https://bigota.d.miui.com/7.12.28/miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip")
        );
        assert_eq!(
            inc.rom.mirrors,
            vec!["https://hugeota.d.miui.com/7.12.28/miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"]
        );
    }

    #[test]
    fn rejects_codenames_and_names_that_could_escape_a_directory() {
        for bad_codename in ["../etc", "a/b", "a\\b", ".."] {
            let r = Record {
                codename: bad_codename.into(),
                ..record()
            };
            assert_eq!(to_incoming(&r, now()).unwrap_err().field, "codename");
        }
        let r = Record {
            version: "../../x".into(),
            ..record()
        };
        assert_eq!(to_incoming(&r, now()).unwrap_err().field, "version");
        let r = Record {
            filename: "a/b.zip".into(),
            ..record()
        };
        assert_eq!(to_incoming(&r, now()).unwrap_err().field, "filename");
        let r = Record {
            url: Some("javascript:alert(1)".into()),
            ..record()
        };
        assert_eq!(to_incoming(&r, now()).unwrap_err().field, "url");
    }

    #[test]
    fn error_pages_and_missing_dates_are_unknown_not_facts() {
        let r = Record {
            size: Some("465 Bytes".into()),
            date: None,
            ..record()
        };
        let inc = to_incoming(&r, now()).unwrap();
        assert_eq!((inc.rom.size, inc.rom.released), (None, None));
        let r = Record {
            size: Some("big".into()),
            ..record()
        };
        assert_eq!(to_incoming(&r, now()).unwrap_err().field, "size");
    }

    #[test]
    fn links_incrementals_of_the_same_device_only() {
        let r = Record {
            codename: "agate".into(),
            device: "Xiaomi 11T EEA".into(),
            version: "OS1.0.10.0.UKWEUXM".into(),
            branch: "Stable".into(),
            filename: "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip".into(),
            incremental_url: Some("https://x.com/OS1.0.10.0.UKWEUXM/miui-blockota-agate_eea_global-OS1.0.9.0.UKWEUXM-OS1.0.10.0.UKWEUXM-685ef0944d-14.0.zip".into()),
            ..record()
        };
        let inc = to_incoming(&r, now()).unwrap().incremental.unwrap();
        assert_eq!(
            inc.kind,
            Kind::Incremental {
                from: "OS1.0.9.0.UKWEUXM".into()
            }
        );
        assert_eq!(inc.variant.as_str(), "agate_eea_global");
        let other = Record {
            incremental_url: Some("https://x.com/9.1.7/miui-blockota-beryllium_global-9.1.6-7.12.28-a6f1f5baf5-9.0.zip".into()),
            ..record()
        };
        assert_eq!(to_incoming(&other, now()).unwrap().incremental, None);
    }

    #[test]
    fn exports_what_it_imports() {
        let inc = to_incoming(&record(), now()).unwrap();
        let device = inc.device.clone();
        let back = to_incoming(&to_record(&inc.rom, &device, None), now()).unwrap();
        assert_eq!(back, inc);
    }
}
