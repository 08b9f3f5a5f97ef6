//! Import: read a file, check every record, write all of them in one
//! transaction, or none.

use chrono::{DateTime, Utc};
use serde::Serialize;

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
    let mut errors = Vec::new();
    for (done, (line, record)) in records.iter().enumerate() {
        match to_incoming(record, now) {
            Ok(incoming) => batch.push(incoming),
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
    Ok(ImportReport {
        source: source_name.to_string(),
        records: records.len(),
        merge,
    })
}
