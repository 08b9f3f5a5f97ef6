//! All five adapters built from one [`UpstreamConfig`], for callers that
//! talk to every source (the tracker, the CLI).

use crate::cdn::CdnSource;
use crate::china::ChinaSource;
use crate::community::CommunitySource;
use crate::config::UpstreamConfig;
use crate::error::SourceError;
use crate::fullrom::FullRomSource;
use crate::ota::OtaSource;

/// One adapter per source, sharing nothing but their settings: a broken
/// source never stops the others.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub ota: OtaSource,
    pub fullrom: FullRomSource,
    pub community: CommunitySource,
    pub china: ChinaSource,
    pub cdn: CdnSource,
}

impl Upstream {
    /// Builds every adapter's HTTP client. Fails only if a client cannot be
    /// built (the TLS backend failed to start).
    pub fn new(config: &UpstreamConfig) -> Result<Upstream, SourceError> {
        Ok(Upstream {
            ota: OtaSource::new(&config.ota)?,
            fullrom: FullRomSource::new(&config.fullrom, &config.ota)?,
            community: CommunitySource::new(&config.community)?,
            china: ChinaSource::new(&config.china)?,
            cdn: CdnSource::new(&config.cdn)?,
        })
    }
}
