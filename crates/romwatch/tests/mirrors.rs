//! `romwatch mirrors`, driven through the binary against `romwatch sim` in
//! a child process: a down host and a slow one told apart, and a file
//! withdrawn from every mirror marked after three checks a day apart,
//! restored when it answers again, each change one webhook event.

mod common;

use common::{Scratch, Sim, receiver};
use serde_json::Value;

const DOWN: &str = "hugeota.d.miui.com";
const SLOW: &str = "bn.d.miui.com";
const USUAL: &str = "bigota.d.miui.com";
const SECRET: &[(&str, &str)] = &[("ROMWATCH_TEST_SECRET", "s3cr3t")];

fn mirrors(scratch: &Scratch, sim: &Sim, extra: &[&str]) -> Value {
    let mut args = vec!["--json", "mirrors", "--upstream"];
    let url = sim.url();
    args.push(&url);
    args.extend(extra);
    serde_json::from_str(&scratch.ok(&args)).unwrap()
}

#[test]
fn a_down_host_and_a_slow_one_are_told_apart() {
    let sim = Sim::start_with(
        6,
        3,
        &[
            "--mirror-down",
            DOWN,
            "--mirror-slow",
            &format!("{SLOW}=1500"),
        ],
    );
    let scratch = Scratch::create();
    sim.config_with(&scratch, "slow_ms = 700\n");
    scratch.ok(&["track", "--upstream", &sim.url()]);

    let summary = mirrors(&scratch, &sim, &["--budget", "40"]);
    assert_eq!(summary["requests"], 40, "{summary}");
    assert_eq!(summary["recorded"]["files"], 8, "{summary}");
    let hosts = &summary["hosts"];
    assert_eq!(hosts[DOWN]["down"], 8, "{summary}");
    assert_eq!(hosts[SLOW]["slow"], 8, "{summary}");
    assert_eq!(hosts[USUAL]["ok"], 8, "{summary}");
    assert_eq!(hosts[USUAL]["down"], 0, "{summary}");

    // The next run takes the files not checked yet.
    let next = mirrors(&scratch, &sim, &["--budget", "40"]);
    assert_eq!(next["recorded"]["files"], 8, "{next}");
    assert_eq!(next["recorded"]["changed"], 40, "{next}");

    // The pages: the button on a healthy host, the down one last and marked.
    scratch.ok(&["build"]);
    let cards = checked_cards(&scratch.path("public"));
    assert!(!cards.is_empty());
    for card in &cards {
        let button = card
            .split("class=\"button\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        assert!(button.starts_with(&format!("https://{USUAL}/")), "{card}");
        let down = card.find(&format!("https://{DOWN}/")).unwrap();
        let slow = card.find(&format!("https://{SLOW}/")).unwrap();
        assert!(slow < down, "{card}");
        assert!(card[down..].contains("not answering since 20"), "{card}");
        assert!(card[slow..down].contains("(slow)"), "{card}");
    }

    // The live API, the mirrors page and the metrics say the same.
    let (mut server, addr) =
        common::spawn_listening(scratch.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let (_, body) = common::http(&addr, "GET", "/api/v1/roms?limit=500");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let checked: Vec<&Value> = listed["roms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mirrors"][0]["status"] != "unchecked")
        .collect();
    assert_eq!(checked.len(), 16, "{body}");
    let file = checked[0]["filename"].as_str().unwrap();
    let (_, body) = common::http(&addr, "GET", &format!("/api/v1/roms/{file}"));
    let rom: Value = serde_json::from_str(&body).unwrap();
    let statuses: Vec<(&str, &str)> = rom["rom"]["mirrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["host"].as_str().unwrap(), m["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses.len(), 5, "{body}");
    assert_eq!(statuses[0], (USUAL, "ok"), "{body}");
    assert_eq!(statuses[3], (SLOW, "slow"), "{body}");
    assert_eq!(statuses[4], (DOWN, "down"), "{body}");
    assert!(rom["rom"]["mirrors"][4]["checked_at"].is_string(), "{body}");
    assert!(rom["rom"]["mirrors"][0]["latency_ms"].is_u64(), "{body}");
    let (head, page) = common::http(&addr, "GET", "/mirrors/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(page.contains(DOWN) && page.contains("<svg"), "{page}");
    assert!(page.contains("0.0%") && page.contains("100.0%"), "{page}");
    let (_, metrics) = common::http(&addr, "GET", "/metrics");
    assert!(
        metrics.contains(&format!(
            "romwatch_mirror_success_ratio{{host=\"{DOWN}\"}} 0.0"
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "romwatch_mirror_success_ratio{{host=\"{USUAL}\"}} 1.0"
        )),
        "{metrics}"
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// The ROM cards of the built site whose mirrors were checked (they list
/// a failing host).
fn checked_cards(dir: &std::path::Path) -> Vec<String> {
    let mut cards = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            cards.extend(checked_cards(&path));
        } else if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path).unwrap();
            cards.extend(
                html.split("<article class=\"card\"")
                    .skip(1)
                    .filter(|card| card.contains("mirror-down"))
                    .map(str::to_string),
            );
        }
    }
    cards
}

