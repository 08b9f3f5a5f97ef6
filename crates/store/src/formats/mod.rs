//! The file formats romwatch reads and writes.
//!
//! - `jsonl`: romwatch's interchange format, one [`Record`] per line (the
//!   format of the reference site's `xfu-roms.jsonl`);
//! - `latest-yml`: the reference tracker's `latest.yml`;
//! - `json` and `csv`: exports for other tools.
//!
//! Input may be gzip-compressed; it is detected by its magic bytes (see
//! [`read_input`]).

mod csv;
mod input;
mod json;
mod jsonl;
mod latest_yml;

use std::io::Write;
use std::str::FromStr;

use romwatch_model::{Device, Kind, Link, Method, PackageFacts, Record, Rom, security_patches};

use crate::convert::{add_facts, to_record};

pub use input::{MAX_INPUT_BYTES, ReadError, read_input, utf8};
pub use latest_yml::LatestEntry;

/// A format romwatch can read or write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Json,
    Csv,
    LatestYml,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jsonl" => Ok(Format::Jsonl),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "latest-yml" | "yml" | "yaml" => Ok(Format::LatestYml),
            _ => Err(format!(
                "unknown format {s:?} (expected jsonl, json, csv or latest-yml)"
            )),
        }
    }
}

/// A record that cannot be read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {field}: {message}")]
pub struct InputError {
    /// The file (or `<stdin>`).
    pub source_name: String,
    /// 1-based line of the record (of the entry's first line in YAML).
    pub line: usize,
    /// The field at fault, or `record` when the record as a whole is.
    pub field: String,
    pub message: String,
}

/// Guesses the format of an input from its name and first bytes: YAML
/// lists start with `-` or `---`; everything else is JSON Lines.
pub fn detect(name: &str, text: &str) -> Format {
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Format::LatestYml;
    }
    let first = text.trim_start();
    if first.starts_with('-') {
        Format::LatestYml
    } else {
        Format::Jsonl
    }
}

/// Reads the records of an input, each with its 1-based line number.
pub fn read_records(
    source_name: &str,
    text: &str,
    format: Format,
) -> Result<Vec<(usize, Record)>, InputError> {
    match format {
        Format::Jsonl => jsonl::read(source_name, text),
        Format::LatestYml => latest_yml::read(source_name, text),
        Format::Json | Format::Csv => Err(InputError {
            source_name: source_name.to_string(),
            line: 0,
            field: "format".into(),
            message: "json and csv are export formats; import jsonl or latest-yml".into(),
        }),
    }
}

/// Everything an export needs, read once from the store.
pub struct Snapshot {
    pub devices: Vec<Device>,
    pub roms: Vec<Rom>,
    /// What packages' metadata says, by file name.
    pub facts: std::collections::HashMap<String, PackageFacts>,
}

impl Snapshot {
    /// The interchange records of every ROM, in store order; a full
    /// recovery ROM carries the URL of its first incremental package.
    pub fn records(&self) -> Vec<Record> {
        let devices: std::collections::HashMap<&str, &Device> = self
            .devices
            .iter()
            .map(|d| (d.variant.as_str(), d))
            .collect();
        let mut incrementals: std::collections::HashMap<(&str, &str), &Link> = Default::default();
        for rom in &self.roms {
            if let (Kind::Incremental { .. }, Some(url)) = (&rom.kind, &rom.url) {
                incrementals
                    .entry((rom.variant.as_str(), rom.version.as_str()))
                    .or_insert(url);
            }
        }
        let patches = security_patches(&self.roms, &self.facts);
        self.roms
            .iter()
            .filter_map(|rom| {
                let device = devices.get(rom.variant.as_str())?;
                let incremental = (rom.method == Method::Recovery)
                    .then(|| incrementals.get(&(rom.variant.as_str(), rom.version.as_str())))
                    .flatten()
                    .copied();
                let mut record = to_record(rom, device, incremental);
                if let Some(facts) = self.facts.get(rom.filename.as_str()) {
                    add_facts(&mut record, facts);
                }
                record.security_patch = patches.get(rom.filename.as_str()).map(|d| d.to_string());
                Some(record)
            })
            .collect()
    }
}

/// Writes a snapshot in a format. A failure to write is returned as the
/// writer's own error, whatever the format's serializer wrapped it in, so
/// that its kind (a broken pipe: the reader went away) survives.
pub fn write(snapshot: &Snapshot, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    let mut out = Watched {
        inner: out,
        failure: None,
    };
    let written = match format {
        Format::Jsonl => jsonl::write(&snapshot.records(), &mut out),
        Format::Json => json::write(&snapshot.records(), &mut out),
        Format::Csv => csv::write(&snapshot.records(), &mut out),
        Format::LatestYml => latest_yml::write(snapshot, &mut out),
    };
    match (written, out.failure) {
        (Err(_), Some(failure)) => Err(failure),
        (written, _) => written,
    }
}

/// A writer that keeps the first error of the writer it wraps.
struct Watched<'a> {
    inner: &'a mut dyn Write,
    failure: Option<std::io::Error>,
}

impl Watched<'_> {
    fn keep<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && self.failure.is_none()
        {
            self.failure = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        result
    }
}

impl Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.keep(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.keep(result)
    }
}
