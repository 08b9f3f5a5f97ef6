//! Where each source lives and how to talk to it. The binary reads this
//! from the `[upstream]` table of `romwatch.toml`; every field has a default
//! that points at Xiaomi's real servers, so no config is needed to start.

use std::time::Duration;

use romwatch_model::{Codename, Region};
use serde::{Deserialize, Serialize};

use crate::cdn::usual_mirror;

/// The user agent sent unless configured otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("romwatch/", env!("CARGO_PKG_VERSION"));

/// How to reach one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The scheme and host (and any path prefix) the source's paths are
    /// appended to, without a trailing `/`.
    pub base_url: String,
    /// How long one request may take, connection to last byte.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// The largest answer read; anything longer is refused, since upstream
    /// answers are untrusted.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_user_agent() -> String {
    DEFAULT_USER_AGENT.to_string()
}

fn default_max_body_bytes() -> usize {
    8 << 20
}

impl SourceConfig {
    pub fn new(base_url: &str) -> SourceConfig {
        SourceConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            timeout_ms: default_timeout_ms(),
            user_agent: default_user_agent(),
            max_body_bytes: default_max_body_bytes(),
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// The OTA updater API has a China host and an international one, and
/// builds download links on a mirror.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtaConfig {
    /// The international host, asked for `*_global` variants.
    #[serde(flatten)]
    pub http: SourceConfig,
    /// The China host, asked for China variants.
    pub china_base_url: String,
    /// The CDN host download links are built on (`<mirror>/<version>/<filename>`).
    pub mirror: String,
    /// The updater app version sent as `options.av` for Android 15 and later.
    pub updater_version: String,
}

impl OtaConfig {
    /// The host asked about a variant: China variants (no region suffix)
    /// go to the China host, every other variant to the international one.
    pub fn base_url_for(&self, variant: &Codename) -> &str {
        if Region::of_variant(variant.as_str()) == Region::China {
            &self.china_base_url
        } else {
            &self.http.base_url
        }
    }
}

/// Every source's settings. Read from a file, each table may name only
/// the settings it changes; the rest keep their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "UpstreamFile")]
pub struct UpstreamConfig {
    pub ota: OtaConfig,
    /// `fullromdownload.php` and `miota-fullrom.php`.
    pub fullrom: SourceConfig,
    /// The global community API, up to and including `/bbs/api/global/phone`.
    pub community: SourceConfig,
    pub china: SourceConfig,
    /// The mirror asked for `HEAD` (any mirror serves every path).
    pub cdn: SourceConfig,
}

impl Default for UpstreamConfig {
    fn default() -> UpstreamConfig {
        UpstreamConfig {
            ota: OtaConfig {
                http: SourceConfig::new("https://update.intl.miui.com"),
                china_base_url: "https://update.miui.com".to_string(),
                mirror: usual_mirror(),
                updater_version: "9.0.6".to_string(),
            },
            fullrom: SourceConfig::new("https://update.intl.miui.com"),
            community: SourceConfig::new("https://sgp-api.buy.mi.com/bbs/api/global/phone"),
            china: SourceConfig::new("https://api.vip.miui.com"),
            cdn: SourceConfig::new(&usual_mirror()),
        }
    }
}

/// One source's table as written in a file: any subset of the settings.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SourceTable {
    base_url: Option<String>,
    timeout_ms: Option<u64>,
    user_agent: Option<String>,
    max_body_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct OtaTable {
    base_url: Option<String>,
    timeout_ms: Option<u64>,
    user_agent: Option<String>,
    max_body_bytes: Option<usize>,
    china_base_url: Option<String>,
    mirror: Option<String>,
    updater_version: Option<String>,
}

/// The `[upstream]` table as written in a file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct UpstreamFile {
    ota: OtaTable,
    fullrom: SourceTable,
    community: SourceTable,
    china: SourceTable,
    cdn: SourceTable,
}

