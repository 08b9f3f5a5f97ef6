//! Feeds are valid RSS 2.0, Atom and JSON Feed: a real feed parser
//! (`feed-rs`) reads every one of them back with its items.

mod common;

use common::*;
use feed_rs::model::FeedType;
use romwatch_model::{Branch, Method};
use romwatch_site::build;

#[test]
fn every_feed_parses_with_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let feeds: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.ends_with("rss.xml") || f.ends_with("atom.xml") || f.ends_with("feed.json"))
        .collect();
    // Global, MIUI, the MIUI 9 line, and two devices: three formats each.
    assert_eq!(feeds.len(), 15, "{feeds:?}");
    for path in &feeds {
        let bytes = std::fs::read(out.join(path)).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
        let expected_type = if path.ends_with("rss.xml") {
            FeedType::RSS2
        } else if path.ends_with("atom.xml") {
            FeedType::Atom
        } else {
            FeedType::JSON
        };
        assert_eq!(feed.feed_type, expected_type, "{path}");
        assert!(!feed.entries.is_empty(), "{path} has no items");
        for entry in &feed.entries {
            assert!(entry.title.is_some(), "{path}: item without title");
            assert!(entry.published.is_some(), "{path}: item without date");
            let link = &entry.links.first().expect("link").href;
            assert!(link.starts_with("https://roms.example.org/miui/"), "{link}");
            // RSS and Atom carry the text as a summary, JSON Feed as
            // `content_text`.
            let summary = entry.summary.as_ref().map(|s| s.content.clone());
            let body = entry.content.as_ref().and_then(|c| c.body.clone());
            let content = summary.or(body).unwrap_or_default();
            assert!(content.contains("MD5: "), "{path}: {content}");
        }
    }
}

#[test]
fn a_device_feed_lists_its_newest_releases_with_download_md5_and_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    let bytes = std::fs::read(out.join("miui/capricorn/rss.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
    // Six full capricorn ROMs; incrementals are offered on their cards.
    assert_eq!(feed.entries.len(), 6);
    let first = &feed.entries[0];
    assert_eq!(
        first.links[0].href,
        "https://roms.example.org/miui/capricorn/weekly/7.12.28/"
    );
    let summary = &first.summary.as_ref().unwrap().content;
    assert!(summary.contains("Size: 1.5 GB"), "{summary}");
    assert!(
        summary.contains("Download: https://bigota.d.miui.com/7.12.28/"),
        "{summary}"
    );
    // Items are newest first: 28 December before the 21st.
    let dates: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn feeds_escape_upstream_text() {
    let mut data = sample();
    data.devices[0].name = "Mi 5s <b>&</b> Global".into();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    for path in ["rss.xml", "atom.xml", "feed.json"] {
        let bytes = std::fs::read(out.join(path)).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            feed.entries.iter().any(|e| e
                .title
                .as_ref()
                .unwrap()
                .content
                .contains("Mi 5s <b>&</b> Global")),
            "{path}"
        );
    }
}

#[test]
fn item_ids_are_unique_iris() {
    let mut data = sample();
    data.roms[0].filename = romwatch_model::FileName::new("odd name <1>.tgz").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    let bytes = std::fs::read(out.join("atom.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
    let ids: std::collections::HashSet<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), feed.entries.len());
    assert!(ids.contains(
        "https://roms.example.org/miui/capricorn/weekly/7.12.28/#odd%20name%20%3C1%3E.tgz"
    ));
    assert!(ids.iter().all(|id| !id.contains(' ')));
}

#[test]
fn pages_announce_their_rss_atom_and_json_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    for (page, feeds) in [
        ("index.html", ""),
        ("miui/index.html", ""),
        ("miui/capricorn/index.html", "/miui/capricorn"),
    ] {
        let html = read(&out, page);
        for (kind, file) in [
            ("application/rss+xml", "rss.xml"),
            ("application/atom+xml", "atom.xml"),
            ("application/feed+json", "feed.json"),
        ] {
            let link = format!("<link rel=\"alternate\" type=\"{kind}\"");
            let href = format!("{feeds}/{file}\">");
            assert!(
                html.lines()
                    .any(|l| l.starts_with(&link) && l.ends_with(&href)),
                "{page}: no {kind} link to {href}"
            );
        }
    }
}

/// The `pubDate`s of an RSS file, in file order.
fn rss_dates(out: &std::path::Path, path: &str) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    read(out, path)
        .lines()
        .filter_map(|l| l.strip_prefix("<pubDate>")?.strip_suffix("</pubDate>"))
        .map(|d| chrono::DateTime::parse_from_rfc2822(d).unwrap())
        .collect()
}

#[test]
fn a_device_with_only_incrementals_has_them_in_its_feed_and_no_1970_date() {
    let mut data = sample();
    data.devices.push(device("wt98007", "Redmi Note 7 China"));
    data.roms.push(incremental(
        "wt98007",
        "V10.3.1.0.PFGCNXM",
        "V10.3.2.0.PFGCNXM",
        11,
    ));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    let rss = read(&out, "miui/wt98007/rss.xml");
    assert!(!rss.contains("1970"), "{rss}");
    assert!(rss.contains("<lastBuildDate>Mon, 11 Dec 2017"), "{rss}");
    assert_eq!(rss_dates(&out, "miui/wt98007/rss.xml").len(), 1, "{rss}");
    let atom = read(&out, "miui/wt98007/atom.xml");
    assert!(
        !atom.contains("1970") && atom.contains("<updated>2017-12-11"),
        "{atom}"
    );
}

