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
    /// Build the static site (pages, feeds, JSON API, sitemap, search) from
    /// the store; only what changed is written, and the new site goes live
    /// atomically
    Build(BuildArgs),
    /// Upload the built site to S3-compatible object storage: only the files
    /// that changed since the last publish, removed files deleted last
    Publish(PublishArgs),
    /// Serve the built site, a live JSON API and search read from the store,
    /// /healthz and /metrics; never writes to the store
    Serve(ServeArgs),
    /// Watch romwatch work end to end on loopback: a simulated upstream,
    /// tracking, the site, the live server and a notification log, with a
    /// new ROM released every few seconds
    Demo(DemoArgs),
    /// Run a simulated Xiaomi upstream (all five sources, their real wire
    /// formats) on a local address, for tests and demos
    Sim(SimArgs),
    /// Check that a downloaded package is a known official file, untouched
    Verify(VerifyArgs),
    /// Deliver pending release events to the configured channels
    /// (Telegram, Discord, webhooks), each once per channel
    Notify(NotifyArgs),
    /// Check every device variant against every Xiaomi source and record
    /// what is new; the first run on an empty store is a silent baseline
    Track(TrackArgs),
    /// Check the stored files on every CDN mirror (HEAD, within a request
    /// budget) and record which hosts have them; files every mirror lost
    /// are marked withdrawn
    Mirrors(MirrorsArgs),
    /// Print the OpenAPI document (generated from the code) of the live API,
    /// the static API files and webhook bodies
    Openapi,
    /// Run as a service: track, check mirrors, build, then deliver
    /// notifications, on a schedule, until SIGINT or SIGTERM
    Run(RunArgs),
}

/// Loops: a tracking run, a mirror run (unless `[mirrors] enabled =
/// false`), a site build, then delivery to the configured channels (if
/// any), then a wait until the next round is due. SIGINT or SIGTERM during
/// tracking abandons the run (its unfinished batch is rolled back; finished
/// batches stay), during delivery lets it finish, and while waiting stops
/// at once. Each step logs one line of what it did.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Time from the start of one round to the next: `45s`, `30m`, `6h`,
    /// `1d`, or seconds
    #[arg(long, default_value = "6h", value_name = "INTERVAL", value_parser = parse_interval)]
    pub every: std::time::Duration,
    /// Where each round builds the site (as `romwatch build --out`)
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub out: PathBuf,
    /// A theme directory, as for `romwatch build`
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    #[command(flatten)]
    pub track: TrackArgs,
}

