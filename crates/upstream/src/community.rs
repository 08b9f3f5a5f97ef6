//! The global Mi Community API (UPSTREAM.md §3): the phone list, each
//! phone's variants with their newest stable and developer ROMs, and the
//! fastboot "line packages". Success is `code == 0 && msg == "success"`.

use std::collections::BTreeMap;

use romwatch_model::{Codename, Region, Size, variant_codename};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::SourceConfig;
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;
use crate::observation::Observation;

/// Sent as `Origin` and `Referer`, as the community site does.
pub const SITE: &str = "https://new.c.mi.com/";

/// A phone of the phone list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Phone {
    pub name: String,
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    #[serde(default)]
    pub pic_url: Option<String>,
}

/// A ROM of the device list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommunityRom {
    pub version: String,
    pub rom_url: String,
    /// A human size ("5.6 GB").
    #[serde(default)]
    pub size: Option<String>,
}

/// A variant of a phone, with its newest ROMs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CommunityDevice {
    /// The variant's marketing name (the key of `device_list`).
    #[serde(skip)]
    pub name: String,
    #[serde(default)]
    pub stable_rom: Option<CommunityRom>,
    #[serde(default)]
    pub developer_rom: Option<CommunityRom>,
}

/// A fastboot package of the line-package list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LinePackage {
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    pub package_name: String,
    /// `<device>_<region>_<branch>`; region `null` means none.
    pub key: String,
    pub package_url: String,
}

impl LinePackage {
    /// The variant the key names: `corot_eea_stable` → `corot_eea_global`,
    /// `corot_global_stable` → `corot_global`, `corot_cn_stable` → `corot`.
    pub fn variant(&self) -> Option<Codename> {
        let mut parts = self.key.rsplitn(3, '_');
        let (_branch, region, device) = (parts.next()?, parts.next()?, parts.next()?);
        let device = Codename::new(device).ok()?;
        let region = Region::from_code(region).filter(|_| region != "null")?;
        Some(variant_codename(&device, &region))
    }
}

/// Accepts an id written as a number or a string.
fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("id is {other}"))),
    }
}

/// What to ask the community API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommunityQuery {
    /// One phone's variants and their newest ROMs (`getdevicelist`).
    Devices { phone_id: String },
    /// The fastboot line packages (`getlinepackagelist`).
    LinePackages,
}

/// The global community adapter.
#[derive(Debug, Clone)]
pub struct CommunitySource {
    http: Http,
    base_url: String,
}

impl CommunitySource {
    pub fn new(config: &SourceConfig) -> Result<CommunitySource, SourceError> {
        Ok(CommunitySource {
            http: Http::new(SourceId::Community, config, true)?,
            base_url: config.base_url.trim_end_matches('/').to_string(),
        })
    }

    /// GETs `<base>/<endpoint>` and returns its checked `data`.
    async fn data(
        &self,
        endpoint: &str,
        query: &[(&str, &str)],
    ) -> Result<(String, Value), SourceError> {
        let base = format!("{}/{endpoint}", self.base_url);
        // The query is part of the URL errors name (`?phone_id=…`).
        let url = reqwest::Url::parse_with_params(&base, query)
            .map_err(|e| self.http.error(&base, ErrorKind::Request(e.to_string())))?
            .to_string();
        let request = self
            .http
            .client
            .get(&url)
            .header("Origin", SITE.trim_end_matches('/'))
            .header("Referer", SITE);
        let envelope: Value = self.http.get_json(request, &url).await?;
        let code = envelope.get("code");
        let msg = envelope.get("msg").and_then(Value::as_str).unwrap_or("");
        if code.and_then(Value::as_i64) != Some(0) || msg != "success" {
            let code = code.map_or_else(|| "(none)".to_string(), Value::to_string);
            let message = msg.chars().take(200).collect();
            return Err(self
                .http
                .error(&url, ErrorKind::ErrorReply { code, message }));
        }
        let data = envelope.get("data").cloned().ok_or_else(|| {
            self.http
                .error(&url, ErrorKind::MissingField("data".into()))
        })?;
        Ok((url, data))
    }

