//! Compressed copies of the site's text files, written beside them at
//! build time (`index.html.br`, `index.html.gz`), so that a server sends
//! the compressed bytes as they are instead of compressing every answer.
//! They are written with their file and carried over with it: a file and
//! its copies always come from the same build. A copy that would not be
//! smaller than its file is not written.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::SiteError;

/// The suffixes of the copies, by preference of the server: Brotli, gzip.
pub(crate) const SUFFIXES: [&str; 2] = [".br", ".gz"];

/// Files smaller than this gain nothing worth a second request path.
const MIN_BYTES: usize = 256;

/// Brotli quality (0–11): 5 compresses better than gzip at about its
/// speed; 9 took a full build of the shared dataset from 6 s to 6 minutes.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;

/// What the copies are, for the build's fingerprints: a change of format or
/// setting rewrites every file with its copies.
pub(crate) const FORMAT: &str = "precompress br5 gz6 v1";

/// Whether a site path holds text worth compressing.
pub(crate) fn compressible(path: &str) -> bool {
    matches!(
        path.rsplit_once('.').map(|(_, ext)| ext),
        Some("html" | "css" | "js" | "json" | "xml" | "txt" | "yml" | "svg")
    )
}

/// The copy of `file` with `suffix`.
pub(crate) fn copy_path(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes the compressed copies of `bytes`, the content of `target`.
pub(crate) fn write_copies(target: &Path, bytes: &[u8]) -> Result<(), SiteError> {
    if bytes.len() < MIN_BYTES {
        return Ok(());
    }
    let brotli = {
        let mut out = Vec::with_capacity(bytes.len() / 4);
        let params = brotli::enc::BrotliEncoderParams {
            quality: BROTLI_QUALITY as i32,
            lgwin: BROTLI_WINDOW as i32,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
            .map_err(SiteError::io("compress", target))?;
        out
    };
    let gzip = {
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 3),
            flate2::Compression::default(),
        );
        encoder
            .write_all(bytes)
            .and_then(|()| encoder.finish())
            .map_err(SiteError::io("compress", target))?
    };
    for (suffix, copy) in SUFFIXES.iter().zip([brotli, gzip]) {
        if copy.len() < bytes.len() {
            let path = copy_path(target, suffix);
            fs::write(&path, copy).map_err(SiteError::io("write", &path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_files_are_compressible_and_packages_are_not() {
        for path in ["index.html", "api/v1/devices.json", "rss.xml", "latest.yml"] {
            assert!(compressible(path), "{path}");
        }
        for path in ["favicon.ico", "robots", "x.tgz"] {
            assert!(!compressible(path), "{path}");
        }
    }
}
