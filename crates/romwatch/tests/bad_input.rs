//! Input no real release history holds, driven through the binary: dates
//! outside any ROM's lifetime, sizes and lists beyond any ROM, text that is
//! not UTF-8, gzip that expands without end. Each is refused with file,
//! line and field and exit status 1, and nothing a store holds can make a
//! build panic.

mod common;

use std::io::Write;

use common::{SAMPLE, Scratch};

/// The third sample record (agate, HyperOS) with `field` replaced.
fn agate_with(from: &str, to: &str) -> String {
    let line = SAMPLE.lines().nth(2).expect("three sample records");
    assert!(line.contains(from), "{from} not in {line}");
    line.replacen(from, to, 1)
}

/// Imports `text` as `bad.jsonl`; asserts exit 1 and returns stderr.
fn refused(s: &Scratch, text: &[u8]) -> String {
    std::fs::write(s.path("bad.jsonl"), text).unwrap();
    let out = s.run(&["import", "bad.jsonl"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    err
}

#[test]
fn dates_outside_the_plausible_range_are_refused_with_line_and_field() {
    let s = Scratch::create();
    let day_after_tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(2))
        .format("%Y-%m-%d")
        .to_string();
    for date in [
        "+10000-01-01",
        "+99999-01-01",
        "-0044-03-15",
        "2009-12-31",
        day_after_tomorrow.as_str(),
    ] {
        let good = SAMPLE.lines().next().unwrap();
        let bad = agate_with("\"date\":\"2025-01-21\"", &format!("\"date\":\"{date}\""));
        let err = refused(&s, format!("{good}\n{bad}\n").as_bytes());
        assert!(err.contains("bad.jsonl:2: date:"), "{date}: {err}");
        assert!(err.contains("plausible range"), "{date}: {err}");
    }
    // The bounds themselves are fine.
    let first = agate_with("\"date\":\"2025-01-21\"", "\"date\":\"2010-01-01\"");
    s.write("ok.jsonl", &first);
    s.ok(&["import", "ok.jsonl"]);
}

#[test]
fn a_date_written_into_the_store_by_hand_cannot_break_the_build() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let db = rusqlite::Connection::open(s.path("romwatch.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE roms SET released = '+10000-01-01' WHERE filename LIKE 'miui_AGATE%'",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);

    let out = s.run(&["build"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("skipped miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip: its date +10000-01-01 cannot be shown"),
        "{err}"
    );
    let feed = std::fs::read_to_string(s.path("public/rss.xml")).unwrap();
    assert!(
        feed.contains("miui_MI5SGlobal_7.12.28"),
        "the rest is published"
    );
    assert!(!feed.contains("AGATE"), "{feed}");
}

#[test]
fn sizes_beyond_any_rom_are_refused() {
    let s = Scratch::create();
    for size in [
        "\"size\":\"4.9 GB\",\"size_bytes\":18446744073709551615",
        "\"size\":\"18446744073709551615\"",
        "\"size\":\"20 TB\"",
    ] {
        let bad = agate_with("\"size\":\"4.9 GB\"", size);
        let err = refused(&s, bad.as_bytes());
        assert!(err.contains("bad.jsonl:1: size:"), "{size}: {err}");
        assert!(err.contains("larger than any ROM"), "{size}: {err}");
    }
}

#[test]
fn a_long_list_of_mirror_hosts_is_refused() {
    let s = Scratch::create();
    let hosts: Vec<String> = (0..1000).map(|i| format!("\"m{i}.example.org\"")).collect();
    let bad = agate_with(
        "\"mirror_hosts\":[]",
        &format!("\"mirror_hosts\":[{}]", hosts.join(",")),
    );
    let err = refused(&s, bad.as_bytes());
    assert!(
        err.contains("bad.jsonl:1: mirror_hosts: 1000 hosts listed; at most 16"),
        "{err}"
    );
    // Repeats within the limit are merged, not refused.
    let repeated = agate_with(
        "\"mirror_hosts\":[]",
        "\"mirror_hosts\":[\"a.example.org\",\"a.example.org\",\"b.example.org\"]",
    );
    s.write("ok.jsonl", &repeated);
    s.ok(&["import", "ok.jsonl"]);
    let export = s.ok(&["export"]);
    assert!(
        export.contains("\"mirror_hosts\":[\"a.example.org\",\"b.example.org\"]"),
        "{export}"
    );
}

#[test]
fn text_that_is_not_utf8_is_placed_by_line_and_field() {
    let s = Scratch::create();
    let mut bytes = SAMPLE.lines().next().unwrap().as_bytes().to_vec();
    bytes.push(b'\n');
    bytes.extend(agate_with("Xiaomi 11T EEA", "Xiaomi 11T \u{1}EEA").as_bytes());
    // The control character's place now holds a byte that is never UTF-8.
    let at = bytes.iter().rposition(|&b| b == 0x01).unwrap();
    bytes.splice(at..at + 1, [0xff]);
    let err = refused(&s, &bytes);
    assert!(err.contains("bad.jsonl:2: device: not UTF-8 text"), "{err}");
}

#[test]
fn gzip_that_expands_past_the_limit_is_refused_for_its_size() {
    let s = Scratch::create();
    // 300 MiB of zeros compress to about 300 KiB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..300 {
        gz.write_all(&zeros).unwrap();
    }
    std::fs::write(s.path("zeros.jsonl.gz"), gz.finish().unwrap()).unwrap();
    let out = s.run(&["import", "zeros.jsonl.gz"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "zeros.jsonl.gz: more than 256 MiB once decompressed; the import limit is 256 MiB"
        ),
        "{err}"
    );
    assert!(!err.contains("not valid gzip"), "{err}");

    // A stream that is not gzip after all says so.
    std::fs::write(s.path("broken.gz"), [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let out = s.run(&["import", "broken.gz"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("broken.gz is not valid gzip"), "{err}");
}
