//! The checks of a run. Discovery asks the lists (community phones and
//! their variants, line packages, China posts) which variants exist and
//! what they run; then each variant is checked per branch (stable,
//! developer) and method (recovery: OTA API; fastboot: full-ROM endpoint,
//! its JSON form first for the MD5, then its redirect form), and each file not yet recorded is checked on the CDN before it may be
//! published.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use futures_util::future::join_all;
use romwatch_model::{Branch, Codename, Link, Method, PackageFacts};
use romwatch_store::PendingFile;
use romwatch_upstream::cdn::package_path;
use romwatch_upstream::{
    CdnFile, CommunityQuery, FullRomForm, FullRomQuery, Observation, OtaBranch, OtaConfig,
    OtaQuery, SourceId, Upstream, UpstreamConfig,
};

use crate::backfill::BackfillAsk;
use crate::exec::{CheckError, Executor};
use crate::knowledge::Build;
use crate::metadata::{self, MetadataReport, ToRead};
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

    /// The CDN's host.
    pub fn cdn(&self) -> &str {
        &self.cdn
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
    /// Stored builds to ask the OTA API about (the backfill).
    pub backfill: Vec<BackfillAsk>,
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
    /// The backfill's asks whose `CurrentRom` came back.
    pub filled: usize,
    /// The backfill's asks the API answered without a `CurrentRom`.
    pub unknown_to_api: Vec<String>,
    /// What the metadata of packages read this run says.
    pub facts: Vec<(String, PackageFacts)>,
    pub metadata: MetadataReport,
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
    let fullrom_form = |branch, form| {
        let query = FullRomQuery {
            variant: variant.clone(),
            branch,
            android_one: false,
            form,
        };
        async move {
            exec.check(SourceId::FullRom, fullrom_host, || {
                up.fullrom.observe(&query)
            })
            .await
        }
    };
    // The JSON form carries the package's full MD5; the redirect form
    // answers when it fails or names no package.
    let fullrom = |branch| async move {
        match fullrom_form(branch, FullRomForm::Json).await {
            Ok(found) if !found.is_empty() => Ok(found),
            _ => fullrom_form(branch, FullRomForm::Redirect).await,
        }
    };
    let backfill = join_all(plan.backfill.iter().filter(|a| a.ask_api).map(|ask| {
        let branch = if ask.stable {
            OtaBranch::Stable
        } else {
            OtaBranch::Developer
        };
        let query = ota_query(&variant, &ask.build, branch);
        async move {
            exec.check(SourceId::Ota, ota_host, || up.ota.observe_current(&query))
                .await
        }
    }));
    let (stable, developer, fullrom_stable, fullrom_developer, backfilled) = tokio::join!(
        ota(plan.current_stable.clone(), OtaBranch::Stable),
        ota(plan.current_developer.clone(), OtaBranch::Developer),
        fullrom(OtaBranch::Stable),
        fullrom(OtaBranch::Developer),
        backfill,
    );
    let mut sightings: BTreeMap<String, Sighting> = BTreeMap::new();
    let branch_decided = fullrom_stable.is_ok();
    let (mut api_filled, mut unknown_to_api) = (HashSet::new(), Vec::new());
    let mut answered = Vec::new();
    for (ask, answer) in plan.backfill.iter().filter(|a| a.ask_api).zip(backfilled) {
        // A failed ask is left for a later run.
        let Ok((current, observations)) = answer else {
            continue;
        };
        match current {
            Some(name) if name == ask.filename => {
                api_filled.insert(ask.filename.as_str());
            }
            Some(_) => {}
            None => unknown_to_api.push(ask.filename.clone()),
        }
        answered.push(observations);
    }
    let checked = [stable, developer, fullrom_stable, fullrom_developer]
        .into_iter()
        .filter_map(Result::ok)
        .chain(answered)
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
    // Recovery packages new this run and on the CDN, and the backfill's
    // builds never read: their metadata by range.
    let mut to_read: Vec<ToRead> = sightings
        .iter()
        .filter(|(_, s)| matches!(s.head, Some(Ok(_))))
        .filter_map(|(name, s)| {
            let first = s.observations.first()?;
            (first.package.method == Method::Recovery).then(|| ToRead {
                filename: name.clone(),
                link: cdn_link(first),
                from: first.package.from.as_ref().map(|v| v.to_string()),
            })
        })
        .collect();
    to_read.extend(
        plan.backfill
            .iter()
            .filter(|a| a.read_metadata)
            .filter_map(|a| {
                Some(ToRead {
                    filename: a.filename.clone(),
                    link: a.link.clone()?,
                    from: None,
                })
            }),
    );
    let (facts, metadata) = metadata::read_all(shared, to_read).await;
    // A backfilled build is filled when each thing it lacked came back.
    let read: HashSet<&str> = facts.iter().map(|(name, _)| name.as_str()).collect();
    let filled = plan
        .backfill
        .iter()
        .filter(|a| !a.ask_api || api_filled.contains(a.filename.as_str()))
        .filter(|a| !a.read_metadata || read.contains(a.filename.as_str()))
        .count();
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
        filled,
        unknown_to_api,
        facts,
        metadata,
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
