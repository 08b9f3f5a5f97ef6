//! The JSON API files under `/api/v1/`: a stable, documented schema
//! (`schema: 1`) for scripts and bots.
//!
//! - `devices.json`: every device with its variants and release count.
//! - `devices/<codename>.json`: every release of one device, newest first.
//! - `latest.json`: the newest release per device variant × branch × method.

use std::collections::BTreeMap;

use rayon::prelude::*;
use romwatch_model::{Kind, Link, Md5, MirrorHealth, Region, Rom, mirrors_best_first};
use serde::Serialize;

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Catalog;
use crate::config::SiteView;
use crate::links::SitePath;
use crate::pages::latest_of;
use crate::views::{update_key, update_path};

/// The schema version; a change that breaks readers bumps it.
const SCHEMA: u32 = 1;

/// One ROM file in the API.
#[derive(Serialize)]
pub(crate) struct ApiRom<'a> {
    pub filename: &'a str,
    pub codename: &'a str,
    pub variant: &'a str,
    /// The variant's marketing name ("Mi 5s Global").
    pub device: &'a str,
    /// `MIUI` or `HyperOS`.
    pub os: &'static str,
    /// `MIUI 14`, `HyperOS 2`, or the family alone for dated builds.
    pub os_line: String,
    pub version: &'a str,
    pub android: Option<&'a str>,
    pub branch: &'static str,
    /// `Recovery` or `Fastboot`.
    pub method: &'static str,
    /// `full` or `incremental`.
    pub kind: &'static str,
    /// For an incremental package, the version it updates from.
    pub incremental_from: Option<&'a str>,
    pub size_bytes: Option<u64>,
    /// Whether `size_bytes` is exact or read back from a rounded size.
    pub size_exact: Option<bool>,
    /// 32 hex digits, or the 10-hex prefix from the package name (see
    /// `md5_kind`), or null.
    pub md5: Option<String>,
    /// `full`, `prefix`, or null when unknown.
    pub md5_kind: Option<&'static str>,
    pub url: Option<&'a str>,
    /// Every mirror of the file with its last check, best first.
    pub mirrors: Vec<MirrorHealth>,
    /// YYYY-MM-DD: the day every mirror was found to have lost the file.
    pub withdrawn_on: Option<String>,
    /// YYYY-MM-DD: the Android security patch from the package's metadata
    /// (a fastboot image: its recovery package's), or null.
    pub security_patch: Option<String>,
    pub changelog: Option<&'a str>,
    /// YYYY-MM-DD.
    pub released: Option<String>,
    /// RFC 3339.
    pub first_seen: String,
    /// The update page (absolute URL).
    pub page: String,
}

impl<'a> ApiRom<'a> {
    fn new(catalog: &Catalog<'a>, site: &SiteView, i: usize) -> Result<ApiRom<'a>, SiteError> {
        let rom: &'a Rom = catalog.rom(i);
        let checked = catalog.mirrors_of(rom);
        Ok(ApiRom {
            filename: &rom.filename,
            codename: rom.codename.as_str(),
            variant: rom.variant.as_str(),
            device: catalog.variant_name(rom),
            os: rom.os.family.name(),
            os_line: rom.os.to_string(),
            version: rom.version.as_str(),
            android: rom.android.as_deref(),
            branch: rom.branch.name(),
            method: rom.method.name(),
            kind: match rom.kind {
                Kind::Full => "full",
                Kind::Incremental { .. } => "incremental",
            },
            incremental_from: match &rom.kind {
                Kind::Incremental { from } => Some(from.as_str()),
                Kind::Full => None,
            },
            size_bytes: rom.size.map(|s| s.bytes),
            size_exact: rom.size.map(|s| s.exact),
            md5: rom.md5.map(|m| match m {
                Md5::Full(_) => m.to_string(),
                Md5::Prefix(_) => m.prefix_hex(),
            }),
            md5_kind: rom.md5.map(|m| if m.is_full() { "full" } else { "prefix" }),
            url: rom.url.as_ref().map(Link::as_str),
            mirrors: mirrors_best_first(
                rom.url.as_ref(),
                &rom.mirrors,
                checked.map_or(&[][..], |c| &c.checks),
            ),
            withdrawn_on: checked
                .and_then(|c| c.withdrawn_on)
                .map(|d| d.format("%Y-%m-%d").to_string()),
            security_patch: catalog.security_patch(rom).map(|d| d.to_string()),
            changelog: rom.changelog.as_deref(),
            released: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
            first_seen: rom.first_seen.to_rfc3339(),
            page: format!("{}{}", site.base_url, update_path(&update_key(rom))?.url()),
        })
    }
}

#[derive(Serialize)]
struct ApiVariant<'a> {
    codename: &'a str,
    name: &'a str,
    region: Option<&'a Region>,
}

