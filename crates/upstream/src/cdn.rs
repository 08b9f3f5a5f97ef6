//! The download CDN (UPSTREAM.md §5): `HEAD` on a package says whether it is
//! there, its size and when it was last modified. A non-2xx answer, or one
//! under 1 KiB (an error page), means the file is not there (yet).

use chrono::{DateTime, Utc};
use reqwest::header::{CONTENT_LENGTH, LAST_MODIFIED};
use romwatch_model::{Link, Size, package_segments};

use crate::config::SourceConfig;
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;

/// The public mirrors, each serving every package at the same path
/// (UPSTREAM.md §5). The first is the usual one: links are built on it.
pub const MIRRORS: [&str; 5] = [
    "bigota.d.miui.com",
    "hugeota.d.miui.com",
    "bn.d.miui.com",
    "cdnorg.d.miui.com",
    "bkt-sgp-miui-ota-update-alisgp.oss-ap-southeast-1.aliyuncs.com",
];

/// Hosts whose links only work with their expiring `?t=<epoch>&s=<signature>`
/// query; the same path is public on every mirror.
pub const SIGNED_HOSTS: [&str; 2] = ["ultimateota.d.miui.com", "superota.d.miui.com"];

/// The base URL of the usual mirror, `https://bigota.d.miui.com`.
pub fn usual_mirror() -> String {
    format!("https://{}", MIRRORS[0])
}

/// The base URL mirror `host` is asked at: `https://<host>`, or with one
/// base URL standing for every host (`--upstream`, the simulator),
/// `<upstream>/<host>`: the host travels as the first path segment.
pub fn mirror_base(host: &str, upstream: Option<&str>) -> String {
    match upstream {
        Some(base) => format!("{}/{host}", base.trim_end_matches('/')),
        None => format!("https://{host}"),
    }
}

/// A package's path on every mirror: `<version>/<filename>`.
pub fn package_path(version: &str, filename: &str) -> String {
    format!("{version}/{filename}")
}

/// A package's link under a mirror's base URL: `<mirror>/<version>/<filename>`.
pub fn package_link(mirror: &str, version: &str, filename: &str) -> String {
    format!(
        "{}/{}",
        mirror.trim_end_matches('/'),
        package_path(version, filename)
    )
}

/// A download link fit to keep: a link on a signed host (its query already
/// stripped) is moved to the usual mirror, where the path needs no
/// signature; any other link is kept as it is.
pub fn public_link(link: Link) -> Link {
    if SIGNED_HOSTS.contains(&link.host()) {
        Link::parse(&format!("{}{}", usual_mirror(), link.path())).unwrap_or(link)
    } else {
        link
    }
}

/// What `HEAD` says of a package that is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdnFile {
    pub size: Size,
    pub last_modified: Option<DateTime<Utc>>,
}

/// The CDN adapter. It asks its configured mirror for the path of the
/// link it is given: every mirror serves the same `/<version>/<filename>`.
#[derive(Debug, Clone)]
pub struct CdnSource {
    http: Http,
    base_url: String,
}

impl CdnSource {
    pub fn new(config: &SourceConfig) -> Result<CdnSource, SourceError> {
        Ok(CdnSource {
            http: Http::new(SourceId::Cdn, config, true)?,
            base_url: config.base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The URL asked for a package link (or a `<version>/<filename>` path):
    /// its last two path segments on the configured mirror.
    pub fn url_for(&self, link: &str) -> Result<String, SourceError> {
        let (version, filename) = package_segments(link);
        let safe = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        };
        if !safe(version) || !safe(filename) {
            return Err(SourceError::new(
                SourceId::Cdn,
                link,
                ErrorKind::Request("not a /<version>/<filename> link".into()),
            ));
        }
        Ok(package_link(&self.base_url, version, filename))
    }

    /// `HEAD` on a package.
    pub async fn head(&self, link: &str) -> Result<CdnFile, SourceError> {
        let url = self.url_for(link)?;
        let response = self.http.send(self.http.client.head(&url), &url).await?;
        let headers = response.headers();
        // Read the header itself: a HEAD answer has no body to measure.
        let length = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                self.http
                    .error(&url, ErrorKind::NotAPackage("no Content-Length".into()))
            })?;
        let size = Size::exact(length);
        if !size.is_plausible() {
            return Err(self.http.error(
                &url,
                ErrorKind::NotAPackage(format!("{length} bytes, an error page")),
            ));
        }
        let last_modified = headers
            .get(LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
            .map(|d| d.with_timezone(&Utc));
        Ok(CdnFile {
            size,
            last_modified,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_map_onto_the_configured_mirror() {
        let cdn = CdnSource::new(&SourceConfig::new("http://127.0.0.1:1")).unwrap();
        assert_eq!(
            cdn.url_for("https://ultimateota.d.miui.com/V14.0.1.0.TKHMIXM/a_b.zip?t=1&s=2")
                .unwrap(),
            "http://127.0.0.1:1/V14.0.1.0.TKHMIXM/a_b.zip"
        );
        assert_eq!(
            cdn.url_for("V1/x.zip").unwrap(),
            "http://127.0.0.1:1/V1/x.zip"
        );
        for bad in ["https://h/../x.zip", "x.zip", "https://h/v/%2e%2e.zip"] {
            assert!(cdn.url_for(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn signed_hosts_move_to_the_usual_mirror() {
        let public = |text: &str| public_link(Link::parse(text).unwrap()).to_string();
        assert_eq!(
            public("https://superota.d.miui.com/V1/a_b.zip"),
            "https://bigota.d.miui.com/V1/a_b.zip"
        );
        assert_eq!(
            public("http://ultimateota.d.miui.com/V1/a_b.zip"),
            "https://bigota.d.miui.com/V1/a_b.zip"
        );
        assert_eq!(mirror_base("bn.d.miui.com", None), "https://bn.d.miui.com");
        assert_eq!(
            mirror_base("bn.d.miui.com", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/bn.d.miui.com"
        );
        let mirror = "https://hugeota.d.miui.com/V1/a_b.zip";
        assert_eq!(public(mirror), mirror);
        assert_eq!(
            package_link("https://h/", "V1", "a_b.zip"),
            "https://h/V1/a_b.zip"
        );
    }
}
