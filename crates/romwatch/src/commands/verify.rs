//! `romwatch verify FILE`: is a download a known official file, untouched?
//!
//! The file is hashed in a stream (packages are several GB), then looked up
//! by its name: a known name whose MD5 matches is official; a known name
//! whose MD5 differs is a broken or tampered download; an unknown name
//! cannot be vouched for.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context as _;
use md5::{Digest, Md5 as Hasher};
use romwatch_model::Md5;
use serde::Serialize;

use super::{Context, print_json};
use crate::cli::VerifyArgs;
use crate::exit::DATA_ERROR;
use crate::progress;

/// What the check found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    /// Name and MD5 match a known ROM (`prefix_only` when romwatch knows the
    /// name's 10-hex prefix of the MD5, not the whole hash).
    Official { prefix_only: bool },
    /// The name is known and the MD5 differs.
    Mismatch { expected: String },
    /// romwatch does not know this file name.
    Unknown,
}

#[derive(Serialize)]
struct Outcome {
    file: String,
    md5: String,
    bytes: u64,
    verdict: Verdict,
}

pub fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.display().to_string();
    let name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{shown} has no file name romwatch could look up"))?;
    let (md5, bytes) = hash(&args.file, &shown)?;
    let verdict = match ctx.store_to_read()?.rom(name)?.and_then(|rom| rom.md5) {
        None => Verdict::Unknown,
        Some(known) if known.agrees_with(&md5) => Verdict::Official {
            prefix_only: !known.is_full(),
        },
        Some(known) => Verdict::Mismatch {
            expected: known.to_string(),
        },
    };
    let good = matches!(verdict, Verdict::Official { .. });
    let outcome = Outcome {
        file: shown,
        md5: md5.to_string(),
        bytes,
        verdict,
    };
    if ctx.json {
        print_json(&outcome)?;
    } else {
        println!("{}: MD5 {}", outcome.file, outcome.md5);
        match &outcome.verdict {
            Verdict::Official { prefix_only: false } => {
                println!("official: name and MD5 match a known ROM; the file is untouched")
            }
            Verdict::Official { prefix_only: true } => {
                println!(
                    "official as far as known: the MD5 matches the 10-hex prefix the official name carries"
                )
            }
            Verdict::Mismatch { expected } => {
                println!(
                    "MISMATCH: the official file of this name has MD5 {expected}; this download is broken or altered"
                )
            }
            Verdict::Unknown => {
                println!("unknown: romwatch has no ROM of this name, so it cannot vouch for it")
            }
        }
    }
    Ok(if good {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(DATA_ERROR)
    })
}

/// The MD5 and length of a file, read in 1 MiB blocks.
fn hash(path: &std::path::Path, shown: &str) -> anyhow::Result<(Md5, u64)> {
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress::bar("bytes");
    bar.set_length(total);
    let mut hasher = Hasher::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut read_total = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read {shown}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        read_total += n as u64;
        bar.set_position(read_total);
    }
    bar.finish_and_clear();
    let digest: [u8; 16] = hasher.finalize().into();
    Ok((Md5::Full(digest), read_total))
}
