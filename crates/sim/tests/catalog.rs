//! The simulator's catalog, through its public API: a generated catalog
//! written out as JSON Lines records loads back as the same ROMs.

use romwatch_sim::{SimOptions, SimServer};

#[tokio::test]
async fn a_catalog_loads_from_json_lines_records() {
    let server = SimServer::start(SimOptions {
        devices: 24,
        seed: 11,
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let records = server.records();
    let dir = std::env::temp_dir().join(format!("romwatch-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("catalog.jsonl");
    let lines: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    std::fs::write(&path, lines.join("\n") + "\nnot json\n").unwrap();
    let loaded = SimServer::start(SimOptions {
        catalog: Some(path.clone()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let reloaded = loaded.records();
    assert_eq!(reloaded.len(), records.len());
    for (a, b) in records.iter().zip(&reloaded) {
        assert_eq!(
            (&a.filename, &a.md5, &a.size_bytes, &a.changelog),
            (&b.filename, &b.md5, &b.size_bytes, &b.changelog)
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