    fn field<T: DeserializeOwned>(
        &self,
        url: &str,
        data: &Value,
        path: &[&str],
    ) -> Result<T, SourceError> {
        let missing = || {
            self.http.error(
                url,
                ErrorKind::MissingField(format!("data.{}", path.join("."))),
            )
        };
        let value = path
            .iter()
            .try_fold(data, |v, key| v.get(key))
            .ok_or_else(missing)?;
        T::deserialize(value).map_err(|e| {
            self.http.error(
                url,
                ErrorKind::MissingField(format!("data.{}: {e}", path.join("."))),
            )
        })
    }

    /// `getphonelist`.
    pub async fn phones(&self) -> Result<Vec<Phone>, SourceError> {
        let (url, data) = self.data("getphonelist", &[]).await?;
        self.field(&url, &data, &["phone_data", "phone_list"])
    }

    /// `getdevicelist?phone_id=<id>`, variants sorted by name.
    pub async fn devices(
        &self,
        phone_id: &str,
    ) -> Result<(String, Vec<CommunityDevice>), SourceError> {
        let (url, data) = self
            .data("getdevicelist", &[("phone_id", phone_id)])
            .await?;
        let list: BTreeMap<String, CommunityDevice> =
            self.field(&url, &data, &["device_data", "device_list"])?;
        let devices = list
            .into_iter()
            .map(|(name, mut device)| {
                device.name = name;
                device
            })
            .collect();
        Ok((url, devices))
    }

    /// `getlinepackagelist`.
    pub async fn line_packages(&self) -> Result<(String, Vec<LinePackage>), SourceError> {
        let (url, data) = self.data("getlinepackagelist", &[]).await?;
        let list = self.field(&url, &data, &[])?;
        Ok((url, list))
    }

    /// The packages a list names: a phone's device variants with their
    /// stable and developer ROMs, or the line packages.
    pub async fn observe(&self, query: &CommunityQuery) -> Result<Vec<Observation>, SourceError> {
        match query {
            CommunityQuery::Devices { phone_id } => {
                let (url, devices) = self.devices(phone_id).await?;
                let mut found = Vec::new();
                for device in &devices {
                    for rom in [&device.stable_rom, &device.developer_rom]
                        .into_iter()
                        .flatten()
                    {
                        found.push(
                            rom_observation(device, rom).map_err(|k| self.http.error(&url, k))?,
                        );
                    }
                }
                Ok(found)
            }
            CommunityQuery::LinePackages => {
                let (url, packages) = self.line_packages().await?;
                packages
                    .iter()
                    .map(|p| {
                        let mut observation =
                            Observation::of_url(SourceId::Community, &p.package_url)
                                .map_err(|k| self.http.error(&url, k))?;
                        observation.variant = p.variant();
                        observation.device_name = Some(
                            p.package_name
                                .trim_start_matches('★')
                                .trim()
                                .chars()
                                .take(200)
                                .collect(),
                        );
                        Ok(observation)
                    })
                    .collect()
            }
        }
    }
}

fn rom_observation(device: &CommunityDevice, rom: &CommunityRom) -> Result<Observation, ErrorKind> {
    let mut observation = Observation::of_url(SourceId::Community, &rom.rom_url)?;
    observation.size = match rom.size.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(Size::parse_human(s).map_err(|_| ErrorKind::MissingField(format!("size {s:?}")))?)
        }
        None => None,
    };
    observation.device_name = Some(device.name.chars().take(200).collect());
    Ok(observation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_package_keys_name_variants() {
        let package = |key: &str| LinePackage {
            id: "1".into(),
            package_name: String::new(),
            key: key.into(),
            package_url: String::new(),
        };
        let variant = |key| package(key).variant().map(|c| c.as_str().to_string());
        assert_eq!(
            variant("corot_eea_stable").as_deref(),
            Some("corot_eea_global")
        );
        assert_eq!(
            variant("corot_global_stable").as_deref(),
            Some("corot_global")
        );
        assert_eq!(
            variant("laurel_sprout_global_stable").as_deref(),
            Some("laurel_sprout_global")
        );
        assert_eq!(variant("corot_null_stable"), None);
        assert_eq!(variant("nonsense"), None);
    }
}
