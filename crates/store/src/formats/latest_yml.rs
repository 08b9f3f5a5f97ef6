//! The reference tracker's `latest.yml`: the latest full ROM of each device
//! variant per method and branch, as a YAML list of maps with sorted keys.

use std::collections::BTreeMap;
use std::io::Write;

use romwatch_model::{Branch, Codename, Link, Method, PackageName, Record, Rom, Version};
use serde::{Deserialize, Deserializer, Serialize};

use super::{InputError, Snapshot};

/// One entry of `latest.yml`. Keys in the order the reference writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestEntry {
    #[serde(default, deserialize_with = "text_or_number")]
    pub android: Option<String>,
    pub branch: String,
    /// The variant codename (`leedsa_global`).
    pub codename: String,
    #[serde(default, deserialize_with = "text_or_number")]
    pub date: Option<String>,
    pub link: String,
    #[serde(default)]
    pub md5: Option<String>,
    pub method: String,
    pub name: String,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(deserialize_with = "text")]
    pub version: String,
}

/// The branches `latest.yml` lists, in the order it lists them.
const BRANCHES: [Branch; 4] = [
    Branch::Stable,
    Branch::StableBeta,
    Branch::Weekly,
    Branch::PublicBeta,
];

/// YAML reads `android: 14.0` as a number and a weekly `version: 7.12`
/// likewise; both are text here.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Float(f64),
    Int(i64),
}

impl Scalar {
    fn into_text(self) -> String {
        match self {
            Scalar::Text(s) => s,
            Scalar::Float(f) if f.fract() == 0.0 => format!("{f:.1}"),
            Scalar::Float(f) => f.to_string(),
            Scalar::Int(i) => i.to_string(),
        }
    }
}

fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(Scalar::into_text))
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Scalar::deserialize(d)?.into_text())
}

/// The 1-based first line of each top-level list item.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect()
}

pub fn read(source_name: &str, text: &str) -> Result<Vec<(usize, Record)>, InputError> {
    let error = |line, field: &str, message: String| InputError {
        source_name: source_name.to_string(),
        line,
        field: field.to_string(),
        message,
    };
    let lines = entry_lines(text);
    let entries: Vec<LatestEntry> = serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .filter(|_| message.contains("field"))
            .unwrap_or("record")
            .to_string();
        error(line, &field, message)
    })?;
    entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let line = lines.get(i).copied().unwrap_or(0);
            let variant = Codename::new(&entry.codename)
                .map_err(|e| error(line, "codename", e.to_string()))?;
            let filename = romwatch_model::file_name_of_url(&entry.link).to_string();
            let os = Version::parse(&entry.version)
                .map(|v| v.os_line().family.slug())
                .unwrap_or("miui");
            Ok((
                line,
                Record {
                    codename: variant.device().to_string(),
                    variant: Some(variant.to_string()),
                    device: entry.name,
                    os: os.to_string(),
                    version: entry.version,
                    branch: entry.branch,
                    method: entry.method,
                    size: entry.size.filter(|s| !is_unknown(s)),
                    date: entry.date,
                    filename,
                    md5: entry.md5,
                    url: Some(entry.link),
                    android: entry.android.filter(|a| !is_unknown(a)),
                    ..Record::default()
                },
            ))
        })
        .collect()
}

/// What the reference writes where it does not know a value; never null.
const UNKNOWN: &str = "Unknown";

fn is_unknown(value: &str) -> bool {
    value.eq_ignore_ascii_case(UNKNOWN)
}

/// The ROM's Android version: as recorded, else as its package name or
/// its version's letter says (`…_11.0_…`, `V12.0.2.0.RFQMIXM`: R is 11).
fn android_of(rom: &Rom) -> String {
    rom.android
        .clone()
        .or_else(|| PackageName::parse(&rom.filename).ok().map(|p| p.android))
        .or_else(|| rom.version.android())
        .unwrap_or_else(|| UNKNOWN.to_string())
}

/// The codename the reference file lists a variant under: China weekly
/// fastboot packages are named `<device>_pre_images_…`, which gives their
/// variant a `_pre` segment (`alioth_pre`) the reference file does not
/// have (`alioth`).
fn reference_codename(variant: &str) -> String {
    variant
        .split('_')
        .filter(|segment| *segment != "pre")
        .collect::<Vec<_>>()
        .join("_")
}

/// Orders ROMs of one variant, method and branch: the latest is the
/// greatest release date, then build number, then the last recorded.
fn recency(rom: &Rom, index: usize) -> (Option<chrono::NaiveDate>, Vec<u32>, usize) {
    (rom.released, rom.version.order_key(), index)
}

pub fn write(snapshot: &Snapshot, out: &mut dyn Write) -> std::io::Result<()> {
    let names: BTreeMap<&str, &str> = snapshot
        .devices
        .iter()
        .map(|d| (d.variant.as_str(), d.name.as_str()))
        .collect();
    let mut latest: BTreeMap<(String, usize, Method), (usize, &Rom)> = BTreeMap::new();
    for (index, rom) in snapshot.roms.iter().enumerate() {
        let Some(branch) = BRANCHES.iter().position(|b| *b == rom.branch) else {
            continue;
        };
        if rom.kind.is_incremental() || rom.url.is_none() {
            continue;
        }
        let slot = latest
            .entry((reference_codename(rom.variant.as_str()), branch, rom.method))
            .or_insert((index, rom));
        if recency(rom, index) > recency(slot.1, slot.0) {
            *slot = (index, rom);
        }
    }
    let entries: Vec<LatestEntry> = latest
        .iter()
        .map(|((codename, _, _), (_, rom))| LatestEntry {
            android: Some(android_of(rom)),
            branch: rom.branch.name().to_string(),
            codename: codename.clone(),
            date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
            link: rom.url.as_ref().map(Link::to_string).unwrap_or_default(),
            md5: rom.md5.filter(|m| m.is_full()).map(|m| m.to_string()),
            method: rom.method.name().to_string(),
            name: names
                .get(rom.variant.as_str())
                .copied()
                .unwrap_or_default()
                .to_string(),
            size: Some(rom.size.map_or_else(|| UNKNOWN.to_string(), |s| s.human())),
            version: rom.version.to_string(),
        })
        .collect();
    serde_norway::to_writer(&mut *out, &entries).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_pre_variants_take_the_reference_codename() {
        assert_eq!(reference_codename("alioth_pre"), "alioth");
        assert_eq!(reference_codename("alioth_pre_global"), "alioth_global");
        assert_eq!(
            reference_codename("laurel_sprout_global"),
            "laurel_sprout_global"
        );
        assert_eq!(reference_codename("presto"), "presto");
    }
}
