//! `romwatch track`: one tracking run, with a progress bar on a terminal
//! and a summary at the end.

use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::ProgressBar;
use romwatch_tracker::{Summary, Tracker};
use romwatch_upstream::UpstreamConfig;

use super::{Context, print_json};
use crate::cli::TrackArgs;
use crate::{exit, progress};

/// The terminal bar, counting variants.
struct Bar(ProgressBar);

impl romwatch_tracker::Progress for Bar {
    fn planned(&self, variants: u64) {
        self.0.set_length(variants);
    }

    fn checked(&self) {
        self.0.inc(1);
    }
}

/// The config's sources, each sent to `base` if given; other settings
/// (timeouts, user agent) are kept.
fn upstream(config: &UpstreamConfig, base: Option<&str>) -> UpstreamConfig {
    let mut upstream = config.clone();
    if let Some(base) = base {
        let at = UpstreamConfig::pointing_at(base);
        upstream.ota.http.base_url = at.ota.http.base_url;
        upstream.ota.china_base_url = at.ota.china_base_url;
        upstream.fullrom.base_url = at.fullrom.base_url;
        upstream.community.base_url = at.community.base_url;
        upstream.china.base_url = at.china.base_url;
        upstream.cdn.base_url = at.cdn.base_url;
    }
    upstream
}

/// The tracker the flags and the config file describe.
pub(super) fn tracker(ctx: &Context, args: &TrackArgs) -> anyhow::Result<Tracker> {
    let mut config = ctx.config.tracker.clone();
    if let Some(n) = args.concurrency {
        config.concurrency = n;
    }
    if let Some(rate) = args.rate {
        anyhow::ensure!(rate >= 0.0 && rate.is_finite(), "--rate must be 0 or more");
        config.rate = rate;
    }
    if let Some(n) = args.backfill {
        config.backfill = n;
    }
    config.announce_baseline |= args.announce_baseline;
    let upstream = upstream(&ctx.config.upstream, args.upstream.as_deref());
    Tracker::new(&upstream, config).context("cannot set up the tracker")
}

pub fn run(ctx: &Context, args: &TrackArgs) -> anyhow::Result<ExitCode> {
    let tracker = tracker(ctx, args)?;
    // The store is opened before the runtime starts, so a database error
    // is reported before any request is sent.
    let mut store = ctx.store()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let bar = Bar(progress::bar("variants"));
    let summary = runtime
        .block_on(tracker.run(&mut store, &bar))
        .context("the tracking run failed")?;
    bar.0.finish_and_clear();
    if ctx.json {
        print_json(&summary)?;
    } else {
        print_summary(&summary);
    }
    Ok(if summary.nothing_checked() {
        ExitCode::from(exit::NOTHING_CHECKED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The first line of the summary.
pub(super) fn summary_line(summary: &Summary) -> String {
    format!(
        "{} variants, {} checks ({} answered): {} new, {} changed, {} pending, {} events{}{}",
        summary.variants,
        summary.checks,
        summary.checks_ok,
        summary.new,
        summary.changed,
        summary.pending,
        summary.events,
        if summary.baseline && summary.events == 0 {
            " (baseline: nothing announced)"
        } else {
            ""
        },
        if summary.held > 0 {
            format!(
                "; {} held until the check that decides their branch answers",
                summary.held
            )
        } else {
            String::new()
        }
    )
}

fn print_summary(summary: &Summary) {
    println!("{}", summary_line(summary));
    let backfill = &summary.backfill;
    println!(
        "  backfill: {} asked, {} filled, {} left",
        backfill.asked, backfill.filled, backfill.left
    );
    let metadata = &summary.metadata;
    println!(
        "  package metadata: {} read, {} failed, {} range requests, {} bytes{}",
        metadata.read,
        metadata.failed,
        metadata.requests,
        metadata.bytes,
        if metadata.pre_build_mismatches > 0 {
            format!(
                "; {} incrementals whose pre-build names another version",
                metadata.pre_build_mismatches
            )
        } else {
            String::new()
        }
    );
    for (source, report) in &summary.sources {
        let errors: Vec<String> = report
            .errors
            .iter()
            .map(|(cause, n)| format!("{cause} ×{n}"))
            .collect();
        println!(
            "  {source}: {} checks, {} requests, {} retries, {} failed{}{}",
            report.checks,
            report.requests,
            report.retries,
            report.failed,
            if report.suspended {
                format!(", suspended ({} skipped)", report.skipped)
            } else {
                String::new()
            },
            if errors.is_empty() {
                String::new()
            } else {
                format!(" [{}]", errors.join(", "))
            }
        );
    }
}
