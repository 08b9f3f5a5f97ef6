//! The server under hostile clients, over real sockets on 127.0.0.1: a
//! flood of expensive searches, clients that go away, silent and trickling
//! connections, and more connections than the cap. Every check is on what
//! the clients get and what `/metrics` counts, never on how fast.

#[path = "common/contract.rs"]
mod contract;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::Utc;
use romwatch_model::Record;
use romwatch_server::{ServeConfig, ServerOptions, serve};
use romwatch_store::{Announce, Store, to_incoming};

/// A store whose search for `SLOW_QUERY` has thousands of matches to rank
/// (every version holds the term `0`), and a one-page site. Large enough
/// that the query still runs when a client that gave up is noticed, even on
/// a fast, idle machine.
fn big_fixture(dir: &Path, limits: ServeConfig) -> ServerOptions {
    let batch: Vec<_> = (0..30_000u32)
        .map(|i| {
            let version = format!("OS1.0.{i}.0.UKWEUXM");
            let filename = format!("miui_AGATEEEAGlobal_{version}_{:010x}_14.0.zip", i + 1);
            let record = Record {
                codename: "agate".into(),
                device: "Xiaomi 11T EEA".into(),
                os: "hyperos".into(),
                version: version.clone(),
                branch: "Stable".into(),
                method: "Recovery".into(),
                url: Some(format!("https://bigota.d.miui.com/{version}/{filename}")),
                filename,
                ..Record::default()
            };
            to_incoming(&record, Utc::now()).unwrap()
        })
        .collect();
    let db = dir.join("romwatch.db");
    Store::open(&db)
        .unwrap()
        .merge(&batch, Announce::Nothing)
        .unwrap();
    let site = dir.join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>home</title>",
    )
    .unwrap();
    ServerOptions {
        site,
        db,
        base_url: "https://roms.example.org".into(),
        limits,
    }
}

/// Eight prefix terms that match every ROM of the fixture.
// A query needs one word of two characters (`os1`, in every version);
// the seven `0` terms each match every ROM too, so ranking stays costly.
const SLOW_QUERY: &str = "/api/v1/search?q=os1+0+0+0+0+0+0+0&limit=100";

/// Starts the server on its own runtime thread; returns its address.
fn start(options: ServerOptions) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            serve(listener, &options, std::future::pending())
                .await
                .unwrap();
        });
    });
    rx.recv().unwrap()
}

/// One request on a connection of its own; the whole answer as text.
fn http(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    send(&mut stream, addr, path);
    read_all(&mut stream)
}

fn send(stream: &mut TcpStream, addr: &str, path: &str) {
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
}

fn read_all(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// The value of one metric line (`name{labels}`), 0 when absent.
fn metric(addr: &str, name: &str) -> u64 {
    let text = http(addr, "/metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or(0)
}

/// Polls a metric until it reaches `at_least`, for up to 30 s.
fn wait_for_metric(addr: &str, name: &str, at_least: u64) -> u64 {
    poll_metric(addr, name, at_least, Duration::from_millis(100))
}

/// Polls a metric every `every` until it reaches `at_least`, for up to
/// 30 s; its last value.
fn poll_metric(addr: &str, name: &str, at_least: u64, every: Duration) -> u64 {
    let polls = Duration::from_secs(30).as_millis() / every.as_millis().max(1);
    for _ in 0..polls {
        let value = metric(addr, name);
        if value >= at_least {
            return value;
        }
        std::thread::sleep(every);
    }
    metric(addr, name)
}

#[test]
fn a_search_flood_gets_503_with_retry_after_while_health_and_pages_answer() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(big_fixture(
        dir.path(),
        ServeConfig {
            max_store_calls: 1,
            query_budget_ms: 60_000,
            ..ServeConfig::default()
        },
    ));
    let clients = 16;
    let barrier = Arc::new(Barrier::new(clients));
    let flood: Vec<_> = (0..clients)
        .map(|_| {
            let (addr, barrier) = (addr.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                barrier.wait();
                send(&mut stream, &addr, SLOW_QUERY);
                read_all(&mut stream)
            })
        })
        .collect();
    let health = http(&addr, "/healthz");
    let page = http(&addr, "/");
    let answers: Vec<String> = flood.into_iter().map(|t| t.join().unwrap()).collect();

    let busy: Vec<&String> = answers
        .iter()
        .filter(|a| a.starts_with("HTTP/1.1 503"))
        .collect();
    let ok = answers
        .iter()
        .filter(|a| a.starts_with("HTTP/1.1 200"))
        .count();
    assert!(
        !busy.is_empty(),
        "one query slot, {clients} at once: {answers:?}"
    );
    assert!(
        ok >= 1,
        "the query holding the slot is answered: {answers:?}"
    );
    assert_eq!(busy.len() + ok, clients, "{answers:?}");
    for answer in &busy {
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("\r\nretry-after: 1\r\n"), "{answer}");
        assert!(lower.contains("too many queries"), "{answer}");
    }
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(
        metric(&addr, r#"romwatch_store_queries_total{outcome="rejected"}"#),
        busy.len() as u64
    );
}

