//! `sim`: a simulated Xiaomi upstream. One HTTP server serves all five
//! sources at their real paths, in their real wire formats (the OTA API
//! really decrypts requests and encrypts answers), from a deterministic
//! catalog, with fault injection per source. Point an adapter's base URL
//! at it ([`romwatch_upstream::UpstreamConfig::pointing_at`]) and it cannot tell.
//!
//! Paths served:
//!
//! | path | source |
//! |---|---|
//! | `POST /updates/miotaV3.php` | OTA API |
//! | `GET /updates/v1/fullromdownload.php`, `GET /updates/miota-fullrom.php` | full-ROM endpoint |
//! | `GET /bbs/api/global/phone/{getphonelist,getdevicelist,getlinepackagelist}` | global community |
//! | `GET /api/community/post/detail?postId=` | China community |
//! | `HEAD`/`GET /<version>/<filename>` | CDN (the usual mirror) |
//! | `HEAD`/`GET /<host>/<version>/<filename>` | CDN mirror `<host>`, one of `romwatch_upstream::cdn::MIRRORS` |
//! | `POST /_sim/release?count=N` | publishes N new ROMs; answers their file names (JSON) |
//! | `GET /_sim/catalog` | every published ROM as JSON Lines `Record`s |
//! | `GET /_sim/posts` | the China community post ids (JSON) |
//! | `POST /_sim/withdraw?file=NAME` | every mirror answers 404 for the file |
//! | `POST /_sim/restore?file=NAME` | the file is back on every mirror |

mod catalog;
mod faults;
mod generate;
mod handlers;
mod load;
mod mirrors;
mod names;
mod server;
mod vocabulary;
mod wrong_key;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use romwatch_model::Record;
use romwatch_upstream::UpstreamConfig;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultConfig, FaultRule, FaultRuleError, Trigger};
pub use mirrors::{MirrorFlagError, MirrorSlow, known_mirror};

use server::SimState;

/// How to run the simulator. Each field maps onto one CLI flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimOptions {
    /// `--devices N`: how many device variants a generated catalog has
    /// (spread over MIUI 7 to HyperOS 3, China and eight other regions).
    /// Ignored when `catalog` is set.
    pub devices: usize,
    /// `--seed S`: seeds the generated catalog, the releases and the fault
    /// draws; the same seed gives the same run.
    pub seed: u64,
    /// `--catalog FILE`: serve the ROMs of a JSON Lines file of romwatch
    /// records (such as `xfu-roms.jsonl`) instead of a generated catalog.
    pub catalog: Option<PathBuf>,
    /// `--fault RULE` (repeatable): see [`FaultRule`] for the syntax.
    pub faults: FaultConfig,
    /// `--mirror-down HOST` (repeatable): every file answers 404 on these
    /// mirror hosts.
    pub mirror_down: Vec<String>,
    /// `--mirror-slow HOST=MS` (repeatable): every answer of the host comes
    /// this much later.
    pub mirror_slow: Vec<MirrorSlow>,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            devices: 1_400,
            seed: 1,
            catalog: None,
            faults: FaultConfig::default(),
            mirror_down: Vec::new(),
            mirror_slow: Vec::new(),
        }
    }
}

/// Why the simulator could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot read catalog {path}: {reason}")]
    Catalog { path: String, reason: String },
    #[error("catalog {path} holds no usable record")]
    EmptyCatalog { path: String },
    #[error("simulator I/O failed")]
    Io(#[from] std::io::Error),
    #[error("catalog generation failed: {0}")]
    Generation(String),
}

/// Builds the catalog, then serves until the listener fails.
pub async fn serve(listener: TcpListener, options: SimOptions) -> Result<(), SimError> {
    serve_until(listener, options, std::future::pending()).await
}

/// Like [`serve`], and stops when `shutdown` completes (a Ctrl-C handler,
/// say), after the requests in flight are answered; a request held by a
/// `timeout` fault delays that by up to [`FaultConfig::timeout_hold_ms`].
pub async fn serve_until(
    listener: TcpListener,
    options: SimOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let state = Arc::new(SimState::build(options).await?);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, roms = state.rom_count(), "simulated upstream serving");
    axum::serve(listener, server::router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A simulator running inside the current process, for tests and demos.
/// It stops when dropped.
pub struct SimServer {
    addr: SocketAddr,
    state: Arc<SimState>,
    task: JoinHandle<()>,
}

impl SimServer {
    /// Builds the catalog and serves it on `127.0.0.1` at a free port.
    pub async fn start(options: SimOptions) -> Result<SimServer, SimError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(SimState::build(options).await?);
        let app = server::router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "simulated upstream stopped");
            }
        });
        Ok(SimServer { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adapter settings pointing every source here, with `timeout`.
    pub fn upstream_config(&self, timeout: Duration) -> UpstreamConfig {
        UpstreamConfig::pointing_at(&self.base_url()).with_timeout(timeout)
    }

    /// Everything published, as `GET /_sim/catalog` answers it.
    pub fn records(&self) -> Vec<Record> {
        self.state.records()
    }

    /// Publishes `count` new ROMs, as `POST /_sim/release` does.
    pub fn release(&self, count: usize) -> Vec<String> {
        self.state.release(count)
    }

    /// Withdraws a file from every mirror (`true`, as `POST
    /// /_sim/withdraw` does) or restores it (as `POST /_sim/restore`).
    pub fn set_withdrawn(&self, filename: &str, withdrawn: bool) {
        self.state.mirrors.set_withdrawn(filename, withdrawn);
    }

    /// The China community post ids, as `GET /_sim/posts` answers them.
    pub fn post_ids(&self) -> Vec<u64> {
        self.state.post_ids()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
