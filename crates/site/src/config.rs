//! The site's settings: title, base URL and channel links.

use romwatch_model::Link;
use serde::{Deserialize, Serialize};

use crate::SiteError;

/// What a site owner sets in `romwatch.toml` (`[site]`). Every field has a
/// default so that a build needs no configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// Shown in the header, page titles and feed titles.
    pub title: String,
    /// A one-line description for the home page and feeds.
    pub description: String,
    /// The absolute URL the site is served at (`https://roms.example.org`,
    /// optionally with a path). Feeds, the sitemap and canonical links need
    /// absolute URLs.
    pub base_url: String,
    /// A Telegram channel link shown in the header and on update pages.
    pub telegram: Option<String>,
    /// A Discord invite link shown in the header.
    pub discord: Option<String>,
    /// How many releases the home page and each feed show.
    pub latest_count: usize,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "romwatch".to_string(),
            description: "Official Xiaomi MIUI and HyperOS ROM downloads".to_string(),
            base_url: "http://localhost:8080".to_string(),
            telegram: None,
            discord: None,
            latest_count: 50,
        }
    }
}

/// The checked form of [`SiteConfig`] that templates see as `site`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    pub description: String,
    /// `https://host` plus the path prefix, without a trailing `/`.
    pub base_url: String,
    /// The path prefix every link starts with (`""` or `/roms`).
    pub base: String,
    pub telegram: Option<String>,
    pub discord: Option<String>,
}

impl SiteConfig {
    /// Checks the config: an absolute http(s) base URL and http(s) channel
    /// links, since they end up in `href`s and feeds.
    pub(crate) fn view(&self) -> Result<SiteView, SiteError> {
        let link = Link::parse(&self.base_url)
            .ok()
            .filter(|_| !self.base_url.contains(['?', '#']))
            .ok_or_else(|| {
                SiteError::Config(format!(
                    "base_url {:?} must be a plain http:// or https:// URL",
                    self.base_url
                ))
            })?;
        let base_url = link.as_str().trim_end_matches('/').to_string();
        let base = link.path().trim_end_matches('/').to_string();
        for (name, link) in [("telegram", &self.telegram), ("discord", &self.discord)] {
            if let Some(link) = link
                && Link::parse(link).is_err()
            {
                return Err(SiteError::Config(format!(
                    "{name} link {link:?} must be an http(s) URL"
                )));
            }
        }
        if self.latest_count == 0 {
            return Err(SiteError::Config("latest_count must be at least 1".into()));
        }
        Ok(SiteView {
            title: self.title.clone(),
            description: self.description.clone(),
            base_url,
            base,
            telegram: self.telegram.clone(),
            discord: self.discord.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_its_path_prefix() {
        let config = SiteConfig {
            base_url: "https://example.org/roms/".into(),
            ..SiteConfig::default()
        };
        let view = config.view().unwrap();
        assert_eq!(view.base_url, "https://example.org/roms");
        assert_eq!(view.base, "/roms");
    }

    #[test]
    fn rejects_non_http_links() {
        for (base_url, telegram) in [
            ("javascript:alert(1)", None),
            ("https://ok.org", Some("javascript:alert(1)")),
            ("https://a b", None),
        ] {
            let config = SiteConfig {
                base_url: base_url.into(),
                telegram: telegram.map(str::to_string),
                ..SiteConfig::default()
            };
            assert!(config.view().is_err(), "{base_url} {telegram:?}");
        }
    }
}
