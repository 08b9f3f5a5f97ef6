//! romwatch's store: the release history in one SQLite file, and the file
//! formats it is imported from and exported to.
//!
//! Callers see domain operations ([`Store::merge`], [`Store::roms`],
//! [`Store::stats`]) and never SQL, so that a PostgreSQL backend can stand
//! behind the same methods. Every write is one transaction.

mod convert;
mod error;
mod events;
pub mod formats;
mod import;
mod merge;
mod migrations;
mod mirrors;
mod outbox;
mod query;
mod sqlite;
mod stats;
mod tracking;

pub use convert::{record_of, to_incoming, to_parts, to_record};
pub use error::{SqliteError, StoreError};
pub use events::{Announce, EventKind};
pub use import::{ImportError, ImportReport, import_text};
pub use merge::{Conflict, MergeReport};
pub use mirrors::{FileCheck, KEEP_DAYS, MirrorCheck, MirrorReport, WITHDRAWN_AFTER};
pub use outbox::{Delivery, DeliveryState, Event};
pub use query::{
    DeviceHit, Interrupter, Listed, Page, RomFilter, SearchResults, VariantCount, fts_query,
    search_terms,
};
pub use romwatch_model::{Incoming, RecordError};
pub use sqlite::Store;
pub use stats::Stats;
pub use tracking::{Held, PendingFile};
