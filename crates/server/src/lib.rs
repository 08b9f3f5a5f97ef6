//! romwatch over HTTP: the built static site, a live JSON API and search
//! read from the store, `/healthz` and `/metrics`.
//!
//! The server only reads: its store connections are opened read-only, so
//! no request can change the data. The site directory may be the symlink
//! `romwatch build` swaps atomically; each request resolves it anew.

mod api;
mod error;
mod memory;
mod metrics;
mod pool;
mod site;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::ServerError;

/// Where the server reads from.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The built site (`public`, as `romwatch build` writes it).
    pub site: PathBuf,
    /// The SQLite database.
    pub db: PathBuf,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub pool: Arc<pool::StorePool>,
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole application: API routes, then the site for everything else.
pub fn router(options: &ServerOptions) -> Result<Router, ServerError> {
    let state = AppState {
        pool: Arc::new(pool::StorePool::open(&options.db)?),
        metrics: Arc::new(metrics::Metrics::default()),
    };
    let api = Router::new()
        .route("/api/v1/devices", get(api::devices))
        .route("/api/v1/devices/{codename}", get(api::device))
        .route("/api/v1/roms", get(api::roms))
        .route("/api/v1/roms/{filename}", get(api::rom))
        .route("/api/v1/search", get(api::search))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/healthz", get(api::health))
        .route("/metrics", get(metrics::render));
    Ok(api
        .fallback_service(site::service(&options.site))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(memory::FileCache::new(&options.site)),
            memory::serve,
        ))
        .layer(axum::middleware::from_fn(site::caching))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(16 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state))
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: &ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    use axum::serve::ListenerExt;
    let app = router(options)?;
    // Answers are written in parts (head, then body): send each part at
    // once instead of holding it back for the client's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Io)
}
