//! The full-ROM (fastboot) endpoint (UPSTREAM.md §2): a `302` whose
//! `Location` is the newest fastboot package, or `http://www.miui.com/` when
//! there is none; and its older JSON form `{"LatestFullRom": {…}}`.

use reqwest::header::LOCATION;
use romwatch_model::{Codename, Region};

use crate::cdn::package_link;
use crate::config::{OtaConfig, SourceConfig};
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;
use crate::observation::Observation;
use crate::ota::{OtaBranch, decode_full_rom};

pub const REDIRECT_PATH: &str = "/updates/v1/fullromdownload.php";
pub const JSON_PATH: &str = "/updates/miota-fullrom.php";

/// The `Location` that means "no package".
pub const NO_PACKAGE: &str = "http://www.miui.com/";

/// Which of the two forms to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullRomForm {
    Redirect,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullRomQuery {
    /// The variant codename (`corot_eea_global`).
    pub variant: Codename,
    pub branch: OtaBranch,
    /// Android One devices must be asked with an empty `r`.
    pub android_one: bool,
    pub form: FullRomForm,
}

impl FullRomQuery {
    /// The `r` parameter: `eea`, `in`, `global`, `cn`, … from the variant's
    /// suffix (`_in_rf_global` is India too); empty for Android One.
    pub fn region_param(&self) -> String {
        if self.android_one {
            return String::new();
        }
        Region::of_variant(self.variant.as_str()).code().to_string()
    }
}

/// The full-ROM adapter.
#[derive(Debug, Clone)]
pub struct FullRomSource {
    http: Http,
    base_url: String,
    mirror: String,
}

impl FullRomSource {
    /// `mirror` builds the links of the JSON form (`<mirror>/<version>/<filename>`).
    pub fn new(config: &SourceConfig, ota: &OtaConfig) -> Result<FullRomSource, SourceError> {
        Ok(FullRomSource {
            // The answer *is* the redirect: never follow it.
            http: Http::new(SourceId::FullRom, config, false)?,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            mirror: ota.mirror.trim_end_matches('/').to_string(),
        })
    }

    fn url(&self, query: &FullRomQuery) -> String {
        let path = match query.form {
            FullRomForm::Redirect => REDIRECT_PATH,
            FullRomForm::Json => JSON_PATH,
        };
        format!("{}{path}", self.base_url)
    }

    /// The newest fastboot package, or `None`.
    pub async fn latest(&self, query: &FullRomQuery) -> Result<Option<Observation>, SourceError> {
        let url = self.url(query);
        let params = [
            ("d", query.variant.as_str().to_string()),
            ("b", query.branch.letter().to_string()),
            ("r", query.region_param()),
            ("n", String::new()),
        ];
        let request = self.http.client.get(&url).query(&params);
        // Errors name the whole query: which variant and region were asked.
        let url = format!(
            "{url}?d={}&b={}&r={}&n=",
            query.variant.as_str(),
            query.branch.letter(),
            query.region_param()
        );
        let response = self.http.send(request, &url).await?;
        let found = match query.form {
            FullRomForm::Redirect => {
                let status = response.status();
                let location = response
                    .headers()
                    .get(LOCATION)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string());
                match location {
                    Some(location) if status.is_redirection() => redirect_observation(&location),
                    _ => {
                        let body = self.http.body(response, &url).await?;
                        Err(if crate::http::looks_like_html(&body) {
                            ErrorKind::Html
                        } else {
                            ErrorKind::MissingField(format!("Location (HTTP status {status})"))
                        })
                    }
                }
            }
            FullRomForm::Json => {
                let body = self.http.body(response, &url).await?;
                self.json_observation(&body)
            }
        };
        found
            .map(|o| {
                o.map(|mut o| {
                    o.variant = Some(query.variant.clone());
                    o
                })
            })
            .map_err(|kind| self.http.error(&url, kind))
    }

    fn json_observation(&self, body: &[u8]) -> Result<Option<Observation>, ErrorKind> {
        let Some(rom) = decode_full_rom(body)? else {
            return Ok(None);
        };
        let named = Observation::of_url(SourceId::FullRom, &rom.filename)?;
        let link = package_link(
            &self.mirror,
            named.package.version.as_str(),
            &named.filename,
        );
        let mut observation = Observation::of_url(SourceId::FullRom, &link)?.with_md5(rom.md5)?;
        observation.size = rom.size;
        observation.changelog = rom.changelog;
        observation.device_name = rom.name;
        Ok(Some(observation))
    }

    /// The newest full ROM the endpoint offers for the query, if any.
    pub async fn observe(&self, query: &FullRomQuery) -> Result<Vec<Observation>, SourceError> {
        Ok(self.latest(query).await?.into_iter().collect())
    }
}

fn redirect_observation(location: &str) -> Result<Option<Observation>, ErrorKind> {
    if location.trim_end_matches('/') == NO_PACKAGE.trim_end_matches('/') {
        return Ok(None);
    }
    if !(location.starts_with("https://") || location.starts_with("http://")) {
        return Err(ErrorKind::Redirect(location.chars().take(200).collect()));
    }
    Observation::of_url(SourceId::FullRom, location).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(variant: &str) -> FullRomQuery {
        FullRomQuery {
            variant: Codename::new(variant).unwrap(),
            branch: OtaBranch::Stable,
            android_one: false,
            form: FullRomForm::Redirect,
        }
    }

    #[test]
    fn region_parameter_follows_the_variant_suffix() {
        for (variant, r) in [
            ("corot_eea_global", "eea"),
            ("pipa_in_rf_global", "in"),
            ("alioth_global", "global"),
            ("alioth", "cn"),
            ("zorn_tw_global", "tw"),
        ] {
            assert_eq!(query(variant).region_param(), r, "{variant}");
        }
        let one = FullRomQuery {
            android_one: true,
            ..query("tissot_global")
        };
        assert_eq!(one.region_param(), "");
    }

    #[test]
    fn redirect_targets() {
        assert!(matches!(
            redirect_observation("http://www.miui.com/"),
            Ok(None)
        ));
        assert!(matches!(
            redirect_observation("http://www.miui.com"),
            Ok(None)
        ));
        let found = redirect_observation(
            "https://ultimateota.d.miui.com/OS2.0.3.0.VMLMIXM/corot_global-images-OS2.0.3.0.VMLMIXM-user-20250101.0000.00-15.0-global-0123456789.tgz?t=1&s=2",
        );
        let Ok(Some(observation)) = found else {
            panic!("{found:?}");
        };
        assert!(
            observation
                .url
                .is_some_and(|u| u.ends_with("0123456789.tgz"))
        );
        assert!(matches!(
            redirect_observation("javascript:alert(1)"),
            Err(ErrorKind::Redirect(_))
        ));
    }
}
