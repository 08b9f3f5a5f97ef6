//! `/metrics`: request counts and latencies per route, requests whose
//! client went away before the answer, store queries by outcome,
//! connections, and each mirror host's record over the last 7 days (read
//! from the store at each scrape), in the Prometheus (OpenMetrics) text
//! format.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::pool::Lane;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The route pattern (`/api/v1/roms/{filename}`), or `site` for files.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HostLabels {
    host: String,
}

/// The days of mirror checks the per-host gauges cover.
const MIRROR_DAYS: i64 = 7;

/// How a store query ended.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StoreOutcome {
    /// Answered.
    Done,
    /// Failed (the log says why).
    Failed,
    /// Turned away at once, every slot taken (503).
    Rejected,
    /// Stopped at its time budget (503).
    OverBudget,
}

impl StoreOutcome {
    fn label(self) -> &'static str {
        match self {
            StoreOutcome::Done => "done",
            StoreOutcome::Failed => "failed",
            StoreOutcome::Rejected => "rejected",
            StoreOutcome::OverBudget => "over_budget",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 0.1 ms to about 3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 15))
}

pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    abandoned: Family<RouteLabels, Counter>,
    store_calls: Family<OutcomeLabels, Counter>,
    /// Store queries stopped before their end: over budget, or their
    /// client gone.
    pub store_calls_stopped: Counter,
    /// Store queries holding a slot now.
    pub store_calls_running: Gauge,
    /// Connections open now.
    pub connections: Gauge,
    /// Connections answered 503 and closed: the cap was reached.
    pub connections_rejected: Counter,
    mirror_success: Family<HostLabels, Gauge<f64, AtomicU64>>,
    mirror_latency: Family<HostLabels, Gauge>,
    mirror_checks: Family<HostLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let mut registry = Registry::with_prefix("romwatch");
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        let abandoned = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_requests_abandoned",
            "Requests whose client went away before the answer, by route",
            abandoned.clone(),
        );
        let store_calls = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "store_queries",
            "Store queries by outcome: done, failed, rejected (no free slot), over_budget",
            store_calls.clone(),
        );
        let store_calls_stopped = Counter::default();
        registry.register(
            "store_queries_stopped",
            "Store queries stopped before their end: over budget or their client gone",
            store_calls_stopped.clone(),
        );
        let store_calls_running = Gauge::default();
        registry.register(
            "store_queries_running",
            "Store queries holding a slot now",
            store_calls_running.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "connections_open",
            "HTTP connections open",
            connections.clone(),
        );
        let connections_rejected = Counter::default();
        registry.register(
            "connections_rejected",
            "Connections refused because the connection cap was reached",
            connections_rejected.clone(),
        );
        let mirror_success = Family::<HostLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "mirror_success_ratio",
            "Share of a mirror host's checks over 7 days that found the file",
            mirror_success.clone(),
        );
        let mirror_latency = Family::<HostLabels, Gauge>::default();
        registry.register(
            "mirror_latency_median_ms",
            "Median answer time of a mirror host's successful checks over 7 days, in milliseconds",
            mirror_latency.clone(),
        );
        let mirror_checks = Family::<HostLabels, Gauge>::default();
        registry.register(
            "mirror_checks",
            "A mirror host's checks over 7 days",
            mirror_checks.clone(),
        );
        Metrics {
            mirror_success,
            mirror_latency,
            mirror_checks,
            registry,
            requests,
            latency,
            abandoned,
            store_calls,
            store_calls_stopped,
            store_calls_running,
            connections,
            connections_rejected,
        }
    }
}

impl Metrics {
    /// Counts a store query's outcome.
    pub fn store_call(&self, outcome: StoreOutcome) {
        self.store_calls
            .get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            })
            .inc();
    }
}

/// Counts the request as abandoned unless it is disarmed: dropped with its
/// request, before an answer, means the client went away.
struct Abandoned<'a> {
    metrics: &'a Metrics,
    route: Option<&'a str>,
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if let Some(route) = self.route {
            self.metrics
                .abandoned
                .get_or_create(&RouteLabels {
                    route: route.to_string(),
                })
                .inc();
        }
    }
}

pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "site".to_string(), |p| p.as_str().to_string());
    let started = Instant::now();
    let metrics = &state.metrics;
    let mut abandoned = Abandoned {
        metrics,
        route: Some(&route),
    };
    let response = next.run(request).await;
    abandoned.route = None;
    drop(abandoned);
    metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

pub(crate) async fn render(State(state): State<AppState>) -> Response {
    // A store that cannot answer leaves the gauges as they were.
    let now = chrono::Utc::now();
    if let Ok(hosts) = state
        .pool
        .with(Lane::Health, move |store| {
            store.host_health(now, MIRROR_DAYS)
        })
        .await
    {
        let metrics = &state.metrics;
        for host in hosts {
            let labels = HostLabels {
                host: host.host.clone(),
            };
            metrics
                .mirror_success
                .get_or_create(&labels)
                .set(host.success_rate());
            metrics
                .mirror_checks
                .get_or_create(&labels)
                .set(i64::try_from(host.checks).unwrap_or(i64::MAX));
            if let Some(ms) = host.median_latency_ms {
                metrics
                    .mirror_latency
                    .get_or_create(&labels)
                    .set(i64::try_from(ms).unwrap_or(i64::MAX));
            }
        }
    }
    let mut text = String::new();
    if prometheus_client::encoding::text::encode(&mut text, &state.metrics.registry).is_err() {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
