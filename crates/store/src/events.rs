//! Events: what a write announces (new ROMs, newly learned facts) and how
//! one is recorded.
//!
//! Direction: [`crate::sqlite`] records events here in the same transaction
//! as the ROM rows they describe; [`crate::outbox`] reads them back with
//! their delivery to each channel. This module depends on neither.

use chrono::{SecondsFormat, Utc};
use rusqlite::{Transaction, params};

use romwatch_model::{Branch, Rom};

use crate::StoreError;

/// Whether a write announces what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    /// Imports and a tracker's first (baseline) run: history, not news.
    Nothing,
    /// Each new ROM and each newly learned fact gets an event.
    Changes,
}

romwatch_model::named_enum!(
    /// What an event announces. Its name is what the database, the JSON of
    /// an event and the webhook's `X-Romwatch-Event` header carry.
    EventKind, "event kind", {
        /// A ROM romwatch had not seen.
        New => "new", "new";
        /// The full MD5 of a ROM known only by its prefix.
        Md5 => "md5", "md5";
        /// The size of a ROM, or its exact size.
        Size => "size", "size";
        /// A Stable Beta build became Stable.
        Promoted => "promoted", "promoted";
        /// Every mirror answered 404 on three checks a day apart: Xiaomi
        /// withdrew the file.
        Withdrawn => "withdrawn", "withdrawn";
        /// A withdrawn file answers again.
        Restored => "restored", "restored";
    }
);

impl EventKind {
    /// The facts learned between a stored ROM and its merged successor.
    pub fn learned(before: &Rom, after: &Rom) -> Vec<EventKind> {
        let mut kinds = Vec::new();
        if before.md5.is_none_or(|m| !m.is_full()) && after.md5.is_some_and(|m| m.is_full()) {
            kinds.push(EventKind::Md5);
        }
        if before.size != after.size {
            kinds.push(EventKind::Size);
        }
        if before.branch == Branch::StableBeta && after.branch == Branch::Stable {
            kinds.push(EventKind::Promoted);
        }
        kinds
    }
}

/// The current time as the outbox's tables store it.
pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Records one event about the ROM `filename`, inside the caller's
/// transaction.
pub(crate) fn add_event(
    tx: &Transaction,
    filename: &str,
    kind: EventKind,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO events (uid, rom_id, kind, created_at)
         SELECT ?1, id, ?3, ?4 FROM roms WHERE filename = ?2",
    )?
    .execute(params![
        uuid::Uuid::new_v4().simple().to_string(),
        filename,
        kind.name(),
        now_text()
    ])?;
    Ok(())
}
