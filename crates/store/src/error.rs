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
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("corrupt row in the database: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the query was stopped by [`crate::Interrupter::interrupt`]
    /// rather than failing on its own.
    pub fn is_interrupted(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::OperationInterrupted
        )
    }
}
