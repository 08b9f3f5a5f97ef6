//! Errors of the store itself (as opposed to errors in imported data).
//!
//! As everywhere in romwatch, a message says what was being done and its
//! source says why; no message repeats its source.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: SqliteError,
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
        source: SqliteError,
    },
    /// No file where the database should be, for a command that only reads.
    #[error(
        "there is no database {path}: import releases (romwatch import FILE) or track them \
         (romwatch track) first, or name the database with --db"
    )]
    Missing { path: PathBuf },
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
    /// SQLite's own message (the caller says what was being done).
    #[error(transparent)]
    Sqlite(SqliteError),
    #[error("corrupt row in the database: {0}")]
    Corrupt(String),
    /// A value could not be written as the JSON a column holds.
    #[error("cannot encode the {what} for the database")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(SqliteError(err))
    }
}

/// What SQLite said, as the last link of an error chain.
///
/// rusqlite's message already carries what its own source says (verbatim,
/// or reworded as "Error code 14: Unable to open the database file" under
/// "unable to open database file"), so the chain stops here rather than
/// printing the same cause twice.
#[derive(Debug)]
pub struct SqliteError(
    /// The error as rusqlite gave it.
    pub rusqlite::Error,
);

impl fmt::Display for SqliteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SqliteError {}

impl From<rusqlite::Error> for SqliteError {
    fn from(err: rusqlite::Error) -> SqliteError {
        SqliteError(err)
    }
}

impl StoreError {
    /// Whether the query was stopped by [`crate::Interrupter::interrupt`]
    /// rather than failing on its own.
    pub fn is_interrupted(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(SqliteError(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::OperationInterrupted
        )
    }
}
