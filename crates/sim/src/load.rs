//! A catalog read from romwatch JSON Lines `Record`s (such as
//! `xfu-roms.jsonl`), so the simulator can serve real release history.

use std::io::BufRead;
use std::path::Path;

use chrono::NaiveDate;
use md5::{Digest, Md5 as Md5Hasher};
use romwatch_model::{
    Codename, DeviceRef, Method, PackageName, Record, Region, Size, file_name_of_url,
    variant_codename,
};
use romwatch_upstream::changelog::Changelog;

use crate::SimError;
use crate::catalog::{Catalog, SimDevice, SimRom};

/// The longest line read from a catalog file.
const MAX_LINE: usize = 1 << 20;

/// Reads a JSON Lines file of records. Lines that are not records, and
/// records whose file name the grammar refuses, are skipped and counted.
pub(crate) fn load(path: &Path, seed: u64) -> Result<(Catalog, usize), SimError> {
    let io = |e: std::io::Error| SimError::Catalog {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut catalog = Catalog::new(seed);
    let mut skipped = 0;
    let mut incrementals = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let record = (line.len() <= MAX_LINE)
            .then(|| serde_json::from_str::<Record>(&line).ok())
            .flatten();
        match record {
            Some(record) => match add_record(&mut catalog, &record) {
                Some(linked) => incrementals.extend(linked),
                None => skipped += 1,
            },
            None => skipped += 1,
        }
    }
    // Linked incrementals last: a record of the same file, with its MD5 and
    // size, wins over what a link alone says.
    for rom in incrementals {
        catalog.add_rom(rom);
    }
    catalog.index_community();
    Ok((catalog, skipped))
}

/// Adds a record's ROM (`None` when its name or device is unusable) and
/// returns the incremental package its card links to, to be added later.
pub(crate) fn add_record(catalog: &mut Catalog, record: &Record) -> Option<Option<SimRom>> {
    let package = PackageName::parse(&record.filename).ok()?;
    let device = device_of(catalog, record, &package)?;
    let branch = record
        .branch
        .parse()
        .unwrap_or_else(|_| package.version.branch());
    let method = record.method.parse().unwrap_or(package.method);
    let date = record
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let size = record
        .size_bytes
        .or_else(|| {
            record
                .size
                .as_deref()
                .and_then(|s| Size::parse_human(s).ok())
                .map(|s| s.bytes)
        })
        .filter(|&bytes| Size::exact(bytes).is_plausible())
        .unwrap_or_else(|| nominal_size(&record.filename, package.from.is_some()));
    let md5 = record
        .md5
        .as_deref()
        .and_then(|m| m.parse().ok())
        .filter(|m: &romwatch_model::Md5| m.agrees_with(&package.md5));
    let android = record
        .android
        .clone()
        .unwrap_or_else(|| package.android.clone());
    let changelog = record
        .changelog
        .as_deref()
        .map(Changelog::from_text)
        .unwrap_or_default();
    let rom = SimRom {
        device,
        filename: record.filename.clone(),
        version: package.version.clone(),
        branch,
        method,
        from: record
            .incremental_from
            .clone()
            .or_else(|| package.from.as_ref().map(|v| v.as_str().to_string())),
        android: android.clone(),
        md5,
        size,
        date,
        changelog: changelog.clone(),
        signed: false,
        stand_in_key: record.filename.clone(),
    };
    catalog.add_rom(rom)?;
    // The card's incremental link names a package of its own, when it is
    // for the same variant (the reference data sometimes links another's).
    let linked = record.incremental_url.as_deref().and_then(|url| {
        let filename = file_name_of_url(url);
        let inc = PackageName::parse(filename).ok()?;
        let DeviceRef::Variant(variant) = &inc.device else {
            return None;
        };
        (variant.as_str() == catalog.devices[device].variant.as_str()).then(|| SimRom {
            device,
            stand_in_key: filename.to_string(),
            filename: filename.to_string(),
            version: inc.version.clone(),
            branch,
            method: Method::Recovery,
            from: inc.from.as_ref().map(|v| v.as_str().to_string()),
            android: android.clone(),
            md5: None,
            size: nominal_size(filename, true),
            date,
            changelog: changelog.clone(),
            signed: false,
        })
    });
    Some(linked)
}

/// A size for a ROM its record does not size: the simulated CDN must still
/// answer `HEAD` with a package-like `Content-Length`. Derived from the
/// name, so it is the same on every run.
fn nominal_size(filename: &str, incremental: bool) -> u64 {
    let digest = Md5Hasher::digest(filename.as_bytes());
    let spread = u64::from(u32::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]));
    if incremental {
        100_000_000 + spread % 500_000_000
    } else {
        1_000_000_000 + spread % 4_000_000_000
    }
}

/// Finds or adds the record's device variant.
fn device_of(catalog: &mut Catalog, record: &Record, package: &PackageName) -> Option<usize> {
    let codename =
        Codename::new(record.card_codename.as_deref().unwrap_or(&record.codename)).ok()?;
    let variant = match (&record.variant, &package.device) {
        (Some(v), _) => Codename::new(v).ok()?,
        (None, DeviceRef::Variant(v)) => v.clone(),
        (None, DeviceRef::PackageName(_)) => variant_codename(&codename, &package.region),
    };
    if let Some(index) = catalog.device_of(variant.as_str()) {
        return Some(index);
    }
    let package_word = match &package.device {
        DeviceRef::PackageName(name) => name.clone(),
        DeviceRef::Variant(_) => codename.as_str().to_ascii_uppercase(),
    };
    let region = Region::of_variant(variant.as_str());
    let phone = strip_region_word(&record.device, &region);
    Some(catalog.add_device(SimDevice {
        codename: variant.device(),
        variant,
        name: record.device.chars().take(200).collect(),
        phone,
        package: package_word,
        region,
    }))
}

/// "Mi 5s Global" → "Mi 5s".
fn strip_region_word(name: &str, region: &Region) -> String {
    let words = [region.name(), "Global".to_string(), "China".to_string()];
    let mut phone = name.trim();
    for word in &words {
        if let Some(rest) = phone.strip_suffix(word.as_str()) {
            phone = rest.trim_end();
            break;
        }
    }
    phone.chars().take(200).collect()
}
