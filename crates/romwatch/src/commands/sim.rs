//! `romwatch sim`: the simulated Xiaomi upstream, until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_upstream::sim::{self, FaultConfig, SimOptions};

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
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!("simulated Xiaomi upstream on http://{addr} (Ctrl-C stops it); point romwatch at it with --upstream http://{addr}");
        sim::serve_until(listener, options, super::stop_signal()).await.context("the simulator stopped")
    })?;
    Ok(ExitCode::SUCCESS)
}
