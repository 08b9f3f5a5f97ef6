//! The `[notify]` part of `romwatch.toml`. Secrets never sit in the file:
//! it names the environment variables that hold them.

use romwatch_model::{Branch, Method, OsLine, Region};
use romwatch_store::Event;
use serde::Deserialize;

/// Every configured channel, by kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    pub telegram: Vec<TelegramConfig>,
    pub discord: Vec<DiscordConfig>,
    pub webhook: Vec<WebhookConfig>,
    pub file: Vec<FileConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    pub name: String,
    /// A chat id (`-1001234567890`) or a public channel (`@MIUIUpdatesTracker`).
    pub chat: String,
    /// The environment variable holding the bot token.
    pub token_env: String,
    /// The Bot API base URL.
    #[serde(default = "telegram_api")]
    pub api_base: String,
    #[serde(default)]
    pub filter: Filter,
}

fn telegram_api() -> String {
    "https://api.telegram.org".to_string()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    pub name: String,
    /// The webhook URL (it holds the webhook's token: treat it as a secret).
    pub webhook_url: Option<String>,
    /// Or the environment variable holding it.
    pub webhook_url_env: Option<String>,
    #[serde(default)]
    pub filter: Filter,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    pub url: String,
    /// The environment variable holding the HMAC secret.
    pub secret_env: String,
    #[serde(default)]
    pub filter: Filter,
}

/// A local log file of announcements, one JSON line each.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub name: String,
    pub path: std::path::PathBuf,
    #[serde(default)]
    pub filter: Filter,
}

/// Which events a channel wants. An empty list means "all".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Device codenames (`alioth`) or variant codenames (`alioth_global`).
    pub codenames: Vec<String>,
    /// Region codes or names: `global`, `eea`, `cn`, `China`, …
    pub regions: Vec<String>,
    pub branches: Vec<Branch>,
    pub methods: Vec<Method>,
    /// `MIUI`, `HyperOS`, or a line such as `HyperOS 2`.
    pub os: Vec<OsLine>,
}

impl Filter {
    pub fn matches(&self, event: &Event) -> bool {
        let rom = &event.rom;
        let any = |list: &[String], pred: &dyn Fn(&str) -> bool| {
            list.is_empty() || list.iter().any(|x| pred(x))
        };
        any(&self.codenames, &|c| {
            c == rom.codename.as_str() || c == rom.variant.as_str()
        }) && any(&self.regions, &|r| region_matches(r, &event.device.region))
            && (self.branches.is_empty() || self.branches.contains(&rom.branch))
            && (self.methods.is_empty() || self.methods.contains(&rom.method))
            && (self.os.is_empty()
                || self.os.iter().any(|line| {
                    line.family == rom.os.family
                        && line.major.is_none_or(|m| rom.os.major == Some(m))
                }))
    }
}

fn region_matches(wanted: &str, region: &Region) -> bool {
    wanted.eq_ignore_ascii_case(region.code()) || wanted.eq_ignore_ascii_case(&region.name())
}

/// A channel that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum ChannelConfigError {
    #[error("channel {channel:?}: the environment variable {var} is not set")]
    MissingSecret { channel: String, var: String },
    #[error("channel {channel:?}: {message}")]
    Invalid { channel: String, message: String },
    #[error("two channels are named {0:?}; names must be unique")]
    DuplicateName(String),
    /// The channel's HTTP client could not be built (the TLS backend failed
    /// to start).
    #[error("channel {channel:?}: cannot set up its HTTP client")]
    Client {
        channel: String,
        #[source]
        source: reqwest::Error,
    },
}
