//! `romwatch build`: the static site from the store.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_site::{BuildReport, ExtraFile, Shrink, SiteData};
use romwatch_store::formats::{self, Format};

use super::{Context, print_json};
use crate::cli::BuildArgs;

pub fn run(ctx: &Context, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let shrink = if args.allow_shrink {
        Shrink::Allow
    } else {
        Shrink::Refuse
    };
    let report = build_site(ctx, &args.out, args.theme.as_deref(), shrink)?;
    if ctx.json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", summary_line(&args.out, &report));
    for skipped in &report.skipped {
        eprintln!("skipped {}: {}", skipped.filename, skipped.reason);
    }
    if args.timings {
        for t in &report.timings {
            println!("  {:<10} {:>8.3} s", t.phase, t.seconds);
        }
        println!("  {:<10} {:>8.3} s", "total", report.total_seconds());
    }
    Ok(ExitCode::SUCCESS)
}

/// What a build did, in one line.
pub fn summary_line(out: &Path, report: &BuildReport) -> String {
    if report.changed() {
        format!(
            "{}: {} files: {} written, {} unchanged, {} removed",
            out.display(),
            report.files,
            report.written,
            report.unchanged,
            report.removed
        )
    } else {
        format!(
            "{}: {} files, nothing changed; nothing written",
            out.display(),
            report.files
        )
    }
}

/// The days of mirror checks the mirrors page sums up.
pub const HEALTH_DAYS: i64 = 7;

/// Builds the site from the store into `out`. The store is read only when
/// its generation (or the theme or config) changed since the last build;
/// the time spent reading it is the report's `data` phase. `shrink` says
/// whether the build may remove most of the published site.
pub fn build_site(
    ctx: &Context,
    out: &Path,
    theme: Option<&Path>,
    shrink: Shrink,
) -> anyhow::Result<BuildReport> {
    let mut store = ctx.store_to_read()?;
    let generation = store.generation()?;
    let load = || -> Result<SiteData, romwatch_site::LoadError> {
        let snapshot = store.snapshot()?;
        // The reference-compatible latest.yml is published with the site.
        let mut latest_yml = Vec::new();
        formats::write(&snapshot, Format::LatestYml, &mut latest_yml)
            .context("cannot write latest.yml")?;
        Ok(SiteData {
            devices: snapshot.devices,
            roms: snapshot.roms,
            extra_files: vec![ExtraFile {
                path: "latest.yml".to_string(),
                bytes: latest_yml,
            }],
            mirrors: store.mirror_states(None)?,
            hosts: store.host_health(chrono::Utc::now(), HEALTH_DAYS)?,
        })
    };
    romwatch_site::build_generation(&generation, load, &ctx.config.site, out, theme, shrink)
        .with_context(|| format!("cannot build the site in {}", out.display()))
}