#[test]
fn undated_roms_are_no_news_and_feeds_are_newest_first() {
    let mut data = sample();
    // Imported long after it came out, with no release date.
    let mut undated = rom(
        "capricorn_global",
        "V9.2.1.0.NAIMIEK",
        Branch::Stable,
        Method::Recovery,
        1,
    );
    undated.released = None;
    undated.first_seen = chrono::Utc::now();
    // Tracked: first seen on its release day, at 09:30.
    let mut tracked = rom(
        "capricorn_global",
        "7.12.29",
        Branch::Weekly,
        Method::Recovery,
        29,
    );
    tracked.first_seen =
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2017, 12, 29, 9, 30, 0).unwrap();
    data.roms.push(undated);
    data.roms.push(tracked);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    for feed in ["rss.xml", "miui/rss.xml", "miui/capricorn/rss.xml"] {
        let text = read(&out, feed);
        assert!(
            !text.contains("V9.2.1.0.NAIMIEK"),
            "{feed}: the undated ROM is no news"
        );
        let dates = rss_dates(&out, feed);
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{feed}: {dates:?}");
        assert_eq!(
            dates[0].to_rfc3339(),
            "2017-12-29T09:30:00+00:00",
            "{feed}: the tracked ROM at the time it was seen"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&read(&out, "feed.json")).unwrap();
    assert_eq!(
        json["items"][0]["date_published"],
        "2017-12-29T09:30:00+00:00"
    );
}

/// The `<updated>` of each entry of an Atom file, in file order.
fn atom_entry_dates(text: &str) -> Vec<chrono::DateTime<chrono::FixedOffset>> {
    text.split("<entry>")
        .skip(1)
        .filter_map(|entry| entry.split_once("<updated>")?.1.split_once("</updated>"))
        .map(|(date, _)| chrono::DateTime::parse_from_rfc3339(date).unwrap())
        .collect()
}

#[test]
fn roms_released_the_same_day_get_distinct_times_newest_first() {
    let mut data = sample();
    // Imported with their release date only, all on one day (the 15th):
    // each would be at midnight.
    for version in ["V9.1.1.0.NAIMIEK", "V9.1.2.0.NAIMIEK", "V9.1.3.0.NAIMIEK"] {
        for method in [Method::Recovery, Method::Fastboot] {
            data.roms
                .push(rom("capricorn_global", version, Branch::Stable, method, 15));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    for feed in ["atom.xml", "miui/atom.xml", "miui/capricorn/atom.xml"] {
        let text = read(&out, feed);
        let dates = atom_entry_dates(&text);
        assert!(dates.len() >= 6, "{feed}: {text}");
        assert!(
            dates.windows(2).all(|w| w[0] > w[1]),
            "{feed}: distinct and newest first: {dates:?}"
        );
        let same_day: Vec<_> = dates
            .iter()
            .filter(|d| d.date_naive() == chrono::NaiveDate::from_ymd_opt(2017, 12, 15).unwrap())
            .collect();
        assert_eq!(same_day.len(), 6, "{feed}: still on their release day");
    }
    // The newest version leads its day, in every format.
    let atom = read(&out, "miui/capricorn/atom.xml");
    let first_of_day = atom
        .split("<entry>")
        .find(|e| e.contains("2017-12-15"))
        .unwrap();
    assert!(first_of_day.contains("V9.1.3.0.NAIMIEK"), "{first_of_day}");
    let rss = rss_dates(&out, "miui/capricorn/rss.xml");
    assert!(rss.windows(2).all(|w| w[0] > w[1]), "{rss:?}");
}

#[test]
fn an_empty_stores_atom_feed_has_its_updated_date() {
    let data = romwatch_site::SiteData::default();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    let atom = read(&out, "atom.xml");
    let feed = atom.split("<entry>").next().unwrap();
    assert!(
        feed.contains("<updated>1970-01-01T00:00:00+00:00</updated>"),
        "{atom}"
    );
    let parsed = feed_rs::parser::parse(atom.as_bytes()).unwrap();
    assert!(parsed.entries.is_empty());
}

#[test]
fn an_item_gives_the_security_patch_its_package_metadata_gave_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample_with_security_patch(), &config(), &out, None).unwrap();
    for path in [
        "miui/capricorn/rss.xml",
        "miui/capricorn/atom.xml",
        "miui/capricorn/feed.json",
    ] {
        let bytes = std::fs::read(out.join(path)).unwrap();
        let feed = feed_rs::parser::parse(&bytes[..]).unwrap();
        let mut with_patch = Vec::new();
        for entry in &feed.entries {
            let summary = entry.summary.as_ref().map(|s| s.content.clone());
            let body = entry.content.as_ref().and_then(|c| c.body.clone());
            let text = summary.or(body).unwrap_or_default();
            if text.contains("Security patch:") {
                with_patch.push(text);
            }
        }
        // The recovery package and its fastboot twin, nothing else.
        assert_eq!(with_patch.len(), 2, "{path}: {with_patch:?}");
        for text in &with_patch {
            assert!(
                text.contains("capricorn_global_7.12.28_")
                    && text.contains("\nSecurity patch: 2017-12-01\n"),
                "{path}: {text}"
            );
        }
    }
}
