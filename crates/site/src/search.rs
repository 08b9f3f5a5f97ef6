//! The static search index read by `site.js`: devices, and updates with
//! their package names, in compact arrays to keep the download small.

use serde::Serialize;

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Catalog;
use crate::links::SitePath;
use crate::views::{device_path, update_path};

/// `[name, codename, os, url]` of a device.
#[derive(Serialize)]
struct DeviceEntry<'a>(String, &'a str, &'static str, String);

/// `[title, url, package names joined by spaces]` of an update page.
#[derive(Serialize)]
struct UpdateEntry(String, String, String);

#[derive(Serialize)]
struct SearchIndex<'a> {
    devices: Vec<DeviceEntry<'a>>,
    updates: Vec<UpdateEntry>,
}

pub(crate) fn search_index<'a>(catalog: &Catalog<'a>) -> Result<Artifact<'a>, SiteError> {
    let devices = catalog
        .devices
        .keys()
        .map(|key| {
            Ok(DeviceEntry(
                catalog.device_name(key),
                key.codename,
                key.family.name(),
                device_path(key)?.url(),
            ))
        })
        .collect::<Result<Vec<_>, SiteError>>()?;
    let updates = catalog
        .updates
        .iter()
        .map(|(key, cards)| {
            let files: Vec<&str> = cards
                .iter()
                .map(|&i| catalog.rom(i).filename.as_str())
                .collect();
            Ok(UpdateEntry(
                format!(
                    "{} {} {} {}",
                    key.codename,
                    key.family.name(),
                    key.version,
                    key.branch.name()
                ),
                update_path(key)?.url(),
                files.join(" "),
            ))
        })
        .collect::<Result<Vec<_>, SiteError>>()?;
    Artifact::json(
        SitePath::file(&[], "search.json")?,
        &SearchIndex { devices, updates },
    )
}
