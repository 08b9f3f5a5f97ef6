//! The built site in a real browser: headless Chromium driven by
//! playwright-core (`tests/browser/site.cjs`) against `romwatch serve`.
//! Screenshots are kept in `browser-screenshots/` of the target directory.
//!
//! It needs Node.js, Chromium (`/usr/bin/chromium`, or `CHROMIUM`) and the
//! npm package playwright-core in `ROMWATCH_PLAYWRIGHT` (a directory with
//! `node_modules/playwright-core`); `.ci/run` installs all three. Without
//! them the test says so and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SAMPLE, Scratch, signal, spawn_listening};

#[test]
fn the_site_works_in_a_real_browser() {
    let Some(tools) = std::env::var_os("ROMWATCH_PLAYWRIGHT").map(PathBuf::from) else {
        eprintln!("ROMWATCH_PLAYWRIGHT not set; skipping the browser checks");
        return;
    };
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let (mut server, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/site.cjs");
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("NODE_PATH", tools.join("node_modules"))
        .output()
        .expect("run node");
    signal(&server, "TERM");
    let _ = server.wait();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
