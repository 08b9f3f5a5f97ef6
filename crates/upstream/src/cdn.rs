//! The download CDN (UPSTREAM.md §5): `HEAD` on a package says whether it is
//! there, its size and when it was last modified. A non-2xx answer, or one
//! under 1 KiB (an error page), means the file is not there (yet).

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::header::{CONTENT_LENGTH, LAST_MODIFIED};
use romwatch_model::{Size, file_name_of_url, strip_signed_query};

use crate::config::SourceConfig;
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;
use crate::observation::Observation;
use crate::source::Source;

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
        let path = strip_signed_query(link);
        let filename = file_name_of_url(path);
        let before = &path[..path.len() - filename.len()];
        let version = file_name_of_url(before.trim_end_matches('/'));
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
        Ok(format!("{}/{version}/{filename}", self.base_url))
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

/// The date of a `Last-Modified` time.
fn date_of(time: Option<DateTime<Utc>>) -> Option<NaiveDate> {
    time.map(|t| t.date_naive())
}

impl Source for CdnSource {
    /// A package link.
    type Query = String;

    fn id(&self) -> SourceId {
        SourceId::Cdn
    }

    async fn observe(&self, link: &String) -> Result<Vec<Observation>, SourceError> {
        let file = self.head(link).await?;
        let mut observation = Observation::of_url(SourceId::Cdn, link)
            .map_err(|kind| SourceError::new(SourceId::Cdn, link, kind))?;
        observation.size = Some(file.size);
        observation.released = date_of(file.last_modified);
        Ok(vec![observation])
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
}
