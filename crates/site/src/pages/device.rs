//! Device pages (`/<os>/<codename>/`, the latest release per variant,
//! branch and method) and archives (`/archive/<os>/<codename>/`, every
//! release, newest first).

use std::collections::HashSet;

use rayon::prelude::*;
use serde::Serialize;

use super::{Crumb, Meta};
use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::{Catalog, DeviceKey};
use crate::feeds::{FeedLinks, device_feed_links};
use crate::views::{RowView, archive_path, device_path};

#[derive(Serialize)]
pub(crate) struct DevicePage<'a> {
    pub meta: Meta,
    pub os: &'static str,
    pub name: String,
    pub codename: &'a str,
    /// The newest release of each variant × branch × method.
    pub latest: Vec<RowView<'a>>,
    pub releases: usize,
    pub archive_page: String,
    pub feeds: FeedLinks,
}

#[derive(Serialize)]
pub(crate) struct ArchivePage<'a> {
    pub meta: Meta,
    pub os: &'static str,
    pub name: String,
    pub codename: &'a str,
    pub device_page: String,
    /// Every release, newest first.
    pub rows: Vec<RowView<'a>>,
}

/// The device page and the archive of every device.
pub(crate) fn device_pages<'a>(catalog: &Catalog<'a>) -> Result<Vec<Artifact<'a>>, SiteError> {
    let pages: Vec<[Artifact<'a>; 2]> = catalog
        .devices
        .par_iter()
        .map(|(key, releases)| device_and_archive(catalog, key, releases))
        .collect::<Result<_, _>>()?;
    Ok(pages.into_iter().flatten().collect())
}

/// The newest release per variant × branch × method, newest first;
/// `releases` is already newest first, so the first of each kind wins.
/// Incremental packages are not offered as a device's latest ROM.
pub(crate) fn latest_of<'a>(catalog: &Catalog<'a>, releases: &[usize]) -> Vec<usize> {
    let mut seen = HashSet::new();
    releases
        .iter()
        .copied()
        .filter(|&i| {
            let rom = catalog.rom(i);
            !rom.kind.is_incremental()
                && seen.insert((rom.variant.as_str(), rom.branch, rom.method))
        })
        .collect()
}

fn device_and_archive<'a>(
    catalog: &Catalog<'a>,
    key: &DeviceKey<'a>,
    releases: &[usize],
) -> Result<[Artifact<'a>; 2], SiteError> {
    let os = key.family.name();
    let name = catalog.device_name(key);
    let device_path = device_path(key)?;
    let archive_path = archive_path(key)?;
    let device_page = device_path.url();
    let archive_page = archive_path.url();
    let lastmod = releases
        .iter()
        .filter_map(|&i| catalog.rom(i).released)
        .max();
    let device = DevicePage {
        meta: Meta {
            title: format!("{name} ({}) {os} Downloads", key.codename),
            url: device_page.clone(),
            description: format!(
                "The latest official {os} ROMs for {name} ({}), every region, branch and method.",
                key.codename
            ),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::link(os, format!("/{}/", key.family.slug())),
                Crumb::here(name.clone()),
            ],
        },
        os,
        name: name.clone(),
        codename: key.codename,
        latest: RowView::all(catalog, &latest_of(catalog, releases))?,
        releases: releases.len(),
        archive_page: archive_page.clone(),
        feeds: device_feed_links(key)?,
    };
    let archive = ArchivePage {
        meta: Meta {
            title: format!("{name} ({}) {os} Archive", key.codename),
            url: archive_page,
            description: format!(
                "Every official {os} ROM release for {name} ({}), newest first.",
                key.codename
            ),
            crumbs: vec![
                Crumb::link("Home", "/"),
                Crumb::link(os, format!("/{}/", key.family.slug())),
                Crumb::link(name.clone(), device_page.clone()),
                Crumb::here("Archive"),
            ],
        },
        os,
        name,
        codename: key.codename,
        device_page,
        rows: RowView::all(catalog, releases)?,
    };
    Ok([
        Artifact::page(device_path, "device.html", device).with_lastmod(lastmod),
        Artifact::page(archive_path, "archive.html", archive).with_lastmod(lastmod),
    ])
}
