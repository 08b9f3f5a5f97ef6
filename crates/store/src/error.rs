//! Errors of the store itself (as opposed to errors in imported data).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the database is at schema version {found}, newer than this romwatch knows ({known}); upgrade romwatch"
    )]
    TooNew { found: i64, known: i64 },
    #[error(
        "the database is at schema version {found}, this romwatch reads {expected}; run any writing command (such as import) once to migrate it"
    )]
    Schema { found: i64, expected: i64 },
    #[error("migration to schema version {version} failed")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    /// A zero-length file where a database should be.
    #[error(
        "the database {path} is an empty file (0 bytes), not a romwatch store; \
         restore it from a backup, or delete it and import your data again"
    )]
    Empty { path: PathBuf },
    /// `PRAGMA quick_check` found damage.
    #[error(
        "the database {path} is damaged ({problems}); nothing was written. \
         Restore it from a backup, or export what can still be read \
         (`romwatch export -o roms.jsonl`) and import it into a fresh database"
    )]
    Damaged { path: PathBuf, problems: String },
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("corrupt row in the database: {0}")]
    Corrupt(String),
}
