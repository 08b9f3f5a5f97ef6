//! `romwatch parse`: what the grammar reads in package names.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_model::{DeviceRef, Kind, PackageName};
use serde::Serialize;

use super::{Context, print_json};
use crate::cli::ParseArgs;
use crate::exit::DATA_ERROR;

/// The fields of a parsed name, as printed.
#[derive(Serialize)]
struct Parsed<'a> {
    name: &'a str,
    /// The variant codename, or the package name of old recovery names.
    device: String,
    /// `variant` or `package`: which of the two `device` is.
    device_kind: &'static str,
    region: String,
    version: String,
    os: String,
    branch: String,
    method: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    android: String,
    md5_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    build_date: Option<String>,
    developer: bool,
}

#[derive(Serialize)]
struct Failed<'a> {
    name: &'a str,
    error: String,
}

fn describe<'a>(name: &'a str, pkg: &PackageName) -> Parsed<'a> {
    let (device, device_kind) = match &pkg.device {
        DeviceRef::Variant(v) => (v.to_string(), "variant"),
        DeviceRef::PackageName(p) => (p.clone(), "package"),
    };
    let (kind, from) = match pkg.kind() {
        Kind::Full => ("Full", None),
        Kind::Incremental { from } => ("Incremental", Some(from)),
    };
    Parsed {
        name,
        device,
        device_kind,
        region: pkg.region.name(),
        version: pkg.version.to_string(),
        os: pkg.version.os_line().to_string(),
        branch: pkg.version.branch().to_string(),
        method: pkg.method.to_string(),
        kind,
        from,
        android: pkg.android.clone(),
        md5_prefix: pkg.md5.to_string(),
        build_date: pkg.build_date.map(|d| d.to_string()),
        developer: pkg.developer,
    }
}

pub fn run(ctx: &Context, args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let names: Vec<String> = if args.names.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<Vec<_>, _>>()
            .context("cannot read names from standard input")?
            .into_iter()
            .filter(|l| !l.trim().is_empty())
            .collect()
    } else {
        args.names.clone()
    };
    let mut failures = 0;
    if !ctx.json {
        println!(
            "{:<20} {:<10} {:<24} {:<10} {:<11} {:<9} {:<11} {:<7} {:<10}",
            "DEVICE", "REGION", "VERSION", "OS", "BRANCH", "METHOD", "KIND", "ANDROID", "MD5"
        );
    }
    for name in &names {
        let name = name.trim();
        match PackageName::parse(name) {
            Ok(pkg) => {
                let p = describe(name, &pkg);
                if ctx.json {
                    print_json(&p)?;
                } else {
                    println!(
                        "{:<20} {:<10} {:<24} {:<10} {:<11} {:<9} {:<11} {:<7} {:<10}",
                        p.device,
                        p.region,
                        p.version,
                        p.os,
                        p.branch,
                        p.method,
                        p.kind,
                        p.android,
                        p.md5_prefix
                    );
                }
            }
            Err(e) => {
                failures += 1;
                if ctx.json {
                    print_json(&Failed {
                        name,
                        error: e.reason.clone(),
                    })?;
                } else {
                    eprintln!("{e}");
                }
            }
        }
    }
    Ok(if failures > 0 {
        ExitCode::from(DATA_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}
