//! The static download site of romwatch.
//!
//! [`build`] turns release data ([`SiteData`]) into a directory any static
//! web server can serve: a page per update, device pages and archives, OS
//! indexes, a home page, feeds (RSS, Atom, JSON Feed), JSON API files, a
//! search index, a sitemap, `robots.txt` and a 404 page.
//!
//! - Templates are minijinja, embedded in the binary and overridable from a
//!   theme directory; every value from upstream is HTML-escaped by the
//!   template engine, and only http(s) URLs become links.
//! - Pages render in parallel (rayon).
//! - Builds are incremental and atomic: a file is rendered only when what
//!   it is made from changed, and a new version goes live with one
//!   rename(2) of a symlink (see [`publish`](crate::publish)).

mod api;
mod artifact;
mod catalog;
mod config;
mod data;
mod dates;
mod error;
mod feeds;
mod links;
mod pages;
mod publish;
mod report;
mod search;
mod shrink;
mod sitemap;
mod theme;
mod views;

use std::path::Path;

pub use catalog::Skipped;
pub use config::SiteConfig;
pub use data::{ExtraFile, SiteData};
pub use error::SiteError;
pub use report::{BuildReport, PhaseTiming};
pub use shrink::{Shrink, check_shrink};

use artifact::Artifact;
use catalog::Catalog;
use links::SitePath;
use publish::Publisher;
use report::Stopwatch;
use theme::Theme;

/// Builds the site for `data` and publishes it at `out`.
///
/// `out` becomes a symlink to the live version of the site, kept in
/// `.<name>.versions/` beside it; serve `out`. `theme` is a directory whose
/// `templates/` and `assets/` override the embedded default theme.
///
/// Only files whose content changed are written; when nothing changed,
/// nothing is written at all. A build that would remove more than half of
/// the published files is refused (see [`build_with`]). On error the
/// previously published site stays live and whole.
pub fn build(
    data: &SiteData,
    config: &SiteConfig,
    out: &Path,
    theme_dir: Option<&Path>,
) -> Result<BuildReport, SiteError> {
    build_with(data, config, out, theme_dir, Shrink::Refuse)
}

/// [`build`], saying whether the build may remove most of the published
/// site ([`Shrink::Allow`]: the operator means it).
pub fn build_with(
    data: &SiteData,
    config: &SiteConfig,
    out: &Path,
    theme_dir: Option<&Path>,
    shrink: Shrink,
) -> Result<BuildReport, SiteError> {
    let mut watch = Stopwatch::start();
    let site = config.view()?;
    let theme = Theme::load(theme_dir, &site)?;
    let publisher = Publisher::open(out)?;
    watch.lap("load");

    let catalog = Catalog::new(data);
    for skipped in &catalog.skipped {
        tracing::debug!(filename = %skipped.filename, reason = %skipped.reason, "ROM left out of the site");
    }
    if !catalog.skipped.is_empty() {
        tracing::warn!(
            count = catalog.skipped.len(),
            "ROMs left out of the site (listed in the build report)"
        );
    }
    watch.lap("catalog");

    let artifacts = plan(&catalog, &site, &theme, config.latest_count)?;
    watch.lap("plan");

    let published = publisher.publish(&artifacts, &theme, &mut watch, shrink)?;
    let report = BuildReport {
        files: artifacts.len(),
        written: published.written,
        unchanged: published.unchanged,
        removed: published.removed,
        published: published.dir,
        skipped: catalog.skipped.clone(),
        timings: watch.timings,
    };
    tracing::info!(
        files = report.files,
        written = report.written,
        unchanged = report.unchanged,
        removed = report.removed,
        "site built"
    );
    Ok(report)
}

/// Every file of the site, described but not yet rendered.
fn plan<'a>(
    catalog: &Catalog<'a>,
    site: &config::SiteView,
    theme: &Theme,
    latest_count: usize,
) -> Result<Vec<Artifact<'a>>, SiteError> {
    let ((updates, devices), (feeds, api)) = rayon::join(
        || {
            rayon::join(
                || pages::update_pages(catalog),
                || pages::device_pages(catalog),
            )
        },
        || {
            rayon::join(
                || feeds::feeds(catalog, site, latest_count),
                || api::api_files(catalog, site),
            )
        },
    );
    let mut artifacts = updates?;
    artifacts.extend(devices?);
    artifacts.extend(pages::listing_pages(catalog, latest_count)?);
    artifacts.extend(feeds?);
    artifacts.extend(api?);
    artifacts.push(search::search_index(catalog)?);
    for (name, bytes) in &theme.assets {
        artifacts.push(Artifact::bytes(
            SitePath::file(&["assets"], name)?,
            bytes.clone(),
        ));
    }
    for extra in catalog.extra_files {
        let mut segments: Vec<&str> = extra.path.split('/').collect();
        let name = segments.pop().unwrap_or_default();
        artifacts.push(Artifact::bytes(
            SitePath::file(&segments, name)?,
            extra.bytes.clone(),
        ));
    }
    let sitemaps = sitemap::sitemap_files(&artifacts, site, sitemap::MAX_URLS)?;
    artifacts.extend(sitemaps);
    Ok(artifacts)
}
