//! A build killed at any moment leaves the previous site whole: this test
//! runs builds in a child process, kills it (SIGKILL) at different moments,
//! and checks after each kill, and while builds run, that the output is one
//! complete version.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use romwatch_model::{Branch, Method};
use romwatch_site::{SiteData, build};

const OUT_VAR: &str = "ROMWATCH_KILL_TEST_OUT";

/// 40 devices × 25 weekly versions × 2 methods; `round` changes every
/// changelog so that each build rewrites every update page.
fn big(round: usize) -> SiteData {
    let mut data = SiteData::default();
    for d in 0..40 {
        let variant = format!("dev{d}_global");
        data.devices
            .push(device(&variant, &format!("Device {d} Global")));
        for v in 1..=25 {
            for method in [Method::Recovery, Method::Fastboot] {
                let mut r = rom(
                    &variant,
                    &format!("7.{}.{v}", d % 12 + 1),
                    Branch::Weekly,
                    method,
                    v,
                );
                r.changelog = Some(format!("Build round {round}\nFixes"));
                data.roms.push(r);
            }
        }
    }
    data
}

#[test]
#[ignore = "the child process of killed_builds_leave_the_previous_site_whole"]
fn child_builds_until_killed() {
    let Some(out) = std::env::var_os(OUT_VAR) else {
        return;
    };
    let out = PathBuf::from(out);
    for round in 0.. {
        build(&big(round), &config(), &out, None).expect("child build");
    }
}

/// Checks that `out` shows one complete version: exactly the files its
/// manifest lists. `None` while nothing is published yet.
fn check_whole(out: &Path) -> Option<Result<usize, String>> {
    let target = fs::read_link(out).ok()?;
    let parent = out.parent().unwrap();
    let manifest_path = parent.join(format!("{}.manifest.json", target.display()));
    let manifest: HashMap<String, String> = match fs::read(&manifest_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("manifest JSON"),
        // Pruned by a newer build between our two reads: not a mix.
        Err(_) if fs::read_link(out).ok()? != target => return None,
        Err(e) => return Some(Err(format!("{}: {e}", manifest_path.display()))),
    };
    let dir = parent.join(&target);
    let listed: BTreeSet<String> = manifest.into_keys().collect();
    let present: BTreeSet<String> = match std::panic::catch_unwind(|| files(&dir)) {
        Ok(files) => files.into_iter().collect(),
        Err(_) if fs::read_link(out).ok()? != target => return None,
        Err(_) => return Some(Err(format!("{} unreadable", dir.display()))),
    };
    if listed != present {
        if fs::read_link(out).ok()? != target {
            return None;
        }
        let missing: Vec<_> = listed.difference(&present).take(5).collect();
        let extra: Vec<_> = present.difference(&listed).take(5).collect();
        return Some(Err(format!(
            "{target:?}: missing {missing:?}, extra {extra:?}"
        )));
    }
    Some(Ok(listed.len()))
}

fn spawn(out: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_builds_until_killed",
            "--test-threads=1",
        ])
        .env(OUT_VAR, out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn child build")
}

#[test]
fn killed_builds_leave_the_previous_site_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        // Stops the reader however this closure ends, so that a failed
        // assertion fails the test instead of waiting for the reader.
        struct StopOnDrop<'s>(&'s AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        // A reader that checks the site all the time, as a web server would
        // see it.
        let reader = scope.spawn(|| {
            let mut checks = 0;
            while !stop.load(Ordering::Relaxed) {
                if let Some(result) = check_whole(&out) {
                    result.expect("the live site is one whole version");
                    checks += 1;
                }
            }
            checks
        });
        let guard = StopOnDrop(&stop);
        let mut killed_mid_write = 0;
        // Kill at varied moments until at least six kills, one of them while
        // a build was writing its files (how long a build takes depends on
        // the machine and the profile).
        let delays = [0, 40, 120, 250, 500, 900, 15, 70, 180, 330];
        let mut kills = 0;
        while kills < 6 || (killed_mid_write == 0 && kills < 40) {
            let kill_after_ms = delays[kills % delays.len()];
            kills += 1;
            let mut child = spawn(&out);
            // Let it publish at least once, then kill it mid-way through a
            // later build.
            let started = Instant::now();
            while fs::read_link(&out).is_err() && started.elapsed() < Duration::from_secs(60) {
                thread::sleep(Duration::from_millis(5));
            }
            thread::sleep(Duration::from_millis(kill_after_ms));
            child.kill().expect("kill child build");
            child.wait().unwrap();
            let partial = fs::read_dir(dir.path().join(".public.versions"))
                .unwrap()
                .any(|e| {
                    e.unwrap()
                        .file_name()
                        .to_string_lossy()
                        .ends_with(".partial")
                });
            killed_mid_write += usize::from(partial);
            let files = check_whole(&out)
                .expect("a version is published")
                .expect("the site is whole after a kill");
            assert!(files > 1000, "{files} files");
        }
        assert!(
            killed_mid_write > 0,
            "no kill hit a build while it wrote files"
        );
        drop(guard);
        assert!(reader.join().unwrap() > 0, "the reader checked the site");
    });

    // The next build cleans what the killed ones left and publishes.
    let report = build(&big(1000), &config(), &out, None).unwrap();
    assert!(report.changed());
    let versions: Vec<String> = fs::read_dir(dir.path().join(".public.versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    assert!(
        versions.iter().all(|n| !n.contains("partial")),
        "{versions:?}"
    );
    assert!(
        versions.len() <= 4,
        "at most two versions and their manifests: {versions:?}"
    );
    check_whole(&out).unwrap().unwrap();
}
