//! The pages exist where the reference site had them, show every field of
//! a card, and escape what comes from upstream.

mod common;

use common::*;
use romwatch_site::build;

#[test]
fn pages_exist_at_the_reference_paths() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build(&sample(), &config(), &out, None).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let files = files(&out);
    for expected in [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "search/index.html",
        "search/index.json",
        "search/roms-0.json",
        "favicon.ico",
        "miui/capricorn/since.json",
        "rss.xml",
        "atom.xml",
        "feed.json",
        "assets/site.css",
        "assets/site.js",
        "miui/index.html",
        "hyperos/index.html",
        "miui/capricorn/index.html",
        "miui/capricorn/rss.xml",
        "miui/capricorn/atom.xml",
        "miui/capricorn/feed.json",
        "miui/capricorn/weekly/7.12.28/index.html",
        "miui/capricorn/stable-beta/V9.5.1.0.NAIMIFA/index.html",
        "miui/capricorn/stable beta/V9.5.1.0.NAIMIFA/index.html",
        "miui/santoni/weekly/7.12.28/index.html",
        "archive/miui/capricorn/index.html",
        "feeds/miui-9/rss.xml",
        "miui/rss.xml",
        "api/v1/devices.json",
        "api/v1/latest.json",
        "api/v1/devices/capricorn.json",
        "api/v1/devices/santoni.json",
    ] {
        assert!(files.iter().any(|f| f == expected), "missing {expected}");
    }
    assert_eq!(report.files, files.len());
    assert_eq!(report.written, files.len());
}

