//! A store written by an older build opens, upgrades its schema in place
//! and reads back what it held.

use chrono::Utc;
use romwatch_model::Record;
use romwatch_store::{Announce, Store, to_incoming};

fn record(device: &str, filename: &str) -> Record {
    Record {
        codename: "agate".into(),
        device: device.into(),
        os: "hyperos".into(),
        version: "OS1.0.10.0.UKWEUXM".into(),
        branch: "Stable".into(),
        method: "Recovery".into(),
        filename: filename.into(),
        ..Record::default()
    }
}

const FILE: &str = "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip";

/// Schema 6 keyed the devices table by `codename` (the variant's) and kept
/// the device's codename in `device`; schema 7 names them `variant` and
/// `codename`, as the roms table does. Undoing the rename (and dropping
/// the mirror tables of schema 8) makes the file a schema-6 store, byte
/// for byte what that build wrote.
fn downgrade_to_schema_6(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "DROP TABLE mirror_checks; DROP TABLE mirror_log; DROP TABLE withdrawals;
         ALTER TABLE devices RENAME COLUMN codename TO device;
         ALTER TABLE devices RENAME COLUMN variant TO codename;
         PRAGMA user_version = 6;",
    )
    .unwrap();
}

#[test]
fn a_schema_6_store_upgrades_and_keeps_its_devices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("romwatch.db");
    let now = Utc::now();
    {
        let mut store = Store::open(&path).unwrap();
        let first = to_incoming(&record("Xiaomi 11T EEA", FILE), now).unwrap();
        store.merge(&[first], Announce::Nothing).unwrap();
    }
    downgrade_to_schema_6(&path);
    let old: Vec<(String, String)> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT codename, device FROM devices")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(old, [("agate_eea_global".into(), "agate".into())]);

    let mut store = Store::open(&path).unwrap();
    let devices = store.devices().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].variant.as_str(), "agate_eea_global");
    assert_eq!(devices[0].codename.as_str(), "agate");
    // The search index follows a device's new name through a trigger that
    // reads the renamed columns.
    let renamed = to_incoming(&record("Xiaomi 11T Pro EEA", FILE), now).unwrap();
    let report = store.merge(&[renamed], Announce::Nothing).unwrap();
    assert_eq!(report.renamed_devices, 1);
    let hits = store.search("Pro", 10, 0).unwrap();
    assert_eq!(
        hits.roms.len(),
        1,
        "the renamed device is found by its new name"
    );
    assert_eq!(
        hits.devices[0].variants[0].variant.as_str(),
        "agate_eea_global"
    );
}