#[test]
fn long_or_many_termed_searches_get_400() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(big_fixture(
        dir.path(),
        ServeConfig {
            max_query_chars: 40,
            max_query_terms: 4,
            ..ServeConfig::default()
        },
    ));
    let long = format!("/api/v1/search?q={}", "a".repeat(41));
    let answer = http(&addr, &long);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("longer than 40 characters"), "{answer}");
    let answer = http(&addr, "/api/v1/search?q=0.0.0.0.0");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("5 terms, more than 4"), "{answer}");
    let answer = http(&addr, "/api/v1/roms?q=1+2+3+4+5");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let answer = http(&addr, "/api/v1/search?q=OS1.0.7");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn a_query_over_its_budget_is_stopped_and_answered_503() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(big_fixture(
        dir.path(),
        ServeConfig {
            query_budget_ms: 1,
            ..ServeConfig::default()
        },
    ));
    let answer = http(&addr, SLOW_QUERY);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("time budget of 1 ms"), "{answer}");
    // The 503 is declared, and its body is an error answer.
    let document = serde_json::from_str(&romwatch_server::openapi_json()).unwrap();
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    contract::Contract::new(document).check("/api/v1/search", 503, body);
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("\r\nretry-after: 1\r\n"),
        "{answer}"
    );
    // At least the search's; the scrape's own store query has the same
    // 1 ms budget and may run over it too on a loaded machine.
    assert!(
        metric(
            &addr,
            r#"romwatch_store_queries_total{outcome="over_budget"}"#
        ) >= 1
    );
    // Whether the statement is also stopped on its thread depends on
    // whether it was still running when the budget ran out (on a loaded
    // machine it may just have ended); the next test checks stopping.
}

#[test]
fn a_client_that_goes_away_has_its_query_stopped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start(big_fixture(
        dir.path(),
        ServeConfig {
            query_budget_ms: 60_000,
            ..ServeConfig::default()
        },
    ));
    // A live answer first, so that the store generation is fresh and the
    // search reads nothing else: the query seen running is the search.
    assert!(http(&addr, "/api/v1/devices").starts_with("HTTP/1.1 200"));
    let mut stream = TcpStream::connect(&addr).unwrap();
    send(&mut stream, &addr, SLOW_QUERY);
    // The client gives up once its query runs. Watched closely: the search
    // takes a tenth of a second on a fast machine.
    let running = poll_metric(
        &addr,
        "romwatch_store_queries_running",
        1,
        Duration::from_millis(1),
    );
    assert_eq!(running, 1, "the search was never seen running");
    drop(stream);
    let abandoned = wait_for_metric(
        &addr,
        r#"romwatch_http_requests_abandoned_total{route="/api/v1/search"}"#,
        1,
    );
    assert_eq!(abandoned, 1);
    assert_eq!(
        wait_for_metric(&addr, "romwatch_store_queries_stopped_total", 1),
        1
    );
}

#[test]
fn connections_over_the_cap_get_503_and_closed_ones_free_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = big_fixture(dir.path(), ServeConfig::default());
    options.limits.max_connections = 2;
    let addr = start(options);

    let first = TcpStream::connect(&addr).unwrap();
    let second = TcpStream::connect(&addr).unwrap();
    let over = http(&addr, "/");
    assert!(over.starts_with("HTTP/1.1 503"), "{over}");
    assert!(
        over.to_ascii_lowercase().contains("\r\nretry-after: 1\r\n"),
        "{over}"
    );
    drop((first, second));
    let mut counted = 0;
    for _ in 0..300 {
        // Once the two are seen closed, there is room again.
        let answer = http(&addr, "/metrics");
        if answer.starts_with("HTTP/1.1 200") {
            counted = answer
                .lines()
                .find_map(|l| {
                    l.strip_prefix("romwatch_connections_rejected_total")?
                        .trim()
                        .parse()
                        .ok()
                })
                .unwrap_or(0);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(counted >= 1, "the refused connection is counted");
}

/// Reads until the server closes the connection; false if it is still
/// open after a minute.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut sink = Vec::new();
    match stream.read_to_end(&mut sink) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn silent_trickling_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = big_fixture(dir.path(), ServeConfig::default());
    options.limits.header_timeout_ms = 500;
    let addr = start(options);

    let mut silent = TcpStream::connect(&addr).unwrap();
    assert!(
        closed_by_server(&mut silent),
        "a silent connection is closed"
    );

    // A request head trickled a byte at a time is cut off however patient
    // the client is.
    let mut trickle = TcpStream::connect(&addr).unwrap();
    trickle.set_nonblocking(true).unwrap();
    let head = b"GET / HTTP/1.1\r\nX-Slow: "
        .iter()
        .chain([b'a'; 300].iter());
    let mut cut_off = false;
    for byte in head {
        std::thread::sleep(Duration::from_millis(100));
        let mut probe = [0u8; 1];
        let read = trickle.read(&mut probe);
        let ended = match &read {
            Ok(n) => *n == 0,
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        };
        if ended || trickle.write_all(&[*byte]).is_err() {
            cut_off = true;
            break;
        }
    }
    assert!(cut_off, "a request head trickled byte by byte is cut off");

    // A kept-alive connection that goes idle after its answer is closed.
    let mut kept = TcpStream::connect(&addr).unwrap();
    write!(kept, "GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut head = [0u8; 12];
    kept.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    assert!(
        closed_by_server(&mut kept),
        "an idle kept-alive connection is closed"
    );
}
