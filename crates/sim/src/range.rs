//! `Range` requests on the simulated CDN: which bytes a `Range` header
//! asks for, and a body that streams them from a [`PackageBody`], counting
//! every byte served (so tests and benchmarks can tell what a client
//! downloaded).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::body::Bytes;
use http_body::{Frame, SizeHint};

use crate::package::PackageBody;

/// The bytes one chunk of a streamed body holds.
const CHUNK: u64 = 64 * 1024;

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// The bytes `start..=end`.
    Bytes { start: u64, end: u64 },
    /// Nothing of the body (`416`).
    Unsatisfiable,
    /// Not one byte range (several, or another unit): the whole body.
    Whole,
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n`.
pub(crate) fn wanted(header: &str, len: u64) -> Wanted {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| s.trim().parse::<u64>().ok();
    let (start, end) = match (first.trim().is_empty(), number(first), number(last)) {
        (true, _, Some(suffix)) if suffix > 0 => {
            (len.saturating_sub(suffix), len.saturating_sub(1))
        }
        (false, Some(start), None) if last.trim().is_empty() => (start, len.saturating_sub(1)),
        (false, Some(start), Some(end)) if start <= end => (start, end.min(len.saturating_sub(1))),
        _ => return Wanted::Whole,
    };
    if len == 0 || start >= len {
        Wanted::Unsatisfiable
    } else {
        Wanted::Bytes { start, end }
    }
}

/// Streams bytes `at..end` of a package, chunk by chunk.
pub(crate) struct PackageStream {
    body: PackageBody,
    at: u64,
    end: u64,
    served: Arc<AtomicU64>,
}

impl PackageStream {
    /// Bytes `start..end` of `body`.
    pub fn new(body: PackageBody, start: u64, end: u64, served: Arc<AtomicU64>) -> PackageStream {
        PackageStream {
            body,
            at: start,
            end,
            served,
        }
    }
}

impl http_body::Body for PackageStream {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.at >= self.end {
            return Poll::Ready(None);
        }
        let n = CHUNK.min(self.end - self.at);
        let mut chunk = vec![0u8; n as usize];
        let filled = self.body.read_at(self.at, &mut chunk) as u64;
        chunk.truncate(filled as usize);
        self.at += filled.max(1);
        self.served.fetch_add(filled, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.end - self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_headers_are_read_as_rfc_9110_says() {
        let bytes = |start, end| Wanted::Bytes { start, end };
        assert_eq!(wanted("bytes=0-99", 1000), bytes(0, 99));
        assert_eq!(wanted("bytes=900-", 1000), bytes(900, 999));
        assert_eq!(wanted("bytes=-100", 1000), bytes(900, 999));
        assert_eq!(wanted("bytes=-5000", 1000), bytes(0, 999));
        assert_eq!(wanted("bytes=990-2000", 1000), bytes(990, 999));
        assert_eq!(wanted("bytes=1000-", 1000), Wanted::Unsatisfiable);
        for whole in [
            "bytes=0-1,5-9",
            "items=0-1",
            "bytes=9-1",
            "bytes=x-",
            "bytes=-0",
        ] {
            assert_eq!(wanted(whole, 1000), Wanted::Whole, "{whole}");
        }
    }
}
