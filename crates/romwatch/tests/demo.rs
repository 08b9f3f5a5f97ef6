//! `romwatch demo`, driven through the binary: upstream, tracking, site,
//! server and notification log, one released ROM after another.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Scratch, http, signal};

#[test]
fn each_released_rom_is_tracked_published_served_and_notified() {
    let s = Scratch::create();
    let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--devices",
            "20",
            "--every",
            "1s",
            "--dir",
            "demo",
        ])
        .current_dir(s.dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pages = Vec::new();
    let mut addr = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split(" open http://").nth(1) {
            addr = rest.split('/').next().unwrap().to_string();
            assert!(
                http(&addr, "GET", "/").0.starts_with("HTTP/1.1 200"),
                "the site is served"
            );
        }
        if let Some(page) = line.split("its page: http://").nth(1) {
            let path = &page[page.find('/').unwrap()..];
            let (head, _) = http(&addr, "GET", path);
            assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
            pages.push(path.to_string());
            if pages.len() == 2 {
                signal(&child, "INT");
            }
        }
    }
    assert!(child.wait().unwrap().success(), "Ctrl-C is a clean stop");
    assert_eq!(pages.len(), 2, "two releases, each with its page");
    let log = std::fs::read_to_string(s.path("demo/notifications.log")).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    let rss = std::fs::read_to_string(s.path("demo/public/rss.xml")).unwrap();
    assert!(rss.contains(&pages[1]), "the newest release is in the feed");

    // A restart makes the directory anew; a foreign directory is refused.
    std::fs::create_dir(s.path("mine")).unwrap();
    std::fs::write(s.path("mine/keep.txt"), "mine").unwrap();
    let out = s.run(&[
        "demo",
        "--dir",
        "mine",
        "--listen",
        "127.0.0.1:0",
        "--rounds",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(s.path("mine/keep.txt").exists());
}
