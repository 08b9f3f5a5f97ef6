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
mod precompress;
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
pub use publish::{LiveVersion, live_version};
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
    let (site, theme, publisher) = open(config, out, theme_dir)?;
    watch.lap("load");
    build_loaded(data, config, &site, &theme, &publisher, watch, None, shrink)
}

/// What every build needs before its data: the checked config, the theme
/// and the locked output.
fn open(
    config: &SiteConfig,
    out: &Path,
    theme_dir: Option<&Path>,
) -> Result<(config::SiteView, Theme, Publisher), SiteError> {
    let site = config.view()?;
    let theme = Theme::load(theme_dir, &site)?;
    let publisher = Publisher::open(out)?;
    Ok((site, theme, publisher))
}

/// Builds the site like [`build`], for input that is known by its
/// `generation` before it is loaded: an opaque token that changes whenever
/// the data would (such as the store's generation). When the generation,
/// the theme and the config are those of the live version's last build,
/// nothing is loaded, planned or written; otherwise `load` gives the data
/// and the build runs as usual, refusing to shrink the site unless
/// `shrink` allows it (see [`build_with`]).
pub fn build_generation(
    generation: &str,
    load: impl FnOnce() -> Result<SiteData, LoadError>,
    config: &SiteConfig,
    out: &Path,
    theme_dir: Option<&Path>,
    shrink: Shrink,
) -> Result<BuildReport, SiteError> {
    let mut watch = Stopwatch::start();
    let (site, theme, publisher) = open(config, out, theme_dir)?;
    let inputs = inputs_fingerprint(generation, config, &theme)?;
    if let Some(stamp) = publisher.live_stamp().filter(|s| s.inputs == inputs) {
        watch.lap("load");
        return Ok(BuildReport {
            files: stamp.files,
            written: 0,
            unchanged: stamp.files,
            removed: 0,
            published: None,
            skipped: stamp.skipped,
            timings: watch.timings,
        });
    }
    watch.lap("load");
    let data = load().map_err(SiteError::Load)?;
    watch.lap("data");
    build_loaded(
        &data,
        config,
        &site,
        &theme,
        &publisher,
        watch,
        Some(inputs),
        shrink,
    )
}

/// Why [`build_generation`]'s `load` failed.
pub type LoadError = Box<dyn std::error::Error + Send + Sync>;

/// A fingerprint of everything a build is made from when its data is
/// known by `generation`: the theme (templates, assets, site settings,
/// the builder's version) and the whole config.
fn inputs_fingerprint(
    generation: &str,
    config: &SiteConfig,
    theme: &Theme,
) -> Result<String, SiteError> {
    let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
    hasher.update(generation.as_bytes());
    hasher.update(&[0]);
    hasher.update(&theme.salt.to_le_bytes());
    for (name, bytes) in &theme.assets {
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(&(bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let config = serde_json::to_vec(config).map_err(|source| SiteError::Json {
        path: "site config".into(),
        source,
    })?;
    hasher.update(&config);
    Ok(format!("{:032x}", hasher.digest128()))
}

/// The build from the catalog on, once data, theme and output are ready;
/// with `inputs`, the live version is stamped with them. `shrink` says
/// whether the build may remove most of the published site.
#[allow(clippy::too_many_arguments)]
fn build_loaded(
    data: &SiteData,
    config: &SiteConfig,
    site: &config::SiteView,
    theme: &Theme,
    publisher: &Publisher,
    mut watch: Stopwatch,
    inputs: Option<String>,
    shrink: Shrink,
) -> Result<BuildReport, SiteError> {
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

    let artifacts = plan(&catalog, site, theme, config.latest_count)?;
    watch.lap("plan");

    let published = publisher.publish(&artifacts, theme, &mut watch, shrink)?;
    let report = BuildReport {
        files: artifacts.len(),
        written: published.written,
        unchanged: published.unchanged,
        removed: published.removed,
        published: published.dir.clone(),
        skipped: catalog.skipped.clone(),
        timings: Vec::new(),
    };
    if let Some(inputs) = inputs {
        publisher.stamp(
            &published,
            &publish::Stamp {
                inputs,
                files: report.files,
                skipped: report.skipped.clone(),
            },
        )?;
    }
    let report = BuildReport {
        timings: watch.timings,
        ..report
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
    artifacts.push(pages::mirrors_page(catalog)?);
    artifacts.extend(feeds?);
    artifacts.extend(api?);
    artifacts.extend(search::search_files(catalog)?);
    for (name, bytes) in &theme.assets {
        let dirs: &[&str] = if theme::ROOT_ASSETS.contains(&name.as_str()) {
            &[]
        } else {
            &["assets"]
        };
        artifacts.push(Artifact::bytes(SitePath::file(dirs, name)?, bytes.clone()));
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
