//! The outbox: events announcing new ROMs and newly learned facts, and the
//! state of each event's delivery to each notification channel.
//!
//! Events are written in the same transaction as the ROM rows they describe
//! (see [`Store::merge`]), so a crash can lose or duplicate neither. A
//! channel gets the events recorded after it was first registered, never
//! the history before it.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use romwatch_model::{Branch, Device, Link, Rom};

use crate::sqlite::{ROM_COLUMNS, read_rom};
use crate::{Store, StoreError};

/// Whether a write announces what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    /// Imports and a tracker's first (baseline) run: history, not news.
    Nothing,
    /// Each new ROM and each newly learned fact gets an event.
    Changes,
}

/// What an event announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A ROM romwatch had not seen.
    New,
    /// The full MD5 of a ROM known only by its prefix.
    Md5,
    /// The size of a ROM, or its exact size.
    Size,
    /// A Stable Beta build became Stable.
    Promoted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::New => "new",
            EventKind::Md5 => "md5",
            EventKind::Size => "size",
            EventKind::Promoted => "promoted",
        }
    }

    fn parse(text: &str) -> Option<EventKind> {
        [
            EventKind::New,
            EventKind::Md5,
            EventKind::Size,
            EventKind::Promoted,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }

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

/// An event with the ROM and device it is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    /// Random and stable: receivers can use it to drop duplicates.
    pub uid: String,
    pub kind: EventKind,
    pub created_at: DateTime<Utc>,
    pub rom: Rom,
    pub device: Device,
    /// For a full recovery ROM, the URL of an incremental package of the
    /// same variant to the same version, when one is known.
    pub incremental_url: Option<Link>,
}

/// Where one event stands with one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not sent yet, or sent and failed in a way worth retrying.
    Pending,
    Delivered,
    /// Refused for good (the reason is kept); not retried.
    Failed,
    /// Not for this channel (its filter); never sent.
    Skipped,
}

impl DeliveryState {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::Skipped => "skipped",
        }
    }
}

/// The delivery record of one event to one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub event_id: i64,
    pub channel: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

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
        kind.as_str(),
        now_text()
    ])?;
    Ok(())
}

impl Store {
    /// Registers a channel if it is new: it will get the events recorded
    /// from now on. Returns whether it was new.
    pub fn register_channel(&mut self, name: &str, kind: &str) -> Result<bool, StoreError> {
        let added = self.connection().execute(
            "INSERT INTO channels (name, kind, after_event, created_at)
             VALUES (?1, ?2, (SELECT coalesce(max(id), 0) FROM events), ?3)
             ON CONFLICT (name) DO NOTHING",
            params![name, kind, now_text()],
        )?;
        Ok(added == 1)
    }

    /// The events a channel has yet to receive, oldest first.
    pub fn pending_events(&self, channel: &str, limit: usize) -> Result<Vec<Event>, StoreError> {
        let columns: Vec<String> = ROM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let sql = format!(
            "SELECT e.id, e.uid, e.kind, e.created_at, d.name, d.region,
                    (SELECT i.url FROM roms i
                     WHERE r.method = 'Recovery' AND r.incremental_from IS NULL
                       AND i.variant = r.variant AND i.version = r.version
                       AND i.incremental_from IS NOT NULL
                     ORDER BY i.id LIMIT 1),
                    {}
             FROM events e
             JOIN channels c ON c.name = ?1
             JOIN roms r ON r.id = e.rom_id
             JOIN devices d ON d.codename = r.variant
             WHERE e.id > c.after_event
               AND NOT EXISTS (SELECT 1 FROM deliveries x
                               WHERE x.event_id = e.id AND x.channel = ?1 AND x.state != 'pending')
             ORDER BY e.id LIMIT ?2",
            columns.join(", ")
        );
        let mut stmt = self.connection().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![channel, limit as i64], |row| {
            Ok((|| -> Result<Event, StoreError> {
                let kind: String = row.get(2)?;
                let created: String = row.get(3)?;
                let region: String = row.get(5)?;
                let rom = read_rom(row, 7)?;
                let incremental_url = row
                    .get::<_, Option<String>>(6)?
                    .map(|u| {
                        Link::parse(&u)
                            .map_err(|_| StoreError::Corrupt(format!("incremental url {u:?}")))
                    })
                    .transpose()?;
                Ok(Event {
                    id: row.get(0)?,
                    uid: row.get(1)?,
                    kind: EventKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("event kind {kind:?}")))?,
                    created_at: DateTime::parse_from_rfc3339(&created)
                        .map_err(|_| StoreError::Corrupt(format!("event time {created:?}")))?
                        .with_timezone(&Utc),
                    device: Device {
                        codename: rom.variant.clone(),
                        device: rom.codename.clone(),
                        name: row.get(4)?,
                        region: romwatch_model::Region::from_code(&region)
                            .ok_or_else(|| StoreError::Corrupt(format!("region {region:?}")))?,
                    },
                    incremental_url,
                    rom,
                })
            })())
        })?;
        rows.map(|r| r?).collect()
    }

    /// Records the outcome of one attempt to deliver an event to a channel.
    pub fn record_delivery(
        &mut self,
        event_id: i64,
        channel: &str,
        state: DeliveryState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO deliveries (event_id, channel, state, attempts, last_error, updated_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5)
             ON CONFLICT (event_id, channel) DO UPDATE SET
               state = excluded.state, attempts = attempts + 1,
               last_error = excluded.last_error, updated_at = excluded.updated_at",
            params![event_id, channel, state.as_str(), error, now_text()],
        )?;
        Ok(())
    }

    /// Every delivery record of a channel, by event.
    pub fn deliveries(&self, channel: &str) -> Result<Vec<Delivery>, StoreError> {
        let mut stmt = self.connection().prepare_cached(
            "SELECT event_id, channel, state, attempts, last_error FROM deliveries WHERE channel = ?1 ORDER BY event_id",
        )?;
        let rows = stmt.query_map([channel], |r| {
            let state: String = r.get(2)?;
            Ok(Delivery {
                event_id: r.get(0)?,
                channel: r.get(1)?,
                state: match state.as_str() {
                    "delivered" => DeliveryState::Delivered,
                    "failed" => DeliveryState::Failed,
                    "skipped" => DeliveryState::Skipped,
                    _ => DeliveryState::Pending,
                },
                attempts: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest full ROM as an event, for test messages; `None` when the
    /// store is empty.
    pub fn sample_event(&self) -> Result<Option<Event>, StoreError> {
        let Some(rom) = self
            .connection()
            .query_row(
                &format!("SELECT {ROM_COLUMNS} FROM roms WHERE incremental_from IS NULL ORDER BY id DESC LIMIT 1"),
                [],
                |r| Ok(read_rom(r, 0)),
            )
            .optional()?
            .transpose()?
        else {
            return Ok(None);
        };
        let device = self
            .devices()?
            .into_iter()
            .find(|d| d.codename == rom.variant);
        Ok(device.map(|device| Event {
            id: 0,
            uid: "test".to_string(),
            kind: EventKind::New,
            created_at: Utc::now(),
            rom,
            device,
            incremental_url: None,
        }))
    }

    /// The number of events in the outbox.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        let count: Option<i64> = self
            .connection()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .optional()?;
        Ok(count.unwrap_or(0) as u64)
    }
}
