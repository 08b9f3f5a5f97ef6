//! Filtered, paged lists and full-text search over the store.

use chrono::Utc;
use romwatch_model::{Branch, Method, Record};
use romwatch_store::{Announce, RomFilter, Store, to_incoming};

fn record(codename: &str, device: &str, filename: &str, version: &str, method: &str) -> Record {
    Record {
        codename: codename.into(),
        device: device.into(),
        os: "hyperos".into(),
        version: version.into(),
        branch: "Stable".into(),
        method: method.into(),
        filename: filename.into(),
        ..Record::default()
    }
}

fn store() -> Store {
    let records = [
        record(
            "agate",
            "Xiaomi 11T EEA",
            "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
            "OS1.0.10.0.UKWEUXM",
            "Recovery",
        ),
        record(
            "agate",
            "Xiaomi 11T EEA",
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
            "OS1.0.10.0.UKWEUXM",
            "Fastboot",
        ),
        record(
            "alioth",
            "POCO F3 Global",
            "miui_ALIOTHGlobal_OS1.0.3.0.TKHMIXM_0123456789_13.0.zip",
            "OS1.0.3.0.TKHMIXM",
            "Recovery",
        ),
        record(
            "alioth",
            "Redmi K40 China",
            "miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip",
            "OS1.0.5.0.TKHCNXM",
            "Recovery",
        ),
    ];
    let batch: Vec<_> = records
        .iter()
        .map(|r| to_incoming(r, Utc::now()).unwrap())
        .collect();
    let mut store = Store::open_in_memory().unwrap();
    store.merge(&batch, Announce::Nothing).unwrap();
    store
}

fn names(roms: &[romwatch_store::Listed]) -> Vec<&str> {
    roms.iter().map(|r| r.rom.filename.as_str()).collect()
}

#[test]
fn lists_filter_and_page_newest_first() {
    let store = store();
    let all = store.list_roms(&RomFilter::default(), 3, None).unwrap();
    assert_eq!(all.roms.len(), 3);
    assert_eq!(
        all.roms[0].rom.filename.as_str(),
        "miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip"
    );
    let rest = store.list_roms(&RomFilter::default(), 3, all.next).unwrap();
    assert_eq!((rest.roms.len(), rest.next), (1, None));

    let agate = RomFilter {
        codename: Some("agate".into()),
        method: Some(Method::Fastboot),
        ..Default::default()
    };
    assert_eq!(
        names(&store.list_roms(&agate, 10, None).unwrap().roms),
        ["agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz"]
    );
    let variant = RomFilter {
        codename: Some("alioth_global".into()),
        branch: Some(Branch::Stable),
        ..Default::default()
    };
    assert_eq!(
        store.list_roms(&variant, 10, None).unwrap().roms[0].device,
        "POCO F3 Global"
    );
    let china = RomFilter {
        region: Some(romwatch_model::Region::China),
        ..Default::default()
    };
    assert_eq!(store.list_roms(&china, 10, None).unwrap().roms.len(), 1);
}

#[test]
fn search_finds_names_versions_and_devices_by_prefix() {
    let store = store();
    assert_eq!(store.search("agate", 10).unwrap().len(), 2);
    assert_eq!(store.search("AGATEEEA", 10).unwrap().len(), 1);
    assert_eq!(
        names(&store.search("OS1.0.5", 10).unwrap()),
        ["miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip"]
    );
    assert_eq!(
        store.search("poco f3", 10).unwrap()[0].device,
        "POCO F3 Global"
    );
    assert!(store.search("\" OR *", 10).unwrap().is_empty());
    let text = RomFilter {
        text: Some("11T".into()),
        method: Some(Method::Recovery),
        ..Default::default()
    };
    assert_eq!(store.list_roms(&text, 10, None).unwrap().roms.len(), 1);
}
