//! Publishing a built site to S3-compatible object storage, for a site
//! served from a bucket behind a CDN.
//!
//! The local build already fingerprints every file (its manifest, see
//! `romwatch_site::live_version`). A publish compares that manifest with
//! the one it left in the bucket last time (the object
//! `<prefix>/.romwatch/manifest.json`) and then, in this order:
//!
//! 1. uploads the files that are new or changed, each with its
//!    `Content-Type` and `Cache-Control`;
//! 2. deletes the files the new site no longer has, once every new file is
//!    up, so a visitor never follows a link to a page not there yet;
//! 3. writes the new manifest.
//!
//! The build's compressed copies (`.br`, `.gz`) are not in its manifest
//! and are not uploaded: an object has one encoding, and a CDN in front of
//! the bucket compresses for its clients.
//!
//! A publish that fails or is killed part way leaves the old manifest, so
//! the next one uploads and deletes again whatever it had not confirmed;
//! both steps are idempotent.

mod target;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt, stream};
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, Attributes, ObjectStore, PutOptions, PutPayload};
use romwatch_model::media;
use romwatch_site::{SiteError, live_version};

pub use target::{PublishConfig, Target};

/// Uploads and deletes in flight at once.
const CONCURRENCY: usize = 16;

/// The object that records what the bucket holds, under the prefix.
const MANIFEST: &str = ".romwatch/manifest.json";

/// What a publish did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishReport {
    /// Files of the site.
    pub files: usize,
    /// Objects written (new or changed files).
    pub uploaded: usize,
    /// Bytes of the objects written.
    pub bytes: u64,
    /// Objects deleted (files the site no longer has).
    pub deleted: usize,
    /// Files already in the bucket as they are.
    pub unchanged: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("cannot read the built site")]
    Site(#[from] SiteError),
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid publish target {target:?}: {reason}")]
    Target { target: String, reason: String },
    #[error("cannot {action} {url}")]
    Remote {
        action: &'static str,
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("the manifest in the bucket ({url}) is not one romwatch wrote")]
    Manifest {
        url: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The bucket side: a store and the prefix the site lives under.
struct Bucket {
    store: Arc<dyn ObjectStore>,
    target: Target,
}

impl Bucket {
    fn path(&self, file: &str) -> ObjectPath {
        ObjectPath::from(self.target.key(file))
    }

    fn url(&self, file: &str) -> String {
        format!("s3://{}/{}", self.target.bucket, self.target.key(file))
    }

    fn fail(
        &self,
        action: &'static str,
        file: &str,
    ) -> impl FnOnce(object_store::Error) -> PublishError {
        let url = self.url(file);
        move |source| PublishError::Remote {
            action,
            url,
            source,
        }
    }

    /// The manifest the last publish wrote; empty when there is none.
    async fn manifest(&self) -> Result<HashMap<String, String>, PublishError> {
        match self.store.get(&self.path(MANIFEST)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(HashMap::new()),
            Err(e) => Err(self.fail("read", MANIFEST)(e)),
            Ok(found) => {
                let bytes = found.bytes().await.map_err(self.fail("read", MANIFEST))?;
                serde_json::from_slice(&bytes).map_err(|source| PublishError::Manifest {
                    url: self.url(MANIFEST),
                    source,
                })
            }
        }
    }

    async fn put(&self, file: &str, bytes: Vec<u8>) -> Result<(), PublishError> {
        let mut attributes = Attributes::new();
        let content_type = media::content_type(file).unwrap_or("application/octet-stream");
        attributes.insert(Attribute::ContentType, content_type.into());
        attributes.insert(Attribute::CacheControl, media::cache_control(file).into());
        let options = PutOptions {
            attributes,
            ..PutOptions::default()
        };
        self.store
            .put_opts(&self.path(file), PutPayload::from(bytes), options)
            .await
            .map_err(self.fail("upload", file))?;
        Ok(())
    }

    async fn delete(&self, file: &str) -> Result<(), PublishError> {
        match self.store.delete(&self.path(file)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.fail("delete", file)(e)),
        }
    }
}

/// Publishes the site built at `site` (the `romwatch build --out` symlink)
/// to the configured bucket: see the module doc.
pub async fn publish(site: &Path, config: &PublishConfig) -> Result<PublishReport, PublishError> {
    let target = config.target()?;
    let store = config.store(&target)?;
    publish_to(site, Bucket { store, target }).await
}

async fn publish_to(site: &Path, bucket: Bucket) -> Result<PublishReport, PublishError> {
    let live = live_version(site)?;
    let fingerprints: HashMap<String, String> = live
        .files
        .iter()
        .map(|(path, print)| (path.clone(), format!("{print:032x}")))
        .collect();
    let remote = bucket.manifest().await?;

    let mut changed: Vec<&str> = fingerprints
        .iter()
        .filter(|&(path, print)| remote.get(path) != Some(print))
        .map(|(path, _)| path.as_str())
        .collect();
    changed.sort_unstable();
    let mut gone: Vec<&str> = remote
        .keys()
        .filter(|path| !fingerprints.contains_key(*path))
        .map(String::as_str)
        .collect();
    gone.sort_unstable();

    let bytes: u64 = stream::iter(changed.iter().map(|&file| {
        let bucket = &bucket;
        let path = live.dir.join(file);
        async move {
            let body = tokio::fs::read(&path)
                .await
                .map_err(|source| PublishError::Read { path, source })?;
            let len = body.len() as u64;
            bucket.put(file, body).await?;
            Ok::<u64, PublishError>(len)
        }
    }))
    .buffer_unordered(CONCURRENCY)
    .try_fold(0, |sum, len| async move { Ok(sum + len) })
    .await?;

    stream::iter(gone.iter().map(|&file| bucket.delete(file)))
        .buffer_unordered(CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;

    let manifest = serde_json::to_vec(&fingerprints).map_err(|source| PublishError::Manifest {
        url: bucket.url(MANIFEST),
        source,
    })?;
    bucket.put(MANIFEST, manifest).await?;

    let report = PublishReport {
        files: fingerprints.len(),
        uploaded: changed.len(),
        bytes,
        deleted: gone.len(),
        unchanged: fingerprints.len() - changed.len(),
    };
    tracing::info!(
        uploaded = report.uploaded,
        deleted = report.deleted,
        unchanged = report.unchanged,
        bytes = report.bytes,
        "site published to s3://{}/{}",
        bucket.target.bucket,
        bucket.target.prefix
    );
    Ok(report)
}
