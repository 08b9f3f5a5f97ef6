//! View models: what templates and feeds see of a ROM, with every value
//! already formatted. Templates only place and escape them.

use romwatch_model::{Kind, Md5, Rom, mirrors_best_first};
use serde::Serialize;

use crate::SiteError;
use crate::catalog::{Catalog, DeviceKey, UpdateKey};
use crate::links::SitePath;

/// A download link: the package URL on one mirror host, with what its
/// last check found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MirrorLink {
    pub label: String,
    pub url: String,
    /// `ok`, `slow`, `unchecked` or `down`.
    pub status: &'static str,
    /// For a failing host: "not answering since 2026-11-30".
    pub note: Option<String>,
}

/// An incremental package offered on a full ROM's card.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IncrementalView<'a> {
    pub from: &'a str,
    pub filename: &'a str,
    pub url: Option<&'a str>,
    pub size: Option<String>,
    pub md5: String,
}

/// One ROM file as a card, a table row or a feed item shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RomView<'a> {
    /// The variant's marketing name ("Mi 5s Global").
    pub device: &'a str,
    pub codename: &'a str,
    pub variant: &'a str,
    /// `MIUI` or `HyperOS`.
    pub os: &'static str,
    /// `MIUI 14`, `HyperOS 2`, or the family for weekly builds.
    pub os_line: String,
    pub version: &'a str,
    pub android: Option<&'a str>,
    pub branch: &'static str,
    /// `Recovery` or `Fastboot`.
    pub method: &'static str,
    /// The version an incremental package updates from.
    pub incremental_from: Option<&'a str>,
    pub size: Option<String>,
    pub size_bytes: Option<u64>,
    pub date: Option<String>,
    /// The build's security patch (`YYYY-MM-DD`), where known.
    pub security_patch: Option<String>,
    pub filename: &'a str,
    /// The MD5 as shown: the full hash, the known prefix, or `Unknown`.
    pub md5: String,
    /// Whether `md5` is only the 10-hex prefix a package name carries.
    pub md5_is_prefix: bool,
    /// The main download link: on the healthiest mirror host; absent when
    /// no link is known.
    pub download: Option<String>,
    /// The other mirrors, best first (failing ones last, marked).
    pub mirrors: Vec<MirrorLink>,
    /// The day every mirror was found to have lost the file.
    pub withdrawn_on: Option<String>,
    pub incrementals: Vec<IncrementalView<'a>>,
    /// The changelog's lines, shown as text with line breaks.
    pub changelog: Vec<&'a str>,
    /// The update page, from the site root (`/miui/capricorn/weekly/7.12.28/`).
    pub page: String,
    /// The device page, from the site root.
    pub device_page: String,
}

/// One ROM as a table row shows it (device pages, archives, the home
/// page): a [`RomView`] without the card-only parts (mirrors, incrementals,
/// changelog), which keeps big archives cheap to fingerprint and render.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView<'a> {
    pub device: &'a str,
    /// The device page, from the site root.
    pub device_page: String,
    /// The variant's region name (`Global`), empty when the variant is
    /// unknown: what the region filter narrows by.
    pub region: String,
    /// `Recovery`, `Fastboot` or `Incremental`: what the type filter
    /// narrows by.
    pub type_facet: &'static str,
    pub branch: &'static str,
    pub method: &'static str,
    pub incremental_from: Option<&'a str>,
    pub version: &'a str,
    pub android: Option<&'a str>,
    pub size: Option<String>,
    pub date: Option<String>,
    /// The security patch level, where the package's metadata gives it.
    pub security_patch: Option<String>,
    pub filename: &'a str,
    pub download: Option<&'a str>,
    /// The update page, from the site root.
    pub page: String,
}

