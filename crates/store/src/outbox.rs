//! The outbox: events announcing new ROMs and newly learned facts, and the
//! state of each event's delivery to each notification channel.
//!
//! Events are written in the same transaction as the ROM rows they describe
//! (see [`Store::merge`]), so a crash can lose or duplicate neither. A
//! channel gets the events recorded after it was first registered, never
//! the history before it.
//!
//! Direction: built on [`crate::sqlite`] (its ROM columns) and
//! [`crate::events`] (the kinds and how one is written); neither knows this
//! module.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use romwatch_model::{Device, Link, Rom};

use crate::events::{EventKind, now_text};
use crate::sqlite::{ROM_COLUMNS, read_rom};
use crate::{Store, StoreError};

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

romwatch_model::named_enum!(
    /// Where one event stands with one channel.
    DeliveryState, "delivery state", {
        /// Not sent yet, or sent and failed in a way worth retrying.
        Pending => "pending", "pending";
        Delivered => "delivered", "delivered";
        /// Refused for good (the reason is kept); not retried.
        Failed => "failed", "failed";
        /// Not for this channel (its filter); never sent.
        Skipped => "skipped", "skipped";
    }
);

/// The delivery record of one event to one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub event_id: i64,
    pub channel: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
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
             JOIN devices d ON d.variant = r.variant
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
                    kind: kind
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("event kind {kind:?}")))?,
                    created_at: DateTime::parse_from_rfc3339(&created)
                        .map_err(|_| StoreError::Corrupt(format!("event time {created:?}")))?
                        .with_timezone(&Utc),
                    device: Device {
                        variant: rom.variant.clone(),
                        codename: rom.codename.clone(),
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
            params![event_id, channel, state.name(), error, now_text()],
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
            Ok((|| -> Result<Delivery, StoreError> {
                Ok(Delivery {
                    event_id: r.get(0)?,
                    channel: r.get(1)?,
                    state: state
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("delivery state {state:?}")))?,
                    attempts: r.get(3)?,
                    last_error: r.get(4)?,
                })
            })())
        })?;
        rows.map(|r| r?).collect()
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
            .find(|d| d.variant == rom.variant);
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
