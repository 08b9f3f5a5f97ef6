//! Conditional requests on the live API. Every answer of a live route is a
//! function of its URL and the store's content, and the store's generation
//! (`Store::generation`) changes with every change to that content: so the
//! generation is the answer's validator. It is read before the answer is
//! computed, so a write landing in between leaves an older tag on newer
//! content (the next request fetches it again), never the reverse.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::pool::Lane;

/// The validator of every answer at one store generation. Weak: the
/// compression layer may send other bytes of the same answer.
fn tag(generation: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("W/\"{generation}\"")).ok()
}

/// Whether `If-None-Match` names `tag` (or is `*`); weak comparison, as
/// RFC 9110 asks for `If-None-Match`.
pub(crate) fn none_match(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let Ok(tag) = tag.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || opaque(t) == opaque(tag))
}

/// Answers 304 when the client holds the answer of the current generation,
/// and tags every successful answer with it.
pub(crate) async fn conditional(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let generation = match state.pool.with(Lane::Api, |s| s.generation()).await {
        Ok(generation) => generation,
        Err(e) => return e.into_response(),
    };
    let Some(tag) = tag(&generation) else {
        return next.run(request).await;
    };
    if none_match(request.headers(), &tag) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        not_modified.headers_mut().insert(ETAG, tag);
        return not_modified;
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(ETAG, tag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = tag("abc-7").unwrap();
        let headers = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            h
        };
        assert!(none_match(&headers("W/\"abc-7\""), &tag));
        assert!(none_match(&headers("\"abc-7\""), &tag));
        assert!(none_match(&headers("\"x\", W/\"abc-7\""), &tag));
        assert!(none_match(&headers("*"), &tag));
        assert!(!none_match(&headers("W/\"abc-6\""), &tag));
        assert!(!none_match(&HeaderMap::new(), &tag));
    }
}
