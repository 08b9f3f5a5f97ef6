//! `romwatch sim`, driven through the binary: it serves, answers its
//! control endpoints, refuses bad fault rules, and stops on Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// A plain HTTP/1.1 request; returns the body.
fn http(addr: &str, method: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_string()
}

#[test]
fn serves_a_generated_catalog_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--devices",
            "20",
            "--seed",
            "7",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();

    let catalog = http(&addr, "GET", "/_sim/catalog");
    let before = catalog.lines().count();
    assert!(before > 20, "{before} ROMs");
    let first: serde_json::Value = serde_json::from_str(catalog.lines().next().unwrap()).unwrap();
    assert!(romwatch_model::PackageName::parse(first["filename"].as_str().unwrap()).is_ok());

    let released: Vec<String> =
        serde_json::from_str(&http(&addr, "POST", "/_sim/release?count=2")).unwrap();
    assert_eq!(released.len(), 2);
    assert_eq!(
        http(&addr, "GET", "/_sim/catalog").lines().count(),
        before + 2
    );

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
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
