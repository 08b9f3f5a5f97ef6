//! `romwatch.toml`: settings that outlive one command. Every key has a
//! default, so no file is needed to start; flags and `ROMWATCH_*`
//! environment variables override the file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The parts of the config file this build reads. Sections it does not know
/// are left alone, so one file can serve several versions of romwatch.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The database file.
    pub db: Option<PathBuf>,
    /// `[site]`: title, base URL, channel links.
    pub site: romwatch_site::SiteConfig,
    /// `[[notify.telegram]]`, `[[notify.discord]]`, `[[notify.webhook]]`.
    pub notify: romwatch_notify::NotifyConfig,
    /// `[upstream.ota]`, `[upstream.cdn]`, …: where Xiaomi's sources are.
    pub upstream: romwatch_upstream::UpstreamConfig,
    /// `[tracker]`: concurrency, rate limit, retries, China posts.
    pub tracker: romwatch_tracker::TrackerConfig,
    /// `[mirrors]`: whether `run` checks mirrors, budget, rate, hosts.
    pub mirrors: romwatch_tracker::MirrorConfig,
    /// `[serve]`: connection cap, timeouts, query bounds of `romwatch serve`.
    pub serve: romwatch_server::ServeConfig,
    /// `[publish]`: the bucket the site is uploaded to after each build of
    /// `romwatch run`, and how to reach it.
    pub publish: romwatch_publish::PublishConfig,
}

impl Config {
    /// Reads `path`. A missing file is an empty config when it is the
    /// default name; a missing file the user named is an error.
    pub fn load(path: &Path, named_by_user: bool) -> anyhow::Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named_by_user => {
                return Ok(Config::default());
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the config file {}", path.display()));
            }
        };
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    /// The database path: flag or `ROMWATCH_DB`, then the file, then `romwatch.db`.
    pub fn db_path(&self, flag: Option<&Path>) -> PathBuf {
        flag.map(Path::to_path_buf)
            .or_else(|| self.db.clone())
            .unwrap_or_else(|| PathBuf::from("romwatch.db"))
    }
}
