//! Commands that only read (`serve`, `stats`, `export`, `build`, `verify`)
//! never create or write a store: a missing database or site directory is
//! a clear error at start, and an existing database is left byte for byte
//! as it was.

mod common;

use common::{SAMPLE, Scratch, http, signal, spawn_listening};

/// The names in the scratch directory, sorted.
fn entries(s: &Scratch) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reading_commands_without_a_database_fail_and_create_nothing() {
    let s = Scratch::create();
    s.write("download.zip", "not a ROM");
    let site = s.path("site");
    std::fs::create_dir(&site).unwrap();
    let site = site.to_str().unwrap();
    for command in [
        &["serve", "--listen", "127.0.0.1:0", "--site", site][..],
        &["stats"],
        &["export", "--format", "csv"],
        &["build"],
        &["verify", "download.zip"],
    ] {
        let out = s.run(command);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{command:?}: {err}");
        assert!(
            err.contains("there is no database romwatch.db")
                && err.contains("romwatch import FILE"),
            "{command:?}: {err}"
        );
        assert_eq!(entries(&s), ["download.zip", "site"], "{command:?}");
    }
}

#[test]
fn serve_without_a_site_directory_fails_at_start() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let out = s.run(&["serve", "--listen", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("there is no site directory public") && err.contains("romwatch build"),
        "{err}"
    );
    assert!(!s.path("public").exists());
}

#[test]
fn reading_commands_leave_the_database_as_it_was() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let db = s.path("romwatch.db");
    let before = std::fs::read(&db).unwrap();

    s.ok(&["stats"]);
    s.ok(&["export", "--format", "json"]);
    s.ok(&["build"]);
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let (head, _) = http(&addr, "GET", "/api/v1/roms?codename=capricorn");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());

    assert_eq!(std::fs::read(&db).unwrap(), before);
}
