//! The command line: every subcommand and flag, with its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Tracks official Xiaomi ROM releases (MIUI, HyperOS) and publishes them.
#[derive(Debug, Parser)]
#[command(name = "romwatch", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The SQLite database (created on first use) [default: romwatch.db;
    /// also `db` in the config file]
    #[arg(long, global = true, env = "ROMWATCH_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// The config file; a missing default file is fine
    #[arg(
        long,
        global = true,
        env = "ROMWATCH_CONFIG",
        value_name = "FILE",
        default_value = "romwatch.toml"
    )]
    pub config: PathBuf,
    /// Print a machine-readable summary (JSON) instead of text
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import releases from a file into the store, all or nothing
    Import(ImportArgs),
    /// Export the store in one of the formats romwatch writes
    Export(ExportArgs),
    /// Parse package names (or download URLs) and print their fields
    Parse(ParseArgs),
    /// Count the store's ROMs by OS line, branch, method, region and year
    Stats,
    /// Check that a downloaded package is a known official file, untouched
    Verify(VerifyArgs),
    /// Deliver pending release events to the configured channels
    /// (Telegram, Discord, webhooks), each once per channel
    Notify(NotifyArgs),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct NotifyArgs {
    #[command(subcommand)]
    pub action: Option<NotifyAction>,
    /// Print what would be sent; send and record nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotifyAction {
    /// Send a test message, built from the newest ROM, to one channel
    Test {
        /// The channel's `name` in the config file
        channel: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to read, `-` for standard input; plain or gzip
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// jsonl (romwatch's interchange format) or latest-yml (the reference
    /// tracker's latest.yml) [default: guessed from the name and content]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Record notification events for what this import adds or learns, as
    /// the tracker does (to try channels out); by default an import is
    /// history and announces nothing
    #[arg(long)]
    pub announce: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// jsonl, json, csv, or latest-yml
    #[arg(long, default_value = "jsonl", value_name = "FORMAT")]
    pub format: String,
    /// Write to this file instead of standard output (atomically: the file
    /// appears whole or not at all)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The downloaded package (`.zip` or `.tgz`)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Package names or URLs; with none, one per line from standard input
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}
