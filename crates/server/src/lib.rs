//! romwatch over HTTP: the built static site, a live JSON API and search
//! read from the store, `/healthz` and `/metrics`.
//!
//! The server only reads: its store connections are opened read-only, so
//! no request can change the data. The site directory may be the symlink
//! `romwatch build` swaps atomically; each request resolves it anew.

mod api;
mod api_paths;
mod config;
mod confine;
mod cors;
mod error;
mod freshness;
mod listen;
mod memory;
mod metrics;
mod pool;
mod site;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use config::ServeConfig;
pub use error::ServerError;

/// Where the server reads from, and its limits.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The built site (`public`, as `romwatch build` writes it).
    pub site: PathBuf,
    /// The SQLite database.
    pub db: PathBuf,
    /// Connections, timeouts and query bounds (`[serve]`).
    pub limits: ServeConfig,
}

impl ServerOptions {
    /// Checks the options before anything listens: limits that let
    /// something through, and a site directory that exists and does not
    /// hold the store.
    pub fn check(&self) -> Result<(), ServerError> {
        self.limits.validate().map_err(ServerError::Config)?;
        if !self.site.is_dir() {
            return Err(ServerError::NoSite {
                site: self.site.clone(),
            });
        }
        confine::refuse_store_inside(&self.site, &self.db)
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub pool: Arc<pool::StorePool>,
    pub metrics: Arc<metrics::Metrics>,
    pub config: Arc<ServeConfig>,
    /// Live answers of the current store generation.
    pub answers: Arc<freshness::Answers>,
    /// That generation, read at most once a second.
    pub generation: Arc<freshness::Generation>,
}

/// The whole application: API routes, then the site for everything else.
fn router(options: &ServerOptions, metrics: Arc<metrics::Metrics>) -> Result<Router, ServerError> {
    options.check()?;
    let limits = pool::PoolLimits {
        slots: options.limits.max_store_calls,
        budget: options.limits.query_budget(),
        retry_after_secs: options.limits.retry_after_secs,
    };
    let state = AppState {
        pool: Arc::new(pool::StorePool::open(&options.db, limits, metrics.clone())?),
        metrics,
        config: Arc::new(options.limits.clone()),
        answers: Arc::default(),
        generation: Arc::default(),
    };
    let root = confine::SiteRoot::new(&options.site);
    // Files pass the confinement check before the cache or the file
    // service opens anything.
    let site: Router = Router::new()
        .fallback_service(site::service(&options.site))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(memory::FileCache::new(&options.site)),
            memory::serve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(root),
            confine::confine,
        ));
    // Answers read from the store, validated by its generation.
    let live = Router::new()
        .route("/api/v1/devices", get(api::devices))
        .route("/api/v1/devices/{codename}", get(api::device))
        .route("/api/v1/roms", get(api::roms))
        .route("/api/v1/roms/{filename}", get(api::rom))
        .route("/api/v1/search", get(api::search))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            freshness::conditional,
        ));
    let api = live
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/healthz", get(api::health))
        .route("/metrics", get(metrics::render));
    let mut app = api
        .fallback_service(site.clone())
        .layer(axum::middleware::from_fn_with_state(
            site,
            api_paths::static_files_first,
        ))
        .layer(axum::middleware::from_fn(api_paths::json_errors))
        .layer(axum::middleware::from_fn(site::caching))
        .layer(CompressionLayer::new());
    if let Some(cors) = cors::layer(&options.limits.cors_origins) {
        app = app.layer(cors);
    }
    Ok(app
        .layer(RequestBodyLimitLayer::new(16 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            options.limits.request_timeout(),
        ))
        // Outermost, so that it sees every answer (timeouts too) and a
        // request dropped only when its client went away.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .with_state(state))
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: &ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let metrics = Arc::new(metrics::Metrics::default());
    let app = router(options, metrics.clone())?;
    listen::accept_loop(listener, app, &options.limits, metrics, shutdown).await
}
