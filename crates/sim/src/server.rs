//! The simulator's shared state, its router, the fault gate every handler
//! passes first, and the `/_sim` control endpoints (the mirror ones live
//! in [`crate::mirrors`]).

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body::Frame;
use romwatch_model::Record;
use romwatch_upstream::SourceId;

use crate::catalog::{Catalog, FIRST_POST_ID};
use crate::faults::{Fault, Faults};
use crate::mirrors::{self, Mirrors};
use crate::{SimError, SimOptions, generate, handlers, load};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct SimState {
    // A std lock: handlers never hold it across an await.
    catalog: RwLock<Catalog>,
    pub faults: Faults,
    pub mirrors: Mirrors,
}

pub(crate) type Shared = Arc<SimState>;

/// The most ROMs one release call publishes.
const MAX_RELEASE: usize = 10_000;

impl SimState {
    pub async fn build(options: SimOptions) -> Result<SimState, SimError> {
        let faults = Faults::new(options.faults.clone(), options.seed);
        let mirrors = Mirrors::new(&options.mirror_down, &options.mirror_slow);
        let seed = options.seed;
        // Generating or loading takes a moment at full size: keep it off the
        // async workers.
        let catalog = tokio::task::spawn_blocking(move || match &options.catalog {
            Some(path) => {
                let (catalog, skipped) = load::load(path, seed)?;
                if catalog.roms.is_empty() {
                    return Err(SimError::EmptyCatalog {
                        path: path.display().to_string(),
                    });
                }
                if skipped > 0 {
                    tracing::warn!(skipped, path = %path.display(), "catalog lines skipped");
                }
                Ok(catalog)
            }
            None => Ok(generate::generate(options.devices, seed)),
        })
        .await
        .map_err(|e| SimError::Generation(e.to_string()))??;
        Ok(SimState {
            catalog: RwLock::new(catalog),
            faults,
            mirrors,
        })
    }

    /// The catalog for reading. A poisoned lock means a handler panicked;
    /// the catalog itself is still whole (writes are single pushes).
    pub fn read(&self) -> RwLockReadGuard<'_, Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn rom_count(&self) -> usize {
        self.read().roms.len()
    }

    pub fn records(&self) -> Vec<Record> {
        self.read().records()
    }

    pub fn release(&self, count: usize) -> Vec<String> {
        generate::release(&mut self.write(), count.min(MAX_RELEASE))
    }

    pub fn post_ids(&self) -> Vec<u64> {
        (0..self.read().posts.len() as u64)
            .map(|i| FIRST_POST_ID + i)
            .collect()
    }
}

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/updates/miotaV3.php", post(handlers::ota))
        .route(
            "/updates/v1/fullromdownload.php",
            get(handlers::fullrom_redirect),
        )
        .route("/updates/miota-fullrom.php", get(handlers::fullrom_json))
        .route(
            "/bbs/api/global/phone/getphonelist",
            get(handlers::phone_list),
        )
        .route(
            "/bbs/api/global/phone/getdevicelist",
            get(handlers::device_list),
        )
        .route(
            "/bbs/api/global/phone/getlinepackagelist",
            get(handlers::line_packages),
        )
        .route("/api/community/post/detail", get(handlers::china_post))
        .route("/_sim/release", post(release))
        .route("/_sim/catalog", get(catalog))
        .route("/_sim/posts", get(posts))
        .route("/_sim/withdraw", post(mirrors::withdraw))
        .route("/_sim/restore", post(mirrors::restore))
        .route(
            "/{version}/{filename}",
            get(mirrors::usual_get).head(mirrors::usual_head),
        )
        .route(
            "/{host}/{version}/{filename}",
            get(mirrors::get).head(mirrors::head),
        )
        .with_state(state)
}

/// Applies a request's latency and the faults every source shares. `Err`
/// is the answer to send instead; `Ok` carries a source-specific fault for
/// the handler to apply.
pub(crate) async fn gate(state: &SimState, source: SourceId) -> Result<Option<Fault>, Response> {
    let draw = state.faults.draw(source);
    if !draw.latency.is_zero() {
        tokio::time::sleep(draw.latency).await;
    }
    match draw.fault {
        Some(Fault::Timeout) => {
            tokio::time::sleep(state.faults.timeout_hold()).await;
            Err(StatusCode::GATEWAY_TIMEOUT.into_response())
        }
        Some(Fault::Reset) => Err(Response::new(Body::new(ResetBody))),
        Some(Fault::TooManyRequests { retry_after_secs }) => Err((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_secs.to_string())],
            "Too Many Requests",
        )
            .into_response()),
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err((status, html_page(status.as_str())).into_response())
        }
        Some(Fault::HtmlPage) => Err((StatusCode::OK, html_page("Service busy")).into_response()),
        other => Ok(other),
    }
}

/// An nginx-style error page.
fn html_page(title: &str) -> ([(header::HeaderName, HeaderValue); 1], String) {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        ),
    )
}

/// A body that fails at once: the server drops the connection before the
/// answer is complete, which a client sees as a reset.
struct ResetBody;

impl http_body::Body for ResetBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        Poll::Ready(Some(Err(io::Error::from(io::ErrorKind::ConnectionReset))))
    }
}

/// The first half of a JSON text: the truncated-JSON fault.
pub(crate) fn truncated(json: &str) -> String {
    let mut cut = json.len() / 2;
    while !json.is_char_boundary(cut) {
        cut -= 1;
    }
    json[..cut].to_string()
}

pub(crate) fn json_response(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn release(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let count = match query.get("count").map(|c| c.parse::<usize>()) {
        None => 1,
        Some(Ok(count)) => count,
        Some(Err(_)) => return (StatusCode::BAD_REQUEST, "count must be a number").into_response(),
    };
    let names = state.release(count);
    json_response(serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_string()))
}

async fn catalog(State(state): State<Shared>) -> Response {
    let mut body = String::new();
    for record in state.records() {
        if let Ok(line) = serde_json::to_string(&record) {
            body.push_str(&line);
            body.push('\n');
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        body,
    )
        .into_response()
}

async fn posts(State(state): State<Shared>) -> Response {
    json_response(serde_json::to_string(&state.post_ids()).unwrap_or_else(|_| "[]".to_string()))
}
