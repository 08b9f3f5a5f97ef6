//! The OTA updater API (`miotaV3.php`, UPSTREAM.md §1): the richest source,
//! with full MD5s, sizes, changelogs and incrementals.

mod request;
mod wire;

pub use request::{OtaBranch, OtaOptions, OtaQuery, OtaRequest};
pub use wire::{
    AnswerObject, FileMirror, GentleNotice, OtaAnswer, OtaRom, RomObject, decode_answer,
    decode_full_rom, open_answer,
};

use crate::cdn::package_link;
use crate::config::OtaConfig;
use crate::crypto;
use crate::error::{ErrorKind, SourceError, SourceId};
use crate::http::Http;
use crate::observation::Observation;

/// The path of the API on both hosts.
pub const PATH: &str = "/updates/miotaV3.php";

/// The OTA API adapter.
#[derive(Debug, Clone)]
pub struct OtaSource {
    http: Http,
    config: OtaConfig,
}

impl OtaSource {
    pub fn new(config: &OtaConfig) -> Result<OtaSource, SourceError> {
        Ok(OtaSource {
            http: Http::new(SourceId::Ota, &config.http, true)?,
            config: config.clone(),
        })
    }

    /// The URL asked for a query, on the host serving its variant.
    pub fn url_for(&self, query: &OtaQuery) -> String {
        let base = self.config.base_url_for(&query.variant);
        format!("{}{PATH}", base.trim_end_matches('/'))
    }

    /// Asks once and decodes the answer.
    pub async fn ask(&self, query: &OtaQuery) -> Result<OtaAnswer, SourceError> {
        let url = self.url_for(query);
        let request = query.request(&self.config.updater_version);
        let json = serde_json::to_string(&request)
            .map_err(|e| self.http.error(&url, ErrorKind::Request(e.to_string())))?;
        let form = [
            ("q", crypto::seal(json.as_bytes())),
            ("t", String::new()),
            ("s", "1".to_string()),
        ];
        let builder = self.http.client.post(&url).form(&form);
        let response = self.http.send(builder, &url).await?;
        let body = self.http.body(response, &url).await?;
        open_answer(&body).map_err(|kind| self.http.error(&url, kind))
    }

    /// The observations of an answer: each ROM object present, with its
    /// link on the configured mirror.
    pub fn observations(
        &self,
        query: &OtaQuery,
        answer: &OtaAnswer,
    ) -> Result<Vec<Observation>, SourceError> {
        let url = self.url_for(query);
        answer
            .roms()
            .map(|(key, rom)| {
                self.observation(query, rom)
                    .map_err(|kind| self.http.error(&url, in_field(key, kind)))
            })
            .collect()
    }

    fn observation(&self, query: &OtaQuery, rom: &OtaRom) -> Result<Observation, ErrorKind> {
        let named = Observation::of_url(SourceId::Ota, &rom.filename)?;
        // The version in the link comes from the grammar-checked file name,
        // not from the answer's free-text field.
        let link = package_link(
            &self.config.mirror,
            named.package.version.as_str(),
            &named.filename,
        );
        let mut observation = Observation::of_url(SourceId::Ota, &link)?.with_md5(rom.md5)?;
        observation.size = rom.size;
        observation.changelog = rom.changelog.clone();
        observation.variant = Some(query.variant.clone());
        observation.device_name = rom.name.clone();
        Ok(observation)
    }

    /// Asks once, claiming the phone runs `query.version`: the observations
    /// of the answer and, when the API knows that build (its answer has a
    /// `CurrentRom`), that build's file name.
    pub async fn observe_current(
        &self,
        query: &OtaQuery,
    ) -> Result<(Option<String>, Vec<Observation>), SourceError> {
        let answer = self.ask(query).await?;
        let observations = self.observations(query, &answer)?;
        // `roms()` gives `CurrentRom` first.
        let current = answer
            .current
            .as_ref()
            .and(observations.first())
            .map(|o| o.filename.clone());
        Ok((current, observations))
    }

    /// Asks once and gives the observations of the answer.
    pub async fn observe(&self, query: &OtaQuery) -> Result<Vec<Observation>, SourceError> {
        let answer = self.ask(query).await?;
        self.observations(query, &answer)
    }
}

/// Says which ROM object an error came from.
fn in_field(key: &str, kind: ErrorKind) -> ErrorKind {
    match kind {
        ErrorKind::MissingField(field) => ErrorKind::MissingField(format!("{key}: {field}")),
        other => other,
    }
}