/// `45s`, `30m`, `6h`, `1d` or a number of seconds.
fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not an interval like 30m or 6h"))?;
    let seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(format!("unknown unit {unit:?}: use s, m, h or d")),
    };
    match number.checked_mul(seconds) {
        Some(0) | None => Err(format!("{text:?} is not a usable interval")),
        Some(s) => Ok(std::time::Duration::from_secs(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_interval;
    use std::time::Duration;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1_800)));
        assert_eq!(parse_interval("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("1d"), Ok(Duration::from_secs(86_400)));
        for bad in ["", "0s", "6w", "h", "-1h"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }
}

/// A tracking run: the device variants the community lists, China posts and
/// store name are each checked on the OTA API and the full-ROM endpoint
/// (stable and developer); a new file is checked on the CDN before it is
/// recorded (until then it is pending, and never announced). New ROMs and
/// newly learned facts get one outbox event each, written with them.
///
/// Exits 0 when anything could be checked (failed checks are in the
/// summary), 4 when nothing could.
#[derive(Debug, Clone, Args)]
pub struct TrackArgs {
    /// Send every source to this base URL (the simulator serves them all on
    /// one address) [also `[upstream]` in the config file]
    #[arg(long, env = "ROMWATCH_UPSTREAM", value_name = "URL")]
    pub upstream: Option<String>,
    /// Requests in flight at once [default: 4; `[tracker] concurrency`]
    #[arg(long, env = "ROMWATCH_CONCURRENCY", value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per second to one host, 0 for unlimited [default: 2;
    /// `[tracker] rate`]
    #[arg(long, env = "ROMWATCH_RATE", value_name = "R")]
    pub rate: Option<f64>,
    /// OTA queries this run may spend filling stored builds that lack their
    /// full MD5 or changelog, newest first; 0 turns it off [default: 500;
    /// `[tracker] backfill`]
    #[arg(long, env = "ROMWATCH_BACKFILL", value_name = "N")]
    pub backfill: Option<usize>,
    /// Announce the first run on an empty store too (by default it records
    /// a silent baseline, so channels are not flooded with history)
    #[arg(long)]
    pub announce_baseline: bool,
}

/// A mirror run: a `HEAD` on every mirror host (`[mirrors] hosts`, the five
/// CDN mirrors by default) for each file picked: every file first seen in
/// the last 90 days, then older files in turn, within the request budget.
/// Each host's answer is recorded (ok, slow, down, latency); a file every
/// mirror answered 404 for on three checks a day apart is marked withdrawn,
/// and restored when it answers again (one outbox event each, sent to
/// webhooks). Settings: the `[mirrors]` table.
#[derive(Debug, Clone, Args)]
pub struct MirrorsArgs {
    /// Ask every mirror host at this base URL, the host as the first path
    /// segment (`URL/<host>/<version>/<file>`, as `romwatch sim` serves them)
    #[arg(long, env = "ROMWATCH_UPSTREAM", value_name = "URL")]
    pub upstream: Option<String>,
    /// Requests in this run, over all hosts [default: 2000; `[mirrors]
    /// budget`]
    #[arg(long, value_name = "N")]
    pub budget: Option<usize>,
    /// Requests per second to one host, 0 for unlimited [default: 2;
    /// `[mirrors] rate`]
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// Take this time (RFC 3339) as now: to replay checks on other days
    #[arg(long, value_name = "TIME")]
    pub now: Option<chrono::DateTime<chrono::Utc>>,
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

/// Serves, on one address and at their real paths, the OTA updater API
/// (`/updates/miotaV3.php`, AES-encrypted as Xiaomi's), the full-ROM endpoint
/// (`/updates/v1/fullromdownload.php`, `/updates/miota-fullrom.php`), the
/// global community API (`/bbs/api/global/phone/…`), the China community
/// post API (`/api/community/post/detail`) and the CDN (`/<version>/<file>`,
/// HEAD and GET; a GET with `Range` reads the package as a real zip of its
/// nominal size, with its `META-INF/com/android/metadata`, while a plain GET
/// answers a small stand-in body whose MD5 is the catalog's). Point romwatch
/// at it with `--upstream http://ADDRESS`.
///
/// The catalog is generated from `--seed` with `--devices` variants (MIUI 7
/// to HyperOS 3, China and eight other regions, stable, Stable Beta, weekly
/// and public beta builds, fastboot images and incrementals, every package
/// name form), or loaded with `--catalog` from a romwatch JSON Lines file such
/// as `../shared/data/xfu-roms.jsonl`.
///
/// Control: `POST /_sim/release?count=N` publishes N new ROMs and answers
/// their file names; `GET /_sim/catalog` answers every published ROM as JSON
/// Lines (the ground truth); `GET /_sim/posts` lists the China post ids;
/// `POST /_sim/withdraw?file=NAME` makes every mirror answer 404 for a file,
/// `POST /_sim/restore?file=NAME` brings it back.
///
/// Every CDN mirror host is addressable on its own: the host travels as the
/// first path segment, `/<host>/<version>/<file>` (`/bn.d.miui.com/V…/x.zip`);
/// the plain `/<version>/<file>` is the usual mirror, bigota.d.miui.com.
/// `romwatch mirrors --upstream http://ADDRESS` asks each host there.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1:8099", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Device variants in the generated catalog
    #[arg(long, default_value_t = 1_400, value_name = "N")]
    pub devices: usize,
    /// Seed of the catalog, of the releases and of the fault draws
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Serve the ROMs of this JSON Lines file instead of a generated catalog
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// A fault to inject, `[<source>:]<fault>[=<arg>][@<when>]`; repeatable.
    /// Sources: ota, fullrom, community, china, cdn (none: all). Faults:
    /// latency=<ms>, timeout, reset, 429[=<secs>], 500, 502, 503, html,
    /// truncated, wrong-cipher, bad-base64, code-reply, small-body,
    /// no-package, ignore-range. When: `@0.1` or `@10%` a probability, `@1,3-5` request
    /// numbers of that source; none: every request. Example: `--fault
    /// ota:503@0.1 --fault cdn:small-body@1-2 --fault latency=150`
    #[arg(long = "fault", value_name = "RULE")]
    pub faults: Vec<romwatch_sim::FaultRule>,
    /// A mirror host that answers 404 for every file (one of the five CDN
    /// mirrors, e.g. `hugeota.d.miui.com`); repeatable
    #[arg(long = "mirror-down", value_name = "HOST", value_parser = romwatch_sim::known_mirror)]
    pub mirror_down: Vec<String>,
    /// A mirror host that answers every request this many milliseconds
    /// late, `HOST=MS`; repeatable
    #[arg(long = "mirror-slow", value_name = "HOST=MS")]
    pub mirror_slow: Vec<romwatch_sim::MirrorSlow>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The output: a symlink to the live version of the site (serve it)
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub out: PathBuf,
    /// A theme directory whose `templates/` and `assets/` override the
    /// embedded default theme
    #[arg(long, value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// Print the time of each phase
    #[arg(long)]
    pub timings: bool,
    /// Publish even if the build removes more than half of the published
    /// files (otherwise refused: an empty or wrong database would empty
    /// the site)
    #[arg(long)]
    pub allow_shrink: bool,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Where to: `s3://bucket/prefix` (default: `to` in `[publish]`).
    /// Credentials come from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
    #[arg(value_name = "TARGET")]
    pub to: Option<String>,
    /// The built site (`romwatch build --out`)
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub site: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// The built site (`romwatch build --out`)
    #[arg(long, default_value = "public", value_name = "DIR")]
    pub site: PathBuf,
}

/// Starts the simulated upstream in this process, tracks it into a fresh
/// store in `--dir`, builds the site, serves it with the live API, and
/// prints the URL. Then every `--every` it releases a new ROM upstream and
/// runs a cycle: track (the ROM is found and announced), build (its page,
/// feeds and API files appear), notify (a line in `--dir`/notifications.log).
/// Ctrl-C stops everything.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The address the site and API are served on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// The directory for the demo's store, site and notification log
    /// (made anew on every start)
    #[arg(long, default_value = "romwatch-demo", value_name = "DIR")]
    pub dir: PathBuf,
    /// Device variants of the simulated catalog
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub devices: usize,
    /// Seed of the simulated catalog and releases
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Time between releases: `5s`, `1m`, …
    #[arg(long, default_value = "10s", value_name = "INTERVAL", value_parser = parse_interval)]
    pub every: std::time::Duration,
    /// Stop after this many releases [default: run until Ctrl-C]
    #[arg(long, value_name = "N")]
    pub rounds: Option<u32>,
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
