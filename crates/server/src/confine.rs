//! What of the site directory may be served: files that, with every
//! symlink resolved, are still inside it; never a dotfile or a file of the
//! store (`romwatch.db`, its `-wal`, `-shm`, `-journal`): serving one would
//! leak the data, and closing the descriptor a read opened would drop the
//! serving process's own SQLite locks. Anything else, including a name the
//! file system cannot even hold (a segment over 255 bytes), is the site's
//! 404 page.
//!
//! The check runs before the file cache and the file service, on the path
//! they will open; the site directory is resolved anew each time, since a
//! build swaps its symlink. (A file swapped between the check and the open
//! needs write access to the site, which is trusted.)

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ServerError;

/// The longest file name Linux and most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Name endings of SQLite's files: the database and its journals.
const STORE_SUFFIXES: [&str; 6] = [".db", ".sqlite", ".sqlite3", "-wal", "-shm", "-journal"];

/// Whether one path segment may name something served.
fn servable_name(name: &str) -> bool {
    !name.starts_with('.')
        && name.len() <= MAX_NAME_BYTES
        && !name.contains(['\\', '\0'])
        && !STORE_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The site directory's servable files.
pub(crate) struct SiteRoot {
    dir: PathBuf,
}

/// Refuses a site directory that holds the store (`--site .` next to
/// `romwatch.db`): the per-request checks would still hide the store, but
/// such a directory is a mistake worth stopping at.
pub(crate) fn refuse_store_inside(site: &Path, db: &Path) -> Result<(), ServerError> {
    if let (Ok(site), Ok(db)) = (site.canonicalize(), db.canonicalize())
        && db.starts_with(&site)
    {
        return Err(ServerError::SiteHoldsStore { site, db });
    }
    Ok(())
}

impl SiteRoot {
    pub fn new(dir: &Path) -> SiteRoot {
        SiteRoot {
            dir: dir.to_path_buf(),
        }
    }

    /// Whether the URL path (still percent-encoded) may be handed to the
    /// file services. A path naming nothing is allowed: they answer 404.
    fn allows(&self, url_path: &str) -> bool {
        let Ok(decoded) = percent_encoding::percent_decode_str(url_path).decode_utf8() else {
            return false;
        };
        let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
        if !segments.iter().all(|s| servable_name(s)) {
            return false;
        }
        let Ok(root) = self.dir.canonicalize() else {
            // No site yet: the file services answer 404.
            return true;
        };
        let wanted: PathBuf = segments.iter().collect();
        let mut target = root.join(&wanted);
        if target.is_dir() {
            target.push("index.html");
        }
        match target.canonicalize() {
            Ok(resolved) => resolved.strip_prefix(&root).is_ok_and(|inside| {
                inside
                    .iter()
                    .all(|part| part.to_str().is_some_and(servable_name))
            }),
            Err(e) => e.kind() == ErrorKind::NotFound,
        }
    }

    /// The site's 404 page, with status 404.
    async fn not_found(&self) -> Response {
        let page = tokio::fs::read(self.dir.join("404.html")).await;
        let (body, content_type) = match page {
            Ok(html) => (Body::from(html), "text/html; charset=utf-8"),
            Err(_) => (Body::from("not found\n"), "text/plain; charset=utf-8"),
        };
        let mut response = Response::new(body);
        *response.status_mut() = StatusCode::NOT_FOUND;
        if let Ok(value) = content_type.parse() {
            response.headers_mut().insert(CONTENT_TYPE, value);
        }
        response
    }
}

/// Lets a request through to the site's files only if [`SiteRoot`] allows
/// its path.
pub(crate) async fn confine(
    State(root): State<Arc<SiteRoot>>,
    request: Request,
    next: Next,
) -> Response {
    if root.allows(request.uri().path()) {
        next.run(request).await
    } else {
        root.not_found().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotfiles_store_files_and_overlong_names_are_never_served() {
        for name in ["index.html", "site.css", "OS1.0.10.0.UKWEUXM", "latest.yml"] {
            assert!(servable_name(name), "{name}");
        }
        let long = "a".repeat(256);
        for name in [
            ".git",
            ".env",
            "romwatch.db",
            "romwatch.db-wal",
            "romwatch.db-shm",
            "romwatch.db-journal",
            "data.sqlite",
            long.as_str(),
            "a\\b",
        ] {
            assert!(!servable_name(name), "{name}");
        }
    }
}
