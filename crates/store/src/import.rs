//! Import: read a file, check every record, write all of them in one
//! transaction, or none.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::convert::facts_of;
use crate::formats::{self, Format, InputError};
use crate::{Announce, Incoming, MergeReport, Store, StoreError, to_incoming};

/// How many bad records are listed before an import gives up reading.
const MAX_LISTED_ERRORS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input has bad records; nothing was written.
    #[error("{} bad record(s){}; nothing was imported:\n{}", .errors.len(), if *.more { " (and more)" } else { "" }, .errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid { errors: Vec<InputError>, more: bool },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<InputError> for ImportError {
    fn from(error: InputError) -> ImportError {
        ImportError::Invalid {
            errors: vec![error],
            more: false,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub records: usize,
    #[serde(flatten)]
    pub merge: MergeReport,
}

/// Checks every record of `text` and, if all are good, merges them into the
/// store in one transaction. Imports normally record history and announce
/// nothing ([`Announce::Nothing`]). `progress` is called with the number of
/// records checked so far.
pub fn import_text(
    store: &mut Store,
    source_name: &str,
    text: &str,
    format: Format,
    announce: Announce,
    now: DateTime<Utc>,
    progress: &dyn Fn(usize, usize),
) -> Result<ImportReport, ImportError> {
    let records = formats::read_records(source_name, text, format)?;
    let mut batch: Vec<Incoming> = Vec::with_capacity(records.len());
    let mut facts = Vec::new();
    let mut errors = Vec::new();
    for (done, (line, record)) in records.iter().enumerate() {
        let checked =
            to_incoming(record, now).and_then(|incoming| Ok((incoming, facts_of(record)?)));
        match checked {
            Ok((incoming, known)) => {
                if let Some(known) = known {
                    facts.push((incoming.rom.filename.to_string(), known));
                }
                batch.push(incoming);
            }
            Err(e) => errors.push(InputError {
                source_name: source_name.to_string(),
                line: *line,
                field: e.field.to_string(),
                message: e.message,
            }),
        }
        if done % 4096 == 0 {
            progress(done, records.len());
        }
    }
    progress(records.len(), records.len());
    if !errors.is_empty() {
        let more = errors.len() > MAX_LISTED_ERRORS;
        errors.truncate(MAX_LISTED_ERRORS);
        return Err(ImportError::Invalid { errors, more });
    }
    let merge = store.merge(&batch, announce)?;
    if !facts.is_empty() {
        store.record_package_facts(&facts)?;
    }
    Ok(ImportReport {
        source: source_name.to_string(),
        records: records.len(),
        merge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{self, Format};

    const RECOVERY: &str = "corot_global-ota_full-OS2.0.3.0.VMLMIXM-user-15.0-0123456789.zip";
    const FASTBOOT: &str =
        "corot_global-images-OS2.0.3.0.VMLMIXM-user-20250101.0000.00-15.0-global-abcdef0123.tgz";
    const OTHER: &str = "corot_global-ota_full-OS2.0.2.0.VMLMIXM-user-15.0-1111111111.zip";

    fn line(filename: &str, method: &str, version: &str, facts: &str) -> String {
        format!(
            r#"{{"codename":"corot","variant":"corot_global","device":"Xiaomi 13T Pro Global","os":"hyperos","version":"{version}","branch":"Stable","type":"{method}","filename":"{filename}"{facts}}}"#
        )
    }

    fn import(store: &mut Store, text: &str) -> Result<ImportReport, ImportError> {
        import_text(
            store,
            "t.jsonl",
            text,
            Format::Jsonl,
            Announce::Nothing,
            Utc::now(),
            &|_, _| {},
        )
    }

    fn exported(store: &mut Store) -> Vec<romwatch_model::Record> {
        store.snapshot().unwrap().records()
    }

    #[test]
    fn package_facts_travel_through_import_and_export_and_missing_stays_missing() {
        let facts = r#","security_patch":"2025-01-01","fingerprint":"Xiaomi/corot_global/corot:15/VKQ1.240905.001/OS2.0.3.0.VMLMIXM:user/release-keys","build_time":"2024-12-30T08:00:00Z""#;
        let text = [
            line(RECOVERY, "Recovery", "OS2.0.3.0.VMLMIXM", facts),
            line(FASTBOOT, "Fastboot", "OS2.0.3.0.VMLMIXM", ""),
            line(OTHER, "Recovery", "OS2.0.2.0.VMLMIXM", ""),
        ]
        .join("\n");
        let mut store = Store::open_in_memory().unwrap();
        import(&mut store, &text).unwrap();
        let records = exported(&mut store);
        let of = |name: &str| records.iter().find(|r| r.filename == name).unwrap();
        assert_eq!(of(RECOVERY).security_patch.as_deref(), Some("2025-01-01"));
        assert!(
            of(RECOVERY)
                .fingerprint
                .as_deref()
                .is_some_and(|f| f.contains("OS2.0.3.0"))
        );
        assert_eq!(
            of(RECOVERY).build_time.as_deref(),
            Some("2024-12-30T08:00:00Z")
        );
        assert_eq!(
            of(FASTBOOT).security_patch.as_deref(),
            Some("2025-01-01"),
            "a fastboot build takes its recovery package's security patch"
        );
        assert_eq!(
            (
                of(FASTBOOT).fingerprint.as_deref(),
                of(FASTBOOT).build_time.as_deref()
            ),
            (None, None)
        );
        let other = of(OTHER);
        assert_eq!(
            (
                other.security_patch.as_deref(),
                other.fingerprint.as_deref()
            ),
            (None, None)
        );

        // Every format carries them; the exported file imports again unchanged.
        let mut csv = Vec::new();
        formats::write(&store.snapshot().unwrap(), Format::Csv, &mut csv).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .ends_with("security_patch,fingerprint,build_time")
        );
        let mut jsonl = Vec::new();
        formats::write(&store.snapshot().unwrap(), Format::Jsonl, &mut jsonl).unwrap();
        let mut again = Store::open_in_memory().unwrap();
        import(&mut again, &String::from_utf8(jsonl).unwrap()).unwrap();
        assert_eq!(exported(&mut again), records);
    }

    #[test]
    fn a_bad_security_patch_is_refused_with_its_field() {
        let text = line(
            RECOVERY,
            "Recovery",
            "OS2.0.3.0.VMLMIXM",
            r#","security_patch":"January""#,
        );
        let mut store = Store::open_in_memory().unwrap();
        let Err(ImportError::Invalid { errors, .. }) = import(&mut store, &text) else {
            panic!("refused");
        };
        assert_eq!(errors[0].field, "security_patch");
        assert!(store.roms().unwrap().is_empty());
    }
}
