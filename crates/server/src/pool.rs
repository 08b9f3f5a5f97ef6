//! A few read-only store connections reused across requests. SQLite
//! connections are cheap but not free to open, and a connection serves one
//! thread at a time; queries run on the blocking thread pool. (The usual
//! pool crates pin other rusqlite versions than the store's.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use romwatch_store::{Store, StoreError};

use crate::error::ApiError;

pub(crate) struct StorePool {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

/// Connections kept idle at most; more are opened under load and dropped.
const MAX_IDLE: usize = 16;

impl StorePool {
    /// Opens one connection now, so that a missing or unreadable database
    /// fails at start rather than on the first request.
    pub fn open(path: &Path) -> Result<StorePool, StoreError> {
        let first = Store::open_read_only(path)?;
        Ok(StorePool {
            path: path.to_path_buf(),
            idle: Mutex::new(vec![first]),
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

    /// Runs a query on a pooled connection, off the async threads.
    pub async fn with<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        query: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let store = pool.take()?;
            let result = query(&store);
            pool.give_back(store);
            result
        })
        .await;
        match joined {
            Ok(result) => Ok(result?),
            Err(e) => {
                tracing::error!(error = %e, "a store query panicked or was cancelled");
                Err(ApiError {
                    status: axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    message: "internal error".into(),
                })
            }
        }
    }
}
