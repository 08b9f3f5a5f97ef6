//! How a failure is printed: `error:` says what was being done, each
//! `caused by:` says why, one level deeper, and no line repeats another.

mod common;

use std::process::Output;

use common::Scratch;

/// The failure's lines: the `error:` line, then one per cause, each
/// without its prefix.
fn failure_lines(out: &Output) -> Vec<String> {
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut lines = stderr.lines();
    let first = lines.next().expect("an error line");
    let what = first
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("{first:?} is not an error line"));
    let mut all = vec![what.to_string()];
    for line in lines {
        let cause = line
            .strip_prefix("  caused by: ")
            .unwrap_or_else(|| panic!("{line:?} is not a cause line:\n{stderr}"));
        all.push(cause.to_string());
    }
    all
}

/// No line holds another line's text (a cause printed in its parent's
/// message and again as a cause of its own).
fn assert_no_repeat(lines: &[String]) {
    for (i, a) in lines.iter().enumerate() {
        for b in &lines[i + 1..] {
            assert!(
                !a.contains(b.as_str()) && !b.contains(a.as_str()),
                "{a:?} and {b:?} repeat each other in {lines:#?}"
            );
        }
    }
}

#[test]
fn a_site_that_cannot_be_written_prints_each_cause_once() {
    let scratch = Scratch::create();
    scratch.write("plain-file", "not a directory\n");
    scratch.write("nothing.jsonl", "");
    scratch.ok(&["import", "nothing.jsonl"]);
    let out = scratch.run(&["build", "--out", "plain-file/site"]);
    let lines = failure_lines(&out);
    assert_no_repeat(&lines);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0], "cannot build the site in plain-file/site");
    assert!(
        lines[1].starts_with("cannot create ") && lines[1].contains("plain-file"),
        "{lines:#?}"
    );
    assert!(lines[2].contains("Not a directory"), "{lines:#?}");
}

#[test]
fn a_database_that_cannot_be_opened_prints_each_cause_once() {
    let scratch = Scratch::create();
    scratch.write("plain-file", "not a directory\n");
    let out = scratch.run(&["--db", "plain-file/romwatch.db", "stats"]);
    let lines = failure_lines(&out);
    assert_no_repeat(&lines);
    assert_eq!(
        lines,
        [
            "cannot open the database plain-file/romwatch.db",
            "unable to open database file: plain-file/romwatch.db",
        ]
    );
}

#[test]
fn a_file_that_is_not_a_database_prints_each_cause_once() {
    let scratch = Scratch::create();
    scratch.write("romwatch.db", &"not a database\n".repeat(100));
    let lines = failure_lines(&scratch.run(&["stats"]));
    assert_no_repeat(&lines);
    assert_eq!(
        lines,
        [
            "the database romwatch.db is damaged (file is not a database); nothing was written. \
             Restore it from a backup, or export what can still be read \
             (`romwatch export -o roms.jsonl`) and import it into a fresh database"
        ]
    );
}
