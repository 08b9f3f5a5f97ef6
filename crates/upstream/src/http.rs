//! The HTTP plumbing every adapter shares: one reqwest client per source
//! (rustls, certificate verification always on), size-limited body reads,
//! and the mapping of transport failures to [`ErrorKind`]s.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, redirect};
use serde::de::DeserializeOwned;

use crate::config::SourceConfig;
use crate::error::{ErrorKind, SourceError, SourceId};

/// A client for one source.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    pub client: reqwest::Client,
    pub source: SourceId,
    max_body_bytes: usize,
}

impl Http {
    /// `follow_redirects` is off for the full-ROM endpoint, whose answer
    /// *is* the redirect.
    pub fn new(
        source: SourceId,
        config: &SourceConfig,
        follow_redirects: bool,
    ) -> Result<Http, SourceError> {
        let policy = if follow_redirects {
            redirect::Policy::limited(5)
        } else {
            redirect::Policy::none()
        };
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(config.timeout())
            .connect_timeout(config.timeout())
            .user_agent(config.user_agent.as_str())
            .redirect(policy)
            .build()
            .map_err(|e| {
                SourceError::new(source, &config.base_url, ErrorKind::Request(chain(&e)))
            })?;
        Ok(Http {
            client,
            source,
            max_body_bytes: config.max_body_bytes,
        })
    }

    pub fn error(&self, url: &str, kind: ErrorKind) -> SourceError {
        SourceError::new(self.source, url, kind)
    }

    /// Sends a request; any answer outside 2xx and 3xx is an error.
    pub async fn send(&self, request: RequestBuilder, url: &str) -> Result<Response, SourceError> {
        let response = request
            .send()
            .await
            .map_err(|e| self.error(url, transport_kind(&e)))?;
        let status = response.status();
        tracing::debug!(source = %self.source, url, status = status.as_u16(), "answered");
        if status.is_client_error() || status.is_server_error() {
            return Err(self.error(
                url,
                ErrorKind::Status {
                    status: status.as_u16(),
                    retry_after: retry_after(response.headers()),
                },
            ));
        }
        Ok(response)
    }

    /// Reads a whole body, refusing one longer than the configured limit.
    pub async fn body(&self, mut response: Response, url: &str) -> Result<Vec<u8>, SourceError> {
        let limit = self.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(self.error(url, ErrorKind::TooLarge { limit }));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.error(url, transport_kind(&e)))?
        {
            if body.len() + chunk.len() > limit {
                return Err(self.error(url, ErrorKind::TooLarge { limit }));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// GETs `url` and decodes its JSON body.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        url: &str,
    ) -> Result<T, SourceError> {
        let response = self.send(request, url).await?;
        let body = self.body(response, url).await?;
        parse_json(&body).map_err(|kind| self.error(url, kind))
    }
}

/// Whether a body is an HTML page (an error page served with status 200).
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    body.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// Decodes JSON, telling an HTML page from broken JSON.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ErrorKind> {
    if looks_like_html(body) {
        return Err(ErrorKind::Html);
    }
    serde_json::from_slice(body).map_err(|e| ErrorKind::Json(e.to_string()))
}

/// `Retry-After` in its seconds form (the date form is rare upstream).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn transport_kind(error: &reqwest::Error) -> ErrorKind {
    if error.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connection(chain(error))
    }
}

/// An error and its causes on one line, without the URL (which may carry a
/// signature and is reported by [`SourceError`] anyway).
fn chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
