//! The security patch a package's metadata gives, from the store to every
//! place a user reads it, through the binary: the API files the build
//! writes, the feeds (read back by a feed parser), "since my version", and
//! the live API over a socket. A fastboot image shows its recovery
//! package's; a build whose metadata is unknown shows none.

mod common;

use common::{SAMPLE, Scratch, http, signal, spawn_listening};

const RECOVERY: &str = "miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip";
const FASTBOOT: &str = "capricorn_global_images_7.12.28_20171228.0000.00_7.0_global_5cf771487f.tgz";
/// A ROM whose package metadata was never read.
const UNKNOWN: &str = "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip";

/// The sample with the recovery package's security patch, as an export
/// carries it.
fn sample_with_patch() -> String {
    let marker = format!(r#""filename":"{RECOVERY}""#);
    assert!(SAMPLE.contains(&marker));
    SAMPLE.replace(
        &marker,
        &format!(r#"{marker},"security_patch":"2017-12-01""#),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The `security_patch` of the ROM named `filename` among `roms`.
fn patch_of(roms: &serde_json::Value, filename: &str) -> serde_json::Value {
    roms.as_array()
        .unwrap_or_else(|| panic!("not a list: {roms}"))
        .iter()
        .find(|r| r["filename"] == filename)
        .unwrap_or_else(|| panic!("{filename} not in {roms}"))
        .get("security_patch")
        .unwrap_or_else(|| panic!("{filename}: no security_patch field"))
        .clone()
}

#[test]
fn the_security_patch_is_in_the_api_files_feeds_since_and_the_live_api() {
    let s = Scratch::create();
    s.write("roms.jsonl", &sample_with_patch());
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let site = s.path("public");
    let file = |path: &str| {
        std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };

    // The API files the build wrote.
    let device = json(&file("api/v1/devices/capricorn.json"));
    let latest = json(&file("api/v1/latest.json"));
    for roms in [&device["releases"], &latest["roms"]] {
        assert_eq!(patch_of(roms, RECOVERY), "2017-12-01");
        assert_eq!(patch_of(roms, FASTBOOT), "2017-12-01");
    }
    let agate = json(&file("api/v1/devices/agate.json"));
    assert!(patch_of(&agate["releases"], UNKNOWN).is_null());
    assert!(patch_of(&latest["roms"], UNKNOWN).is_null());

    // The feeds: the site's, in all three formats.
    for path in ["rss.xml", "atom.xml", "feed.json"] {
        let feed =
            feed_rs::parser::parse(file(path).as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut seen = 0;
        for entry in &feed.entries {
            let summary = entry.summary.as_ref().map(|t| t.content.clone());
            let body = entry.content.as_ref().and_then(|c| c.body.clone());
            let text = summary.or(body).unwrap_or_default();
            if text.contains(UNKNOWN) {
                assert!(!text.contains("Security patch"), "{path}: {text}");
            } else {
                assert!(
                    text.contains("Security patch: 2017-12-01"),
                    "{path}: {text}"
                );
            }
            seen += 1;
        }
        assert_eq!(seen, 3, "{path}");
    }

    // "Since my version".
    let since = json(&file("miui/capricorn/since.json"));
    let build = &since["variants"][0]["builds"][0];
    assert_eq!(build["version"], "7.12.28");
    assert_eq!(build["security_patch"], "2017-12-01");
    let since = json(&file("hyperos/agate/since.json"));
    assert!(since["variants"][0]["builds"][0]["security_patch"].is_null());

    // The live API, from the store, over a socket.
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let get = |path: &str| {
        let (head, body) = http(&addr, "GET", path);
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        json(&body)
    };
    let listed = get("/api/v1/roms?codename=capricorn");
    assert_eq!(patch_of(&listed["roms"], RECOVERY), "2017-12-01");
    // Alone on its page, the fastboot image still finds its recovery twin.
    let fastboot_only = get("/api/v1/roms?codename=capricorn&method=Fastboot");
    assert_eq!(patch_of(&fastboot_only["roms"], FASTBOOT), "2017-12-01");
    assert_eq!(
        get(&format!("/api/v1/roms/{FASTBOOT}"))["rom"]["security_patch"],
        "2017-12-01"
    );
    assert!(get(&format!("/api/v1/roms/{UNKNOWN}"))["rom"]["security_patch"].is_null());
    let device = get("/api/v1/devices/capricorn");
    assert_eq!(patch_of(&device["latest"], RECOVERY), "2017-12-01");
    let found = get("/api/v1/search?q=agate");
    assert!(patch_of(&found["roms"], UNKNOWN).is_null());

    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}
