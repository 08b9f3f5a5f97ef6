//! The built site: files from the site directory, the site's own 404 page,
//! and caching headers (`Cache-Control`, a weak `ETag` with 304 answers;
//! `Last-Modified` and `If-Modified-Since` come from the file service).

use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, ETAG, IF_NONE_MATCH, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use romwatch_model::media;
use tower_http::services::{ServeDir, ServeFile};

/// Files under `dir`, or the compressed copies the build wrote beside them
/// when the client takes those; a missing one gets the site's `404.html`
/// with status 404.
pub(crate) fn service(dir: &Path) -> ServeDir<tower_http::set_status::SetStatus<ServeFile>> {
    ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(ServeFile::new(dir.join("404.html")))
}

/// Live data is never cached; site files as the site says
/// ([`media::cache_control`]).
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("/api/") || path == "/healthz" || path == "/metrics" {
        "no-cache"
    } else {
        media::cache_control(path)
    }
}

/// A weak validator from the file's length and modification time, the two
/// things a rebuild that rewrites the file changes.
fn etag(response: &Response) -> Option<HeaderValue> {
    let length = response.headers().get(CONTENT_LENGTH)?.to_str().ok()?;
    let modified: String = response
        .headers()
        .get(LAST_MODIFIED)?
        .to_str()
        .ok()?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    HeaderValue::from_str(&format!("W/\"{length}-{modified}\"")).ok()
}

pub(crate) async fn caching(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut conditions = HeaderMap::new();
    for value in request.headers().get_all(IF_NONE_MATCH) {
        conditions.append(IF_NONE_MATCH, value.clone());
    }
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(cache_control(&path)) {
        response.headers_mut().insert(CACHE_CONTROL, value);
    }
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(tag) = etag(&response) else {
        return response;
    };
    if crate::freshness::none_match(&conditions, &tag) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [CACHE_CONTROL, LAST_MODIFIED] {
            if let Some(value) = response.headers().get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        not_modified.headers_mut().insert(ETAG, tag);
        return not_modified;
    }
    response.headers_mut().insert(ETAG, tag);
    response
}
