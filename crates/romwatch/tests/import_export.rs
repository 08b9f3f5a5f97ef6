//! `romwatch import` and `romwatch export`, driven through the binary.

mod common;

use common::{LATEST_YML, SAMPLE, Scratch};
use std::io::Write;

#[test]
fn import_is_idempotent_and_says_so() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    let first = s.ok(&["import", "roms.jsonl"]);
    assert!(first.contains("4 new ROMs"), "{first}");
    // Three records: two full ROMs of capricorn, one of agate, and the
    // incremental package the recovery record links.
    assert_eq!(s.rom_count(), 4);
    let again = s.ok(&["import", "roms.jsonl"]);
    assert!(again.contains("nothing changed"), "{again}");
    assert_eq!(s.rom_count(), 4);
}

#[test]
fn a_bad_record_aborts_the_import_with_file_line_and_field() {
    let s = Scratch::create();
    s.write("good.jsonl", SAMPLE);
    s.ok(&["import", "good.jsonl"]);
    let bad = SAMPLE
        .replace("\"size\":\"4.9 GB\"", "\"size\":\"huge\"")
        .replace("capricorn_global_images", "capricorn_global_imagez");
    let mut lines: Vec<String> = bad.lines().map(str::to_string).collect();
    lines.push(r#"{"codename":"agate","device":"x"}"#.to_string());
    lines.push(
        SAMPLE
            .lines()
            .next()
            .unwrap()
            .replace("\"codename\":\"capricorn\"", "\"codename\":\"../../etc\"")
            .replace("\"card_codename\":\"capricorn\"", "\"card_codename\":null"),
    );
    s.write("bad.jsonl", &(lines.join("\n") + "\n"));
    let out = s.run(&["import", "bad.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:4: os: missing field `os`"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    // Field errors after a clean parse are all listed.
    lines.remove(3);
    s.write("bad.jsonl", &(lines.join("\n") + "\n"));
    let out = s.run(&["import", "bad.jsonl"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.jsonl:3: size"), "{err}");
    assert!(err.contains("bad.jsonl:4: codename"), "{err}");
    assert_eq!(s.rom_count(), 4, "the store is unchanged");
}

#[test]
fn contradictions_are_reported_and_the_stored_fact_kept() {
    let s = Scratch::create();
    s.write("a.jsonl", SAMPLE);
    s.ok(&["import", "a.jsonl"]);
    s.write(
        "b.jsonl",
        &SAMPLE.replace(
            "6e09feeec4fd978802f4db87ddd7035b",
            "6e09feeec4000000000000000000000b",
        ),
    );
    let out = s.ok(&["import", "b.jsonl"]);
    assert!(out.contains("md5: stored 6e09feeec4fd978802f4db87ddd7035b, file says 6e09feeec4000000000000000000000b"), "{out}");
    let export = s.ok(&["export"]);
    assert!(
        export.contains("6e09feeec4fd978802f4db87ddd7035b")
            && !export.contains("6e09feeec4000000000000000000000b")
    );
}

#[test]
fn gzip_from_standard_input() {
    let s = Scratch::create();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(SAMPLE.as_bytes()).unwrap();
    let out = s.run_with_stdin(&["import", "-"], &gz.finish().unwrap());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.rom_count(), 4);
}

#[test]
fn jsonl_round_trip_gives_the_same_store() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    let first = s.ok(&["export", "--format", "jsonl"]);
    s.write("export.jsonl", &first);
    s.ok(&["--db", "copy.db", "import", "export.jsonl"]);
    let second = s.ok(&["--db", "copy.db", "export", "--format", "jsonl"]);
    assert_eq!(first, second);
    // json and csv are there for other tools.
    let json: serde_json::Value =
        serde_json::from_str(&s.ok(&["export", "--format", "json"])).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(4));
    let csv = s.ok(&["export", "--format", "csv"]);
    assert!(
        csv.starts_with("codename,variant,device,") && csv.lines().count() == 5,
        "{csv}"
    );
}

#[test]
fn latest_yml_reads_and_writes_the_reference_format() {
    let s = Scratch::create();
    s.write("latest.yml", LATEST_YML);
    s.ok(&["import", "latest.yml"]);
    let exported = s.ok(&["export", "--format", "latest-yml", "--output", "out.yml"]);
    assert!(exported.is_empty());
    let written = std::fs::read_to_string(s.path("out.yml")).unwrap();
    // Ordered by codename (HM2013022 before leedsa_global), same keys, same values.
    let expected: Vec<serde_norway::Value> = serde_norway::from_str(LATEST_YML).unwrap();
    let mut got: Vec<serde_norway::Value> = serde_norway::from_str(&written).unwrap();
    got.reverse();
    assert_eq!(got, expected, "{written}");
    assert!(written.contains("android: '16.0'"), "{written}");
    assert!(written.contains("date: 2026-08-19"), "{written}");
    // Re-importing our own export changes nothing.
    let again = s.ok(&["import", "out.yml"]);
    assert!(again.contains("nothing changed"), "{again}");
}

#[test]
fn latest_yml_keeps_the_latest_full_rom_per_variant_method_and_branch() {
    let s = Scratch::create();
    let older = SAMPLE
        .lines()
        .nth(1)
        .unwrap()
        .replace("7.12.28", "7.12.21")
        .replace(
            "409451bb85a0b2c1d2e3f4a5b6c7d8e9",
            "1111111111a0b2c1d2e3f4a5b6c7d8e9",
        )
        .replace("409451bb85", "1111111111")
        .replace("2017-12-28", "2017-12-21");
    s.write("roms.jsonl", &format!("{SAMPLE}{older}\n"));
    s.ok(&["import", "roms.jsonl"]);
    let yml = s.ok(&["export", "--format", "latest-yml"]);
    let entries: Vec<serde_norway::Value> = serde_norway::from_str(&yml).unwrap();
    let versions: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["codename"].as_str().unwrap(),
                e["method"].as_str().unwrap(),
                e["version"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("agate_eea_global", "Recovery", "OS1.0.10.0.UKWEUXM"),
            ("capricorn_global", "Recovery", "7.12.28"),
            ("capricorn_global", "Fastboot", "7.12.28"),
        ]
    );
}

#[test]
fn a_bad_yaml_entry_names_its_line_and_field() {
    let s = Scratch::create();
    s.write(
        "latest.yml",
        &LATEST_YML.replace("codename: HM2013022", "codename: ../HM"),
    );
    let out = s.run(&["import", "latest.yml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("latest.yml:11: codename"), "{err}");
}

#[test]
fn the_database_comes_from_flag_env_or_config() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.write("romwatch.toml", "db = \"from-config.db\"\n");
    s.ok(&["import", "roms.jsonl"]);
    assert!(s.path("from-config.db").exists());
    assert!(!s.path("romwatch.db").exists());
    let out = s.run(&["--config", "missing.toml", "stats"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

#[test]
fn stats_sorts_os_lines_by_version_and_names_weekly_builds() {
    let s = Scratch::create();
    let stable = |version: &str, md5: &str, android: &str| {
        let file = format!("miui_MI5SGlobal_{version}_{md5}_{android}.zip");
        format!(
            r#"{{"codename":"capricorn","device":"Mi 5s Global","os":"miui","version":"{version}","branch":"Stable","type":"Recovery","size":"1.5 GB","date":"2019-01-01","filename":"{file}","md5":null,"url":"https://bigota.d.miui.com/{version}/{file}","changelog":null,"android":"{android}"}}"#
        )
    };
    let lines = format!(
        "{SAMPLE}{}\n{}\n",
        stable("V10.2.1.0.OAGMIXM", "0123456789", "8.0"),
        stable("V6.6.1.0.LXBMICF", "1123456789", "5.0")
    );
    s.write("roms.jsonl", &lines);
    s.ok(&["import", "roms.jsonl"]);
    let out = s.ok(&["stats"]);
    let at = |line: &str| out.find(line).unwrap_or_else(|| panic!("{line} in {out}"));
    let order = [
        at("MIUI weekly (no line number)"),
        at("MIUI 6 "),
        at("MIUI 10 "),
        at("HyperOS 1 "),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["--json", "stats"])).unwrap();
    assert_eq!(json["by_os"][0]["line"], "MIUI weekly (no line number)");
    assert_eq!(json["by_os"][0]["roms"], 3);
    assert_eq!(json["by_os"][2]["line"], "MIUI 10");
}

/// `export | head -1`: the reader goes away; every format stops quietly
/// with exit 0. The pipe's read end is closed before romwatch starts, so
/// its first write fails, however little it has to write.
#[test]
fn export_into_a_closed_pipe_exits_0_in_every_format() {
    let s = Scratch::create();
    s.write("roms.jsonl", SAMPLE);
    s.ok(&["import", "roms.jsonl"]);
    for format in ["jsonl", "json", "csv", "latest-yml"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_romwatch"))
            .args(["export", "--format", format])
            .current_dir(s.dir.path())
            .env_remove("ROMWATCH_DB")
            .env_remove("ROMWATCH_CONFIG")
            .stdout(writer)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {err}");
        assert_eq!(err, "", "{format}");
    }
}

/// The reference writes `Unknown` where it does not know a size, and never
/// null: romwatch reads that placeholder and writes it, and fills the
/// Android version from the package name when no record gave it.
#[test]
fn latest_yml_has_no_nulls_and_reads_the_unknown_placeholder() {
    let s = Scratch::create();
    let unknown = LATEST_YML
        .replacen("size: 5.2 GB", "size: Unknown", 1)
        .replacen("android: '4.4'", "android: Unknown", 1);
    s.write("latest.yml", &unknown);
    s.ok(&["import", "latest.yml"]);
    // A record without Android version or size: its name says 11.0.
    s.write(
        "laurel.jsonl",
        r#"{"codename":"laurel_sprout","device":"Mi A3 Global","os":"miui","version":"V12.0.26.0.RFQMIXM","branch":"Stable","type":"Recovery","size":null,"date":"2022-08-15","filename":"miui_LAURELSPROUTGlobal_V12.0.26.0.RFQMIXM_88b2e6c4fb_11.0.zip","md5":"88b2e6c4fba84155121e4eb684c623ba","url":"https://bigota.d.miui.com/V12.0.26.0.RFQMIXM/miui_LAURELSPROUTGlobal_V12.0.26.0.RFQMIXM_88b2e6c4fb_11.0.zip","android":null}"#,
    );
    s.ok(&["import", "laurel.jsonl"]);
    // A China weekly fastboot package: `alioth_pre_images_…`.
    s.write(
        "alioth.jsonl",
        r#"{"codename":"alioth","device":"Redmi K40 China","os":"miui","version":"22.1.19","branch":"Weekly","type":"Fastboot","size":"5.9 GB","date":"2022-01-19","filename":"alioth_pre_images_22.1.19_20220119.0000.00_12.0_cn_f640bad19f.tgz","md5":"f640bad19fe1ef06ec7a4f9b93f178d7","url":"https://bigota.d.miui.com/22.1.19/alioth_pre_images_22.1.19_20220119.0000.00_12.0_cn_f640bad19f.tgz"}"#,
    );
    s.ok(&["import", "alioth.jsonl"]);
    let yml = s.ok(&["export", "--format", "latest-yml"]);
    assert!(
        !yml.lines()
            .any(|l| l.starts_with("  codename:") && l.contains("_pre")),
        "the reference file has no _pre codenames: {yml}"
    );
    assert!(!yml.contains("null"), "{yml}");
    let entries: Vec<serde_norway::Value> = serde_norway::from_str(&yml).unwrap();
    let field = |codename: &str, key: &str| {
        entries
            .iter()
            .find(|e| e["codename"].as_str() == Some(codename))
            .unwrap_or_else(|| panic!("{codename} in {yml}"))[key]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(field("leedsa_global", "size"), "Unknown");
    // The weekly build's version has no Android letter; its name says 4.4.
    assert_eq!(field("HM2013022", "android"), "4.4");
    assert_eq!(field("laurel_sprout_global", "android"), "11.0");
    assert_eq!(field("laurel_sprout_global", "size"), "Unknown");
    assert_eq!(field("alioth", "version"), "22.1.19");
}
