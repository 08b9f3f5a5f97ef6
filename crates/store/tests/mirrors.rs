//! Mirror checks in a store file: each host's record over days, and
//! results older than 30 days pruned, so the tables never grow without
//! bound.

use chrono::{DateTime, Duration, Utc};
use romwatch_model::{MirrorStatus, Record};
use romwatch_store::{Announce, FileCheck, MirrorCheck, Store, to_incoming};

const FILE: &str = "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip";

fn check(host: &str, status: MirrorStatus, latency_ms: Option<u64>) -> MirrorCheck {
    MirrorCheck {
        host: host.to_string(),
        status,
        missing: status == MirrorStatus::Down,
        latency_ms,
    }
}

fn day(n: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T06:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::days(n)
}

#[test]
fn hosts_are_summed_up_and_old_results_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("romwatch.db")).unwrap();
    let record = Record {
        codename: "agate".into(),
        device: "Xiaomi 11T EEA".into(),
        os: "hyperos".into(),
        version: "OS1.0.10.0.UKWEUXM".into(),
        branch: "Stable".into(),
        method: "Recovery".into(),
        filename: FILE.into(),
        url: Some(format!(
            "https://bigota.d.miui.com/OS1.0.10.0.UKWEUXM/{FILE}"
        )),
        ..Record::default()
    };
    store
        .merge(
            &[to_incoming(&record, Utc::now()).unwrap()],
            Announce::Nothing,
        )
        .unwrap();
    let files = |checks: Vec<MirrorCheck>| {
        vec![FileCheck {
            filename: FILE.to_string(),
            checks,
        }]
    };
    for (n, latency) in [(0, 30), (1, 10), (2, 20)] {
        let checks = files(vec![
            check("a", MirrorStatus::Ok, Some(latency)),
            check("b", MirrorStatus::Down, None),
        ]);
        store.record_mirror_checks(&checks, day(n)).unwrap();
    }
    let hosts = store.host_health(day(2), 7).unwrap();
    assert_eq!(hosts.len(), 2);
    assert_eq!(
        (hosts[0].host.as_str(), hosts[0].checks, hosts[0].ok),
        ("a", 3, 3)
    );
    assert_eq!(hosts[0].median_latency_ms, Some(20));
    assert_eq!(hosts[0].days.len(), 3);
    assert_eq!((hosts[1].checks, hosts[1].ok), (3, 0));
    assert_eq!(hosts[1].success_rate(), 0.0);
    // Host b has failed since its first check.
    let state = &store.mirror_states(Some(FILE)).unwrap()[FILE];
    assert_eq!(state.checks[1].down_since, Some(day(0)));

    // Forty days on, only the new check is kept.
    let report = store
        .record_mirror_checks(&files(vec![check("a", MirrorStatus::Ok, Some(5))]), day(42))
        .unwrap();
    assert_eq!(report.pruned, 6 + 1, "six log rows and host b's last check");
    let hosts = store.host_health(day(42), 60).unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].checks, 1);
    let state = &store.mirror_states(None).unwrap()[FILE];
    assert_eq!(state.checks.len(), 1);
}
