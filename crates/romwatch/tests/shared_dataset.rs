//! The whole shared dataset through the binary: import, re-import, export
//! round trip. Slow in a debug build; CI runs the tests in release mode.

mod common;

use common::{Scratch, shared_dataset};

#[test]
fn the_shared_dataset_imports_whole_and_round_trips() {
    let Some(data) = shared_dataset() else {
        eprintln!("shared dataset not found; skipping");
        return;
    };
    let data = data.to_str().expect("utf-8 path");
    let s = Scratch::create();
    let report: serde_json::Value =
        serde_json::from_str(&s.ok(&["--json", "import", data])).unwrap();
    assert_eq!(report["records"], 52786);
    assert_eq!(report["conflicts"].as_array().map(Vec::len), Some(0));
    let roms = s.rom_count();
    // Every distinct file name of the dataset, plus the incremental
    // packages it links for the same device.
    assert!(roms > 48_000, "{roms}");

    let again: serde_json::Value =
        serde_json::from_str(&s.ok(&["--json", "import", data])).unwrap();
    assert_eq!(
        (again["new_roms"].as_u64(), again["updated_roms"].as_u64()),
        (Some(0), Some(0))
    );

    s.ok(&["export", "--output", "export.jsonl"]);
    s.ok(&["--db", "copy.db", "import", "export.jsonl"]);
    s.ok(&["--db", "copy.db", "export", "--output", "export2.jsonl"]);
    let first = std::fs::read(s.path("export.jsonl")).unwrap();
    let second = std::fs::read(s.path("export2.jsonl")).unwrap();
    assert!(
        first == second,
        "exporting an import of an export changed the data"
    );

    // `romwatch export | head` is a clean exit.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_romwatch"))
        .arg("export")
        .current_dir(s.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first_bytes = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first_bytes).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
