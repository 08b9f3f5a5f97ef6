//! `romwatch track`, driven through the binary against `romwatch sim` in a
//! child process: a run and its summary, a dead upstream, and crash safety
//! under SIGKILL at random points.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, Sim, signal};
use romwatch_store::Store;

#[test]
fn a_run_prints_its_summary_and_a_second_finds_nothing_new() {
    let sim = Sim::start(20, 4, &[]);
    let scratch = Scratch::create();
    sim.config(&scratch);
    let first: serde_json::Value =
        serde_json::from_str(&scratch.ok(&["track", "--upstream", &sim.url(), "--json"])).unwrap();
    assert_eq!(first["baseline"], true);
    assert!(first["new"].as_u64().unwrap() > 20);
    assert_eq!(first["events"], 0);
    assert!(first["sources"]["ota"]["checks"].as_u64().unwrap() > 0);
    assert_eq!(scratch.rom_count(), first["new"].as_u64().unwrap());

    let text = scratch.ok(&["track", "--upstream", &sim.url()]);
    assert!(
        text.contains(": 0 new, 0 changed, 0 pending, 0 events"),
        "{text}"
    );
    assert!(text.contains("  ota: "), "{text}");
}

#[test]
fn nothing_checked_exits_4() {
    let scratch = Scratch::create();
    scratch.write(
        "romwatch.toml",
        "[tracker]\nretries = 0\n[upstream.cdn]\ntimeout_ms = 500\n",
    );
    // Port 9 (discard) on loopback: nothing listens there.
    let out = scratch.run(&["track", "--upstream", "http://127.0.0.1:9", "--rate", "0"]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a store holds, without the times a run stamps (first seen, event
/// ids): ROMs as their exported records, events as (file, kind).
fn contents(db: &std::path::Path) -> (BTreeSet<String>, Vec<(String, String)>) {
    let store = Store::open(db).unwrap();
    let roms = store
        .roms()
        .unwrap()
        .into_iter()
        .map(|mut rom| {
            rom.first_seen = chrono::DateTime::UNIX_EPOCH;
            serde_json::to_string(&rom).unwrap()
        })
        .collect();
    let mut events: Vec<(String, String)> = store
        .pending_events("crash-test", 100_000)
        .unwrap()
        .into_iter()
        .map(|e| (e.rom.filename.to_string(), e.kind.name().to_string()))
        .collect();
    events.sort();
    (roms, events)
}

/// Runs `track` and kills it with SIGKILL after `delay`; whether it
/// finished first.
fn run_or_kill(scratch: &Scratch, url: &str, delay: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args(["track", "--upstream", url, "--json"])
        .current_dir(scratch.dir.path())
        .env_remove("ROMWATCH_DB")
        .env_remove("ROMWATCH_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < delay {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    false
}

fn rom_count(scratch: &Scratch) -> usize {
    Store::open(&scratch.path("romwatch.db"))
        .and_then(|s| s.roms())
        .map_or(0, |r| r.len())
}

/// Kills runs at pseudo-random points (within the first half of a full
/// run's time, so that each run gets somewhat further than the last) until
/// `kills` runs died or one finished, then runs to the end. Returns the
/// distinct ROM counts the killed runs left.
fn track_through_kills(
    scratch: &Scratch,
    url: &str,
    seed: &mut u64,
    kills: usize,
    full_run: Duration,
) -> BTreeSet<usize> {
    let mut states = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(25);
    let mut killed = 0;
    while killed < kills && Instant::now() < deadline {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let fraction = (*seed >> 33) as f64 / (1u64 << 31) as f64;
        if run_or_kill(scratch, url, full_run.mul_f64(fraction / 2.0)) {
            break;
        }
        killed += 1;
        states.insert(rom_count(scratch));
    }
    scratch.ok(&["track", "--upstream", url]);
    states
}

#[test]
fn sigkill_at_any_point_loses_and_duplicates_nothing() {
    let sim = Sim::start(60, 6, &["latency=4"]);
    let reference = Scratch::create();
    let killed = Scratch::create();
    sim.config(&reference);
    sim.config(&killed);

    // Baselines: one uninterrupted run, and runs killed until one finishes.
    let started = Instant::now();
    reference.ok(&["track", "--upstream", &sim.url()]);
    let full_run = started.elapsed();
    let mut seed = 42;
    let states = track_through_kills(&killed, &sim.url(), &mut seed, 25, full_run);
    let done = rom_count(&reference);
    assert!(
        states.iter().filter(|n| **n > 0 && **n < done).count() >= 3,
        "kills landed mid-run: {states:?} of {done}"
    );
    for scratch in [&reference, &killed] {
        Store::open(&scratch.path("romwatch.db"))
            .unwrap()
            .register_channel("crash-test", "webhook")
            .unwrap();
    }
    assert_eq!(
        contents(&reference.path("romwatch.db")),
        contents(&killed.path("romwatch.db"))
    );

    // New releases, announced once each however often the run dies.
    sim.http("POST", "/_sim/release?count=15");
    let started = Instant::now();
    reference.ok(&["track", "--upstream", &sim.url()]);
    let full_run = started.elapsed();
    track_through_kills(&killed, &sim.url(), &mut seed, 25, full_run);
    let (roms, events) = contents(&reference.path("romwatch.db"));
    assert!(events.iter().filter(|(_, kind)| kind == "new").count() >= 15);
    assert_eq!((roms, events), contents(&killed.path("romwatch.db")));
}

#[test]
fn run_tracks_on_a_schedule_and_stops_on_sigterm() {
    let sim = Sim::start(10, 8, &[]);
    let scratch = Scratch::create();
    sim.config(&scratch);
    let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args(["run", "--every", "1s", "--upstream", &sim.url()])
        .current_dir(scratch.dir.path())
        .env_remove("ROMWATCH_DB")
        .env_remove("ROMWATCH_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut rounds = Vec::new();
    let mut builds = Vec::new();
    let mut mirrors = Vec::new();
    while rounds.len() < 2 {
        let line = lines.next().expect("a log line").unwrap();
        if line.contains(" track: ") {
            rounds.push(line);
        } else if line.contains(" mirrors: ") {
            mirrors.push(line);
        } else if line.contains(" build: ") {
            builds.push(line);
        }
    }
    // The first round's build published the site.
    assert!(
        builds.first().is_some_and(|b| b.contains("written")),
        "{builds:?}"
    );
    assert!(scratch.path("public/index.html").exists());
    assert!(
        rounds[0].contains("(baseline: nothing announced)"),
        "{rounds:?}"
    );
    assert!(rounds[1].contains(": 0 new, 0 changed"), "{rounds:?}");
    // Mirrors are checked after tracking, every file on the five hosts.
    assert!(
        mirrors
            .first()
            .is_some_and(|m| m.contains("requests") && !m.contains(" 0 requests")),
        "{mirrors:?}"
    );
    signal(&child, "TERM");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean stop");
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
    assert!(scratch.rom_count() > 10);
}

/// Each event of the store (file, kind, branch of the ROM now), for a
/// channel registered before the events were written.
fn events_of(db: &Path, channel: &str) -> Vec<(String, String, String)> {
    Store::open(db)
        .unwrap()
        .pending_events(channel, 100_000)
        .unwrap()
        .into_iter()
        .map(|e| {
            (
                e.rom.filename.to_string(),
                e.kind.name().to_string(),
                e.rom.branch.name().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_rom_whose_branch_could_not_be_decided_is_announced_only_once_it_is() {
    const SEED: u64 = 11;
    let scratch = Scratch::create();
    let db = scratch.path("romwatch.db");
    {
        let sim = Sim::start(12, SEED, &[]);
        sim.config(&scratch);
        scratch.ok(&["track", "--upstream", &sim.url()]);
    }
    Store::open(&db)
        .unwrap()
        .register_channel("test", "webhook")
        .unwrap();

    // A new stable build (recovery, incremental, fastboot) appears while
    // the full-ROM endpoint and the lists, which show fastboot builds,
    // answer garbage.
    let released = {
        let sim = Sim::start(12, SEED, &["fullrom:html", "community:html"]);
        let released = sim.http("POST", "/_sim/release?count=3");
        let summary: serde_json::Value =
            serde_json::from_str(&scratch.ok(&["--json", "track", "--upstream", &sim.url()]))
                .unwrap();
        assert!(summary["new"].as_u64().unwrap() >= 1, "{summary}");
        assert!(summary["held"].as_u64().unwrap() >= 1, "{summary}");
        released
    };
    let names: Vec<String> = serde_json::from_str(&released).unwrap();
    // A release lists the recovery package first, then its incremental
    // package and fastboot images.
    let recovery = names[0].clone();
    assert!(recovery.ends_with(".zip"), "{names:?}");
    let stored = Store::open(&db).unwrap().rom(&recovery).unwrap();
    assert_eq!(
        stored.map(|r| r.branch.name()),
        Some("Stable Beta"),
        "recorded, as far as the run could tell"
    );
    assert_eq!(
        events_of(&db, "test"),
        Vec::new(),
        "nothing announced while the branch is undecided"
    );

    // A run where the full-ROM endpoint answers decides it: Stable, and
    // announced once, as new.
    let sim = Sim::start(12, SEED, &[]);
    assert_eq!(sim.http("POST", "/_sim/release?count=3"), released);
    let text = scratch.ok(&["track", "--upstream", &sim.url()]);
    let events = events_of(&db, "test");
    let of_recovery: Vec<_> = events.iter().filter(|e| e.0 == recovery).collect();
    assert_eq!(
        of_recovery,
        [&(recovery.clone(), "new".to_string(), "Stable".to_string())],
        "{text}\n{events:?}"
    );
    assert!(
        events
            .iter()
            .all(|(_, kind, branch)| kind == "new" && branch == "Stable"),
        "{events:?}"
    );
}
