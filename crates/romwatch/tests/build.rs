//! `romwatch build`, driven through the binary: the site from the store,
//! rebuilt only when the data changes.

mod common;

use common::{SAMPLE, Scratch};

#[test]
fn builds_the_site_from_the_store_and_writes_nothing_when_nothing_changed() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.write(
        "romwatch.toml",
        "[site]\ntitle = \"My ROMs\"\nbase_url = \"https://roms.example.org\"\n",
    );
    s.ok(&["import", "roms.jsonl"]);
    let first = s.ok(&["build", "--timings"]);
    assert!(first.contains(" written, 0 unchanged"), "{first}");
    assert!(
        first.contains("render"),
        "--timings prints the phases: {first}"
    );

    let page =
        std::fs::read_to_string(s.path("public/miui/capricorn/weekly/7.12.28/index.html")).unwrap();
    assert!(page.contains("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"));
    // The incremental package of the same device is offered on its card.
    assert!(page.contains("miui-blockota-capricorn_global-7.12.21-7.12.28-0123456789-7.0.zip"));
    assert!(page.contains("My ROMs"));
    let latest = std::fs::read_to_string(s.path("public/latest.yml")).unwrap();
    assert!(latest.contains("codename: agate_eea_global"), "{latest}");
    let feed = std::fs::read_to_string(s.path("public/rss.xml")).unwrap();
    assert!(
        feed.contains("https://roms.example.org/hyperos/agate/stable/OS1.0.10.0.UKWEUXM/"),
        "{feed}"
    );

    let again = s.ok(&["build"]);
    assert!(
        again.contains("nothing changed; nothing written"),
        "{again}"
    );

    let json: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(json["written"], 0);
}

/// The phases `build --json` timed.
fn phases(report: &serde_json::Value) -> Vec<&str> {
    report["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["phase"].as_str().unwrap())
        .collect()
}

#[test]
fn a_build_with_an_unchanged_store_neither_reads_nor_plans() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let first: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert!(phases(&first).contains(&"plan"), "{first}");

    let again: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(phases(&again), ["load"], "{again}");
    assert_eq!(
        (again["written"].as_u64(), again["files"].as_u64()),
        (Some(0), first["files"].as_u64())
    );

    // Importing the same records again changes nothing in the store.
    s.ok(&["import", "roms.jsonl"]);
    let same: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(phases(&same), ["load"], "{same}");

    // A new ROM changes the store's generation: read, planned, written.
    let newer = SAMPLE
        .lines()
        .last()
        .unwrap()
        .replace("OS1.0.10.0", "OS1.0.11.0")
        .replace("6e09feeec4", "7e09feeec4");
    s.write("new.jsonl", &newer);
    s.ok(&["import", "new.jsonl"]);
    let changed: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert!(phases(&changed).contains(&"plan"), "{changed}");
    assert!(changed["written"].as_u64().unwrap() > 0);
    assert!(
        s.path("public/hyperos/agate/stable/OS1.0.11.0.UKWEUXM/index.html")
            .exists()
    );

    // So does a theme: its templates are part of every page.
    std::fs::create_dir_all(s.path("theme/assets")).unwrap();
    s.write("theme/assets/extra.css", "body { margin: 0 }");
    let themed: serde_json::Value =
        serde_json::from_str(&s.ok(&["--json", "build", "--theme", "theme"])).unwrap();
    assert!(phases(&themed).contains(&"plan"), "{themed}");
    assert!(s.path("public/assets/extra.css").exists());
}
