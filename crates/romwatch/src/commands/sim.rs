//! `romwatch sim`: the simulated Xiaomi upstream, until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_sim::{self as sim, FaultConfig, SimOptions};

use crate::cli::SimArgs;

pub fn run(args: &SimArgs) -> anyhow::Result<ExitCode> {
    let options = SimOptions {
        devices: args.devices,
        seed: args.seed,
        catalog: args.catalog.clone(),
        faults: FaultConfig {
            rules: args.faults.clone(),
            ..FaultConfig::default()
        },
        mirror_down: args.mirror_down.clone(),
        mirror_slow: args.mirror_slow.clone(),
    };
    super::listen_until_stopped(
        args.listen,
        None,
        |addr| {
            format!(
                "simulated Xiaomi upstream on http://{addr} (Ctrl-C stops it); point romwatch at it with --upstream http://{addr}"
            )
        },
        |listener, stop| async move {
            sim::serve_until(listener, options, stop)
                .await
                .context("the simulator stopped")
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
