//! `romwatch parse`, driven through the binary.

mod common;

use common::Scratch;

#[test]
fn parses_names_and_urls_into_json_lines() {
    let s = Scratch::create();
    let out = s.run(&[
        "parse",
        "--json",
        "miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip",
        "https://bigota.d.miui.com/OS1.1.5.0.VMLEUXM/corot_eea_global-ota_full-OS1.1.5.0.VMLEUXM-user-15.0-03d35d5f95.zip?t=1&s=x",
    ]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["device"], "MI5S");
    assert_eq!(lines[0]["device_kind"], "package");
    assert_eq!(lines[0]["branch"], "Weekly");
    assert_eq!(lines[1]["device"], "corot_eea_global");
    assert_eq!(lines[1]["region"], "EEA");
    assert_eq!(lines[1]["os"], "HyperOS 1");
    assert_eq!(lines[1]["md5_prefix"], "03d35d5f95");
}

#[test]
fn reads_standard_input_and_fails_on_a_bad_name() {
    let s = Scratch::create();
    let out = s.run_with_stdin(
        &["parse", "--json"],
        b"agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz\nnot-a-rom.apk\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["method"], "Fastboot");
    assert_eq!(lines[0]["build_date"], "2025-01-15");
    assert_eq!(lines[1]["name"], "not-a-rom.apk");
    assert!(lines[1]["error"].as_str().unwrap().contains(".apk"));
}
