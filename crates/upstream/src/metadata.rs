//! A package's metadata by HTTP `Range` (UPSTREAM.md §5): a zip keeps its
//! central directory at its end, so the few kilobytes holding the end
//! record, the directory and `META-INF/com/android/metadata` are read
//! without downloading the gigabytes before them.
//!
//! The `zip` crate reads the records over a sparse in-memory view of the
//! file: the first request asks for the last 64 KiB (`bytes=-65536`), which
//! also tells the file's length; whenever the crate seeks to bytes not yet
//! fetched, the read stops with the missing position, that window is
//! fetched, and the read starts again. An OTA package keeps its metadata
//! entry near the end, so one request usually does; at most
//! [`MAX_BYTES`] are ever fetched per package. A server that ignores
//! `Range` (answers `200`) ends the read at once: its body is never read.
//! An answer shorter than it says is an error, never a guess.

use std::io::{self, Read, Seek, SeekFrom};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use romwatch_model::PackageFacts;

use crate::cdn::CdnSource;
use crate::error::{ErrorKind, SourceError};

/// The bytes one range request asks for.
pub const WINDOW: u64 = 64 * 1024;

/// The most bytes fetched for one package.
pub const MAX_BYTES: u64 = 256 * 1024;

/// The entry holding a package's metadata.
pub const METADATA_ENTRY: &str = "META-INF/com/android/metadata";

/// What reading one package's metadata gave and cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRead {
    pub facts: PackageFacts,
    /// Range requests sent.
    pub requests: u32,
    /// Body bytes received.
    pub bytes: u64,
}

/// The fetched parts of a file of `len` bytes.
struct Sparse {
    len: u64,
    windows: Vec<(u64, Vec<u8>)>,
    at: u64,
}

/// The marker error of a read that reached bytes not fetched yet.
#[derive(Debug)]
struct Missing(u64);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "byte {} not fetched", self.0)
    }
}

impl std::error::Error for Missing {}

impl Read for Sparse {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let at = self.at;
        let window = self
            .windows
            .iter()
            .find(|(start, bytes)| *start <= at && at < start + bytes.len() as u64);
        let Some((start, bytes)) = window else {
            return Err(io::Error::other(Missing(at)));
        };
        let from = &bytes[(at - start) as usize..];
        let n = from.len().min(buf.len());
        buf[..n].copy_from_slice(&from[..n]);
        self.at += n as u64;
        Ok(n)
    }
}

impl Seek for Sparse {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(n) => self.len.checked_add_signed(n),
            SeekFrom::Current(n) => self.at.checked_add_signed(n),
        };
        self.at = target.ok_or_else(|| io::Error::other("seek before the start"))?;
        Ok(self.at)
    }
}

/// Where a zip read stopped: bytes to fetch, or a real error.
enum Stop {
    Missing(u64),
    Failed(String),
}

fn stop_of(error: &(dyn std::error::Error + 'static)) -> Stop {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(c) = cause {
        if let Some(Missing(at)) = c.downcast_ref::<Missing>() {
            return Stop::Missing(*at);
        }
        if let Some(io) = c.downcast_ref::<io::Error>()
            && let Some(Missing(at)) = io.get_ref().and_then(|e| e.downcast_ref::<Missing>())
        {
            return Stop::Missing(*at);
        }
        cause = c.source();
    }
    Stop::Failed(error.to_string())
}

/// Reads the metadata entry of the zip in `sparse`.
fn read_metadata(sparse: &mut Sparse) -> Result<String, Stop> {
    sparse.at = 0;
    let mut archive = zip::ZipArchive::new(&mut *sparse).map_err(|e| stop_of(&e))?;
    let mut entry = archive.by_name(METADATA_ENTRY).map_err(|e| stop_of(&e))?;
    if entry.size() > MAX_BYTES {
        return Err(Stop::Failed(format!(
            "{METADATA_ENTRY} is {} bytes",
            entry.size()
        )));
    }
    let mut text = String::new();
    entry.read_to_string(&mut text).map_err(|e| stop_of(&e))?;
    Ok(text)
}

