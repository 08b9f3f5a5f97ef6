//! What a source says about one package, before the tracker decides
//! anything: the file, where it is, and whatever else the source knows.

use chrono::NaiveDate;
use romwatch_model::{Codename, Md5, PackageName, Size, file_name_of_url, strip_signed_query};

use crate::changelog::Changelog;
use crate::error::{ErrorKind, SourceId};

/// One package seen by one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub source: SourceId,
    /// The package file name.
    pub filename: String,
    /// The file name parsed: device, region, version, incremental
    /// from-version, MD5 prefix, Android version, build date.
    pub package: PackageName,
    /// The download URL with any signed-link query removed.
    pub url: Option<String>,
    /// The full MD5 where the source gave one, else the name's prefix.
    pub md5: Md5,
    pub size: Option<Size>,
    pub changelog: Option<Changelog>,
    /// The release date, where the source says one (`Last-Modified` on the CDN).
    pub released: Option<NaiveDate>,
    /// The variant the source filed the package under (the OTA query's
    /// device, a community key), which old file names do not say.
    pub variant: Option<Codename>,
    /// The marketing name the source gives ("Redmi Note 13 Global").
    pub device_name: Option<String>,
}

/// The longest URL accepted from a source.
const MAX_URL_LEN: usize = 2_048;

impl Observation {
    /// An observation of a package URL (or bare file name): the query is
    /// stripped and the file name parsed.
    pub fn of_url(source: SourceId, url_or_name: &str) -> Result<Observation, ErrorKind> {
        let trimmed = url_or_name.trim();
        if trimmed.len() > MAX_URL_LEN || trimmed.chars().any(char::is_control) {
            return Err(ErrorKind::MissingField(format!(
                "package URL {:?}",
                trimmed.chars().take(80).collect::<String>()
            )));
        }
        let stripped = strip_signed_query(trimmed);
        let filename = file_name_of_url(stripped).to_string();
        let package = PackageName::parse(&filename)?;
        let url = (stripped.starts_with("https://") || stripped.starts_with("http://"))
            .then(|| stripped.to_string());
        Ok(Observation {
            source,
            md5: package.md5,
            filename,
            package,
            url,
            size: None,
            changelog: None,
            released: None,
            variant: None,
            device_name: None,
        })
    }

    /// Adds a full MD5 when it agrees with the name's prefix; a digest
    /// that contradicts the name is the source's error.
    pub(crate) fn with_md5(mut self, md5: Option<Md5>) -> Result<Observation, ErrorKind> {
        if let Some(md5) = md5 {
            if !md5.agrees_with(&self.package.md5) {
                return Err(ErrorKind::MissingField(format!(
                    "md5 {md5} (the file name {} says {})",
                    self.filename, self.package.md5
                )));
            }
            self.md5 = self.md5.most_known(md5);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_query_is_stripped_and_name_parsed() {
        let obs = Observation::of_url(
            SourceId::FullRom,
            "https://ultimateota.d.miui.com/OS1.0.10.0.UKWEUXM/miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip?t=1700000000&s=deadbeef",
        )
        .unwrap();
        assert_eq!(
            obs.url.as_deref(),
            Some(
                "https://ultimateota.d.miui.com/OS1.0.10.0.UKWEUXM/miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip"
            )
        );
        assert_eq!(obs.package.version.as_str(), "OS1.0.10.0.UKWEUXM");
        let full: Md5 = "6e09feeec4fd978802f4db87ddd7035b".parse().unwrap();
        assert_eq!(obs.clone().with_md5(Some(full)).unwrap().md5, full);
        let other: Md5 = "ffffffffffd978802f4db87ddd7035b0".parse().unwrap();
        assert!(obs.with_md5(Some(other)).is_err());
        assert!(matches!(
            Observation::of_url(SourceId::Cdn, "https://x/y/readme.txt"),
            Err(ErrorKind::PackageName(_))
        ));
    }
}
