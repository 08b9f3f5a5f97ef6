//! `romwatch publish s3://bucket/prefix`: the built site, uploaded to
//! object storage.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_publish::{PublishConfig, PublishReport, publish};

use super::{Context, print_json};
use crate::cli::PublishArgs;

pub fn run(ctx: &Context, args: &PublishArgs) -> anyhow::Result<ExitCode> {
    let config = PublishConfig {
        to: args.to.clone().or_else(|| ctx.config.publish.to.clone()),
        ..ctx.config.publish.clone()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(publish(&args.site, &config))?;
    if ctx.json {
        print_json(&report)?;
    } else {
        println!("{}", summary_line(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// What a publish did, in one line.
pub fn summary_line(report: &PublishReport) -> String {
    format!(
        "{} files: {} uploaded ({} bytes), {} deleted, {} unchanged",
        report.files, report.uploaded, report.bytes, report.deleted, report.unchanged
    )
}
