//! The accept loop: HTTP/1.1 connections served by hyper with a deadline
//! for each request head (so also for idle kept-alive connections), a cap
//! on connections open at once, and a graceful stop.
//!
//! At the cap a new connection is answered 503 at once and closed, rather
//! than left waiting in the kernel's queue: the client learns it should
//! retry, and the descriptors stay below the process limit, so the
//! connections already open keep working. (A refused connection lingers
//! for a second at most, reading what the client sent, so that closing it
//! does not reset it before the client has read the answer; a few at a
//! time, beyond which a connection is closed without a word.) Silent or
//! trickling clients are closed by the head deadline, which frees their
//! places.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::config::ServeConfig;
use crate::error::ServerError;
use crate::metrics::Metrics;

/// The answer to a connection over the cap.
fn over_cap_answer(retry_after_secs: u64) -> Vec<u8> {
    let body = "too many connections at once\n";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: {retry_after_secs}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The longest the stop waits for the requests in flight.
const DRAIN: Duration = Duration::from_secs(30);

/// Descriptors kept for everything but client connections: the store's
/// connections, site files being sent, refused connections lingering, the
/// listener, logs.
const RESERVED_FDS: u64 = 128;

/// Refused connections lingering at once, and for how long at most.
const MAX_REFUSALS: usize = 32;
const LINGER: Duration = Duration::from_secs(1);

/// Raises the soft limit on open files to the hard limit (where the
/// system allows) and returns how many connections fit under it.
fn connections_that_fit(wanted: usize) -> usize {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            let fit = limit.saturating_sub(RESERVED_FDS).max(1);
            let fit = usize::try_from(fit).unwrap_or(usize::MAX);
            if fit < wanted {
                tracing::warn!(
                    open_files = limit,
                    "serve.max_connections lowered from {wanted} to {fit} to fit the open-file limit"
                );
            }
            wanted.min(fit)
        }
        Err(error) => {
            tracing::debug!(%error, "cannot read or raise the open-file limit");
            wanted
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish (for [`DRAIN`] at most).
pub(crate) async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: &ServeConfig,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let places = Arc::new(Semaphore::new(connections_that_fit(limits.max_connections)));
    let over_cap: Arc<[u8]> = over_cap_answer(limits.retry_after_secs).into();
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout())
        .keep_alive(true);
    let service = TowerToHyperService::new(app);
    tokio::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => tcp,
                Err(error) => {
                    // Out of descriptors or memory for a moment: the
                    // connections open go on; try again shortly.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(place) = places.clone().try_acquire_owned() else {
            metrics.connections_rejected.inc();
            if let Ok(lingering) = refusals.clone().try_acquire_owned() {
                let answer = over_cap.clone();
                tokio::spawn(async move {
                    refuse(tcp, &answer).await;
                    drop(lingering);
                });
            }
            continue;
        };
        // Answers are written in parts (head, then body): send each part
        // at once instead of holding it back for the client's delayed ACK.
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service.clone()));
        let metrics = metrics.clone();
        tokio::spawn(async move {
            metrics.connections.inc();
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            metrics.connections.dec();
            drop(place);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopped with requests still in flight after {DRAIN:?}");
    }
    Ok(())
}

/// Answers 503 on a connection over the cap, then reads what the client
/// sent until it closes (for [`LINGER`] at most).
async fn refuse(mut tcp: TcpStream, answer: &[u8]) {
    let answered = tokio::time::timeout(LINGER, async {
        tcp.write_all(answer).await?;
        tcp.shutdown().await?;
        let mut sink = [0u8; 4096];
        while tcp.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
    if let Ok(Err(error)) = answered {
        tracing::debug!(%error, "cannot answer a connection over the cap");
    }
}
