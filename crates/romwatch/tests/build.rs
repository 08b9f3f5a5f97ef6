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