#[derive(Serialize)]
struct ApiDevice<'a> {
    codename: &'a str,
    name: String,
    /// The OS families the device has releases of.
    os: Vec<&'static str>,
    variants: Vec<ApiVariant<'a>>,
    releases: usize,
    latest_date: Option<String>,
    /// This device's file, from the site root.
    api: String,
}

/// `devices/<codename>.json`.
#[derive(Serialize)]
struct DeviceFile<'a> {
    schema: u32,
    codename: &'a str,
    name: &'a str,
    /// Every release, newest first.
    releases: Vec<ApiRom<'a>>,
}

/// `devices.json`.
#[derive(Serialize)]
struct DevicesFile<'a> {
    schema: u32,
    devices: Vec<ApiDevice<'a>>,
}

/// `latest.json`.
#[derive(Serialize)]
struct LatestFile<'a> {
    schema: u32,
    roms: Vec<ApiRom<'a>>,
}

/// The API files.
pub(crate) fn api_files<'a>(
    catalog: &Catalog<'a>,
    site: &SiteView,
) -> Result<Vec<Artifact<'a>>, SiteError> {
    // A device's MIUI and HyperOS releases share one API file.
    let mut by_codename: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut latest = Vec::new();
    for (key, releases) in &catalog.devices {
        by_codename
            .entry(key.codename)
            .or_default()
            .extend(releases.iter().copied());
        latest.extend(latest_of(catalog, releases));
    }
    let per_device: Vec<(ApiDevice<'a>, Artifact<'a>)> = by_codename
        .into_par_iter()
        .map(|(codename, releases)| device_file(catalog, site, codename, releases))
        .collect::<Result<_, _>>()?;
    let (devices, mut out): (Vec<_>, Vec<_>) = per_device.into_iter().unzip();
    out.push(Artifact::json(
        SitePath::file(&["api", "v1"], "devices.json")?,
        &DevicesFile {
            schema: SCHEMA,
            devices,
        },
    )?);
    latest.sort_by(|a, b| catalog.newest_first(*a, *b));
    let roms = latest
        .iter()
        .map(|&i| ApiRom::new(catalog, site, i))
        .collect::<Result<Vec<_>, _>>()?;
    out.push(Artifact::json(
        SitePath::file(&["api", "v1"], "latest.json")?,
        &LatestFile {
            schema: SCHEMA,
            roms,
        },
    )?);
    Ok(out)
}

/// One device's file and its entry in `devices.json`.
fn device_file<'a>(
    catalog: &Catalog<'a>,
    site: &SiteView,
    codename: &'a str,
    mut releases: Vec<usize>,
) -> Result<(ApiDevice<'a>, Artifact<'a>), SiteError> {
    releases.sort_by(|a, b| catalog.newest_first(*a, *b));
    let mut os: Vec<&'static str> = Vec::new();
    let mut variants: Vec<ApiVariant> = Vec::new();
    for &i in &releases {
        let rom = catalog.rom(i);
        if !os.contains(&rom.os.family.name()) {
            os.push(rom.os.family.name());
        }
        if !variants.iter().any(|v| v.codename == rom.variant.as_str()) {
            variants.push(ApiVariant {
                codename: rom.variant.as_str(),
                name: catalog.variant_name(rom),
                region: catalog.variant(rom).map(|d| &d.region),
            });
        }
    }
    variants.sort_by_key(|v| v.codename);
    let name = catalog
        .devices
        .keys()
        .find(|k| k.codename == codename)
        .map_or_else(|| codename.to_string(), |k| catalog.device_name(k));
    let path = SitePath::file(&["api", "v1", "devices"], &format!("{codename}.json"))?;
    let roms = releases
        .iter()
        .map(|&i| ApiRom::new(catalog, site, i))
        .collect::<Result<Vec<_>, _>>()?;
    let artifact = Artifact::json(
        path.clone(),
        &DeviceFile {
            schema: SCHEMA,
            codename,
            name: &name,
            releases: roms,
        },
    )?;
    let device = ApiDevice {
        codename,
        name,
        os,
        variants,
        releases: releases.len(),
        latest_date: releases
            .first()
            .and_then(|&i| catalog.rom(i).released)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        api: path.url(),
    };
    Ok((device, artifact))
}
