//! A damaged or empty database file, driven through the binary: commands
//! that write refuse a damaged one (exit 3, with what to do), and a
//! zero-length file is never taken as a new, empty store.

mod common;

use common::{SAMPLE, Scratch};

/// Overwrites the root page of the `events` table (which an import does
/// not touch) with garbage, leaving the rest of the file readable.
fn damage_events_table(db: &std::path::Path) {
    let (root, page_size) = {
        let conn = rusqlite::Connection::open(db).unwrap();
        let root: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'events'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        (root as usize, page_size as usize)
    };
    let mut bytes = std::fs::read(db).unwrap();
    let start = (root - 1) * page_size;
    bytes[start..start + page_size].fill(0xAB);
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn a_damaged_database_is_refused_before_anything_is_written() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let db = s.path("romwatch.db");
    damage_events_table(&db);
    let before = std::fs::read(&db).unwrap();

    let out = s.run(&["import", "roms.jsonl"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(err.contains("Restore it from a backup"), "{err}");
    assert!(err.contains("romwatch export"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
}

#[test]
fn a_zero_length_database_is_not_an_empty_store() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    std::fs::write(s.path("romwatch.db"), b"").unwrap();
    for command in [&["build"][..], &["stats"], &["export"]] {
        let out = s.run(command);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{command:?}: {err}");
        assert!(
            err.contains("is an empty file (0 bytes), not a romwatch store"),
            "{command:?}: {err}"
        );
    }
    assert_eq!(
        std::fs::metadata(s.path("romwatch.db")).unwrap().len(),
        0,
        "reading left it as it was"
    );
    assert!(s.path("public/miui/capricorn/index.html").exists());
}
