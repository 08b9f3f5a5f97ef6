//! What `/api/` answers besides the live routes. The build writes static
//! API files there too (`/api/v1/devices.json`, `/api/v1/devices/alioth.json`),
//! and a live route such as `/api/v1/devices/{codename}` would take their
//! paths: a `.json` path under `/api/` is always one of those files (no
//! codename holds a dot, no ROM file name ends in `.json`), so it goes to
//! the site's files before any route sees it. Whatever `/api/` answers is
//! JSON: a 404 or 405 that would be the site's HTML page or an empty body
//! becomes `{"error", "status"}`, keeping its `Allow` header.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;

use crate::error::ApiError;

/// The one `.json` path under `/api/` that a live route answers.
const OPENAPI: &str = "/api/v1/openapi.json";

/// Whether the path names a static API file the build writes.
fn is_static_api_file(path: &str) -> bool {
    path.starts_with("/api/") && path.ends_with(".json") && path != OPENAPI
}

/// Sends static API files to the site's files (`site`), before routing.
pub(crate) async fn static_files_first(
    State(site): State<Router>,
    request: Request,
    next: Next,
) -> Response {
    if is_static_api_file(request.uri().path()) {
        match site.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        next.run(request).await
    }
}

/// Turns the error answers under `/api/` that are not JSON into JSON.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !path.starts_with("/api/") || is_json {
        return response;
    }
    match response.status() {
        StatusCode::NOT_FOUND => {
            ApiError::not_found(format!("no API resource at {path}")).into_response()
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = response.headers().get(ALLOW).cloned();
            let allowed = allow
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or("GET, HEAD");
            let mut answer = ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: format!("method {method} not allowed on {path}; allowed: {allowed}"),
                retry_after: None,
            }
            .into_response();
            answer.headers_mut().insert(
                ALLOW,
                allow.unwrap_or(HeaderValue::from_static("GET, HEAD")),
            );
            answer
        }
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_files_under_api_are_static_api_files() {
        assert!(is_static_api_file("/api/v1/devices.json"));
        assert!(is_static_api_file("/api/v1/devices/alioth.json"));
        assert!(!is_static_api_file("/api/v1/devices/alioth"));
        assert!(!is_static_api_file("/api/v1/openapi.json"));
        assert!(!is_static_api_file("/feed.json"));
    }
}
