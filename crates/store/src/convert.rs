//! The interchange [`Record`] (all text, as it travels in files) turned
//! into typed [`RomParts`] and back, for import, export and the pending
//! files the tracker keeps. Each field is parsed into its type here, with
//! the field named on error; checking the parts as a whole is the model's
//! [`Incoming::checked`].

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use romwatch_model::{
    Codename, Device, FileName, Incoming, Link, Md5, Record, RecordError, Rom, RomParts, Size,
    Version,
};

/// Empty strings mean "not given" in the files romwatch reads.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses one field of a record, naming the field on error.
fn field<T, E: ToString>(name: &'static str, parsed: Result<T, E>) -> Result<T, RecordError> {
    parsed.map_err(|e| RecordError::new(name, e.to_string()))
}

/// The typed parts of a record. `now` is the first-seen time of records
/// that do not carry one.
pub fn to_parts(record: &Record, now: DateTime<Utc>) -> Result<RomParts, RecordError> {
    let filename = field("filename", FileName::new(&record.filename))?;
    let codename = given(&record.card_codename).unwrap_or(record.codename.trim());
    let size = match record.size_bytes {
        Some(bytes) => Some(Size::exact(bytes)),
        None => field(
            "size",
            given(&record.size).map(Size::parse_human).transpose(),
        )?,
    };
    let md5 = match given(&record.md5) {
        Some(text) if text.eq_ignore_ascii_case("unknown") => None,
        other => field("md5", other.map(str::parse::<Md5>).transpose())?,
    };
    let released = given(&record.date)
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| RecordError::new("date", format!("{d:?} is not a YYYY-MM-DD date")))
        })
        .transpose()?;
    let first_seen = match given(&record.first_seen) {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|_| RecordError::new("first_seen", format!("{t:?} is not an RFC 3339 time")))?
            .with_timezone(&Utc),
        None => now,
    };
    Ok(RomParts {
        filename,
        codename: field("codename", Codename::new(codename))?,
        variant: field(
            "variant",
            given(&record.variant).map(Codename::new).transpose(),
        )?,
        device_name: record.device.trim().to_string(),
        os: field("os", record.os.parse())?,
        version: field("version", Version::lenient(record.version.trim()))?,
        branch: field("branch", record.branch.parse())?,
        method: field("type", record.method.parse())?,
        size,
        md5,
        released,
        first_seen,
        url: field("url", given(&record.url).map(Link::parse).transpose())?,
        mirror_hosts: record.mirror_hosts.clone(),
        changelog: given(&record.changelog).map(str::to_string),
        android: given(&record.android).map(str::to_string),
        incremental_from: field(
            "incremental_from",
            given(&record.incremental_from)
                .map(Version::lenient)
                .transpose(),
        )?,
        incremental_url: field(
            "incremental_url",
            given(&record.incremental_url).map(Link::parse).transpose(),
        )?,
    })
}

/// Checks a record and builds what the store takes from it.
pub fn to_incoming(record: &Record, now: DateTime<Utc>) -> Result<Incoming, RecordError> {
    Incoming::checked(to_parts(record, now)?)
}

/// The record that carries `parts`.
pub fn record_of(parts: &RomParts) -> Record {
    Record {
        codename: parts.codename.to_string(),
        device: parts.device_name.clone(),
        os: parts.os.slug().to_string(),
        version: parts.version.to_string(),
        branch: parts.branch.name().to_string(),
        method: parts.method.name().to_string(),
        size: parts.size.map(|s| s.human()),
        date: parts.released.map(|d| d.format("%Y-%m-%d").to_string()),
        filename: parts.filename.to_string(),
        md5: parts.md5.filter(Md5::is_full).map(|m| m.to_string()),
        url: parts.url.as_ref().map(Link::to_string),
        changelog: parts.changelog.clone(),
        android: parts.android.clone(),
        mirror_hosts: parts.mirror_hosts.clone(),
        incremental_url: parts.incremental_url.as_ref().map(Link::to_string),
        card_codename: None,
        variant: parts.variant.as_ref().map(Codename::to_string),
        size_bytes: parts.size.filter(|s| s.exact).map(|s| s.bytes),
        incremental_from: parts.incremental_from.as_ref().map(Version::to_string),
        first_seen: Some(parts.first_seen.to_rfc3339_opts(SecondsFormat::Secs, true)),
    }
}

/// The record that exports a stored ROM. `incremental_url` is the stored
/// incremental package to this ROM, if any.
pub fn to_record(rom: &Rom, device: &Device, incremental_url: Option<&Link>) -> Record {
    record_of(&RomParts::of_rom(rom, device, incremental_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::{Kind, Region};

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
            inc.rom.url.as_ref().map(Link::as_str),
            Some("https://bigota.d.miui.com/7.12.28/miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip")
        );
        assert_eq!(
            inc.rom.mirrors.iter().map(Link::as_str).collect::<Vec<_>>(),
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
