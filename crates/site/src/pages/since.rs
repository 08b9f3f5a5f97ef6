//! "Since my version": per device page, `/<os>/<codename>/since.json`,
//! every build of each variant newest first, with its changelog and files,
//! which `site.js` turns into the answer to "what changed since the version
//! I run, and what do I download": the newer builds with their changelogs
//! combined, and the incremental package from that version if one exists,
//! else the full ROM.

use std::collections::HashMap;

use romwatch_model::Method;
use serde::Serialize;

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::{Catalog, DeviceKey};
use crate::links::SitePath;
use crate::views::{IncrementalView, changelog_lines, incremental_views, update_key, update_path};

#[derive(Serialize)]
struct SinceFile<'a> {
    schema: u32,
    variants: Vec<SinceVariant<'a>>,
}

/// One variant and its builds, newest first.
#[derive(Serialize)]
struct SinceVariant<'a> {
    codename: &'a str,
    name: &'a str,
    /// The region's name (`Global`), as the device page's region filter
    /// lists it; empty when the variant is unknown.
    region: String,
    builds: Vec<Build<'a>>,
}

/// One version of a variant: its full ROM files and the incremental
/// packages that update to it.
#[derive(Serialize)]
struct Build<'a> {
    version: &'a str,
    branch: &'static str,
    date: Option<String>,
    android: Option<&'a str>,
    /// The Android security patch (YYYY-MM-DD) from the package metadata of
    /// any of the build's files (a fastboot image takes its recovery
    /// package's), or null; `site.js` shows it when present.
    security_patch: Option<String>,
    changelog: Vec<&'a str>,
    /// The update page, from the site root.
    page: String,
    /// The file to install from any version: the Recovery package, else
    /// the Fastboot one.
    full: Option<FullFile<'a>>,
    incrementals: Vec<IncrementalView<'a>>,
}

#[derive(Serialize)]
struct FullFile<'a> {
    filename: &'a str,
    url: Option<&'a str>,
    size: Option<String>,
    method: &'static str,
}

/// The `since.json` of one device page; `releases` newest first.
pub(crate) fn since_file<'a>(
    catalog: &Catalog<'a>,
    key: &DeviceKey<'a>,
    releases: &[usize],
) -> Result<Artifact<'a>, SiteError> {
    let mut variants: Vec<SinceVariant<'a>> = Vec::new();
    // (variant, version) → the build's index in its variant's list
    let mut builds: HashMap<(&str, &str), usize> = HashMap::new();
    for &i in releases {
        let rom = catalog.rom(i);
        if rom.kind.is_incremental() {
            continue;
        }
        let v = match variants
            .iter()
            .position(|v| v.codename == rom.variant.as_str())
        {
            Some(v) => v,
            None => {
                variants.push(SinceVariant {
                    codename: rom.variant.as_str(),
                    name: catalog.variant_name(rom),
                    region: catalog
                        .variant(rom)
                        .map_or(String::new(), |d| d.region.name()),
                    builds: Vec::new(),
                });
                variants.len() - 1
            }
        };
        let list = &mut variants[v].builds;
        let b = *builds
            .entry((rom.variant.as_str(), rom.version.as_str()))
            .or_insert_with(|| {
                list.push(Build {
                    version: rom.version.as_str(),
                    branch: rom.branch.name(),
                    date: rom.released.map(|d| d.format("%Y-%m-%d").to_string()),
                    android: rom.android.as_deref(),
                    security_patch: None,
                    changelog: Vec::new(),
                    page: String::new(),
                    full: None,
                    incrementals: Vec::new(),
                });
                list.len() - 1
            });
        let build = &mut list[b];
        if build.security_patch.is_none() {
            build.security_patch = catalog.security_patch(rom).map(|d| d.to_string());
        }
        // The Recovery package is the one an updater installs; its
        // changelog and page stand for the build.
        let recovery = rom.method == Method::Recovery;
        if build.full.is_none() || recovery {
            build.full = Some(FullFile {
                filename: &rom.filename,
                url: rom.url.as_ref().map(romwatch_model::Link::as_str),
                size: rom.size.map(|s| s.human()),
                method: rom.method.name(),
            });
            build.page = update_path(&update_key(rom))?.url();
        }
        if build.changelog.is_empty() || recovery {
            let lines = changelog_lines(rom);
            if !lines.is_empty() {
                build.changelog = lines;
            }
        }
        if recovery {
            build.incrementals = incremental_views(catalog, rom);
        }
    }
    Artifact::json(
        SitePath::file(&[key.family.slug(), key.codename], "since.json")?,
        &SinceFile {
            schema: 1,
            variants,
        },
    )
}
