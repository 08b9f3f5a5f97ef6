//! romwatch's interchange record: one line of its JSON Lines format.
//!
//! The format is that of `xfu-roms.jsonl` (the reference site's ROM cards),
//! so that file imports as it is; romwatch adds a few optional fields that
//! carry what the reference format cannot say (exact sizes, incrementals,
//! the variant codename). Fields romwatch does not know are ignored.

use serde::{Deserialize, Serialize};

/// One ROM file as a flat record of strings, as it travels in files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The device codename (`capricorn`).
    pub codename: String,
    /// The device variant's marketing name with its region ("Mi 5s Global").
    pub device: String,
    /// `miui` or `hyperos`.
    pub os: String,
    pub version: String,
    /// Stable, Stable Beta, Weekly, Public Beta, Beta.
    pub branch: String,
    /// `Recovery` or `Fastboot`.
    #[serde(rename = "type")]
    pub method: String,
    /// A human size with decimal units ("1.5 GB").
    #[serde(default)]
    pub size: Option<String>,
    /// The release date, YYYY-MM-DD.
    #[serde(default)]
    pub date: Option<String>,
    pub filename: String,
    /// 32 hex digits, or null when unknown.
    #[serde(default)]
    pub md5: Option<String>,
    /// The download URL.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub changelog: Option<String>,
    /// The Android version ("14.0").
    #[serde(default)]
    pub android: Option<String>,
    /// Other CDN hosts serving the same path as `url`.
    #[serde(default)]
    pub mirror_hosts: Vec<String>,
    /// The download URL of the incremental package to this version.
    #[serde(default)]
    pub incremental_url: Option<String>,
    /// In the reference data, the ROM's own codename where the page it was
    /// found on belongs to another device; it takes precedence over `codename`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_codename: Option<String>,
    /// romwatch: the variant codename (`capricorn_global`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// romwatch: the exact size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// romwatch: for an incremental package, the version it updates from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental_from: Option<String>,
    /// romwatch: when the file was first recorded (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// romwatch: the build's Android security patch (`YYYY-MM-DD`), from
    /// its package's metadata (a fastboot build's: its recovery package's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_patch: Option<String>,
    /// romwatch: the build fingerprint, from the package's metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// romwatch: when the build was made (RFC 3339), from the package's metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_time: Option<String>,
}