impl CdnSource {
    /// Reads a package's metadata by `Range` requests on its link.
    pub async fn metadata(&self, link: &str) -> Result<MetadataRead, SourceError> {
        let url = self.url_for(link)?;
        let fail = |kind| self.http.error(&url, kind);
        let (len, tail) = self.fetch(&url, None).await?;
        let mut bytes = tail.1.len() as u64;
        let mut requests = 1;
        let mut sparse = Sparse {
            len,
            windows: vec![tail],
            at: 0,
        };
        loop {
            match read_metadata(&mut sparse) {
                Ok(text) => {
                    return Ok(MetadataRead {
                        facts: PackageFacts::from_metadata(&text),
                        requests,
                        bytes,
                    });
                }
                Err(Stop::Failed(reason)) => return Err(fail(ErrorKind::Zip(reason))),
                Err(Stop::Missing(at)) => {
                    let end = (at + WINDOW).min(len);
                    if bytes + (end - at) > MAX_BYTES {
                        return Err(fail(ErrorKind::Zip(format!(
                            "its records need more than {MAX_BYTES} bytes"
                        ))));
                    }
                    let (_, window) = self.fetch(&url, Some((at, end - 1))).await?;
                    bytes += window.1.len() as u64;
                    requests += 1;
                    sparse.windows.push(window);
                }
            }
        }
    }

    /// One range request: `Some((first, last))`, or the last [`WINDOW`]
    /// bytes. Gives the file's length and the window fetched.
    async fn fetch(
        &self,
        url: &str,
        range: Option<(u64, u64)>,
    ) -> Result<(u64, (u64, Vec<u8>)), SourceError> {
        let header = match range {
            Some((first, last)) => format!("bytes={first}-{last}"),
            None => format!("bytes=-{WINDOW}"),
        };
        let request = self.http.client.get(url).header(RANGE, header);
        let response = self.http.send(request, url).await?;
        let fail = |kind| self.http.error(url, kind);
        if response.status() != StatusCode::PARTIAL_CONTENT {
            // Dropping the answer unread closes its connection: nothing of
            // the body is downloaded.
            return Err(fail(ErrorKind::RangeIgnored));
        }
        let (first, last, len) = response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(content_range)
            .ok_or_else(|| fail(ErrorKind::MissingField("Content-Range".into())))?;
        let expected = last - first + 1;
        if range.is_some_and(|(a, b)| a != first || b < last) || expected > WINDOW {
            return Err(fail(ErrorKind::MissingField(format!(
                "Content-Range bytes {first}-{last}/{len}"
            ))));
        }
        let body = match self.http.body(response, url).await {
            Ok(body) => body,
            // A connection that broke mid-answer: a truncated answer.
            Err(error) if matches!(error.kind, ErrorKind::Connection(_)) => {
                return Err(fail(ErrorKind::Truncated { expected, got: 0 }));
            }
            Err(error) => return Err(error),
        };
        if body.len() as u64 != expected {
            return Err(fail(ErrorKind::Truncated {
                expected,
                got: body.len() as u64,
            }));
        }
        Ok((len, (first, body)))
    }
}

/// `bytes <first>-<last>/<length>`.
fn content_range(text: &str) -> Option<(u64, u64, u64)> {
    let (span, len) = text.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (first, last) = span.split_once('-')?;
    let (first, last, len) = (first.parse().ok()?, last.parse().ok()?, len.parse().ok()?);
    (first <= last && last < len).then_some((first, last, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_checked() {
        assert_eq!(content_range("bytes 10-19/100"), Some((10, 19, 100)));
        for bad in [
            "bytes 19-10/100",
            "bytes 10-100/100",
            "bytes */100",
            "10-19/100",
        ] {
            assert_eq!(content_range(bad), None, "{bad}");
        }
    }
}