impl SourceTable {
    fn apply(self, config: &mut SourceConfig) {
        if let Some(v) = self.base_url {
            config.base_url = v;
        }
        if let Some(v) = self.timeout_ms {
            config.timeout_ms = v;
        }
        if let Some(v) = self.user_agent {
            config.user_agent = v;
        }
        if let Some(v) = self.max_body_bytes {
            config.max_body_bytes = v;
        }
    }
}

impl From<UpstreamFile> for UpstreamConfig {
    fn from(file: UpstreamFile) -> UpstreamConfig {
        let mut config = UpstreamConfig::default();
        let ota = file.ota;
        let http = SourceTable {
            base_url: ota.base_url,
            timeout_ms: ota.timeout_ms,
            user_agent: ota.user_agent,
            max_body_bytes: ota.max_body_bytes,
        };
        http.apply(&mut config.ota.http);
        if let Some(v) = ota.china_base_url {
            config.ota.china_base_url = v;
        }
        if let Some(v) = ota.mirror {
            config.ota.mirror = v;
        }
        if let Some(v) = ota.updater_version {
            config.ota.updater_version = v;
        }
        file.fullrom.apply(&mut config.fullrom);
        file.community.apply(&mut config.community);
        file.china.apply(&mut config.china);
        file.cdn.apply(&mut config.cdn);
        config
    }
}

impl UpstreamConfig {
    /// Every source pointed at one address, where the simulated upstream
    /// serves them all at their real paths (`http://127.0.0.1:8080`).
    /// Download links keep the real mirror host; the CDN adapter asks `base`.
    pub fn pointing_at(base: &str) -> UpstreamConfig {
        let base = base.trim_end_matches('/');
        let mut config = UpstreamConfig::default();
        config.ota.http.base_url = base.to_string();
        config.ota.china_base_url = base.to_string();
        config.fullrom.base_url = base.to_string();
        config.community.base_url = format!("{base}/bbs/api/global/phone");
        config.china.base_url = base.to_string();
        config.cdn.base_url = base.to_string();
        config
    }

    /// Sets one timeout on every source.
    pub fn with_timeout(mut self, timeout: Duration) -> UpstreamConfig {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        for source in [
            &mut self.ota.http,
            &mut self.fullrom,
            &mut self.community,
            &mut self.china,
            &mut self.cdn,
        ] {
            source.timeout_ms = ms;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_tables_keep_defaults() {
        let json = r#"{"cdn": {"base_url": "http://127.0.0.1:9"},
                       "ota": {"timeout_ms": 5000, "mirror": "https://hugeota.d.miui.com"}}"#;
        let config: UpstreamConfig = serde_json::from_str(json).unwrap();
        let defaults = UpstreamConfig::default();
        assert_eq!(config.cdn.base_url, "http://127.0.0.1:9");
        assert_eq!(config.cdn.timeout_ms, defaults.cdn.timeout_ms);
        assert_eq!(config.ota.http.timeout_ms, 5_000);
        assert_eq!(config.ota.http.base_url, defaults.ota.http.base_url);
        assert_eq!(config.ota.mirror, "https://hugeota.d.miui.com");
        assert_eq!(config.community, defaults.community);
        assert_eq!(
            serde_json::from_str::<UpstreamConfig>("{}").unwrap(),
            defaults
        );
    }

    #[test]
    fn china_variants_ask_the_china_host() {
        let ota = UpstreamConfig::default().ota;
        let variant = |v: &str| Codename::new(v).unwrap();
        assert_eq!(
            ota.base_url_for(&variant("alioth")),
            "https://update.miui.com"
        );
        for global in ["alioth_global", "corot_eea_global", "agate_in_global"] {
            assert_eq!(
                ota.base_url_for(&variant(global)),
                "https://update.intl.miui.com"
            );
        }
    }

    #[test]
    fn unknown_settings_are_refused() {
        for json in [r#"{"cdn": {"base_ulr": "x"}}"#, r#"{"fastboot": {}}"#] {
            assert!(
                serde_json::from_str::<UpstreamConfig>(json).is_err(),
                "{json}"
            );
        }
    }
}
