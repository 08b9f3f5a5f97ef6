//! The OS indexes (`/miui/`, `/hyperos/`), the home page, the search page
//! and the 404 page.

use romwatch_model::OsFamily;
use serde::Serialize;

use super::device::latest_of;
use super::{Crumb, Meta};
use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::Catalog;
use crate::feeds::FeedLinks;
use crate::links::SitePath;
use crate::views::{RowView, device_path};

/// One device in an OS index.
#[derive(Serialize)]
pub(crate) struct DeviceSummary {
    pub name: String,
    pub codename: String,
    pub url: String,
    pub latest_version: String,
    pub latest_date: Option<String>,
    pub releases: usize,
}

#[derive(Serialize)]
pub(crate) struct OsIndexPage {
    pub meta: Meta,
    pub os: &'static str,
    pub devices: Vec<DeviceSummary>,
}

/// An OS family's index link on the home page.
#[derive(Serialize)]
pub(crate) struct IndexLink {
    pub os: &'static str,
    pub url: String,
    pub devices: usize,
}

#[derive(Serialize)]
pub(crate) struct HomePage<'a> {
    pub meta: Meta,
    pub latest: Vec<RowView<'a>>,
    pub indexes: Vec<IndexLink>,
    pub feeds: FeedLinks,
}

#[derive(Serialize)]
pub(crate) struct NotFoundPage {
    pub meta: Meta,
}

/// `/search/`: the form, and the results `site.js` finds in the search
/// index (see [`crate::search`]).
#[derive(Serialize)]
pub(crate) struct SearchPage {
    pub meta: Meta,
}

/// The OS indexes, the home page, the search page and the 404 page.
pub(crate) fn listing_pages<'a>(
    catalog: &Catalog<'a>,
    latest_count: usize,
) -> Result<Vec<Artifact<'a>>, SiteError> {
    let mut out = Vec::new();
    let mut indexes = Vec::new();
    for family in OsFamily::ALL {
        let os = family.name();
        let mut devices = Vec::new();
        for (key, releases) in catalog
            .devices
            .range(..)
            .filter(|(k, _)| k.family == *family)
        {
            // The newest full release names the device's latest version.
            let newest = latest_of(catalog, releases).first().copied();
            let Some(newest) = newest.or_else(|| releases.first().copied()) else {
                continue;
            };
            let rom = catalog.rom(newest);
            devices.push(DeviceSummary {
                name: catalog.device_name(key),
                codename: key.codename.to_string(),
                url: device_path(key)?.url(),
                latest_version: rom.version.to_string(),
                latest_date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
                releases: releases.len(),
            });
        }
        devices.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.codename.cmp(&b.codename))
        });
        let path = SitePath::page(&[family.slug()])?;
        let url = path.url();
        indexes.push(IndexLink {
            os,
            url: url.clone(),
            devices: devices.len(),
        });
        out.push(Artifact::page(
            path,
            "os_index.html",
            OsIndexPage {
                meta: Meta {
                    title: format!("{os} Downloads"),
                    url,
                    description: format!(
                        "Every device with official {os} ROMs, with its latest version."
                    ),
                    crumbs: vec![Crumb::link("Home", "/"), Crumb::here(os)],
                },
                os,
                devices,
            },
        ));
    }

    let newest: Vec<usize> = catalog
        .all_newest_first()
        .into_iter()
        .filter(|&i| !catalog.rom(i).kind.is_incremental())
        .take(latest_count)
        .collect();
    let latest = RowView::all(catalog, &newest)?;
    out.push(Artifact::page(
        SitePath::page(&[])?,
        "home.html",
        HomePage {
            meta: Meta {
                title: "Official Xiaomi ROM Downloads".to_string(),
                url: "/".to_string(),
                description:
                    "The latest official MIUI and HyperOS ROMs for Xiaomi, Redmi and POCO devices."
                        .to_string(),
                crumbs: Vec::new(),
            },
            latest,
            indexes,
            feeds: crate::feeds::global_feed_links()?,
        },
    ));
    out.push(Artifact::page(
        SitePath::page(&["search"])?,
        "search.html",
        SearchPage {
            meta: Meta {
                title: "Search".to_string(),
                url: "/search/".to_string(),
                description:
                    "Find a device's official ROMs by codename, name, version or package name."
                        .to_string(),
                crumbs: vec![Crumb::link("Home", "/"), Crumb::here("Search")],
            },
        },
    ));
    out.push(Artifact::page(
        SitePath::file(&[], "404.html")?,
        "404.html",
        NotFoundPage {
            meta: Meta {
                title: "Page not found".to_string(),
                url: "/404.html".to_string(),
                description: "This page does not exist.".to_string(),
                crumbs: vec![Crumb::link("Home", "/"), Crumb::here("Not found")],
            },
        },
    ));
    Ok(out)
}
