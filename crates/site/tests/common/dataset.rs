//! Reads the shared dataset (`../shared/data/xfu-roms.jsonl`, the reference
//! site's ROM cards) into [`SiteData`] the way a user's data gets there:
//! imported into a store, then read back in store order.

use std::path::PathBuf;

use chrono::Utc;
use romwatch_site::SiteData;
use romwatch_store::formats::Format;
use romwatch_store::{Announce, Store, import_text};

/// The dataset's path: `$ROMWATCH_DATA`, else `../shared/data` beside the
/// repository.
pub fn dataset_path() -> PathBuf {
    std::env::var_os("ROMWATCH_DATA").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/xfu-roms.jsonl"
            ))
        },
        PathBuf::from,
    )
}

/// Imports the records whose page permalink `keep` accepts, or `None` when
/// the dataset is not there.
pub fn load(keep: impl Fn(&str) -> bool) -> Option<SiteData> {
    let text = std::fs::read_to_string(dataset_path()).ok()?;
    let kept: String = text
        .lines()
        .filter(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("dataset line");
            keep(value["page_permalink"].as_str().unwrap_or_default())
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    let mut store = Store::open_in_memory().expect("in-memory store");
    import_text(
        &mut store,
        "xfu-roms.jsonl",
        &kept,
        Format::Jsonl,
        Announce::Nothing,
        Utc::now(),
        &|_, _| {},
    )
    .expect("the shared dataset imports");
    let snapshot = store.snapshot().expect("snapshot");
    Some(SiteData {
        devices: snapshot.devices,
        roms: snapshot.roms,
        ..SiteData::default()
    })
}
