//! The release record: one ROM file, and the device variant it is for.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{Branch, Codename, FileName, Kind, Link, Md5, Method, OsLine, Region, Size, Version};

/// A device variant: one device in one region (`corot_eea_global`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The variant codename, unique per variant (`corot_eea_global`).
    pub variant: Codename,
    /// The device's codename shared by its variants (`corot`).
    pub codename: Codename,
    /// The marketing name with the region, as users know it
    /// ("Xiaomi 13T Pro EEA").
    pub name: String,
    pub region: Region,
}

impl Device {
    /// The device's name without the region ("Xiaomi 13T Pro" of
    /// "Xiaomi 13T Pro EEA"): what a device page is titled and every link
    /// to it says.
    pub fn model_name(&self) -> &str {
        self.name
            .strip_suffix(self.region.name().as_str())
            .and_then(|n| n.strip_suffix(' '))
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.name)
    }
}

/// One official ROM file. A ROM is unique by its file name. Made by
/// [`Incoming::checked`](crate::Incoming::checked), or read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rom {
    pub filename: FileName,
    /// The device's codename: a device's releases are grouped by it.
    pub codename: Codename,
    /// The variant codename ([`Device::variant`]).
    pub variant: Codename,
    pub version: Version,
    pub android: Option<String>,
    pub os: OsLine,
    pub branch: Branch,
    pub method: Method,
    #[serde(flatten)]
    pub kind: Kind,
    pub size: Option<Size>,
    pub md5: Option<Md5>,
    /// The download URL (query strings of signed links removed).
    pub url: Option<Link>,
    /// The same file on other CDN hosts.
    pub mirrors: Vec<Link>,
    pub changelog: Option<String>,
    /// The release date, when a source says it.
    pub released: Option<NaiveDate>,
    /// When romwatch first recorded the file.
    pub first_seen: DateTime<Utc>,
}
