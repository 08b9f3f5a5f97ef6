//! `romwatch serve`, driven through the binary: the built site and the live
//! API from one process, stopped cleanly by SIGTERM.

mod common;

use common::{SAMPLE, Scratch, http, signal, spawn_command_listening, spawn_listening};

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
    assert_eq!(hits["results"].as_array().unwrap().len(), 3, "{hits}");

    signal(&child, "TERM");
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean stop");
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
