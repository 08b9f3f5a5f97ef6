//! `romwatch sim`, driven through the binary: it serves, answers its
//! control endpoints, refuses bad fault rules, and stops on Ctrl-C.

mod common;

use std::process::Command;

use common::{Scratch, http, signal, spawn_listening};

/// The body of a request that must succeed.
fn ok(addr: &str, method: &str, path: &str) -> String {
    let (head, body) = http(addr, method, path);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body
}

#[test]
fn serves_a_generated_catalog_and_stops_on_ctrl_c() {
    let s = Scratch::create();
    let (mut child, addr) = spawn_listening(
        s.dir.path(),
        &[
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--devices",
            "20",
            "--seed",
            "7",
        ],
    );
    let catalog = ok(&addr, "GET", "/_sim/catalog");
    let before = catalog.lines().count();
    assert!(before > 20, "{before} ROMs");
    let first: serde_json::Value = serde_json::from_str(catalog.lines().next().unwrap()).unwrap();
    assert!(romwatch_model::PackageName::parse(first["filename"].as_str().unwrap()).is_ok());

    let released: Vec<String> =
        serde_json::from_str(&ok(&addr, "POST", "/_sim/release?count=2")).unwrap();
    assert_eq!(released.len(), 2);
    assert_eq!(
        ok(&addr, "GET", "/_sim/catalog").lines().count(),
        before + 2
    );

    signal(&child, "INT");
    assert!(child.wait().unwrap().success(), "Ctrl-C is a clean stop");
}

#[test]
fn refuses_a_bad_fault_rule_with_the_reason() {
    let out = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args(["sim", "--fault", "ota:teapot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("teapot"), "{err}");
}