#[test]
fn update_page_shows_every_card_field_in_store_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let page = read(&out, "miui/capricorn/weekly/7.12.28/index.html");
    assert!(page.contains("MIUI 7.12.28 Weekly Official Update for Mi 5s Global (capricorn)"));
    // Cards in store order: Global Fastboot, China Fastboot, China
    // Recovery, Global Recovery.
    let order: Vec<usize> = [
        "capricorn_global_7.12.28_28.tgz",
        "capricorn_7.12.28_28.tgz",
        "capricorn_7.12.28_27.zip",
        "capricorn_global_7.12.28_27.zip",
    ]
    .iter()
    .map(|f| page.find(f).unwrap_or_else(|| panic!("{f} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    for field in [
        "<dt>Device</dt><dd>Mi 5s China</dd>",
        "<dt>Version</dt><dd>7.12.28</dd>",
        "<dt>Branch</dt><dd>Weekly</dd>",
        "<dt>Type</dt><dd>Fastboot</dd>",
        "<dt>Size</dt><dd>1.5 GB</dd>",
        ">2017-12-28</time>",
        "<dt>MD5</dt><dd>Unknown</dd>",
        "<code>409451bb8592b6e8329ea381bab6b017</code>",
        "Bug fixes<br>System optimizations",
        "<details>",
        "Mirror 1 (hugeota.d.miui.com)",
        "official, untouched",
    ] {
        assert!(page.contains(field), "{field} missing");
    }
    assert!(page.contains(r#"<a href="/miui/capricorn/">capricorn</a>"#));
    // Breadcrumb: Home › MIUI › device › version.
    let crumbs = &page[page.find("Breadcrumb").unwrap()..page.find("<main").unwrap()];
    // The device step is named as the device page titles itself.
    for step in ["Home", "MIUI", ">Mi 5s<", "7.12.28"] {
        assert!(crumbs.contains(step), "{step} not in breadcrumb");
    }
    let device_page = read(&out, "miui/capricorn/index.html");
    assert!(
        device_page.contains("<h1>Mi 5s"),
        "device page titled as its crumb"
    );
}

#[test]
fn a_security_patch_read_from_the_package_is_shown_and_missing_stays_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample_with_security_patch(), &config(), &out, None).unwrap();
    let page = read(&out, "miui/capricorn/weekly/7.12.28/index.html");
    let shown = r#"<dt>Security Patch</dt><dd><time datetime="2017-12-01">2017-12-01</time></dd>"#;
    let card = |file: &str| {
        let at = page.find(file).unwrap_or_else(|| panic!("{file} missing"));
        let start = page[..at].rfind("<article").unwrap();
        let end = at + page[at..].find("</article>").unwrap();
        page[start..end].to_string()
    };
    assert!(card("capricorn_global_7.12.28_27.zip").contains(shown));
    assert!(
        card("capricorn_global_7.12.28_28.tgz").contains(shown),
        "the fastboot image of the same variant and version takes it"
    );
    assert!(!card("capricorn_7.12.28_27.zip").contains("Security Patch"));
    assert!(!card("capricorn_7.12.28_28.tgz").contains("Security Patch"));
    // The device page's latest table and the home page's show it too, in
    // the row of the ROM it belongs to.
    for file in ["miui/capricorn/index.html", "index.html"] {
        let table = read(&out, file);
        let at = table
            .find("capricorn_global_7.12.28_27.zip")
            .unwrap_or_else(|| panic!("{file}: the ROM's row"));
        let row = &table[table[..at].rfind("<tr").unwrap()..at];
        assert!(
            row.contains(r#"<time datetime="2017-12-01">2017-12-01</time>"#),
            "{file}: {row}"
        );
    }
    // The API files carry it on the ROM it belongs to, null elsewhere.
    let device: serde_json::Value =
        serde_json::from_str(&read(&out, "api/v1/devices/capricorn.json")).unwrap();
    let latest: serde_json::Value =
        serde_json::from_str(&read(&out, "api/v1/latest.json")).unwrap();
    for (file, roms) in [("device", &device["releases"]), ("latest", &latest["roms"])] {
        let patch_of = |name: &str| {
            let rom = roms
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["filename"] == name)
                .unwrap_or_else(|| panic!("{file}: {name} missing"));
            rom["security_patch"].clone()
        };
        assert_eq!(patch_of("capricorn_global_7.12.28_27.zip"), "2017-12-01");
        assert_eq!(patch_of("capricorn_global_7.12.28_28.tgz"), "2017-12-01");
        assert!(patch_of("capricorn_7.12.28_27.zip").is_null(), "{file}");
        assert!(patch_of("capricorn_7.12.28_28.tgz").is_null(), "{file}");
    }
    // "Since my version" gives it for the build, of its variant only.
    let since: serde_json::Value =
        serde_json::from_str(&read(&out, "miui/capricorn/since.json")).unwrap();
    let newest_of = |variant: &str| {
        let builds = since["variants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["codename"] == variant)
            .unwrap()["builds"]
            .clone();
        builds[0].clone()
    };
    let global = newest_of("capricorn_global");
    assert_eq!(global["version"], "7.12.28");
    assert_eq!(global["security_patch"], "2017-12-01");
    assert!(newest_of("capricorn")["security_patch"].is_null());
}

#[test]
fn a_known_md5_prefix_is_shown_as_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let page = read(
        &out,
        "miui/capricorn/stable-beta/V9.5.1.0.NAIMIFA/index.html",
    );
    assert!(page.contains("<code>409451bb85</code>… <small>(first 10 digits"));
    let redirect = read(
        &out,
        "miui/capricorn/stable beta/V9.5.1.0.NAIMIFA/index.html",
    );
    assert!(redirect.contains(r#"content="0; url=/miui/capricorn/stable-beta/V9.5.1.0.NAIMIFA/""#));
}

#[test]
fn incrementals_are_linked_only_from_their_own_variant() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let capricorn = read(&out, "miui/capricorn/weekly/7.12.28/index.html");
    assert!(capricorn.contains("miui-blockota-capricorn_global-7.12.21-7.12.28.zip"));
    assert!(
        !capricorn.contains("santoni"),
        "another device's package linked"
    );
    // Only the Global Recovery card offers it.
    assert_eq!(
        capricorn.matches("Incremental update from 7.12.21").count(),
        1
    );
    let santoni = read(&out, "miui/santoni/weekly/7.12.28/index.html");
    assert!(santoni.contains("miui-blockota-santoni_global-7.12.21-7.12.28.zip"));
    assert!(!santoni.contains("capricorn"));
}

#[test]
fn upstream_strings_are_escaped() {
    let mut data = sample();
    data.devices[0].name = r#""><img src=x onerror=alert(1)>"#.to_string();
    data.roms[0].changelog = Some("<script>alert(1)</script>\nline two".to_string());
    // A `javascript:` link cannot reach the builder: it is not a `Link`.
    assert!(romwatch_model::Link::parse("javascript:alert(1)").is_err());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    for path in files(&out) {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let text = read(&out, &path);
        assert!(!text.contains("<script>alert"), "{path}: unescaped script");
        assert!(!text.contains("<img src=x"), "{path}: unescaped img");
        assert!(!text.contains("javascript:"), "{path}: javascript URL");
    }
    let page = read(&out, "miui/capricorn/weekly/7.12.28/index.html");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;<br>line two"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // JSON keeps the text as data; the search script inserts it as text.
    assert!(read(&out, "api/v1/devices/capricorn.json").contains("<script>alert(1)</script>"));
}

#[test]
fn a_file_listed_twice_is_skipped_once_and_nothing_leaves_the_output() {
    // Versions that could climb out (`../../../escape`) cannot be made at
    // all (`Version`); what the builder still refuses is a second listing.
    let mut data = sample();
    data.roms.push(data.roms[0].clone());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site").join("public");
    std::fs::create_dir_all(dir.path().join("site")).unwrap();
    let report = build(&data, &config(), &out, None).unwrap();
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].filename, data.roms[0].filename.as_str());
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "only site/ in the temp dir");
}

