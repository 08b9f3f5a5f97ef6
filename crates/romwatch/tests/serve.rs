//! `romwatch serve`, driven through the binary: the built site and the live
//! API from one process, stopped cleanly by SIGTERM.

mod common;

use common::{SAMPLE, Scratch, http, signal, spawn_listening};

#[test]
fn serves_the_built_site_and_the_live_api() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);

    let (head, body) = http(&addr, "GET", "/miui/capricorn/weekly/7.12.28/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"));
    let (head, body) = http(&addr, "GET", "/api/v1/search?q=capricorn");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let hits: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(hits["devices"][0]["codename"], "capricorn", "{hits}");
    assert_eq!(hits["roms"].as_array().unwrap().len(), 3, "{hits}");

    signal(&child, "TERM");
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean stop");
}
