//! Store queries, bounded. SQLite work runs on the blocking thread pool, so
//! a flood of expensive requests could pile up threads, connections and
//! memory without end; here every query needs one of a fixed number of
//! slots (none free: 503 with `Retry-After` at once, nothing queued), may
//! run for a time budget, and is stopped when its request is dropped (the
//! client went away). A slot is held by the blocking thread until the
//! query has really ended, so the slots bound the threads, not just the
//! waiting requests. `/healthz` has a slot of its own, so that it still
//! answers when every other slot is taken.
//!
//! A few read-only connections are kept for reuse: SQLite connections are
//! cheap but not free to open, and one serves a thread at a time. (The
//! usual pool crates pin other rusqlite versions than the store's.)

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::metrics::gauge::Gauge;
use romwatch_store::{Interrupter, Store, StoreError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::metrics::{Metrics, StoreOutcome};

pub(crate) struct StorePool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
    slots: Arc<Semaphore>,
    health_slot: Arc<Semaphore>,
    budget: Duration,
    retry_after_secs: u64,
    metrics: Arc<Metrics>,
}

/// Which slots a query takes.
#[derive(Clone, Copy)]
pub(crate) enum Lane {
    /// The API's.
    Api,
    /// `/healthz`'s own.
    Health,
}

/// Where a query stands, shared by the request waiting for it and the
/// blocking thread running it, so that stopping it can never interrupt
/// the next query that reuses the connection.
enum Run {
    Waiting,
    Running(Interrupter),
    Stopped,
    Finished,
}

struct Watch(Mutex<Run>);

impl Watch {
    fn lock(&self) -> std::sync::MutexGuard<'_, Run> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The query is about to run; false if it was stopped before.
    fn start(&self, interrupter: Interrupter) -> bool {
        let mut run = self.lock();
        if matches!(*run, Run::Stopped) {
            return false;
        }
        *run = Run::Running(interrupter);
        true
    }

    fn finish(&self) {
        *self.lock() = Run::Finished;
    }

    /// Stops the query wherever it is; nothing once it has finished.
    fn stop(&self) {
        let mut run = self.lock();
        match &*run {
            Run::Running(interrupter) => interrupter.interrupt(),
            Run::Finished => return,
            Run::Waiting | Run::Stopped => {}
        }
        *run = Run::Stopped;
    }
}

/// Stops the query when the request waiting for it goes away, whether
/// it finished (nothing to stop), ran over its budget or was dropped.
struct StopOnDrop(Arc<Watch>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// A query slot, counted as running while held (by the blocking thread,
/// until the query has ended).
struct Slot {
    _permit: OwnedSemaphorePermit,
    running: Gauge,
}

impl Slot {
    fn new(permit: OwnedSemaphorePermit, running: &Gauge) -> Slot {
        running.inc();
        Slot {
            _permit: permit,
            running: running.clone(),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.running.dec();
    }
}

/// Connections kept idle at most; more are opened under load and dropped.
const MAX_IDLE: usize = 16;

/// How the pool is bounded (from the `[serve]` table).
pub(crate) struct PoolLimits {
    pub slots: usize,
    pub budget: Duration,
    pub retry_after_secs: u64,
}

impl StorePool {
    /// Opens one connection now, so that a missing or unreadable database
    /// fails at start rather than on the first request.
    pub fn open(
        path: &Path,
        limits: PoolLimits,
        metrics: Arc<Metrics>,
    ) -> Result<StorePool, StoreError> {
        let first = Store::open_read_only(path)?;
        Ok(StorePool {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![first]),
            slots: Arc::new(Semaphore::new(limits.slots)),
            health_slot: Arc::new(Semaphore::new(1)),
            budget: limits.budget,
            retry_after_secs: limits.retry_after_secs,
            metrics,
        })
    }

    fn take(&self) -> Result<Store, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(store) => Ok(store),
            None => Store::open_read_only(&self.path),
        }
    }

    fn give_back(&self, store: Store) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(store);
        }
    }

    /// Runs a query on a pooled connection, off the async threads, within
    /// the pool's bounds.
    pub async fn with<T: Send + 'static>(
        self: &Arc<Self>,
        lane: Lane,
        query: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let slots = match lane {
            Lane::Api => &self.slots,
            Lane::Health => &self.health_slot,
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            self.metrics.store_call(StoreOutcome::Rejected);
            return Err(ApiError::busy(
                "too many queries at once; try again shortly",
                self.retry_after_secs,
            ));
        };
        let slot = Slot::new(permit, &self.metrics.store_calls_running);
        let watch = Arc::new(Watch(Mutex::new(Run::Waiting)));
        let _stop = StopOnDrop(watch.clone());
        let pool = self.clone();
        let running = watch.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let mut store = pool.take()?;
            let interrupter = store.interrupter()?;
            // Stopped while it waited for a thread: nobody wants the answer.
            let result = running
                .start(interrupter)
                .then(|| query(&store))
                .transpose();
            running.finish();
            if matches!(&result, Ok(None)) || result.as_ref().is_err_and(StoreError::is_interrupted)
            {
                pool.metrics.store_calls_stopped.inc();
            }
            pool.give_back(store);
            result
        });
        match tokio::time::timeout(self.budget, task).await {
            Ok(Ok(Ok(Some(value)))) => {
                self.metrics.store_call(StoreOutcome::Done);
                Ok(value)
            }
            Ok(Ok(Err(e))) => {
                self.metrics.store_call(StoreOutcome::Failed);
                Err(e.into())
            }
            Ok(Ok(Ok(None))) | Ok(Err(_)) => {
                self.metrics.store_call(StoreOutcome::Failed);
                tracing::error!("a store query panicked or was cancelled");
                Err(ApiError::internal())
            }
            Err(_) => {
                // Dropping `_stop` interrupts the query on its thread.
                self.metrics.store_call(StoreOutcome::OverBudget);
                Err(ApiError::busy(
                    format!(
                        "the query ran over its time budget of {} ms; narrow it or try again later",
                        self.budget.as_millis()
                    ),
                    self.retry_after_secs,
                ))
            }
        }
    }
}
