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

fn dated(date: &str, record: Record) -> Record {
    Record {
        date: Some(date.into()),
        ..record
    }
}

fn store() -> Store {
    let records = [
        dated(
            "2025-01-15",
            record(
                "agate",
                "Xiaomi 11T EEA",
                "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
                "OS1.0.10.0.UKWEUXM",
                "Recovery",
            ),
        ),
        record(
            "agate",
            "Xiaomi 11T EEA",
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
            "OS1.0.10.0.UKWEUXM",
            "Fastboot",
        ),
        dated(
            "2024-01-01",
            record(
                "alioth",
                "POCO F3 Global",
                "miui_ALIOTHGlobal_OS1.0.3.0.TKHMIXM_0123456789_13.0.zip",
                "OS1.0.3.0.TKHMIXM",
                "Recovery",
            ),
        ),
        dated(
            "2023-06-01",
            record(
                "alioth",
                "Redmi K40 China",
                "miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip",
                "OS1.0.5.0.TKHCNXM",
                "Recovery",
            ),
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
    let rest = store
        .list_roms(&RomFilter::default(), 3, all.next_cursor)
        .unwrap();
    assert_eq!((rest.roms.len(), rest.next_cursor), (1, None));

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
    let roms = |q: &str| store.search(q, 10, 0).unwrap().roms;
    assert_eq!(roms("agate").len(), 2);
    assert_eq!(roms("AGATEEEA").len(), 1);
    assert_eq!(
        names(&roms("OS1.0.5")),
        ["miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip"]
    );
    assert_eq!(roms("poco f3")[0].device, "POCO F3 Global");
    assert!(roms("\" OR *").is_empty());
}

#[test]
fn search_ranks_the_device_first_then_roms_newest_first() {
    let store = store();
    let found = store.search("alioth", 10, 0).unwrap();
    let first = &found.devices[0];
    assert_eq!((first.codename.as_str(), first.exact), ("alioth", true));
    assert_eq!(first.url, "/hyperos/alioth/");
    assert_eq!(first.variants.len(), 2);
    // A variant's name found the device, but not word for word.
    let poco = store.search("poco", 10, 0).unwrap();
    assert_eq!((poco.devices.len(), poco.devices[0].exact), (1, false));
    // Newest first by date, undated last.
    assert_eq!(
        names(&store.search("os1", 10, 0).unwrap().roms),
        [
            "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
            "miui_ALIOTHGlobal_OS1.0.3.0.TKHMIXM_0123456789_13.0.zip",
            "miui_ALIOTH_OS1.0.5.0.TKHCNXM_1123456789_13.0.zip",
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
        ]
    );
    // Pages of ROMs; devices come with the first only.
    let page = store.search("os1", 3, 0).unwrap();
    assert_eq!((page.roms.len(), page.next_cursor), (3, Some(3)));
    let rest = store.search("os1", 3, 3).unwrap();
    assert_eq!((rest.roms.len(), rest.next_cursor), (1, None));
    assert!(rest.devices.is_empty());
}

#[test]
fn the_generation_changes_with_the_content_only() {
    let mut store = store();
    let before = store.generation().unwrap();
    assert_eq!(store.generation().unwrap(), before);
    let again = to_incoming(
        &record(
            "agate",
            "Xiaomi 11T EEA",
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
            "OS1.0.10.0.UKWEUXM",
            "Fastboot",
        ),
        Utc::now(),
    )
    .unwrap();
    store.merge(&[again], Announce::Nothing).unwrap();
    assert_eq!(
        store.generation().unwrap(),
        before,
        "nothing new, same generation"
    );
    let new = to_incoming(
        &record(
            "agate",
            "Xiaomi 11T EEA",
            "miui_AGATEEEAGlobal_OS1.0.11.0.UKWEUXM_7e09feeec4_14.0.zip",
            "OS1.0.11.0.UKWEUXM",
            "Recovery",
        ),
        Utc::now(),
    )
    .unwrap();
    store.merge(&[new], Announce::Nothing).unwrap();
    assert_ne!(store.generation().unwrap(), before);
    // Two stores never share a generation.
    assert_ne!(
        Store::open_in_memory().unwrap().generation().unwrap(),
        Store::open_in_memory().unwrap().generation().unwrap()
    );
}

#[test]
fn search_list_filter_text_still_narrows() {
    let store = store();
    let text = RomFilter {
        text: Some("11T".into()),
        method: Some(Method::Recovery),
        ..Default::default()
    };
    assert_eq!(store.list_roms(&text, 10, None).unwrap().roms.len(), 1);
}

#[test]
fn an_interrupted_query_stops_at_its_next_statement_and_the_next_query_runs() {
    let mut store = store();
    // Stopped between statements (nothing running): the query's later
    // statements fail, not only the one running at that moment.
    store.interrupter().unwrap().interrupt();
    let stopped = store.search("alioth", 20, 0).unwrap_err();
    assert!(stopped.is_interrupted(), "{stopped}");
    // The next query, with an interrupter of its own, is not stopped.
    store.interrupter().unwrap();
    assert!(!store.search("alioth", 20, 0).unwrap().roms.is_empty());
}
