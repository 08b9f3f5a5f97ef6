//! `romwatch verify`, driven through the binary on small stand-in files.

mod common;

use common::Scratch;

/// A record for a file named `name` whose MD5 is `md5`.
fn record(name: &str, md5: &str) -> String {
    format!(
        r#"{{"codename":"agate","device":"Xiaomi 11T EEA","os":"hyperos","version":"OS1.0.10.0.UKWEUXM","branch":"Stable","type":"Recovery","filename":"{name}","md5":{md5}}}"#
    )
}

#[test]
fn tells_official_broken_and_unknown_files_apart() {
    let s = Scratch::create();
    let content = b"official bytes\n".repeat(1000);
    s.write("official.bin", std::str::from_utf8(&content).unwrap());
    let digest = md5_hex(&content);
    let prefix = &digest[..10];
    let full_name = format!("miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_{prefix}_14.0.zip");
    let prefix_name = format!("miui_AGATEEEAGlobal_OS1.0.11.0.UKWEUXM_{prefix}_14.0.zip");
    s.write(
        "roms.jsonl",
        &format!(
            "{}\n{}\n",
            record(&full_name, &format!("\"{digest}\"")),
            record(&prefix_name, "null").replace("OS1.0.10.0", "OS1.0.11.0")
        ),
    );
    s.ok(&["import", "roms.jsonl"]);

    s.write(&full_name, std::str::from_utf8(&content).unwrap());
    let out = s.ok(&["verify", &full_name]);
    assert!(out.contains("official: name and MD5 match"), "{out}");

    s.write(&prefix_name, std::str::from_utf8(&content).unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&s.ok(&["--json", "verify", &prefix_name])).unwrap();
    assert_eq!(json["verdict"]["official"]["prefix_only"], true, "{json}");
    assert_eq!(json["md5"], digest);

    s.write(&full_name, "a truncated download");
    let out = s.run(&["verify", &full_name]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!(
        "MISMATCH: the official file of this name has MD5 {digest}"
    )));

    let out = s.run(&["verify", "official.bin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown"));
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
