//! The CDN's mirror hosts, each addressable and able to fail on its own.
//!
//! The simulator listens on one address, so the host a request means
//! travels as the first path segment: `/<host>/<version>/<filename>` asks
//! mirror `<host>` (one of [`MIRRORS`]); the plain `/<version>/<filename>`
//! is the usual mirror, [`MIRRORS`]`[0]`, which the tracker's CDN check
//! asks. An unknown host answers 404. The mirror checker builds these URLs
//! with [`romwatch_upstream::cdn::mirror_base`].
//!
//! A host may be down (`--mirror-down HOST`: every file 404 there) or slow
//! (`--mirror-slow HOST=MS`: every answer that much later), and a file may
//! be withdrawn (`POST /_sim/withdraw?file=NAME`: 404 on every host) and
//! restored (`POST /_sim/restore?file=NAME`). The shared CDN faults
//! (`--fault cdn:…`) apply after these.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::RwLock;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use romwatch_upstream::cdn::MIRRORS;

use crate::handlers::{cdn_get, cdn_head, no_such_key};
use crate::server::Shared;

/// `--mirror-slow HOST=MS`: every answer of a mirror host delayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorSlow {
    pub host: String,
    pub latency_ms: u64,
}

/// A mirror flag that names no known host, or a bad delay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad mirror {text:?}: {reason}")]
pub struct MirrorFlagError {
    pub text: String,
    pub reason: String,
}

/// Checks that `host` is one of the mirrors the simulator serves.
pub fn known_mirror(host: &str) -> Result<String, MirrorFlagError> {
    let host = host.trim().to_ascii_lowercase();
    if MIRRORS.contains(&host.as_str()) {
        Ok(host)
    } else {
        Err(MirrorFlagError {
            text: host,
            reason: format!("not a mirror host (one of {})", MIRRORS.join(", ")),
        })
    }
}

impl FromStr for MirrorSlow {
    type Err = MirrorFlagError;
    fn from_str(text: &str) -> Result<MirrorSlow, MirrorFlagError> {
        let fail = |reason: &str| MirrorFlagError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (host, ms) = text
            .split_once('=')
            .ok_or_else(|| fail("expected HOST=MS"))?;
        let latency_ms = ms
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|ms| *ms <= 600_000)
            .ok_or_else(|| fail("the delay must be milliseconds, at most 600000"))?;
        Ok(MirrorSlow {
            host: known_mirror(host)?,
            latency_ms,
        })
    }
}

impl fmt::Display for MirrorSlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.host, self.latency_ms)
    }
}

romwatch_model::serde_as_text!(MirrorSlow);

/// Which hosts fail and which files are withdrawn.
#[derive(Debug, Default)]
pub(crate) struct Mirrors {
    down: HashSet<String>,
    slow: HashMap<String, Duration>,
    // A std lock: never held across an await.
    withdrawn: RwLock<HashSet<String>>,
}

impl Mirrors {
    pub fn new(down: &[String], slow: &[MirrorSlow]) -> Mirrors {
        Mirrors {
            down: down.iter().map(|h| h.to_ascii_lowercase()).collect(),
            slow: slow
                .iter()
                .map(|s| (s.host.clone(), Duration::from_millis(s.latency_ms)))
                .collect(),
            withdrawn: RwLock::default(),
        }
    }

    /// Withdraws (`true`) or restores a file on every host.
    pub fn set_withdrawn(&self, filename: &str, withdrawn: bool) {
        let mut set = self.withdrawn.write().unwrap_or_else(|e| e.into_inner());
        if withdrawn {
            set.insert(filename.to_string());
        } else {
            set.remove(filename);
        }
    }

    fn is_withdrawn(&self, filename: &str) -> bool {
        self.withdrawn
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(filename)
    }

    /// Applies a host's delay; `Err` is the 404 to send instead of the file.
    async fn gate(&self, host: &str, version: &str, filename: &str) -> Result<(), Response> {
        if !MIRRORS.contains(&host) {
            return Err((StatusCode::NOT_FOUND, "no such mirror host").into_response());
        }
        if let Some(delay) = self.slow.get(host) {
            tokio::time::sleep(*delay).await;
        }
        if self.down.contains(host) || self.is_withdrawn(filename) {
            return Err((
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "application/xml")],
                no_such_key(&format!("{version}/{filename}")),
            )
                .into_response());
        }
        Ok(())
    }
}

/// `HEAD /<host>/<version>/<filename>`.
pub(crate) async fn head(
    State(state): State<Shared>,
    Path((host, version, filename)): Path<(String, String, String)>,
) -> Response {
    if let Err(response) = state.mirrors.gate(&host, &version, &filename).await {
        return response;
    }
    cdn_head(State(state), Path((version, filename))).await
}

/// `GET /<host>/<version>/<filename>`.
pub(crate) async fn get(
    State(state): State<Shared>,
    Path((host, version, filename)): Path<(String, String, String)>,
) -> Response {
    if let Err(response) = state.mirrors.gate(&host, &version, &filename).await {
        return response;
    }
    cdn_get(State(state), Path((version, filename))).await
}

/// `HEAD /<version>/<filename>`: the usual mirror.
pub(crate) async fn usual_head(
    State(state): State<Shared>,
    Path((version, filename)): Path<(String, String)>,
) -> Response {
    head(
        State(state),
        Path((MIRRORS[0].to_string(), version, filename)),
    )
    .await
}

/// `GET /<version>/<filename>`: the usual mirror.
pub(crate) async fn usual_get(
    State(state): State<Shared>,
    Path((version, filename)): Path<(String, String)>,
) -> Response {
    get(
        State(state),
        Path((MIRRORS[0].to_string(), version, filename)),
    )
    .await
}

/// `POST /_sim/withdraw?file=NAME`: every host answers 404 for the file.
pub(crate) async fn withdraw(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    set_withdrawn(&state, &query, true)
}

/// `POST /_sim/restore?file=NAME`: the file is back on every host.
pub(crate) async fn restore(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    set_withdrawn(&state, &query, false)
}

fn set_withdrawn(state: &Shared, query: &HashMap<String, String>, withdrawn: bool) -> Response {
    let Some(file) = query.get("file") else {
        return (StatusCode::BAD_REQUEST, "file= is required").into_response();
    };
    if state.read().rom_named(file).is_none() {
        return (StatusCode::NOT_FOUND, "no such file in the catalog").into_response();
    }
    state.mirrors.set_withdrawn(file, withdrawn);
    StatusCode::NO_CONTENT.into_response()
}
