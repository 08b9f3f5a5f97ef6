//! Reads the shared dataset (`../shared/data/xfu-roms.jsonl`, the reference
//! site's ROM cards) into [`SiteData`], for the seed-page test and the
//! full-build benchmark. A fixture loader, not an importer: the store's
//! import is the real one; this keeps only what the site needs.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{NaiveDate, TimeZone, Utc};
use romwatch_model::{
    Codename, Device, Kind, Md5, OsFamily, OsLine, Record, Region, Rom, Size, Version,
};
use romwatch_site::SiteData;
use serde::Deserialize;

#[derive(Deserialize)]
struct Line {
    #[serde(flatten)]
    record: Record,
    page_permalink: String,
}

/// The dataset's path: `$ROMWATCH_DATA`, else `../shared/data` beside the
/// repository.
pub fn dataset_path() -> PathBuf {
    std::env::var_os("ROMWATCH_DATA").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/xfu-roms.jsonl"
            ))
        },
        PathBuf::from,
    )
}

/// The region a card's device name ends with ("Mi 5s Global" → Global).
fn region_of_name(name: &str) -> Region {
    let last = name.rsplit(' ').next().unwrap_or("");
    match last {
        "Global" => Region::Global,
        "EEA" => Region::Eea,
        "India" => Region::India,
        "Russia" => Region::Russia,
        "Indonesia" => Region::Indonesia,
        "Turkey" => Region::Turkey,
        "Taiwan" => Region::Taiwan,
        "Japan" => Region::Japan,
        "Korea" => Region::Korea,
        _ => Region::China,
    }
}

/// Loads the records whose page permalink `keep` accepts, or `None` when
/// the dataset is not there.
pub fn load(keep: impl Fn(&str) -> bool) -> Option<SiteData> {
    let text = std::fs::read_to_string(dataset_path()).ok()?;
    let mut devices: HashMap<String, Device> = HashMap::new();
    let mut roms = Vec::new();
    for line in text.lines() {
        let line: Line = serde_json::from_str(line).expect("dataset line");
        if !keep(&line.page_permalink) {
            continue;
        }
        let r = line.record;
        let codename =
            Codename::new(r.card_codename.as_deref().unwrap_or(&r.codename)).expect("codename");
        let region = region_of_name(&r.device);
        let variant = romwatch_model::variant_codename(&codename, &region);
        devices
            .entry(variant.as_str().to_string())
            .or_insert_with(|| Device {
                codename: variant.clone(),
                device: codename.clone(),
                name: r.device.clone(),
                region,
            });
        let family = if r.os == "hyperos" {
            OsFamily::HyperOs
        } else {
            OsFamily::Miui
        };
        let major = Version::parse(&r.version)
            .ok()
            .and_then(|v| v.os_line().major);
        let released = r
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let url = r.url.clone();
        let mirrors = match &url {
            Some(url) => {
                let path = url
                    .split_once("://")
                    .and_then(|(_, rest)| rest.split_once('/'));
                r.mirror_hosts
                    .iter()
                    .filter_map(|host| path.map(|(_, p)| format!("https://{host}/{p}")))
                    .collect()
            }
            None => Vec::new(),
        };
        roms.push(Rom {
            filename: r.filename,
            codename,
            variant,
            version: r.version,
            android: r.android,
            os: OsLine { family, major },
            branch: r.branch.parse().expect("branch"),
            method: r.method.parse().expect("method"),
            kind: Kind::Full,
            size: r.size.as_deref().and_then(|s| Size::parse_human(s).ok()),
            md5: r.md5.as_deref().and_then(|m| m.parse::<Md5>().ok()),
            url,
            mirrors,
            changelog: r.changelog,
            released,
            first_seen: released
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
                .unwrap_or_else(|| Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()),
        });
    }
    let mut devices: Vec<Device> = devices.into_values().collect();
    devices.sort_by(|a, b| a.codename.cmp(&b.codename));
    Some(SiteData {
        devices,
        roms,
        extra_files: Vec::new(),
    })
}
