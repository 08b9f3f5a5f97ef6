//! `romwatch serve`, driven through the binary: the built site and the live
//! API from one process, stopped cleanly by SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{SAMPLE, Scratch};

fn get(addr: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

#[test]
fn serves_the_built_site_and_the_live_api() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(s.dir.path())
        .env_remove("ROMWATCH_DB")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches('/')
        .split('/')
        .next()
        .unwrap()
        .to_string();

    let (head, body) = get(&addr, "/miui/capricorn/weekly/7.12.28/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"));
    let (head, body) = get(&addr, "/api/v1/search?q=capricorn");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let hits: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(hits["results"].as_array().unwrap().len(), 3, "{hits}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean stop");
}
