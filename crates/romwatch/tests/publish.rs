//! `romwatch publish`, against a real S3-compatible server (moto's server
//! mode, started by `.ci/run`; its URL in `ROMWATCH_TEST_S3`): the whole
//! site goes up once, then only what a change touched, and removed files
//! are deleted.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use common::{SAMPLE, Scratch};

/// One plain HTTP/1.1 request to the S3 server, as the test account (moto
/// reads the account from the credential and does not check the
/// signature); the status line, headers and body as text.
fn http(endpoint: &str, method: &str, path: &str) -> String {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("connect to the S3 server");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, \
         SignedHeaders=host, Signature=00\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Every object under `prefix`: key → (ETag, Last-Modified).
fn objects(endpoint: &str, bucket: &str, prefix: &str) -> BTreeMap<String, (String, String)> {
    let listing = http(
        endpoint,
        "GET",
        &format!("/{bucket}?list-type=2&max-keys=1000&prefix={prefix}/"),
    );
    assert!(
        listing.contains("<IsTruncated>false</IsTruncated>"),
        "{listing}"
    );
    let field = |entry: &str, name: &str| {
        let open = format!("<{name}>");
        let start = entry.find(&open).unwrap() + open.len();
        let end = entry[start..].find(&format!("</{name}>")).unwrap();
        entry[start..start + end]
            .replace("&#34;", "")
            .replace("&quot;", "")
            .replace('"', "")
    };
    listing
        .split("<Contents>")
        .skip(1)
        .map(|entry| {
            let key = field(entry, "Key");
            let key = key.strip_prefix(&format!("{prefix}/")).unwrap().to_string();
            (key, (field(entry, "ETag"), field(entry, "LastModified")))
        })
        .collect()
}

/// Every file of a version directory, by path, with its content; not the
/// build's compressed copies (`x.html.br`, `x.html.gz`), which a bucket
/// does not get: one key cannot hold two encodings, and CDNs compress.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let copy = path
                .extension()
                .is_some_and(|e| (e == "br" || e == "gz") && path.with_extension("").is_file());
            if path.is_dir() {
                stack.push(path);
            } else if !copy {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn report(json: &str) -> (u64, u64, u64, u64) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let n = |k: &str| v[k].as_u64().unwrap();
    (n("files"), n("uploaded"), n("deleted"), n("unchanged"))
}

#[test]
fn publishes_the_site_then_only_what_changed() {
    let Some(endpoint) = std::env::var("ROMWATCH_TEST_S3")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        eprintln!("ROMWATCH_TEST_S3 not set; skipping the object storage checks");
        return;
    };
    let bucket = format!("romwatch-test-{}", std::process::id());
    let created = http(&endpoint, "PUT", &format!("/{bucket}"));
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    let env = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
    ];
    let target = format!("s3://{bucket}/www");

    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    s.ok(&["build"]);
    let first_site = files(&s.path(".public.versions/v-000001"));
    let (count, uploaded, deleted, _) = report(&s.ok_env(&["--json", "publish", &target], &env));
    assert_eq!(
        (count, uploaded, deleted),
        (first_site.len() as u64, first_site.len() as u64, 0)
    );

    let first = objects(&endpoint, &bucket, "www");
    for (path, bytes) in &first_site {
        let (etag, _) = first
            .get(path)
            .unwrap_or_else(|| panic!("{path} not uploaded"));
        assert_eq!(etag, &md5_hex(bytes), "{path} uploaded as it is");
    }
    assert!(first.contains_key(".romwatch/manifest.json"));
    assert_eq!(
        first.len(),
        first_site.len() + 1,
        "nothing else in the bucket"
    );
    let object = http(&endpoint, "GET", &format!("/{bucket}/www/index.html"));
    let headers = object.split("\r\n\r\n").next().unwrap().to_lowercase();
    assert!(
        headers.contains("content-type: text/html; charset=utf-8"),
        "{headers}"
    );
    assert!(
        headers.contains("cache-control: public, max-age=60"),
        "{headers}"
    );

    // Nothing changed: nothing is sent.
    let (_, uploaded, deleted, unchanged) =
        report(&s.ok_env(&["--json", "publish", &target], &env));
    assert_eq!(
        (uploaded, deleted, unchanged),
        (0, 0, first_site.len() as u64)
    );

    // A store without the HyperOS device and with one changelog changed:
    // the device's pages go, the changed ROM's pages change.
    let capricorn: String = SAMPLE
        .lines()
        .filter(|l| l.contains("\"capricorn\""))
        .map(|l| {
            l.replace(
                "\"changelog\":\"Bug fixes.\"",
                "\"changelog\":\"Bug fixes and a new camera.\"",
            ) + "\n"
        })
        .collect();
    assert!(capricorn.contains("a new camera"));
    s.write("capricorn.jsonl", &capricorn);
    s.ok(&["--db", "other.db", "import", "capricorn.jsonl"]);
    s.ok(&["--db", "other.db", "build", "--allow-shrink"]);
    let second_site = files(&s.path(".public.versions/v-000002"));
    let changed: Vec<&String> = second_site
        .iter()
        .filter(|&(path, bytes)| first_site.get(path) != Some(bytes))
        .map(|(path, _)| path)
        .collect();
    let removed: Vec<&String> = first_site
        .keys()
        .filter(|p| !second_site.contains_key(*p))
        .collect();
    assert!(!changed.is_empty() && !removed.is_empty());

    // Object times have a resolution of a second: a rewritten object must
    // show a later one.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (_, uploaded, deleted, _) = report(&s.ok_env(&["--json", "publish", &target], &env));
    assert_eq!(
        (uploaded, deleted),
        (changed.len() as u64, removed.len() as u64)
    );

    let second = objects(&endpoint, &bucket, "www");
    assert_eq!(
        second.len(),
        second_site.len() + 1,
        "removed files are gone"
    );
    for (path, bytes) in &second_site {
        let (etag, modified) = &second[path];
        assert_eq!(etag, &md5_hex(bytes), "{path} is the new content");
        let rewritten = first.get(path).is_none_or(|(_, before)| before != modified);
        assert_eq!(
            rewritten,
            changed.contains(&path),
            "{path}: only changed files are written"
        );
    }
}
