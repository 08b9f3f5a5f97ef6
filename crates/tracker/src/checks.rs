//! The checks of a run. Discovery asks the lists (community phones and
//! their variants, line packages, China posts) which variants exist and
//! what they run; then each variant is checked per branch (stable,
//! developer) and method (recovery: OTA API; fastboot: full-ROM endpoint),
//! and each file not yet recorded is checked on the CDN before it may be
//! published.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use futures_util::future::join_all;
use romwatch_model::{Branch, Codename, Link, Method};
use romwatch_store::PendingFile;
use romwatch_upstream::cdn::package_path;
use romwatch_upstream::{
    CdnFile, CommunityQuery, FullRomForm, FullRomQuery, Observation, OtaBranch, OtaConfig,
    OtaQuery, SourceId, Upstream, UpstreamConfig,
};

use crate::exec::{CheckError, Executor};
use crate::knowledge::Build;
use crate::reconcile::{Sighting, variant_of};

/// The host each source is reached at, the key of its rate limit.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// Which OTA host serves a variant is upstream's to say.
    ota: OtaConfig,
    fullrom: String,
    community: String,
    china: String,
    cdn: String,
}

/// The rate-limit key of a base URL: its host and port.
fn host_of(url: &str) -> String {
    Link::parse(url).map_or_else(|_| url.to_string(), |link| link.authority())
}

impl Hosts {
    pub fn new(config: &UpstreamConfig) -> Hosts {
        Hosts {
            ota: config.ota.clone(),
            fullrom: host_of(&config.fullrom.base_url),
            community: host_of(&config.community.base_url),
            china: host_of(&config.china.base_url),
            cdn: host_of(&config.cdn.base_url),
        }
    }

    /// The host the OTA API is asked at about `variant`.
    fn ota(&self, variant: &Codename) -> String {
        host_of(self.ota.base_url_for(variant))
    }
}

/// What every check task shares.
pub struct Shared {
    pub upstream: Upstream,
    pub exec: Executor,
    pub hosts: Hosts,
    /// Files already recorded: those need no CDN check.
    pub recorded: HashSet<String>,
}

/// What discovery found, by variant.
#[derive(Debug, Default)]
pub struct Discovery {
    pub by_variant: BTreeMap<Codename, Vec<Observation>>,
    /// Packages whose variant could not be told.
    pub unplaced: usize,
}

impl Discovery {
    fn add(&mut self, observations: Vec<Observation>) {
        for observation in observations {
            match variant_of(&observation) {
                Some(variant) => self
                    .by_variant
                    .entry(variant)
                    .or_default()
                    .push(observation),
                None => self.unplaced += 1,
            }
        }
    }
}

/// Asks the lists. A list that cannot be read is counted in the summary
/// and skipped: the variants the store knows are still checked.
pub async fn discover(shared: &Shared, posts: &[u64]) -> Discovery {
    let up = &shared.upstream;
    let exec = &shared.exec;
    let community = shared.hosts.community.as_str();
    let phones = async {
        let Ok(phones) = exec
            .check(SourceId::Community, community, || up.community.phones())
            .await
        else {
            return Vec::new();
        };
        let lists = phones.iter().map(|phone| {
            let query = CommunityQuery::Devices {
                phone_id: phone.id.clone(),
            };
            async move {
                exec.check(SourceId::Community, community, || {
                    up.community.observe(&query)
                })
                .await
            }
        });
        join_all(lists).await
    };
    let lines = exec.check(SourceId::Community, community, || {
        up.community.observe(&CommunityQuery::LinePackages)
    });
    let china = join_all(posts.iter().map(|post| {
        exec.check(SourceId::ChinaCommunity, &shared.hosts.china, move || {
            up.china.observe(*post)
        })
    }));
    let (phones, lines, china) = tokio::join!(phones, lines, china);
    let mut discovery = Discovery::default();
    for observations in phones.into_iter().chain([lines]).chain(china).flatten() {
        discovery.add(observations);
    }
    discovery
}

/// What a variant's checks are asked with.
#[derive(Debug, Clone, Default)]
pub struct VariantPlan {
    /// The builds the OTA checks say the phone runs (stable, developer).
    pub current_stable: Option<Build>,
    pub current_developer: Option<Build>,
    /// What discovery saw of the variant.
    pub discovered: Vec<Observation>,
    /// Files of the variant still waiting for the CDN.
    pub pending: Vec<PendingFile>,
}

/// What checking one variant found.
#[derive(Debug)]
pub struct VariantOutcome {
    pub variant: Codename,
    /// Every file seen, by name.
    pub sightings: BTreeMap<String, Sighting>,
    /// Pending files not seen again, with the CDN's new answer.
    pub rechecked: Vec<(PendingFile, Result<CdnFile, String>)>,
    /// Whether the full-ROM endpoint answered the stable check: it lists
    /// the fastboot builds that tell Stable from Stable Beta.
    pub branch_decided: bool,
}

