//! The documents: what each live route and each static API file answers,
//! every one with the schema version as `schema`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Device, DeviceHit, Rom};

/// Every device: `/api/v1/devices` (live) and `/api/v1/devices.json`
/// (static), by codename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceList {
    /// The schema version: 2.
    pub schema: u32,
    pub devices: Vec<Device>,
}

/// Every release of one device, newest first, MIUI and HyperOS together:
/// the static `/api/v1/devices/<codename>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceReleases {
    /// The schema version: 2.
    pub schema: u32,
    pub codename: String,
    /// The device's name without a region.
    pub name: String,
    pub releases: Vec<Rom>,
}

/// A list of ROMs: the static `/api/v1/latest.json` (the newest full ROM
/// per device variant, branch and method, newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RomList {
    /// The schema version: 2.
    pub schema: u32,
    pub roms: Vec<Rom>,
}

/// A device with its latest builds (the newest full ROM per variant,
/// branch and method, newest first): the live `/api/v1/devices/{codename}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceAnswer {
    /// The schema version: 2.
    pub schema: u32,
    pub device: Device,
    pub latest: Vec<Rom>,
    /// Where its ROMs are listed, page by page
    /// (`/api/v1/roms?codename=alioth`).
    pub roms: String,
}

/// One page of ROMs, newest first: the live `/api/v1/roms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RomPage {
    /// The schema version: 2.
    pub schema: u32,
    pub roms: Vec<Rom>,
    /// Pass as `cursor` for the next page; null on the last one.
    #[schema(required = true)]
    pub next_cursor: Option<i64>,
}

/// One ROM: the live `/api/v1/roms/{filename}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RomAnswer {
    /// The schema version: 2.
    pub schema: u32,
    pub rom: Rom,
}

/// What a search finds: devices, then ROMs newest first (the live
/// `/api/v1/search`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchAnswer {
    /// The schema version: 2.
    pub schema: u32,
    /// The query as given.
    pub q: String,
    /// The device pages that match (on the first page only).
    pub devices: Vec<DeviceHit>,
    pub roms: Vec<Rom>,
    /// Pass as `cursor` for the next ROMs; null on the last page.
    #[schema(required = true, minimum = 0)]
    pub next_cursor: Option<u64>,
}

/// An error: what was wrong, and the HTTP status again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorAnswer {
    pub error: String,
    pub status: u16,
}

/// `/healthz`: the server answers and the store can be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// The file name of the newest ROM, null for an empty store.
    #[schema(required = true)]
    pub latest: Option<String>,
}
