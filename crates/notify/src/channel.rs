//! The seam between delivery and the services: a [`Channel`] formats an
//! event its own way and sends it, and says whether a failure is worth a
//! retry. One implementation per service.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use romwatch_store::{Event, EventKind};

use crate::config::{ChannelConfigError, Filter};
use crate::release::Release;

/// Why a send did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again (5xx, 429, a network error), after `after` if the
    /// service said so.
    #[error("{reason}")]
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// The service refused the message for good (400, 403, 404, …).
    #[error("{reason}")]
    Permanent { reason: String },
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// One configured destination.
pub trait Channel: Send + Sync {
    fn name(&self) -> &str;
    /// `telegram`, `discord`, `webhook` or `file`.
    fn kind(&self) -> &'static str;
    /// Whether the channel wants this event at all.
    fn wants(&self, event: &Event) -> bool;
    /// The request body the channel would send (for `--dry-run`); never
    /// holds a secret.
    fn preview(&self, release: &Release<'_>) -> String;
    /// The secrets the channel holds (tokens, the secret parts of its URL,
    /// keys): no text that leaves romwatch may show them (see
    /// [`Redactor`](crate::redact::Redactor)).
    fn secrets(&self) -> Vec<String>;
    fn send<'a>(&'a self, release: &'a Release<'a>) -> SendFuture<'a>;
}

/// Chat channels announce full releases, not every learned fact; an
/// incremental package is a button on its full ROM's message.
pub(crate) fn chat_wants(filter: &Filter, event: &Event) -> bool {
    matches!(event.kind, EventKind::New | EventKind::Promoted)
        && !event.rom.kind.is_incremental()
        && filter.matches(event)
}

/// The HTTP client every channel uses: TLS verified, bounded in time. Fails
/// when the TLS backend cannot start (as `reqwest::Client::new` would panic).
pub(crate) fn http_client(channel: &str) -> Result<reqwest::Client, ChannelConfigError> {
    reqwest::Client::builder()
        .user_agent(concat!("romwatch/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|source| ChannelConfigError::Client {
            channel: channel.to_string(),
            source,
        })
}

/// A service's answer to a request.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// POSTs a JSON body with extra headers and reads the whole answer.
pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &reqwest::Url,
    headers: &[(&str, String)],
    body: String,
) -> Result<Answer, SendError> {
    let mut request = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.body(body).send().await.map_err(transport_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap_or_default();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// A transport failure, described without the URL (it may hold a token).
pub(crate) fn transport_error(err: reqwest::Error) -> SendError {
    SendError::Retry {
        reason: format!("request failed: {}", err.without_url()),
        after: None,
    }
}

/// Sorts an HTTP answer: 2xx is success, 429 and 5xx are worth a retry
/// (after `Retry-After` when given), any other status is permanent.
/// `detail` is what the service said, whole: delivery redacts secrets
/// from it, then shortens it.
pub(crate) fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    detail: &str,
    after: Option<Duration>,
) -> Result<(), SendError> {
    if status.is_success() {
        return Ok(());
    }
    let reason = format!("HTTP {}: {detail}", status.as_u16());
    if status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(SendError::Retry {
            reason,
            after: after.or_else(|| retry_after(headers)),
        })
    } else {
        Err(SendError::Permanent { reason })
    }
}

/// `Retry-After` in seconds (fractions allowed).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Checks a configured URL: http(s) only.
pub(crate) fn check_url(channel: &str, url: &str) -> Result<reqwest::Url, ChannelConfigError> {
    let invalid = |message: String| ChannelConfigError::Invalid {
        channel: channel.to_string(),
        message,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(format!("invalid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the URL must be http or https".into()));
    }
    Ok(parsed)
}
