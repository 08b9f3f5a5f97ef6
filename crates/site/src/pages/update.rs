//! Update pages (`/<os>/<codename>/<branch>/<version>/`): one card per file
//! of an update, and redirect pages from the old paths with a space.

use rayon::prelude::*;
use serde::Serialize;

use super::{Crumb, Meta};
use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::{Catalog, DeviceKey, UpdateKey};
use crate::links::SitePath;
use crate::views::{RomView, archive_path, device_path, update_path};

#[derive(Serialize)]
pub(crate) struct UpdatePage<'a> {
    pub meta: Meta,
    pub os: &'static str,
    pub version: &'a str,
    pub codename: &'a str,
    /// The variant name of the first card, as the reference titled pages.
    pub device: &'a str,
    pub device_page: String,
    pub archive_page: String,
    pub cards: Vec<RomView<'a>>,
}

/// A page that sends a browser from an old URL to the new one.
#[derive(Serialize)]
pub(crate) struct RedirectPage {
    pub meta: Meta,
    /// The new URL path from the site root.
    pub target: String,
}

/// The update pages and, for branches whose name has a space, a redirect
/// from the reference's path (`/miui/x/stable beta/<version>/`).
pub(crate) fn update_pages<'a>(catalog: &Catalog<'a>) -> Result<Vec<Artifact<'a>>, SiteError> {
    let pages: Vec<Vec<Artifact<'a>>> = catalog
        .updates
        .par_iter()
        .map(|(key, cards)| update_page(catalog, key, cards))
        .collect::<Result<_, _>>()?;
    Ok(pages.into_iter().flatten().collect())
}

fn update_page<'a>(
    catalog: &Catalog<'a>,
    key: &UpdateKey<'a>,
    cards: &[usize],
) -> Result<Vec<Artifact<'a>>, SiteError> {
    let path = update_path(key)?;
    let url = path.url();
    let device_key = DeviceKey {
        family: key.family,
        codename: key.codename,
    };
    let cards = cards
        .iter()
        .map(|&i| RomView::new(catalog, i))
        .collect::<Result<Vec<_>, _>>()?;
    let device = cards.first().map_or(key.codename, |c| c.device);
    let os = key.family.name();
    let title = format!(
        "{os} {} {} Official Update for {device} ({})",
        key.version,
        key.branch.name(),
        key.codename
    );
    let device_page = device_path(&device_key)?.url();
    let meta = Meta {
        description: format!(
            "Download the official {os} {} {} ROM files (Recovery and Fastboot) for {device} ({}).",
            key.version,
            key.branch.name(),
            key.codename
        ),
        title,
        url: url.clone(),
        crumbs: vec![
            Crumb::link("Home", "/"),
            Crumb::link(os, format!("/{}/", key.family.slug())),
            Crumb::link(device, device_page.clone()),
            Crumb::here(key.version),
        ],
    };
    let lastmod = catalog
        .updates
        .get(key)
        .into_iter()
        .flatten()
        .filter_map(|&i| catalog.rom(i).released)
        .max();
    let mut out = Vec::with_capacity(2);
    let branch_name = key.branch.name();
    if branch_name.contains(' ') {
        let old = SitePath::page(&[
            key.family.slug(),
            key.codename,
            &branch_name.to_lowercase(),
            key.version,
        ])?;
        out.push(Artifact::page(
            old,
            "redirect.html",
            RedirectPage {
                meta: Meta {
                    title: meta.title.clone(),
                    url: url.clone(),
                    description: meta.description.clone(),
                    crumbs: Vec::new(),
                },
                target: url,
            },
        ));
    }
    out.push(
        Artifact::page(
            path,
            "update.html",
            UpdatePage {
                meta,
                os,
                version: key.version,
                codename: key.codename,
                device,
                device_page,
                archive_page: archive_path(&device_key)?.url(),
                cards,
            },
        )
        .with_lastmod(lastmod),
    );
    Ok(out)
}
