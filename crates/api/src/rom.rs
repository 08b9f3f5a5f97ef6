//! The public ROM object: one ROM file as every API answer, static API
//! file and webhook gives it.

use chrono::{DateTime, NaiveDate, Utc};
use romwatch_model::{
    Branch, FileMirrors, Kind, Md5, Method, MirrorHealth, MirrorStatus, OsFamily, OsLine,
    mirrors_best_first, paths,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::names;

/// Whether a package holds a whole system or the difference from one
/// version to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RomKind {
    Full,
    Incremental,
}

/// What `md5` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Md5Kind {
    /// The whole digest, 32 hex digits.
    Full,
    /// The 10 hex digits every official package name carries.
    Prefix,
}

/// One mirror of a ROM file with its last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Mirror {
    /// The host, with its port when the link names one.
    pub host: String,
    /// The file on this host.
    pub url: String,
    #[schema(schema_with = names::mirror_status)]
    pub status: MirrorStatus,
    /// When it was last checked (RFC 3339).
    #[schema(required = true)]
    pub checked_at: Option<DateTime<Utc>>,
    /// How long the last check's answer took.
    #[schema(required = true, minimum = 0)]
    pub latency_ms: Option<u64>,
    /// Since when the checks fail (status `down`).
    #[schema(required = true)]
    pub down_since: Option<DateTime<Utc>>,
}

impl From<MirrorHealth> for Mirror {
    fn from(m: MirrorHealth) -> Mirror {
        Mirror {
            host: m.host,
            url: m.url.as_str().to_string(),
            status: m.status,
            checked_at: m.checked_at,
            latency_ms: m.latency_ms,
            down_since: m.down_since,
        }
    }
}

/// One official ROM file.
///
/// Vocabulary: the interchange format (JSON Lines, `latest.yml`) keeps the
/// reference tracker's names; here `released` is its `date`, `method` its
/// `type`, `size_bytes` and `size_exact` its `size` (a human string
/// there), `mirrors` its `url` and `mirror_hosts`, `os` and `os_line` its
/// `os` (`miui`, `hyperos`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rom {
    /// The package's file name, unique per ROM.
    pub filename: String,
    /// The device codename (`alioth`).
    pub codename: String,
    /// The device variant codename (`alioth_global`).
    pub variant: String,
    /// The variant's marketing name with its region ("POCO F3 Global").
    pub device: String,
    #[schema(schema_with = names::os_family)]
    pub os: OsFamily,
    #[schema(schema_with = names::os_line)]
    pub os_line: OsLine,
    pub version: String,
    /// The Android version ("14.0").
    #[schema(required = true)]
    pub android: Option<String>,
    #[schema(schema_with = names::branch)]
    pub branch: Branch,
    #[schema(schema_with = names::method)]
    pub method: Method,
    pub kind: RomKind,
    /// For an incremental package, the version it updates from.
    #[schema(required = true)]
    pub incremental_from: Option<String>,
    #[schema(required = true, minimum = 0)]
    pub size_bytes: Option<u64>,
    /// Whether `size_bytes` is exact or read back from a rounded size.
    #[schema(required = true)]
    pub size_exact: Option<bool>,
    /// 32 hex digits, or the 10-hex prefix of the package name (see
    /// `md5_kind`), or null.
    #[schema(required = true, pattern = "^[0-9a-f]{10}([0-9a-f]{22})?$")]
    pub md5: Option<String>,
    #[schema(required = true)]
    pub md5_kind: Option<Md5Kind>,
    /// The download URL.
    #[schema(required = true)]
    pub url: Option<String>,
    /// Every mirror of the file with its last check, best first: the first
    /// is where a download button should point.
    pub mirrors: Vec<Mirror>,
    /// The day every mirror was found to have lost the file.
    #[schema(required = true)]
    pub withdrawn_on: Option<NaiveDate>,
    /// The Android security patch from the package's metadata (a fastboot
    /// image: its recovery package's), or null when unknown.
    pub security_patch: Option<NaiveDate>,
    #[schema(required = true)]
    pub changelog: Option<String>,
    /// The release date (YYYY-MM-DD).
    #[schema(required = true)]
    pub released: Option<NaiveDate>,
    /// When romwatch first recorded the file (RFC 3339).
    pub first_seen: DateTime<Utc>,
    /// The update page (absolute URL).
    pub page: String,
}

impl Rom {
    /// The public object of a stored ROM: `device` is its variant's name,
    /// `checked` what the mirror checks found (if it was checked),
    /// `base_url` the site's address for `page`.
    pub fn new(
        rom: &romwatch_model::Rom,
        device: &str,
        checked: Option<&FileMirrors>,
        security_patch: Option<NaiveDate>,
        base_url: &str,
    ) -> Rom {
        Rom {
            filename: rom.filename.to_string(),
            codename: rom.codename.to_string(),
            variant: rom.variant.to_string(),
            device: device.to_string(),
            os: rom.os.family,
            os_line: rom.os,
            version: rom.version.to_string(),
            android: rom.android.clone(),
            branch: rom.branch,
            method: rom.method,
            kind: match rom.kind {
                Kind::Full => RomKind::Full,
                Kind::Incremental { .. } => RomKind::Incremental,
            },
            incremental_from: match &rom.kind {
                Kind::Incremental { from } => Some(from.clone()),
                Kind::Full => None,
            },
            size_bytes: rom.size.map(|s| s.bytes),
            size_exact: rom.size.map(|s| s.exact),
            md5: rom.md5.map(|m| match m {
                Md5::Full(_) => m.to_string(),
                Md5::Prefix(_) => m.prefix_hex(),
            }),
            md5_kind: rom.md5.map(|m| {
                if m.is_full() {
                    Md5Kind::Full
                } else {
                    Md5Kind::Prefix
                }
            }),
            url: rom.url.as_ref().map(|l| l.as_str().to_string()),
            mirrors: mirrors_best_first(
                rom.url.as_ref(),
                &rom.mirrors,
                checked.map_or(&[][..], |c| &c.checks),
            )
            .into_iter()
            .map(Mirror::from)
            .collect(),
            withdrawn_on: checked.and_then(|c| c.withdrawn_on),
            security_patch,
            changelog: rom.changelog.clone(),
            released: rom.released,
            first_seen: rom.first_seen,
            page: paths::absolute(base_url, &paths::update_page(rom)),
        }
    }
}
