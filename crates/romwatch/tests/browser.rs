//! The built site in a real browser: headless Chromium driven by
//! playwright-core (`tests/browser/*.cjs`) against `romwatch serve`, on a
//! small sample and on the whole shared dataset (search, "since my
//! version", axe-core accessibility checks). Screenshots are kept in
//! `browser-screenshots/` of the target directory.
//!
//! It needs Node.js, Chromium (`/usr/bin/chromium`, or `CHROMIUM`) and the
//! npm packages playwright-core and axe-core in `ROMWATCH_PLAYWRIGHT` (a
//! directory with `node_modules/`); `.ci/run` installs them all. Without
//! them the tests say so and pass.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SAMPLE, Scratch, shared_dataset, signal, spawn_listening};

/// The directory with `node_modules/`, when the browser tools are there.
fn tools() -> Option<PathBuf> {
    let tools = std::env::var_os("ROMWATCH_PLAYWRIGHT").map(PathBuf::from);
    if tools.is_none() {
        eprintln!("ROMWATCH_PLAYWRIGHT not set; skipping the browser checks");
    }
    tools
}

#[test]
fn the_site_works_in_a_real_browser() {
    let Some(tools) = tools() else { return };
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    run_script(&s, &tools, "site.cjs");
}

#[test]
fn the_shared_dataset_site_searches_and_answers_since_my_version() {
    let Some(tools) = tools() else { return };
    let Some(data) = shared_dataset() else {
        eprintln!("shared dataset not found; skipping");
        return;
    };
    let s = Scratch::create();
    s.ok(&["import", data.to_str().expect("utf-8 path")]);
    s.ok(&["build"]);
    run_script(&s, &tools, "dataset.cjs");
}

/// Serves the site built in `s` and runs `tests/browser/<script>` against
/// it; the script's failures fail the test.
fn run_script(s: &Scratch, tools: &Path, script: &str) {
    let (mut server, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("NODE_PATH", tools.join("node_modules"))
        .output()
        .expect("run node");
    signal(&server, "TERM");
    let _ = server.wait();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
