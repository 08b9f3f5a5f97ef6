//! Conditional requests and cached answers on the live API. Every answer of
//! a live route is a function of its URL and the store's content, and the
//! store's generation (`Store::generation`) changes with every change to
//! that content: so the generation is the answer's validator, and answers
//! are kept in memory under their URL for as long as it stays the same (a
//! tracking run empties the cache). It is read before the answer is
//! computed, so a write landing in between leaves an older tag on newer
//! content (the next request fetches it again), never the reverse.
//!
//! The generation itself is read at most once per [`GENERATION_TTL`], by
//! one request while the others wait for it: read per request, it took a
//! query slot from every answer, even cached ones, so a flood of cheap
//! requests could crowd out real queries. Answers may so lag a tracking
//! run by that long.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;
use crate::pool::{Lane, StorePool};

/// How long a store generation read stays the current one.
pub(crate) const GENERATION_TTL: Duration = Duration::from_secs(1);

/// The store generation last read, and when.
#[derive(Default)]
pub(crate) struct Generation(tokio::sync::Mutex<Option<(Instant, String)>>);

impl Generation {
    /// The store's generation, read anew when the last read is older than
    /// [`GENERATION_TTL`]. Requests arriving during a read wait for it.
    async fn current(&self, pool: &std::sync::Arc<StorePool>) -> Result<String, ApiError> {
        let mut held = self.0.lock().await;
        if let Some((read_at, generation)) = held.as_ref()
            && read_at.elapsed() < GENERATION_TTL
        {
            return Ok(generation.clone());
        }
        let generation = pool.with(Lane::Api, |s| s.generation()).await?;
        *held = Some((Instant::now(), generation.clone()));
        Ok(generation)
    }
}

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

/// Answers kept at most, and the largest kept.
const MAX_ANSWERS: usize = 4096;
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The successful answers of one store generation, by URL.
#[derive(Default)]
pub(crate) struct Answers(Mutex<(String, HashMap<String, Bytes>)>);

impl Answers {
    fn get(&self, generation: &str, url: &str) -> Option<Bytes> {
        let held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        (held.0 == generation).then(|| held.1.get(url).cloned())?
    }

    fn put(&self, generation: &str, url: String, body: Bytes) {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if held.0 != generation || held.1.len() >= MAX_ANSWERS {
            held.1.clear();
            held.0 = generation.to_string();
        }
        held.1.insert(url, body);
    }
}

/// A cached JSON answer.
fn json_answer(body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Answers 304 when the client holds the answer of the current generation,
/// from memory when it was computed at this generation, and tags every
/// successful answer with it.
pub(crate) async fn conditional(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let generation = match state.generation.current(&state.pool).await {
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
    let url = request.uri().to_string();
    if let Some(body) = state.answers.get(&generation, &url) {
        let mut response = json_answer(body);
        response.headers_mut().insert(ETAG, tag);
        return response;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut response = match axum::body::to_bytes(body, MAX_ANSWER_BYTES).await {
        Ok(bytes) => {
            state.answers.put(&generation, url, bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        // Too big to keep (or cut off): answered as an error.
        Err(_) => return crate::error::ApiError::internal().into_response(),
    };
    response.headers_mut().insert(ETAG, tag);
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