#[test]
fn a_bad_mirror_flag_is_refused_with_the_reason() {
    let scratch = Scratch::create();
    let out = scratch.run(&["sim", "--mirror-down", "example.org"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a mirror host"), "{stderr}");
}

/// `romwatch mirrors` at midnight of day `day` of December 2026.
fn on_day(scratch: &Scratch, sim: &Sim, day: u32, budget: &str) -> Value {
    let now = format!("2026-12-{day:02}T00:00:00Z");
    mirrors(scratch, sim, &["--budget", budget, "--now", &now])
}

#[test]
fn a_withdrawn_file_is_marked_after_three_days_and_restored_once() {
    let sim = Sim::start(4, 9, &[]);
    let scratch = Scratch::create();
    let (url, got) = receiver();
    sim.config_with(
        &scratch,
        &format!(
            "\n[[notify.webhook]]\nname = \"hook\"\nurl = \"{url}\"\nsecret_env = \"ROMWATCH_TEST_SECRET\"\n\n[[notify.file]]\nname = \"log\"\npath = \"notifications.log\"\n"
        ),
    );
    scratch.ok(&["track", "--upstream", &sim.url()]);
    // The channels are registered: they get what happens from now on.
    scratch.ok_env(&["notify"], SECRET);
    let budget = (scratch.rom_count() * 5).to_string();
    let catalog = sim.http("GET", "/_sim/catalog");
    let first: Value = serde_json::from_str(catalog.lines().next().unwrap()).unwrap();
    let file = first["filename"].as_str().unwrap().to_string();
    sim.http("POST", &format!("/_sim/withdraw?file={file}"));

    let withdrawn = |summary: &Value| summary["recorded"]["withdrawn"].clone();
    let restored = |summary: &Value| summary["recorded"]["restored"].clone();
    assert_eq!(
        withdrawn(&on_day(&scratch, &sim, 1, &budget)),
        Value::Array(vec![])
    );
    // Twice the same day counts once.
    let later = mirrors(
        &scratch,
        &sim,
        &["--budget", &budget, "--now", "2026-12-01T18:00:00Z"],
    );
    assert_eq!(withdrawn(&later), Value::Array(vec![]));
    assert_eq!(
        withdrawn(&on_day(&scratch, &sim, 2, &budget)),
        Value::Array(vec![])
    );
    assert_eq!(
        withdrawn(&on_day(&scratch, &sim, 3, &budget)),
        serde_json::json!([file])
    );
    assert_eq!(
        withdrawn(&on_day(&scratch, &sim, 4, &budget)),
        Value::Array(vec![])
    );

    let delivered = scratch.ok_env(&["notify"], SECRET);
    assert!(
        delivered.contains("hook (webhook): 1 delivered"),
        "{delivered}"
    );
    assert_eq!(got.lock().unwrap().len(), 1);

    sim.http("POST", &format!("/_sim/restore?file={file}"));
    assert_eq!(
        restored(&on_day(&scratch, &sim, 5, &budget)),
        serde_json::json!([file])
    );
    assert_eq!(
        restored(&on_day(&scratch, &sim, 6, &budget)),
        Value::Array(vec![])
    );
    scratch.ok_env(&["notify"], SECRET);

    let received = got.lock().unwrap().clone();
    let kinds: Vec<&str> = received
        .iter()
        .map(|(headers, _)| headers["x-romwatch-event"].to_str().unwrap())
        .collect();
    assert_eq!(kinds, ["withdrawn", "restored"]);
    for (_, body) in &received {
        assert!(body.contains(&file), "{body}");
    }
    // Chat-like channels (the log file) are not told.
    let log = std::fs::read_to_string(scratch.path("notifications.log")).unwrap_or_default();
    assert!(!log.contains(&file), "{log}");
}
