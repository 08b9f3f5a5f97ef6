//! Every adapter against the simulated upstream over real HTTP on
//! 127.0.0.1: the happy path, then each fault with the error it gives.

use std::time::Duration;

use md5::{Digest, Md5 as Md5Hasher};
use romwatch_model::{Codename, Md5, Record, Size};
use romwatch_sim::{FaultConfig, SimOptions, SimServer};
use romwatch_upstream::{
    CdnSource, ChinaSource, CommunityQuery, CommunitySource, ErrorKind, FullRomForm, FullRomQuery,
    FullRomSource, OtaBranch, OtaQuery, OtaSource, SourceError, SourceId, Upstream, UpstreamConfig,
};

/// Which error a fault must give.
type Check = fn(&ErrorKind) -> bool;

/// Client timeout in tests; the sim's `timeout` fault holds requests longer.
const TIMEOUT: Duration = Duration::from_millis(400);

async fn sim(rules: &[&str]) -> SimServer {
    let mut faults = FaultConfig::from_rules(rules).unwrap_or_else(|e| panic!("{e}"));
    faults.timeout_hold_ms = 3_000;
    let options = SimOptions {
        devices: 24,
        seed: 11,
        faults,
        ..SimOptions::default()
    };
    SimServer::start(options)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn config(server: &SimServer) -> UpstreamConfig {
    server.upstream_config(TIMEOUT)
}

/// A stable recovery build that has a newer one, with its variant.
fn older_stable(records: &[Record]) -> (Record, Record) {
    let full = |r: &&Record| {
        r.branch == "Stable" && r.method == "Recovery" && r.incremental_from.is_none()
    };
    let newest_per_variant = records.iter().filter(full).fold(
        std::collections::HashMap::<String, &Record>::new(),
        |mut map, r| {
            let variant = r.variant.clone().unwrap_or_default();
            let slot = map.entry(variant).or_insert(r);
            if (r.date.clone(), r.version.clone()) > (slot.date.clone(), slot.version.clone()) {
                *slot = r;
            }
            map
        },
    );
    records
        .iter()
        .filter(full)
        .find_map(|old| {
            let newest = newest_per_variant.get(old.variant.as_deref()?)?;
            let same_family = newest.os == old.os;
            // An incremental exists from `old` to the newest one.
            let has_incremental = records.iter().any(|r| {
                r.variant == old.variant
                    && r.incremental_from.as_deref() == Some(&old.version)
                    && r.version == newest.version
            });
            (newest.version != old.version && same_family && has_incremental)
                .then(|| (old.clone(), (*newest).clone()))
        })
        .unwrap_or_else(|| panic!("the catalog has no stable build with a newer one"))
}

/// The same `/<version>/<filename>` path, on a mirror or a signed host
/// whose `?t=…&s=…` query has been stripped.
fn assert_same_link(observed: &Option<String>, catalog: &Option<String>) {
    let observed = observed.as_deref().expect("an observed URL");
    let catalog = catalog.as_deref().expect("a catalog URL");
    assert!(!observed.contains('?'), "{observed}");
    let path = |url: &str| url.splitn(4, '/').nth(3).map(str::to_string);
    assert_eq!(path(observed), path(catalog), "{observed} vs {catalog}");
}

fn ota_query(record: &Record) -> OtaQuery {
    OtaQuery {
        variant: Codename::new(record.variant.as_deref().unwrap_or_default()).unwrap(),
        version: record.version.clone(),
        android: record.android.clone().unwrap_or_default(),
        branch: OtaBranch::Stable,
    }
}

fn any_ota_query(server: &SimServer) -> OtaQuery {
    ota_query(&older_stable(&server.records()).0)
}

fn assert_kind(
    result: Result<impl std::fmt::Debug, SourceError>,
    source: SourceId,
    check: impl Fn(&ErrorKind) -> bool,
) {
    let err = result.expect_err("a fault must give an error");
    assert_eq!(err.source_id, source, "{err}");
    assert!(check(&err.kind), "unexpected error: {err}");
    // Errors name the URL asked, never a link's signature.
    assert!(err.url.starts_with("http://127.0.0.1:"), "{err}");
    assert!(
        !err.url.contains("&s=") && !err.url.contains("?t="),
        "{err}"
    );
}

#[tokio::test]
async fn ota_happy_path_gives_latest_current_and_incremental() {
    let server = sim(&[]).await;
    let records = server.records();
    let (old, newest) = older_stable(&records);
    let ota = OtaSource::new(&config(&server).ota).unwrap();
    let query = ota_query(&old);
    let answer = ota.ask(&query).await.unwrap();
    let latest = answer.latest.as_ref().expect("LatestRom");
    assert_eq!(latest.filename, newest.filename);
    assert_eq!(latest.md5.map(|m| m.to_string()), newest.md5);
    assert_eq!(
        answer.current.as_ref().map(|r| r.filename.as_str()),
        Some(old.filename.as_str())
    );
    let observations = ota.observe(&query).await.unwrap();
    let incremental = observations
        .iter()
        .find(|o| o.package.from.is_some())
        .expect("an incremental observation");
    assert_eq!(
        incremental.package.from.as_ref().map(|v| v.as_str()),
        Some(old.version.as_str())
    );
    let latest = observations
        .iter()
        .find(|o| o.filename == newest.filename)
        .unwrap();
    assert_eq!(latest.url, newest.url);
    assert_eq!(latest.size.map(|s| s.human()), newest.size);
    assert!(latest.md5.is_full());
    assert_eq!(
        latest.changelog.as_ref().map(|c| c.to_text()),
        newest.changelog
    );
    assert_eq!(
        latest.variant.as_ref().map(|v| v.as_str()),
        newest.variant.as_deref()
    );
}

#[tokio::test]
async fn ota_unknown_device_has_no_roms() {
    let server = sim(&[]).await;
    let ota = OtaSource::new(&config(&server).ota).unwrap();
    let query = OtaQuery {
        variant: Codename::new("nosuchdevice_global").unwrap(),
        version: "OS2.0.1.0.VXXMIXM".into(),
        android: "15.0".into(),
        branch: OtaBranch::Stable,
    };
    assert!(ota.observe(&query).await.unwrap().is_empty());
}

#[tokio::test]
async fn ota_faults_give_typed_errors() {
    let cases: [(&str, Check); 11] = [
        ("ota:timeout", |k| matches!(k, ErrorKind::Timeout)),
        ("ota:reset", |k| matches!(k, ErrorKind::Connection(_))),
        (
            "ota:429=7",
            |k| matches!(k, ErrorKind::Status { status: 429, retry_after: Some(d) } if d.as_secs() == 7),
        ),
        ("ota:500", |k| {
            matches!(k, ErrorKind::Status { status: 500, .. })
        }),
        ("ota:502", |k| {
            matches!(k, ErrorKind::Status { status: 502, .. })
        }),
        ("ota:503", |k| {
            matches!(k, ErrorKind::Status { status: 503, .. })
        }),
        ("ota:html", |k| matches!(k, ErrorKind::Html)),
        ("ota:truncated", |k| matches!(k, ErrorKind::Json(_))),
        ("ota:wrong-cipher", |k| matches!(k, ErrorKind::Cipher(_))),
        ("ota:bad-base64", |k| matches!(k, ErrorKind::Base64(_))),
        (
            "ota:code-reply",
            |k| matches!(k, ErrorKind::ErrorReply { code, .. } if code == "2001"),
        ),
    ];
    for (rule, check) in cases {
        let server = sim(&[rule]).await;
        let ota = OtaSource::new(&config(&server).ota).unwrap();
        let result = ota.ask(&any_ota_query(&server)).await;
        assert_kind(result, SourceId::Ota, check);
    }
}

#[tokio::test]
async fn scheduled_faults_hit_only_their_requests_and_latency_delays() {
    let server = sim(&["ota:503@1", "ota:latency=20"]).await;
    let ota = OtaSource::new(&config(&server).ota).unwrap();
    let query = any_ota_query(&server);
    let first = ota.ask(&query).await;
    assert!(
        first.as_ref().is_err_and(SourceError::is_transient),
        "{first:?}"
    );
    // A small latency is only a delay; the second request is not scheduled.
    assert!(ota.ask(&query).await.is_ok());
    // Latency beyond the client's timeout on the third request only.
    let server = sim(&["cdn:latency=2000@3"]).await;
    let cdn = CdnSource::new(&config(&server).cdn).unwrap();
    let url = server.records()[0].url.clone().unwrap_or_default();
    for _ in 0..2 {
        assert!(cdn.head(&url).await.is_ok());
    }
    assert_kind(cdn.head(&url).await, SourceId::Cdn, |k| {
        matches!(k, ErrorKind::Timeout)
    });
    assert!(cdn.head(&url).await.is_ok());
}

fn fullrom_query(variant: &str, form: FullRomForm) -> FullRomQuery {
    FullRomQuery {
        variant: Codename::new(variant).unwrap(),
        branch: OtaBranch::Stable,
        android_one: false,
        form,
    }
}

/// The newest stable fastboot record of some variant.
fn newest_fastboot(records: &[Record]) -> Record {
    let fastboot: Vec<&Record> = records
        .iter()
        .filter(|r| r.method == "Fastboot" && (r.branch == "Stable" || r.branch == "Stable Beta"))
        .collect();
    let first = fastboot.first().expect("a fastboot ROM");
    let variant = first.variant.clone();
    fastboot
        .iter()
        .filter(|r| r.variant == variant)
        .max_by_key(|r| (r.date.clone(), r.version.clone()))
        .map(|r| (*r).clone())
        .unwrap_or_else(|| (*first).clone())
}

#[tokio::test]
async fn fullrom_redirect_and_json_forms() {
    let server = sim(&[]).await;
    let config = config(&server);
    let source = FullRomSource::new(&config.fullrom, &config.ota).unwrap();
    let expected = newest_fastboot(&server.records());
    let variant = expected.variant.clone().unwrap_or_default();
    for form in [FullRomForm::Redirect, FullRomForm::Json] {
        let found = source.latest(&fullrom_query(&variant, form)).await.unwrap();
        let found = found.unwrap_or_else(|| panic!("no package for {variant} ({form:?})"));
        assert_eq!(found.filename, expected.filename, "{form:?}");
        assert_same_link(&found.url, &expected.url);
    }
    let json = source
        .latest(&fullrom_query(&variant, FullRomForm::Json))
        .await
        .unwrap();
    assert!(json.is_some_and(|o| o.md5.is_full() && o.size.is_some()));
    for form in [FullRomForm::Redirect, FullRomForm::Json] {
        let none = source
            .latest(&fullrom_query("nosuchdevice_global", form))
            .await
            .unwrap();
        assert!(none.is_none(), "{form:?}");
    }
}

#[tokio::test]
async fn fullrom_faults() {
    let server = sim(&["fullrom:no-package"]).await;
    let config = config(&server);
    let source = FullRomSource::new(&config.fullrom, &config.ota).unwrap();
    let variant = newest_fastboot(&server.records())
        .variant
        .unwrap_or_default();
    for form in [FullRomForm::Redirect, FullRomForm::Json] {
        assert!(
            source
                .latest(&fullrom_query(&variant, form))
                .await
                .unwrap()
                .is_none()
        );
    }
    let cases: [(&str, FullRomForm, Check); 6] = [
        ("fullrom:html", FullRomForm::Redirect, |k| {
            matches!(k, ErrorKind::Html)
        }),
        ("fullrom:html", FullRomForm::Json, |k| {
            matches!(k, ErrorKind::Html)
        }),
        ("fullrom:truncated", FullRomForm::Json, |k| {
            matches!(k, ErrorKind::Json(_))
        }),
        ("fullrom:code-reply", FullRomForm::Json, |k| {
            matches!(k, ErrorKind::ErrorReply { .. })
        }),
        ("fullrom:code-reply", FullRomForm::Redirect, |k| {
            matches!(k, ErrorKind::MissingField(_))
        }),
        ("fullrom:502", FullRomForm::Redirect, |k| {
            matches!(k, ErrorKind::Status { status: 502, .. })
        }),
    ];
    for (rule, form, check) in cases {
        let server = sim(&[rule]).await;
        let config = server.upstream_config(TIMEOUT);
        let source = FullRomSource::new(&config.fullrom, &config.ota).unwrap();
        assert_kind(
            source.latest(&fullrom_query(&variant, form)).await,
            SourceId::FullRom,
            check,
        );
    }
}

#[tokio::test]
async fn community_phone_device_and_line_package_lists() {
    let server = sim(&[]).await;
    let community = CommunitySource::new(&config(&server).community).unwrap();
    let phones = community.phones().await.unwrap();
    assert!(!phones.is_empty());
    let records = server.records();
    let mut seen = 0;
    for phone in &phones {
        let found = community
            .observe(&CommunityQuery::Devices {
                phone_id: phone.id.clone(),
            })
            .await
            .unwrap();
        for observation in found {
            let record = records
                .iter()
                .find(|r| r.filename == observation.filename)
                .expect("in the catalog");
            assert_same_link(&observation.url, &record.url);
            assert!(
                observation
                    .size
                    .is_some_and(|s| s.agrees_with(&Size::exact(record.size_bytes.unwrap_or(0))))
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
    let packages = community
        .observe(&CommunityQuery::LinePackages)
        .await
        .unwrap();
    assert!(!packages.is_empty());
    for observation in &packages {
        let record = records
            .iter()
            .find(|r| r.filename == observation.filename)
            .expect("in the catalog");
        assert_eq!(
            observation.variant.as_ref().map(|v| v.as_str()),
            record.variant.as_deref()
        );
        assert_same_link(&observation.url, &record.url);
    }
    let unknown = community
        .observe(&CommunityQuery::Devices {
            phone_id: "999999".into(),
        })
        .await;
    assert_kind(unknown, SourceId::Community, |k| {
        matches!(k, ErrorKind::ErrorReply { .. })
    });
}

#[tokio::test]
async fn community_faults() {
    let cases: [(&str, Check); 5] = [
        ("community:html", |k| matches!(k, ErrorKind::Html)),
        ("community:truncated", |k| matches!(k, ErrorKind::Json(_))),
        (
            "community:code-reply",
            |k| matches!(k, ErrorKind::ErrorReply { code, .. } if code == "10001"),
        ),
        ("community:429", |k| {
            matches!(k, ErrorKind::Status { status: 429, .. })
        }),
        ("community:reset", |k| matches!(k, ErrorKind::Connection(_))),
    ];
    for (rule, check) in cases {
        let server = sim(&[rule]).await;
        let community = CommunitySource::new(&config(&server).community).unwrap();
        assert_kind(
            community.observe(&CommunityQuery::LinePackages).await,
            SourceId::Community,
            check,
        );
    }
}

#[tokio::test]
async fn china_posts_list_recovery_packages() {
    let server = sim(&[]).await;
    let china = ChinaSource::new(&config(&server).china).unwrap();
    let records = server.records();
    let posts = server.post_ids();
    assert!(!posts.is_empty());
    let mut seen = 0;
    for post in &posts {
        for observation in china.observe(*post).await.unwrap() {
            let record = records
                .iter()
                .find(|r| r.filename == observation.filename)
                .expect("in the catalog");
            assert_same_link(&observation.url, &record.url);
            assert_eq!(record.method, "Recovery");
            seen += 1;
        }
    }
    assert!(seen > 0);
    let missing = china.observe(1).await;
    assert_kind(
        missing,
        SourceId::ChinaCommunity,
        |k| matches!(k, ErrorKind::ErrorReply { code, .. } if code == "404"),
    );
}

#[tokio::test]
async fn china_faults() {
    let cases: [(&str, Check); 4] = [
        ("china:html", |k| matches!(k, ErrorKind::Html)),
        ("china:truncated", |k| matches!(k, ErrorKind::Json(_))),
        (
            "china:code-reply",
            |k| matches!(k, ErrorKind::ErrorReply { code, .. } if code == "500"),
        ),
        ("china:500", |k| {
            matches!(k, ErrorKind::Status { status: 500, .. })
        }),
    ];
    for (rule, check) in cases {
        let server = sim(&[rule]).await;
        let china = ChinaSource::new(&config(&server).china).unwrap();
        let post = server.post_ids()[0];
        assert_kind(china.observe(post).await, SourceId::ChinaCommunity, check);
    }
}

#[tokio::test]
async fn cdn_head_reports_catalog_size_and_get_matches_the_md5() {
    let server = sim(&[]).await;
    let cdn = CdnSource::new(&config(&server).cdn).unwrap();
    let record = server
        .records()
        .into_iter()
        .find(|r| r.md5.is_some())
        .expect("a ROM");
    let url = record.url.clone().unwrap_or_default();
    let file = cdn.head(&url).await.unwrap();
    assert_eq!(Some(file.size.bytes), record.size_bytes);
    assert_eq!(
        file.last_modified.map(|t| t.date_naive().to_string()),
        record.date
    );
    // The stand-in body hashes to the catalog's MD5, whose prefix the name carries.
    let body = reqwest::get(cdn.url_for(&url).unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let digest: [u8; 16] = Md5Hasher::digest(&body).into();
    assert_eq!(Some(Md5::Full(digest).to_string()), record.md5);
    let missing = cdn.head("https://bigota.d.miui.com/V1.0.0.0.TXXMIXM/miui_X_V1.0.0.0.TXXMIXM_0123456789_13.0.zip").await;
    assert_kind(missing, SourceId::Cdn, |k| {
        matches!(k, ErrorKind::Status { status: 404, .. })
    });
}

#[tokio::test]
async fn cdn_faults() {
    let cases: [(&str, Check); 4] = [
        ("cdn:small-body", |k| matches!(k, ErrorKind::NotAPackage(_))),
        ("cdn:503", |k| {
            matches!(k, ErrorKind::Status { status: 503, .. })
        }),
        ("cdn:timeout", |k| matches!(k, ErrorKind::Timeout)),
        ("cdn:429=3", |k| {
            matches!(k, ErrorKind::Status { status: 429, .. })
        }),
    ];
    for (rule, check) in cases {
        let server = sim(&[rule]).await;
        let cdn = CdnSource::new(&config(&server).cdn).unwrap();
        let url = server.records()[0].url.clone().unwrap_or_default();
        assert_kind(cdn.head(&url).await, SourceId::Cdn, check);
    }
}

#[tokio::test]
async fn releases_appear_in_the_catalog_and_on_every_source() {
    let server = sim(&[]).await;
    let client = reqwest::Client::new();
    let before = server.records().len();
    let answer = client
        .post(format!("{}/_sim/release?count=6", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let names: Vec<String> = serde_json::from_str(&answer).unwrap();
    assert_eq!(names.len(), 6);
    let catalog = client
        .get(format!("{}/_sim/catalog", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let records: Vec<Record> = catalog
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), before + 6);
    let upstream = Upstream::new(&config(&server)).unwrap();
    let cdn = &upstream.cdn;
    for name in &names {
        let record = records
            .iter()
            .find(|r| &r.filename == name)
            .expect("released ROM in the catalog");
        let file = cdn
            .head(record.url.as_deref().unwrap_or_default())
            .await
            .unwrap();
        assert_eq!(Some(file.size.bytes), record.size_bytes);
    }
    // The newest release of a variant is what the OTA API now offers.
    let released = records.iter().find(|r| r.filename == names[0]).unwrap();
    let answer = upstream.ota.ask(&ota_query(released)).await.unwrap();
    assert_eq!(
        answer.latest.map(|r| r.filename),
        Some(released.filename.clone())
    );
}

/// The shared dataset (`../shared/data/xfu-roms.jsonl` beside the repository).
fn shared_dataset() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/xfu-roms.jsonl");
    path.exists().then_some(path)
}

#[tokio::test]
async fn the_shared_dataset_backs_the_simulator() {
    let Some(path) = shared_dataset() else {
        eprintln!("shared/data/xfu-roms.jsonl not found: nothing to load");
        return;
    };
    let server = SimServer::start(SimOptions {
        catalog: Some(path),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let records = server.records();
    // 48,105 distinct file names, plus the incrementals the cards link to.
    assert!(records.len() >= 48_000, "{}", records.len());
    let agate = records
        .iter()
        .find(|r| r.filename == "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip")
        .expect("a known ROM");
    assert_eq!(
        agate.md5.as_deref(),
        Some("6e09feeec4fd978802f4db87ddd7035b")
    );
    let cdn = CdnSource::new(&config(&server).cdn).unwrap();
    let file = cdn
        .head(agate.url.as_deref().unwrap_or_default())
        .await
        .unwrap();
    assert_eq!(file.size.human(), "4.9 GB");
    let query = OtaQuery {
        variant: Codename::new("agate_eea_global").unwrap(),
        version: "OS1.0.14.0.UKWEUXM".into(),
        android: "14.0".into(),
        branch: OtaBranch::Stable,
    };
    let observations = OtaSource::new(&config(&server).ota)
        .unwrap()
        .observe(&query)
        .await
        .unwrap();
    let names: Vec<&str> = observations.iter().map(|o| o.filename.as_str()).collect();
    assert!(
        names.contains(&"miui_AGATEEEAGlobal_OS1.0.15.0.UKWEUXM_63c3d97db7_14.0.zip"),
        "{names:?}"
    );
    assert!(
        observations.iter().any(|o| o.package.from.is_some()),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_device_on_miui_is_offered_hyperos_as_a_cross_rom() {
    let server = sim(&[]).await;
    let records = server.records();
    let stable_full = |r: &&Record| {
        r.branch == "Stable" && r.method == "Recovery" && r.incremental_from.is_none()
    };
    let newest = |variant: &Option<String>, os: &str| {
        records
            .iter()
            .filter(stable_full)
            .filter(|r| &r.variant == variant && r.os == os)
            .max_by_key(|r| (r.date.clone(), r.version.clone()))
    };
    let (miui, hyperos) = records
        .iter()
        .filter(stable_full)
        .filter(|r| r.os == "miui")
        .find_map(|r| Some((newest(&r.variant, "miui")?, newest(&r.variant, "hyperos")?)))
        .expect("a variant with MIUI and HyperOS builds");
    let ota = OtaSource::new(&config(&server).ota).unwrap();
    let answer = ota.ask(&ota_query(miui)).await.unwrap();
    assert_eq!(
        answer.cross.map(|r| r.filename),
        Some(hyperos.filename.clone())
    );
    assert_eq!(
        answer.latest.map(|r| r.filename),
        Some(miui.filename.clone())
    );
}