fn ota_query(variant: &Codename, build: &Build, branch: OtaBranch) -> OtaQuery {
    let android = if build.android.is_empty() {
        build.version.android().unwrap_or_default()
    } else {
        build.android.clone()
    };
    OtaQuery {
        variant: variant.clone(),
        version: build.version.to_string(),
        android,
        branch,
    }
}

/// Checks one variant: OTA API and full-ROM endpoint, stable and
/// developer, then the CDN for every file not yet recorded.
pub async fn check_variant(
    shared: Arc<Shared>,
    variant: Codename,
    plan: VariantPlan,
) -> VariantOutcome {
    let shared: &Shared = &shared;
    let up = &shared.upstream;
    let exec = &shared.exec;
    let ota_host = &shared.hosts.ota(&variant);
    let ota = |build: Option<Build>, branch| {
        let query = build.map(|b| ota_query(&variant, &b, branch));
        async move {
            match query {
                Some(query) => {
                    exec.check(SourceId::Ota, ota_host, || up.ota.observe(&query))
                        .await
                }
                None => Ok(Vec::new()),
            }
        }
    };
    let fullrom_host = shared.hosts.fullrom.as_str();
    let fullrom = |branch| {
        let query = FullRomQuery {
            variant: variant.clone(),
            branch,
            android_one: false,
            form: FullRomForm::Redirect,
        };
        async move {
            exec.check(SourceId::FullRom, fullrom_host, || {
                up.fullrom.observe(&query)
            })
            .await
        }
    };
    let answers = tokio::join!(
        ota(plan.current_stable.clone(), OtaBranch::Stable),
        ota(plan.current_developer.clone(), OtaBranch::Developer),
        fullrom(OtaBranch::Stable),
        fullrom(OtaBranch::Developer),
    );
    let mut sightings: BTreeMap<String, Sighting> = BTreeMap::new();
    let branch_decided = answers.2.is_ok();
    let checked = [answers.0, answers.1, answers.2, answers.3]
        .into_iter()
        .filter_map(Result::ok)
        .flatten();
    for observation in plan.discovered.into_iter().chain(checked) {
        if variant_of(&observation).as_ref() != Some(&variant) {
            tracing::debug!(file = observation.filename, %variant, "filed under another variant; left to it");
            continue;
        }
        sightings
            .entry(observation.filename.clone())
            .or_insert_with(|| Sighting {
                observations: Vec::new(),
                head: None,
            })
            .observations
            .push(observation);
    }
    // New files, and pending ones not seen again, go to the CDN.
    let new: Vec<(String, String)> = sightings
        .iter()
        .filter(|(name, _)| !shared.recorded.contains(*name))
        .filter_map(|(name, s)| Some((name.clone(), cdn_link(s.observations.first()?))))
        .collect();
    let heads = join_all(new.iter().map(|(_, link)| head(shared, link))).await;
    for ((name, _), answer) in new.into_iter().zip(heads) {
        if let Some(sighting) = sightings.get_mut(&name) {
            sighting.head = Some(answer);
        }
    }
    let unseen: Vec<PendingFile> = plan
        .pending
        .into_iter()
        .filter(|p| !sightings.contains_key(p.parts.filename.as_str()))
        .collect();
    let rechecks = join_all(unseen.iter().map(|p| {
        let link = p.parts.url.as_ref().map_or_else(
            || package_path(p.parts.version.as_str(), &p.parts.filename),
            Link::to_string,
        );
        async move { head(shared, &link).await }
    }))
    .await;
    VariantOutcome {
        variant,
        sightings,
        rechecked: unseen.into_iter().zip(rechecks).collect(),
        branch_decided,
    }
}

/// The link a file is checked at on the CDN.
fn cdn_link(observation: &Observation) -> String {
    observation.url.clone().unwrap_or_else(|| {
        package_path(observation.package.version.as_str(), &observation.filename)
    })
}

/// `HEAD` on a package; the error as text, since the file is then pending
/// and the reason is stored with it.
async fn head(shared: &Shared, link: &str) -> Result<CdnFile, String> {
    shared
        .exec
        .check(SourceId::Cdn, &shared.hosts.cdn, || {
            shared.upstream.cdn.head(link)
        })
        .await
        .map_err(|e| match e {
            CheckError::Failed(e) => e.kind.to_string(),
            suspended @ CheckError::Suspended(_) => suspended.to_string(),
        })
}

/// Whether an observation is a full recovery build, and if so the build.
pub fn full_build(observation: &Observation) -> Option<(bool, Build)> {
    let package = &observation.package;
    if package.method != Method::Recovery || package.from.is_some() {
        return None;
    }
    let stable = !package.developer && package.version.branch() == Branch::Stable;
    Some((
        stable,
        Build {
            version: package.version.clone(),
            android: package.android.clone(),
            released: observation.released,
        },
    ))
}
