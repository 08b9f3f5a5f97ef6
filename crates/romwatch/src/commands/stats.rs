//! `romwatch stats`: what the store holds, counted.

use std::collections::BTreeMap;
use std::process::ExitCode;

use super::{Context, print_json};

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    let stats = ctx.store_to_read()?.stats()?;
    if ctx.json {
        print_json(&stats)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{} ROMs of {} device variants", stats.roms, stats.devices);
    section("OS line", &stats.by_os);
    section("branch", &stats.by_branch);
    section("method", &stats.by_method);
    section("kind", &stats.by_kind);
    section("region", &stats.by_region);
    section("year", &stats.by_year);
    Ok(ExitCode::SUCCESS)
}

fn section(title: &str, counts: &BTreeMap<String, u64>) {
    println!("\nby {title}:");
    for (key, count) in counts {
        println!("  {key:<16} {count:>8}");
    }
}