impl<'a> RowView<'a> {
    pub fn new(catalog: &Catalog<'a>, i: usize) -> Result<RowView<'a>, SiteError> {
        let rom = catalog.rom(i);
        Ok(RowView {
            device: catalog.variant_name(rom),
            device_page: device_path(&device_key(rom))?.url(),
            region: catalog
                .variant(rom)
                .map_or(String::new(), |v| v.region.name()),
            type_facet: if rom.kind.is_incremental() {
                "Incremental"
            } else {
                rom.method.name()
            },
            branch: rom.branch.name(),
            method: rom.method.name(),
            incremental_from: match &rom.kind {
                Kind::Incremental { from } => Some(from.as_str()),
                Kind::Full => None,
            },
            version: rom.version.as_str(),
            android: rom.android.as_deref(),
            size: rom.size.map(|s| s.human()),
            date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
            security_patch: catalog.security_patch(rom).map(|d| d.to_string()),
            filename: &rom.filename,
            download: rom.url.as_ref().map(romwatch_model::Link::as_str),
            page: update_path(&update_key(rom))?.url(),
        })
    }

    /// The rows of `list`, in its order.
    pub fn all(catalog: &Catalog<'a>, list: &[usize]) -> Result<Vec<RowView<'a>>, SiteError> {
        list.iter().map(|&i| RowView::new(catalog, i)).collect()
    }
}

/// The MD5 as the site shows it and whether it is only a prefix.
pub(crate) fn md5_text(md5: Option<&Md5>) -> (String, bool) {
    match md5 {
        None => ("Unknown".to_string(), false),
        Some(m @ Md5::Full(_)) => (m.to_string(), false),
        Some(m @ Md5::Prefix(_)) => (m.prefix_hex(), true),
    }
}

/// The device page a ROM is listed on.
pub(crate) fn device_key(rom: &Rom) -> DeviceKey<'_> {
    DeviceKey {
        family: rom.os.family,
        codename: rom.codename.as_str(),
    }
}

/// A changelog's lines, trimmed, without blank ones.
pub(crate) fn changelog_lines(rom: &Rom) -> Vec<&str> {
    rom.changelog
        .as_deref()
        .map(|c| {
            c.lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The incremental packages to a full Recovery ROM, of its own variant.
pub(crate) fn incremental_views<'a>(
    catalog: &Catalog<'a>,
    rom: &'a Rom,
) -> Vec<IncrementalView<'a>> {
    catalog
        .incrementals_to(rom)
        .iter()
        .map(|&j| {
            let inc = catalog.rom(j);
            IncrementalView {
                from: match &inc.kind {
                    Kind::Incremental { from } => from.as_str(),
                    Kind::Full => "",
                },
                filename: &inc.filename,
                url: inc.url.as_ref().map(romwatch_model::Link::as_str),
                size: inc.size.map(|s| s.human()),
                md5: md5_text(inc.md5.as_ref()).0,
            }
        })
        .collect()
}

pub(crate) fn update_key(rom: &Rom) -> UpdateKey<'_> {
    UpdateKey {
        family: rom.os.family,
        codename: rom.codename.as_str(),
        branch: rom.branch,
        version: rom.version.as_str(),
    }
}

pub(crate) fn update_path(key: &UpdateKey) -> Result<SitePath, SiteError> {
    SitePath::page(&[
        key.family.slug(),
        key.codename,
        key.branch.slug(),
        key.version,
    ])
}

pub(crate) fn device_path(key: &DeviceKey) -> Result<SitePath, SiteError> {
    SitePath::page(&[key.family.slug(), key.codename])
}

pub(crate) fn archive_path(key: &DeviceKey) -> Result<SitePath, SiteError> {
    SitePath::page(&["archive", key.family.slug(), key.codename])
}

impl<'a> RomView<'a> {
    pub fn new(catalog: &Catalog<'a>, i: usize) -> Result<RomView<'a>, SiteError> {
        let rom = catalog.rom(i);
        let (md5, md5_is_prefix) = md5_text(rom.md5.as_ref());
        let checked = catalog.mirrors_of(rom);
        let mut best = mirrors_best_first(
            rom.url.as_ref(),
            &rom.mirrors,
            checked.map_or(&[][..], |c| &c.checks),
        )
        .into_iter();
        let download = best.next().map(|m| m.url.to_string());
        let mirrors = best
            .enumerate()
            .map(|(n, mirror)| MirrorLink {
                label: format!("Mirror {} ({})", n + 1, mirror.host),
                url: mirror.url.to_string(),
                status: mirror.status.slug(),
                note: mirror
                    .down_since
                    .map(|d| format!("not answering since {}", d.format("%Y-%m-%d"))),
            })
            .collect();
        Ok(RomView {
            device: catalog.variant_name(rom),
            codename: rom.codename.as_str(),
            variant: rom.variant.as_str(),
            os: rom.os.family.name(),
            os_line: rom.os.to_string(),
            version: rom.version.as_str(),
            android: rom.android.as_deref(),
            branch: rom.branch.name(),
            method: rom.method.name(),
            incremental_from: match &rom.kind {
                Kind::Incremental { from } => Some(from.as_str()),
                Kind::Full => None,
            },
            size: rom.size.map(|s| s.human()),
            size_bytes: rom.size.map(|s| s.bytes),
            date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
            security_patch: catalog.security_patch(rom).map(|d| d.to_string()),
            filename: &rom.filename,
            md5,
            md5_is_prefix,
            download,
            mirrors,
            withdrawn_on: checked
                .and_then(|c| c.withdrawn_on)
                .map(|d| d.format("%Y-%m-%d").to_string()),
            incrementals: incremental_views(catalog, rom),
            changelog: changelog_lines(rom),
            page: update_path(&update_key(rom))?.url(),
            device_page: device_path(&device_key(rom))?.url(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use romwatch_model::{Branch, Codename, Method, OsFamily, OsLine, paths};

    /// The files the builder writes are served at the URLs the rest of
    /// romwatch (notifier, server) links to.
    #[test]
    fn page_urls_match_the_shared_url_scheme() {
        let codename = Codename::new("capricorn").unwrap();
        for (family, branch) in [
            (OsFamily::Miui, Branch::Weekly),
            (OsFamily::HyperOs, Branch::StableBeta),
            (OsFamily::Miui, Branch::PublicBeta),
        ] {
            let rom = Rom {
                filename: romwatch_model::FileName::new("f.zip").unwrap(),
                codename: codename.clone(),
                variant: codename.clone(),
                version: romwatch_model::Version::parse("V9.5.1.0.NAIMIFA").unwrap(),
                android: None,
                os: OsLine {
                    family,
                    major: None,
                },
                branch,
                method: Method::Recovery,
                kind: Kind::Full,
                size: None,
                md5: None,
                url: None,
                mirrors: Vec::new(),
                changelog: None,
                released: None,
                first_seen: Utc::now(),
            };
            assert_eq!(
                update_path(&update_key(&rom)).unwrap().url(),
                paths::update_page(&rom)
            );
            let key = DeviceKey {
                family,
                codename: codename.as_str(),
            };
            assert_eq!(
                device_path(&key).unwrap().url(),
                paths::device_page(family, &codename)
            );
            assert_eq!(
                archive_path(&key).unwrap().url(),
                paths::archive_page(family, &codename)
            );
        }
    }
}
