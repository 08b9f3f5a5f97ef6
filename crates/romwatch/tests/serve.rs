//! `romwatch serve`, driven through the binary: the built site and the live
//! API from one process, stopped cleanly by SIGTERM.

mod common;
#[path = "../../server/tests/common/contract.rs"]
mod contract;

use common::{SAMPLE, Scratch, http, signal, spawn_command_listening, spawn_listening};
use contract::Contract;
use serde_json::Value;

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

/// The static API files under `dir`, as paths from the site root.
fn api_files(site: &std::path::Path, dir: &std::path::Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            api_files(site, &path, found);
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(format!("/{}", path.strip_prefix(site).unwrap().display()));
        }
    }
}

#[test]
fn static_api_files_and_live_answers_are_one_schema_the_served_document_describes() {
    let (s, site) = built();
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    let (head, served) = http(&addr, "GET", "/api/v1/openapi.json");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(
        served,
        s.ok(&["openapi"]),
        "romwatch openapi prints the served document"
    );
    let contract = Contract::new(serde_json::from_str(&served).unwrap());
    let get = |path: &str| {
        let (head, body) = http(&addr, "GET", path);
        let status: u16 = head[9..12].parse().unwrap();
        contract.check(path.split('?').next().unwrap(), status, &body);
        serde_json::from_str::<Value>(&body).unwrap()
    };

    // Every static API file the build wrote, as served.
    let mut files = Vec::new();
    api_files(&site, &site.join("api"), &mut files);
    assert!(files.len() >= 3, "{files:?}");
    for file in &files {
        get(file);
    }
    // The live routes.
    let live_devices = get("/api/v1/devices");
    get("/api/v1/devices/capricorn");
    get("/api/v1/roms?codename=capricorn&limit=1");
    get("/api/v1/search?q=capricorn");

    // One ROM object: the static file's is the live API's.
    let latest = get("/api/v1/latest.json");
    let rom = &latest["roms"][0];
    let filename = rom["filename"].as_str().unwrap();
    let live = get(&format!("/api/v1/roms/{filename}"));
    assert_eq!(&live["rom"], rom);
    // One device object: only where `api` points differs.
    let static_devices = get("/api/v1/devices.json");
    let without_api = |list: &Value| {
        let mut list = list["devices"].clone();
        for device in list.as_array_mut().unwrap() {
            device.as_object_mut().unwrap().remove("api");
        }
        list
    };
    assert_eq!(without_api(&live_devices), without_api(&static_devices));
    let api_of = |list: &Value| {
        let capricorn = list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["codename"] == "capricorn");
        capricorn.unwrap()["api"].clone()
    };
    assert_eq!(api_of(&live_devices), "/api/v1/devices/capricorn");
    assert_eq!(api_of(&static_devices), "/api/v1/devices/capricorn.json");

    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

/// A scratch directory with the sample imported and the site built; the
/// real directory behind the `public` symlink.
fn built() -> (Scratch, std::path::PathBuf) {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let site = std::fs::canonicalize(s.path("public")).expect("built site");
    (s, site)
}

#[test]
fn nothing_outside_the_site_nor_dotfiles_nor_store_files_is_served() {
    let (s, site) = built();
    std::os::unix::fs::symlink("/etc/passwd", site.join("passwd.html")).unwrap();
    std::os::unix::fs::symlink(s.dir.path(), site.join("up")).unwrap();
    std::fs::write(site.join(".env"), "TOKEN=secret").unwrap();
    std::fs::write(site.join("copy.db"), "SQLite format 3").unwrap();
    std::fs::write(site.join("copy.db-wal"), "wal").unwrap();
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);

    for path in [
        "/passwd.html",
        "/up/roms.jsonl",
        "/up/romwatch.db",
        "/up/",
        "/.env",
        "/%2eenv",
        "/copy.db",
        "/copy.db-wal",
    ] {
        let (head, body) = http(&addr, "GET", path);
        assert!(head.starts_with("HTTP/1.1 404"), "{path}: {head}");
        assert!(
            !body.contains("root:") && !body.contains("secret"),
            "{path}"
        );
    }
    // The site itself is still there, and so is search: no store file
    // was opened, so SQLite's locks are intact.
    let (head, _) = http(&addr, "GET", "/miui/capricorn/weekly/7.12.28/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let (head, _) = http(&addr, "GET", "/api/v1/search?q=capricorn");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_site_directory_holding_the_store_is_refused() {
    let (s, _) = built();
    let out = s.run(&["serve", "--listen", "127.0.0.1:0", "--site", "."]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("holds the database"), "{err}");
}

#[test]
fn an_overlong_path_segment_is_the_404_page() {
    let (s, _) = built();
    let (mut child, addr) = spawn_listening(s.dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    for path in [
        format!("/{}", "a".repeat(256)),
        format!("/miui/{}/", "b".repeat(300)),
        format!("/{}.html", "c".repeat(1000)),
    ] {
        let (head, body) = http(&addr, "GET", &path);
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        assert!(body.contains("<html"), "the site's 404 page: {body}");
    }
    let (_, metrics) = http(&addr, "GET", "/metrics");
    assert!(!metrics.contains("status=\"500\""), "{metrics}");
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_serve_table_caps_connections_and_the_open_file_limit_is_raised() {
    let (s, _) = built();
    s.write("romwatch.toml", "[serve]\nmax_connections = 1\n");
    // Started with a low soft limit on open files, as many systems set.
    let mut command = std::process::Command::new("sh");
    command.args([
        "-c",
        "ulimit -Sn 128 && exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_romwatch"),
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    let (mut child, addr) = spawn_command_listening(s.dir.path(), command);

    let held = std::net::TcpStream::connect(&addr).unwrap();
    let (head, body) = http(&addr, "GET", "/");
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(body.contains("too many connections"), "{body}");
    drop(held);

    // Serving, so past its start: the soft limit is the hard one now.
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let open_files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .skip(3)
        .take(2)
        .collect();
    assert_eq!(
        open_files[0], open_files[1],
        "soft limit raised to the hard one: {limits}"
    );
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}
