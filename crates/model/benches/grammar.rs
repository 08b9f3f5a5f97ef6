//! Grammar throughput: package names parsed per second.
//!
//! Uses the real names of `../shared/data/xfu-roms.jsonl` when it is there
//! (set `ROMWATCH_DATA` to point elsewhere), else a fixed set of one name per
//! form.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use romwatch_model::PackageName;
use std::hint::black_box;

const FALLBACK: &[&str] = &[
    "miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip",
    "miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip",
    "corot_eea_global-ota_full-OS1.1.5.0.VMLEUXM-user-15.0-03d35d5f95.zip",
    "miui-blockota-agate_eea_global-OS1.0.9.0.UKWEUXM-OS1.0.10.0.UKWEUXM-685ef0944d-14.0.zip",
    "moon_eea_global-ota_incremental-OS2.0.4.0.VNTEUXM-OS2.0.5.0.VNTEUXM-user-15.0-617757f1f6.zip",
    "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
];

fn names() -> Vec<String> {
    let path = std::env::var("ROMWATCH_DATA").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/xfu-roms.jsonl"
        )
        .into()
    });
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("{path} not readable; benchmarking the built-in names");
        return FALLBACK.iter().map(|s| s.to_string()).collect();
    };
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v["filename"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn parse_names(c: &mut Criterion) {
    let names = names();
    let mut group = c.benchmark_group("grammar");
    group.throughput(Throughput::Elements(names.len() as u64));
    group.bench_function("parse_package_names", |b| {
        b.iter(|| {
            for name in &names {
                let _ = black_box(PackageName::parse(black_box(name)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parse_names);
criterion_main!(benches);
