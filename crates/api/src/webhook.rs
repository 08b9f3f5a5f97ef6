//! The body of a webhook `POST`: an event about one ROM.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Rom;

/// One event, as a webhook receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// The schema version: 2.
    pub schema: u32,
    /// What happened: `new`, `md5`, `size`, `promoted`, `withdrawn`,
    /// `restored` (also the `X-Romwatch-Event` header).
    pub event: String,
    /// Unique per event and channel, the same on every retry (also the
    /// `X-Romwatch-Delivery` header): receivers drop repeats by it.
    pub delivery: String,
    /// The event's own id, the same for every channel.
    pub event_id: String,
    /// When the event was recorded (RFC 3339).
    pub created_at: DateTime<Utc>,
    /// The ROM as it is now.
    pub rom: Rom,
    /// The incremental package to this version, when one is known.
    #[schema(required = true)]
    pub incremental_url: Option<String>,
    pub links: WebhookLinks,
}

/// The site's pages about the event's ROM (absolute URLs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookLinks {
    pub update_page: String,
    pub device_page: String,
    pub archive_page: String,
}
