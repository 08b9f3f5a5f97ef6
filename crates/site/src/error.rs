//! The errors of a site build.

use std::io;
use std::path::PathBuf;

/// Why a build failed. A failed build never touches the published site: the
/// previous version stays live (see [`crate::publish`]).
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// A file or directory could not be read, written, linked or renamed.
    #[error("cannot {action} {path}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A template (embedded or from the theme directory) failed to parse or
    /// to render.
    #[error("template {name} failed")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    /// A JSON file (API, search index, feed, manifest) failed to serialize.
    #[error("cannot serialize {path} as JSON")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// A value would have become a path segment that could leave its
    /// directory or break a URL.
    #[error("unsafe path segment {value:?} for {what}")]
    UnsafeSegment { what: &'static str, value: String },
    /// Two files of the site would have the same path: a bug in the
    /// builder, refused rather than one file silently replacing the other.
    #[error("two files of the site have the path {0}")]
    DuplicatePath(String),
    /// The site configuration is unusable.
    #[error("site config: {0}")]
    Config(String),
    /// The output path exists but is not something the builder published
    /// (e.g. a real directory where the `current` symlink should be).
    #[error(
        "output {path} exists and is not a romwatch site symlink; move it away or choose another --out"
    )]
    ForeignOutput { path: PathBuf },
    /// Another build holds the output's lock.
    #[error("another build is publishing to {out} (lock {lock})")]
    Busy { out: PathBuf, lock: PathBuf },
    /// The build would remove most of the published site (see
    /// [`crate::check_shrink`]); nothing was published.
    #[error(
        "this build would remove {removed} of the {published} published files, more than half; \
         nothing was published (is the database the right one?). Pass --allow-shrink to publish it anyway"
    )]
    Shrink { published: usize, removed: usize },
    /// Atomic publishing needs symlinks, which this platform lacks.
    #[error("atomic publishing needs a Unix platform")]
    Unsupported,
}

impl SiteError {
    /// Wraps an I/O error with what was being done and to which path.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> SiteError {
        let path = path.into();
        move |source| SiteError::Io {
            action,
            path,
            source,
        }
    }
}
