//! `romwatch import FILE`: all records of a file into the store, or none.

use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_store::formats::{self, Format, MAX_INPUT_BYTES};
use romwatch_store::{Announce, ImportError, ImportReport, import_text};

use super::{Context, print_json};
use crate::cli::ImportArgs;
use crate::progress;

pub fn run(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let is_stdin = args.file.as_os_str() == "-";
    let source_name = if is_stdin {
        "<stdin>".to_string()
    } else {
        args.file.display().to_string()
    };
    let bytes = if is_stdin {
        formats::read_input(&source_name, std::io::stdin().lock(), MAX_INPUT_BYTES)?
    } else {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("cannot read {source_name}"))?;
        formats::read_input(&source_name, file, MAX_INPUT_BYTES)?
    };
    let text = formats::utf8(&source_name, &bytes).map_err(ImportError::from)?;
    let format = match &args.format {
        Some(name) => name.parse::<Format>().map_err(anyhow::Error::msg)?,
        None => formats::detect(&source_name, text),
    };

    let announce = if args.announce {
        Announce::Changes
    } else {
        Announce::Nothing
    };
    let mut store = ctx.store()?;
    let bar = progress::bar("records");
    let report = import_text(
        &mut store,
        &source_name,
        text,
        format,
        announce,
        chrono::Utc::now(),
        &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    );
    bar.finish_and_clear();
    let report = report?;
    if ctx.json {
        print_json(&report)?;
    } else {
        print_summary(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(report: &ImportReport) {
    let m = &report.merge;
    if !m.changed() {
        println!(
            "{}: {} records, all already in the store; nothing changed",
            report.source, report.records
        );
    } else {
        println!(
            "{}: {} records: {} new ROMs, {} updated, {} unchanged; {} new devices, {} renamed",
            report.source,
            report.records,
            m.new_roms,
            m.updated_roms,
            m.unchanged_roms,
            m.new_devices,
            m.renamed_devices
        );
    }
    if !m.conflicts.is_empty() {
        println!("{} conflicting facts kept as stored:", m.conflicts.len());
        for c in &m.conflicts {
            println!(
                "  {}: {}: stored {}, file says {}",
                c.filename, c.field, c.stored, c.incoming
            );
        }
    }
}
