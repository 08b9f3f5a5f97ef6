//! `romwatch notify`: deliver pending events to the configured channels.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_notify::{
    DeliveryOptions, DeliveryReport, Links, build_channels, deliver, preview, send_test,
};

use super::{Context, print_json};
use crate::cli::{NotifyAction, NotifyArgs};

pub fn run(ctx: &Context, args: &NotifyArgs) -> anyhow::Result<ExitCode> {
    let channels = build_channels(&ctx.config.notify, &|var| std::env::var(var).ok())?;
    if channels.is_empty() {
        anyhow::bail!(
            "no channel is configured: add [[notify.telegram]], [[notify.discord]] or [[notify.webhook]] to the config file"
        );
    }
    let links = Links {
        base_url: ctx.config.site.base_url.clone(),
    };
    let mut store = ctx.store()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    if let Some(NotifyAction::Test { channel }) = &args.action {
        let target = channels
            .iter()
            .find(|c| c.name() == channel)
            .with_context(|| format!("no channel named {channel:?} in the config file"))?;
        let event = store.sample_event()?.context(
            "the store holds no ROM to build a test message from; import or track first",
        )?;
        runtime
            .block_on(send_test(target.as_ref(), &channels, &event, &links))
            .with_context(|| format!("the test message to {channel:?} was not delivered"))?;
        println!("test message delivered to {channel}");
        return Ok(ExitCode::SUCCESS);
    }

    let options = DeliveryOptions::default();
    if args.dry_run {
        let previews = preview(&store, &channels, &links, options.batch)?;
        if ctx.json {
            for p in &previews {
                print_json(p)?;
            }
        } else {
            for p in &previews {
                println!(
                    "== {} ← event {} ({})\n{}\n",
                    p.channel, p.event_id, p.filename, p.body
                );
            }
            println!("{} message(s) would be sent", previews.len());
        }
        return Ok(ExitCode::SUCCESS);
    }

    let report = runtime.block_on(deliver(&mut store, &channels, &links, &options))?;
    if ctx.json {
        print_json(&report)?;
    } else {
        print_summary(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(report: &DeliveryReport) {
    for c in &report.channels {
        println!(
            "{} ({}): {} delivered, {} failed, {} skipped, {} pending",
            c.channel, c.kind, c.delivered, c.failed, c.skipped, c.pending
        );
        for e in &c.errors {
            println!("  error: {e}");
        }
    }
}
