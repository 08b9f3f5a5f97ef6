//! Typed errors of the adapters: every error names the source, the URL and
//! what was wrong, so a log line or a run summary says where to look.

use std::fmt;
use std::time::Duration;

use romwatch_model::GrammarError;

/// The Xiaomi sources romwatch reads (UPSTREAM.md §1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceId {
    /// The OTA updater API (`miotaV3.php`).
    Ota,
    /// The full-ROM (fastboot) endpoints (`fullromdownload.php`, `miota-fullrom.php`).
    FullRom,
    /// The global Mi Community API.
    Community,
    /// The China community post API.
    ChinaCommunity,
    /// The download CDN.
    Cdn,
}

impl SourceId {
    pub const ALL: [SourceId; 5] = [
        SourceId::Ota,
        SourceId::FullRom,
        SourceId::Community,
        SourceId::ChinaCommunity,
        SourceId::Cdn,
    ];

    /// The short name used in config, CLI flags and logs.
    pub fn key(self) -> &'static str {
        match self {
            SourceId::Ota => "ota",
            SourceId::FullRom => "fullrom",
            SourceId::Community => "community",
            SourceId::ChinaCommunity => "china",
            SourceId::Cdn => "cdn",
        }
    }

    /// Parses [`SourceId::key`].
    pub fn from_key(key: &str) -> Option<SourceId> {
        SourceId::ALL.into_iter().find(|s| s.key() == key)
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceId::Ota => "OTA API",
            SourceId::FullRom => "full-ROM endpoint",
            SourceId::Community => "global community API",
            SourceId::ChinaCommunity => "China community API",
            SourceId::Cdn => "CDN",
        })
    }
}

/// A failed request to one source.
#[derive(Debug, thiserror::Error)]
#[error("{source_id} {url}: {kind}")]
pub struct SourceError {
    pub source_id: SourceId,
    /// The URL asked; the query of a signed link is removed, any other kept.
    pub url: String,
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("timed out")]
    Timeout,
    /// The connection failed or broke before the answer was complete.
    #[error("connection failed: {0}")]
    Connection(String),
    #[error("HTTP status {status}{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        status: u16,
        /// From a `Retry-After` header (seconds form).
        retry_after: Option<Duration>,
    },
    /// An HTML page where JSON (or Base64) was expected: an error page.
    #[error("an HTML page instead of the expected answer")]
    Html,
    #[error("answer larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("bad Base64: {0}")]
    Base64(String),
    #[error("bad ciphertext: {0}")]
    Cipher(String),
    #[error("bad JSON: {0}")]
    Json(String),
    /// The source answered with an error object (`code` key, or a non-success code).
    #[error("error reply code {code}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    ErrorReply { code: String, message: String },
    #[error("missing or malformed field {0}")]
    MissingField(String),
    #[error(transparent)]
    PackageName(#[from] GrammarError),
    /// A redirect somewhere that is not a package.
    #[error("unexpected redirect to {0:?}")]
    Redirect(String),
    /// A CDN answer too small to be a package (an error page), or without a
    /// usable `Content-Length`.
    #[error("not a package: {0}")]
    NotAPackage(String),
    #[error("bad request: {0}")]
    Request(String),
}

impl SourceError {
    pub fn new(source_id: SourceId, url: &str, kind: ErrorKind) -> SourceError {
        SourceError {
            source_id,
            url: romwatch_model::redact_signature(url),
            kind,
        }
    }

    /// Whether trying again later may succeed: timeouts, broken
    /// connections, 429 and 5xx. Everything else is the answer's fault.
    pub fn is_transient(&self) -> bool {
        match &self.kind {
            ErrorKind::Timeout | ErrorKind::Connection(_) => true,
            ErrorKind::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    /// How long the source asked us to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ErrorKind::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_source_url_and_cause() {
        let err = SourceError::new(
            SourceId::Cdn,
            "https://ultimateota.d.miui.com/V1/x.zip?t=1&s=abc",
            ErrorKind::Status {
                status: 429,
                retry_after: Some(Duration::from_secs(7)),
            },
        );
        assert_eq!(
            err.to_string(),
            "CDN https://ultimateota.d.miui.com/V1/x.zip: HTTP status 429 (retry after 7s)"
        );
        assert!(err.is_transient());
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        let china = SourceError::new(
            SourceId::ChinaCommunity,
            "https://h/detail?postId=7",
            ErrorKind::Html,
        );
        assert_eq!(china.url, "https://h/detail?postId=7");
        let html = SourceError::new(SourceId::Ota, "u", ErrorKind::Html);
        assert!(!html.is_transient());
    }

    #[test]
    fn source_keys_round_trip() {
        for s in SourceId::ALL {
            assert_eq!(SourceId::from_key(s.key()), Some(s));
        }
        assert_eq!(SourceId::from_key("nope"), None);
    }
}
