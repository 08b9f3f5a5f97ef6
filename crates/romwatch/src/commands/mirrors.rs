//! `romwatch mirrors`: one mirror run, and its summary.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use romwatch_tracker::{MirrorChecker, MirrorSummary};

use super::{Context, print_json};
use crate::cli::MirrorsArgs;

/// The checker the flags and the config file describe.
pub(super) fn checker(ctx: &Context, args: &MirrorsArgs) -> anyhow::Result<MirrorChecker> {
    let mut config = ctx.config.mirrors.clone();
    if let Some(budget) = args.budget {
        config.budget = budget;
    }
    if let Some(rate) = args.rate {
        anyhow::ensure!(rate >= 0.0 && rate.is_finite(), "--rate must be 0 or more");
        config.rate = rate;
    }
    MirrorChecker::new(config, &ctx.config.upstream.cdn, args.upstream.as_deref())
        .context("cannot set up the mirror checks")
}

pub fn run(ctx: &Context, args: &MirrorsArgs) -> anyhow::Result<ExitCode> {
    let checker = checker(ctx, args)?;
    let mut store = ctx.store()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let now = args.now.unwrap_or_else(Utc::now);
    let summary = runtime
        .block_on(checker.run(&mut store, now))
        .context("the mirror run failed")?;
    if ctx.json {
        print_json(&summary)?;
    } else {
        println!("{}", summary_line(&summary));
        for (host, tally) in &summary.hosts {
            println!(
                "  {host}: {} ok, {} slow, {} down",
                tally.ok, tally.slow, tally.down
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line: what was checked and what changed.
pub(super) fn summary_line(summary: &MirrorSummary) -> String {
    let recorded = &summary.recorded;
    format!(
        "{} files, {} requests: {} changed, {} withdrawn, {} restored",
        recorded.files,
        summary.requests,
        recorded.changed,
        recorded.withdrawn.len(),
        recorded.restored.len()
    )
}
