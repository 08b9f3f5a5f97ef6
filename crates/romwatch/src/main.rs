//! romwatch: tracks official Xiaomi ROM releases (MIUI, HyperOS) and
//! publishes them.
//!
//! This binary only wires things together: it reads the config, sets up
//! logging, runs a subcommand from [`commands`], and turns its outcome into
//! an exit status. The work itself lives in the library crates.

mod cli;
mod commands;
mod config;
mod exit;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => exit::report(&err),
    }
}
