//! `romwatch build`, driven through the binary: the site from the store,
//! rebuilt only when the data changes.

mod common;

use common::{SAMPLE, Scratch};

#[test]
fn builds_the_site_from_the_store_and_writes_nothing_when_nothing_changed() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.write(
        "romwatch.toml",
        "[site]\ntitle = \"My ROMs\"\nbase_url = \"https://roms.example.org\"\n",
    );
    s.ok(&["import", "roms.jsonl"]);
    let first = s.ok(&["build", "--timings"]);
    assert!(first.contains(" written, 0 unchanged"), "{first}");
    assert!(
        first.contains("render"),
        "--timings prints the phases: {first}"
    );

    let page =
        std::fs::read_to_string(s.path("public/miui/capricorn/weekly/7.12.28/index.html")).unwrap();
    assert!(page.contains("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"));
    // The incremental package of the same device is offered on its card.
    assert!(page.contains("miui-blockota-capricorn_global-7.12.21-7.12.28-0123456789-7.0.zip"));
    assert!(page.contains("My ROMs"));
    let latest = std::fs::read_to_string(s.path("public/latest.yml")).unwrap();
    assert!(latest.contains("codename: agate_eea_global"), "{latest}");
    let feed = std::fs::read_to_string(s.path("public/rss.xml")).unwrap();
    assert!(
        feed.contains("https://roms.example.org/hyperos/agate/stable/OS1.0.10.0.UKWEUXM/"),
        "{feed}"
    );

    let again = s.ok(&["build"]);
    assert!(
        again.contains("nothing changed; nothing written"),
        "{again}"
    );

    let json: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(json["written"], 0);
}

/// The phases `build --json` timed.
fn phases(report: &serde_json::Value) -> Vec<&str> {
    report["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["phase"].as_str().unwrap())
        .collect()
}

#[test]
fn a_build_with_an_unchanged_store_neither_reads_nor_plans() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let first: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert!(phases(&first).contains(&"plan"), "{first}");

    let again: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(phases(&again), ["load"], "{again}");
    assert_eq!(
        (again["written"].as_u64(), again["files"].as_u64()),
        (Some(0), first["files"].as_u64())
    );

    // Importing the same records again changes nothing in the store.
    s.ok(&["import", "roms.jsonl"]);
    let same: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert_eq!(phases(&same), ["load"], "{same}");

    // A new ROM changes the store's generation: read, planned, written.
    let newer = SAMPLE
        .lines()
        .last()
        .unwrap()
        .replace("OS1.0.10.0", "OS1.0.11.0")
        .replace("6e09feeec4", "7e09feeec4");
    s.write("new.jsonl", &newer);
    s.ok(&["import", "new.jsonl"]);
    let changed: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "build"])).unwrap();
    assert!(phases(&changed).contains(&"plan"), "{changed}");
    assert!(changed["written"].as_u64().unwrap() > 0);
    assert!(
        s.path("public/hyperos/agate/stable/OS1.0.11.0.UKWEUXM/index.html")
            .exists()
    );

    // So does a theme: its templates are part of every page.
    std::fs::create_dir_all(s.path("theme/assets")).unwrap();
    s.write("theme/assets/extra.css", "body { margin: 0 }");
    let themed: serde_json::Value =
        serde_json::from_str(&s.ok(&["--json", "build", "--theme", "theme"])).unwrap();
    assert!(phases(&themed).contains(&"plan"), "{themed}");
    assert!(s.path("public/assets/extra.css").exists());
}

/// The number of files of the published site, without the compressed
/// copies written beside its text files.
fn site_files(s: &Scratch) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                if p.is_dir() {
                    count(&p)
                } else if p.extension().is_some_and(|e| e == "br" || e == "gz") {
                    0
                } else {
                    1
                }
            })
            .sum()
    }
    count(&s.path("public").canonicalize().unwrap())
}

#[test]
fn a_build_that_would_empty_the_site_is_refused_unless_allowed() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let published = site_files(&s);

    // The wrong database: a fresh, empty one.
    s.write("nothing.jsonl", "");
    s.ok(&["--db", "other.db", "import", "nothing.jsonl"]);
    let out = s.run(&["--db", "other.db", "build"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("more than half"), "{err}");
    assert!(err.contains("--allow-shrink"), "{err}");
    assert_eq!(site_files(&s), published, "the live site is untouched");
    assert!(s.path("public/miui/capricorn/index.html").exists());

    // Meant: it is published.
    let report: serde_json::Value =
        serde_json::from_str(&s.ok(&["--db", "other.db", "--json", "build", "--allow-shrink"]))
            .unwrap();
    assert!(report["removed"].as_u64().unwrap() * 2 > published as u64);
    assert!(!s.path("public/miui/capricorn/index.html").exists());
}

#[test]
fn run_never_empties_the_site() {
    use std::io::BufRead;
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let published = site_files(&s);
    // No upstream answers: the round's tracking finds nothing, then builds.
    s.write(
        "romwatch.toml",
        "[tracker]\nretries = 0\n[upstream.cdn]\ntimeout_ms = 500\n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args(["--db", "other.db", "run", "--every", "1h"])
        .args(["--upstream", "http://127.0.0.1:9", "--rate", "0"])
        .current_dir(s.dir.path())
        .env_remove("ROMWATCH_DB")
        .env_remove("ROMWATCH_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let build = lines
        .map_while(Result::ok)
        .find(|l| l.contains(" build: "))
        .expect("a build line");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(build.contains("failed"), "{build}");
    assert!(build.contains("--allow-shrink"), "{build}");
    assert_eq!(site_files(&s), published);
}
