//! Builds the site of the whole shared dataset: the full-build benchmark.
//!
//! ```text
//! cargo run --release -p romwatch-site --example build_dataset -- OUT_DIR
//! ```
//!
//! It runs three builds into `OUT_DIR/public` and prints each report: the
//! full build (unless a site is already there), a rebuild without changes,
//! and a rebuild after one new ROM. Peak memory: run it under
//! `/usr/bin/time -v`.

#[path = "../tests/common/dataset.rs"]
mod dataset;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use romwatch_site::{SiteConfig, build};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: build_dataset OUT_DIR");
        return ExitCode::FAILURE;
    };
    let started = Instant::now();
    let Some(mut data) = dataset::load(|_| true) else {
        eprintln!("dataset not found at {}", dataset::dataset_path().display());
        return ExitCode::FAILURE;
    };
    println!(
        "loaded {} ROMs, {} variants in {:.2} s",
        data.roms.len(),
        data.devices.len(),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let out = dir.join("public");
    let config = SiteConfig {
        base_url: "https://roms.example.org".into(),
        ..SiteConfig::default()
    };
    let run = |label: &str, data: &romwatch_site::SiteData| {
        let started = Instant::now();
        match build(data, &config, &out, None) {
            Ok(report) => {
                println!(
                    "\n{label}: {:.3} s\n{report}",
                    started.elapsed().as_secs_f64()
                );
                true
            }
            Err(e) => {
                eprintln!("{label}: {e}");
                false
            }
        }
    };
    if !run("build", &data) || !run("rebuild, no change", &data) {
        return ExitCode::FAILURE;
    }
    let Some(mut newest) = data.roms.iter().max_by_key(|r| r.released).cloned() else {
        return ExitCode::SUCCESS;
    };
    newest.filename = format!("new_{}", newest.filename);
    newest.version = format!("{}9", newest.version);
    data.roms.push(newest);
    if !run("rebuild, one new ROM", &data) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
