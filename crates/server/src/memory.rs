//! The site's small files served from memory. A hit costs one `stat` of
//! the file (so a rebuild, which swaps the site's symlink, is seen at once)
//! instead of the file service's open, stat and reads on the blocking
//! pool. A client that takes Brotli or gzip gets the compressed copy the
//! build wrote beside the file, as it is. Anything unusual — other methods,
//! encoded or odd paths, directories, big files, unknown types — goes on to
//! the file service, which serves those copies too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, IF_MODIFIED_SINCE,
    LAST_MODIFIED, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use romwatch_model::media;

/// Files larger than this are streamed by the file service.
const MAX_FILE_BYTES: u64 = 512 * 1024;
/// Files kept at most (about 32,000 make a whole site).
const MAX_FILES: usize = 50_000;

pub(crate) struct FileCache {
    root: PathBuf,
    files: RwLock<HashMap<String, Cached>>,
}

#[derive(Clone)]
struct Cached {
    modified: SystemTime,
    len: u64,
    body: Bytes,
    content_type: &'static str,
    last_modified: HeaderValue,
}

/// The file a URL path names, if it is plain: `/`-separated segments of
/// letters, digits, `.`, `_`, `-`, none starting with `.`; a trailing `/`
/// means its `index.html`.
fn relative_file(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    let (last, dirs) = segments.split_last()?;
    let plain_segment = |s: &&str| {
        !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    if !dirs.iter().all(|s| !s.is_empty() && plain_segment(s)) || !plain_segment(last) {
        return None;
    }
    let file = if path.ends_with('/') {
        format!("{}index.html", &path[1..])
    } else {
        path[1..].to_string()
    };
    (!file.is_empty()).then_some(file)
}

impl FileCache {
    pub fn new(root: &Path) -> FileCache {
        FileCache {
            root: root.to_path_buf(),
            files: RwLock::new(HashMap::new()),
        }
    }

    /// The file's current content, from memory when it has not changed.
    /// `file` may be a compressed copy; `content_type` is its content's.
    fn get(&self, file: &str, content_type: &'static str) -> Option<Cached> {
        let path = self.root.join(file);
        let meta = std::fs::metadata(&path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_FILE_BYTES)?;
        let modified = meta.modified().ok()?;
        if let Some(hit) = self
            .files
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(file)
            && hit.modified == modified
            && hit.len == meta.len()
        {
            return Some(hit.clone());
        }
        let body = Bytes::from(std::fs::read(&path).ok()?);
        let stamp = chrono::DateTime::<chrono::Utc>::from(modified)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let cached = Cached {
            modified,
            len: body.len() as u64,
            body,
            content_type,
            last_modified: HeaderValue::from_str(&stamp).ok()?,
        };
        let mut files = self.files.write().unwrap_or_else(|p| p.into_inner());
        if files.len() < MAX_FILES || files.contains_key(file) {
            files.insert(file.to_string(), cached.clone());
        }
        Some(cached)
    }
}

pub(crate) async fn serve(
    State(cache): State<Arc<FileCache>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        return next.run(request).await;
    }
    let Some(name) = relative_file(request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(kind) = media::content_type(&name) else {
        return next.run(request).await;
    };
    // The build's compressed copy the client takes, else the file itself.
    let accept = request
        .headers()
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let found = ENCODINGS
        .iter()
        .filter(|(coding, _)| accepts(accept, coding))
        .find_map(|(coding, suffix)| {
            let copy = cache.get(&format!("{name}{suffix}"), kind)?;
            Some((copy, Some(*coding)))
        })
        .or_else(|| Some((cache.get(&name, kind)?, None)));
    let Some((file, encoding)) = found else {
        // Served by the file service (too big to keep, say): with the same
        // content type as from memory.
        let mut response = next.run(request).await;
        if response.status().is_success() {
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(kind));
        }
        return response;
    };
    let not_modified = request.headers().get(IF_MODIFIED_SINCE) == Some(&file.last_modified);
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(file.body)
        };
        let mut r = Response::new(body);
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(file.len));
        r
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    headers.insert(LAST_MODIFIED, file.last_modified);
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = encoding {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// The compressed copies a build writes beside text files (see
/// `romwatch_site`'s `precompress`): content coding and file suffix, by
/// preference.
const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

/// Whether an `Accept-Encoding` value takes `coding` (by name or `*`, with
/// a weight above zero).
fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_with_weights() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=0.5, gzip", "br"));
        assert!(accepts("*", "gzip"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("", "gzip"));
    }

    #[test]
    fn only_plain_paths_name_files() {
        assert_eq!(relative_file("/").as_deref(), Some("index.html"));
        assert_eq!(
            relative_file("/miui/alioth/").as_deref(),
            Some("miui/alioth/index.html")
        );
        assert_eq!(
            relative_file("/assets/site.css").as_deref(),
            Some("assets/site.css")
        );
        for odd in [
            "/../x", "/a/../b", "/.hidden", "/a%20b/", "/a\\\\b", "x", "/a//b",
        ] {
            assert_eq!(relative_file(odd), None, "{odd}");
        }
    }
}
