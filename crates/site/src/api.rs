//! The static JSON API files under `/api/v1/`, in romwatch's public schema
//! (`romwatch_api`, the one the live API and webhooks send too):
//!
//! - `devices.json`: every device with its variants and release count.
//! - `devices/<codename>.json`: every release of one device, newest first.
//! - `latest.json`: the newest release per device variant × branch × method.

use std::collections::BTreeMap;

use rayon::prelude::*;
use romwatch_api::{Device, DeviceList, DeviceReleases, Rom, RomList, SCHEMA, VariantReleases};
use romwatch_model::{OsFamily, Region};

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Catalog;
use crate::config::SiteView;
use crate::links::SitePath;
use crate::pages::latest_of;

/// The public object of the catalog's ROM `i`.
fn api_rom(catalog: &Catalog<'_>, site: &SiteView, i: usize) -> Rom {
    let rom = catalog.rom(i);
    Rom::new(
        rom,
        catalog.variant_name(rom),
        catalog.mirrors_of(rom),
        catalog.security_patch(rom),
        &site.base_url,
    )
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
    let per_device: Vec<(Device, Artifact<'a>)> = by_codename
        .into_par_iter()
        .map(|(codename, releases)| device_file(catalog, site, codename, releases))
        .collect::<Result<_, _>>()?;
    let (devices, mut out): (Vec<_>, Vec<_>) = per_device.into_iter().unzip();
    out.push(Artifact::json(
        SitePath::file(&["api", "v1"], "devices.json")?,
        &DeviceList {
            schema: SCHEMA,
            devices,
        },
    )?);
    latest.sort_by(|a, b| catalog.newest_first(*a, *b));
    let roms = latest.iter().map(|&i| api_rom(catalog, site, i)).collect();
    out.push(Artifact::json(
        SitePath::file(&["api", "v1"], "latest.json")?,
        &RomList {
            schema: SCHEMA,
            roms,
        },
    )?);
    Ok(out)
}

/// What each variant of a device released in each OS family; a variant
/// the device list does not know is named by its codename.
fn variant_releases(catalog: &Catalog<'_>, releases: &[usize]) -> Vec<VariantReleases> {
    let mut rows: BTreeMap<(&str, OsFamily), VariantReleases> = BTreeMap::new();
    for &i in releases {
        let rom = catalog.rom(i);
        let row =
            rows.entry((rom.variant.as_str(), rom.os.family))
                .or_insert_with(|| VariantReleases {
                    variant: catalog.variant(rom).cloned().unwrap_or_else(|| {
                        romwatch_model::Device {
                            variant: rom.variant.clone(),
                            codename: rom.codename.clone(),
                            name: rom.variant.to_string(),
                            region: Region::of_variant(rom.variant.as_str()),
                        }
                    }),
                    family: rom.os.family,
                    releases: 0,
                    newest: None,
                });
        row.releases += 1;
        row.newest = row.newest.max(rom.released);
    }
    rows.into_values().collect()
}

/// One device's file and its entry in `devices.json`.
fn device_file<'a>(
    catalog: &Catalog<'a>,
    site: &SiteView,
    codename: &'a str,
    mut releases: Vec<usize>,
) -> Result<(Device, Artifact<'a>), SiteError> {
    releases.sort_by(|a, b| catalog.newest_first(*a, *b));
    let path = SitePath::file(&["api", "v1", "devices"], &format!("{codename}.json"))?;
    let device = Device::of(codename, &variant_releases(catalog, &releases), path.url());
    let artifact = Artifact::json(
        path,
        &DeviceReleases {
            schema: SCHEMA,
            codename: codename.to_string(),
            name: device.name.clone(),
            releases: releases
                .iter()
                .map(|&i| api_rom(catalog, site, i))
                .collect(),
        },
    )?;
    Ok((device, artifact))
}