#[test]
fn extra_files_are_published_at_checked_paths() {
    let mut data = sample();
    data.extra_files.push(romwatch_site::ExtraFile {
        path: "latest.yml".into(),
        bytes: b"- codename: capricorn\n".to_vec(),
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    assert_eq!(read(&out, "latest.yml"), "- codename: capricorn\n");

    for bad in [
        "../latest.yml",
        "/etc/passwd",
        "a//b",
        "api/v1/devices.json",
    ] {
        data.extra_files[0].path = bad.into();
        assert!(build(&data, &config(), &out, None).is_err(), "{bad}");
    }
    assert!(!dir.path().join("latest.yml").exists());
}

#[test]
fn device_page_lists_the_newest_rom_per_variant_branch_and_method() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let page = read(&out, "miui/capricorn/index.html");
    // Global weekly Recovery: 7.12.28 replaces 7.12.21; incrementals are
    // not a device's latest ROM.
    assert!(page.contains("capricorn_global_7.12.28_27.zip"));
    assert!(!page.contains("capricorn_global_7.12.21_21.zip"));
    assert!(!page.contains("blockota"));
    // Five rows: Global Fastboot, China Fastboot, China Recovery, Global
    // Recovery (weekly), Global Recovery (stable beta).
    assert_eq!(page.matches("<tr").count(), 1 + 5);
    assert!(page.contains(r#"<a href="/archive/miui/capricorn/">the archive</a>"#));
    // The archive has every release, incrementals too, newest first.
    let archive = read(&out, "archive/miui/capricorn/index.html");
    assert_eq!(archive.matches("<tr").count(), 1 + 7);
    let newer = archive.find("capricorn_global_7.12.28_28.tgz").unwrap();
    let older = archive.find("capricorn_global_7.12.21_21.zip").unwrap();
    assert!(newer < older);
}

/// The ranks of the ROMs a word names, from its shard.
fn ranks(out: &std::path::Path, word: &str) -> Vec<u64> {
    let hex: String = word[..2].bytes().map(|b| format!("{b:02x}")).collect();
    let shard: serde_json::Value =
        serde_json::from_str(&read(out, &format!("search/words-{hex}.json"))).unwrap();
    let mut rank = 0;
    shard[word]
        .as_array()
        .unwrap_or_else(|| panic!("{word} in its shard"))
        .iter()
        .map(|d| {
            rank += d.as_u64().unwrap();
            rank
        })
        .collect()
}

#[test]
fn the_search_index_finds_devices_versions_and_packages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let index: serde_json::Value = serde_json::from_str(&read(&out, "search/index.json")).unwrap();
    let devices = index["devices"].as_array().unwrap();
    let capricorn = devices
        .iter()
        .position(|d| d[0] == "Mi 5s" && d[1] == "capricorn" && d[3] == "/miui/capricorn/")
        .expect("capricorn in the index");
    // Newest release first: capricorn's 7.12.28 (day 28) before santoni's
    // (day 27).
    let santoni = devices.iter().position(|d| d[1] == "santoni").unwrap();
    assert!(capricorn < santoni);
    let variants: Vec<&str> = devices[capricorn][5]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v[0].as_str().unwrap())
        .collect();
    assert_eq!(variants.len(), 2, "{variants:?}");

    // The ROMs oldest first: the higher the rank, the newer.
    let roms: Vec<serde_json::Value> =
        serde_json::from_str(&read(&out, "search/roms-0.json")).unwrap();
    assert_eq!(roms.len(), 9);
    let dates: Vec<&str> = roms.iter().map(|r| r[4].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    // A version word names its ROMs; so does a package name's.
    let weekly = ranks(&out, "12");
    assert_eq!(weekly.len(), 8, "every weekly build has 7.12.x");
    let named = ranks(&out, "santoni");
    assert!(named.iter().all(|&r| {
        let rom = &roms[r as usize];
        devices[rom[0].as_u64().unwrap() as usize][1] == "santoni"
    }));
    assert!(
        roms.iter()
            .any(|r| r[3] == "capricorn_7.12.28_27.zip" && r[2] == "7.12.28")
    );

    // The header box is a form that leads to the search page; it stays
    // hidden without the script, which the page links.
    let home = read(&out, "index.html");
    assert!(home.contains(r#"<script src="/assets/site.js" defer></script>"#));
    assert!(home.contains(
        r#"<form class="search" role="search" action="/search/" method="get" data-search hidden>"#
    ));
    let search = read(&out, "search/index.html");
    assert!(search.contains(r#"<noscript><p class="notice">Search needs JavaScript."#));
    assert!(search.contains(r#"href="/miui/">MIUI device index</a>"#));
}

#[test]
fn since_my_version_lists_each_variants_builds_with_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let since: serde_json::Value =
        serde_json::from_str(&read(&out, "miui/capricorn/since.json")).unwrap();
    let global = since["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["codename"] == "capricorn_global")
        .expect("the global variant");
    assert_eq!(global["region"], "Global");
    let versions: Vec<&str> = global["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["7.12.28", "7.12.21", "V9.5.1.0.NAIMIFA"]);
    let newest = &global["builds"][0];
    // The Recovery package stands for the build; the incremental from
    // 7.12.21 of this variant (not santoni's) is offered.
    assert_eq!(
        newest["full"]["filename"],
        "capricorn_global_7.12.28_27.zip"
    );
    assert_eq!(newest["full"]["method"], "Recovery");
    assert_eq!(newest["page"], "/miui/capricorn/weekly/7.12.28/");
    assert_eq!(newest["changelog"][0], "Bug fixes");
    assert!(newest["security_patch"].is_null());
    let incrementals = newest["incrementals"].as_array().unwrap();
    assert_eq!(incrementals.len(), 1);
    assert_eq!(incrementals[0]["from"], "7.12.21");
    assert_eq!(
        incrementals[0]["filename"],
        "miui-blockota-capricorn_global-7.12.21-7.12.28.zip"
    );
    // The device page holds the (scripted) picker and the filters; its
    // table rows carry what they filter by.
    let page = read(&out, "miui/capricorn/index.html");
    assert!(page.contains(r#"data-since="/miui/capricorn/since.json" hidden>"#));
    assert!(page.contains(r#"<div class="facets" data-facets-box hidden"#));
    assert!(
        page.contains(r#"<tr data-region="Global" data-branch="Weekly" data-type="Recovery">"#)
    );
}

#[test]
fn breadcrumbs_name_a_device_as_its_page_does() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let update = read(&out, "miui/capricorn/weekly/7.12.28/index.html");
    assert!(update.contains(r#"<li><a href="/miui/capricorn/">Mi 5s</a></li>"#));
    let device = read(&out, "miui/capricorn/index.html");
    assert!(device.contains("<h1>Mi 5s (capricorn) MIUI Downloads</h1>"));
    // The home page's device column links the device page.
    let home = read(&out, "index.html");
    assert!(home.contains(r#"<td><a href="/miui/capricorn/">Mi 5s Global</a></td>"#));
    // Browsers ask for /favicon.ico whatever the page says.
    assert!(read_bytes(&out, "favicon.ico").starts_with(&[0, 0, 1, 0]));
}
