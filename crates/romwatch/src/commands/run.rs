//! `romwatch run --every 6h`: track, check mirrors (when `[mirrors]` is
//! enabled), build the site, then notify, on a schedule, until SIGINT or
//! SIGTERM.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{SecondsFormat, Utc};
use romwatch_notify::{DeliveryOptions, Links, build_channels, deliver};
use romwatch_site::Shrink;

use super::Context;
use super::build::{build_site, summary_line as build_summary};
use super::mirrors::{checker, summary_line as mirrors_summary};
use super::publish::summary_line as publish_summary;
use super::track::{summary_line, tracker};
use crate::cli::{MirrorsArgs, RunArgs};

/// One log line, stamped, on stdout.
fn log(step: &str, line: &str) {
    println!(
        "{} {step}: {line}",
        Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
    );
}

pub fn run(ctx: &Context, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let tracker = tracker(ctx, &args.track)?;
    let mirror_args = MirrorsArgs {
        upstream: args.track.upstream.clone(),
        budget: None,
        rate: args.track.rate,
        now: None,
    };
    let mirrors = (ctx.config.mirrors.enabled)
        .then(|| checker(ctx, &mirror_args))
        .transpose()?;
    let channels = build_channels(&ctx.config.notify, &|var| std::env::var(var).ok())?;
    let links = Links {
        base_url: ctx.config.site.base_url.clone(),
    };
    let mut store = ctx.store()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    if channels.is_empty() {
        log(
            "notify",
            "no channel is configured; events wait in the outbox",
        );
    }
    runtime.block_on(async {
        let stop = super::stop_signal();
        tokio::pin!(stop);
        loop {
            let started = tokio::time::Instant::now();
            tokio::select! {
                summary = tracker.run(&mut store, &()) => match summary {
                    Ok(summary) => log("track", &summary_line(&summary)),
                    // A failed run (the database, say) is retried next round.
                    Err(error) => log("track", &format!("failed: {:#}", anyhow::Error::from(error))),
                },
                () = &mut stop => {
                    log("track", "stopped; the unfinished batch was rolled back");
                    return Ok::<(), anyhow::Error>(());
                }
            }
            if let Some(mirrors) = &mirrors {
                tokio::select! {
                    summary = mirrors.run(&mut store, Utc::now()) => match summary {
                        Ok(summary) => log("mirrors", &mirrors_summary(&summary)),
                        Err(error) => log("mirrors", &format!("failed: {:#}", anyhow::Error::from(error))),
                    },
                    // Results are written in one transaction at the end:
                    // stopping before it records nothing.
                    () = &mut stop => {
                        log("mirrors", "stopped; nothing of this run was recorded");
                        return Ok(());
                    }
                }
            }
            // The site is rebuilt every round: a build without new data
            // writes nothing, so this costs a read of the store. A round
            // never empties the site: a shrink needs `build --allow-shrink`.
            let built = match build_site(ctx, &args.out, args.theme.as_deref(), Shrink::Refuse) {
                Ok(report) => {
                    log("build", &build_summary(&args.out, &report));
                    true
                }
                Err(error) => {
                    log("build", &format!("failed: {error:#}"));
                    false
                }
            };
            // A failed build publishes nothing: the bucket keeps the last
            // good site. Publishing again what is already up uploads nothing.
            if built && ctx.config.publish.to.is_some() {
                match romwatch_publish::publish(&args.out, &ctx.config.publish).await {
                    Ok(report) => log("publish", &publish_summary(&report)),
                    Err(error) => log("publish", &format!("failed: {:#}", anyhow::Error::from(error))),
                }
            }
            if !channels.is_empty() {
                // Delivery is not cut short: a message sent must be marked
                // delivered, or the next round would send it again.
                match deliver(&mut store, &channels, &links, &DeliveryOptions::default()).await {
                    Ok(report) => {
                        for c in &report.channels {
                            log(
                                "notify",
                                &format!(
                                    "{}: {} delivered, {} failed, {} skipped, {} pending",
                                    c.channel, c.delivered, c.failed, c.skipped, c.pending
                                ),
                            );
                        }
                    }
                    Err(error) => log("notify", &format!("failed: {:#}", anyhow::Error::from(error))),
                }
            }
            let next = started + args.every;
            log(
                "run",
                &format!(
                    "next round in {}s",
                    next.saturating_duration_since(tokio::time::Instant::now())
                        .max(Duration::ZERO)
                        .as_secs()
                ),
            );
            tokio::select! {
                () = tokio::time::sleep_until(next) => {}
                () = &mut stop => {
                    log("run", "stopped");
                    return Ok(());
                }
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
