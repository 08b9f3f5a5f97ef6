//! `romwatch export`: the store in one of the formats romwatch writes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context as _;
use romwatch_store::formats::{self, Format};

use super::Context;
use crate::cli::ExportArgs;

pub fn run(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let format: Format = args.format.parse().map_err(anyhow::Error::msg)?;
    let snapshot = ctx.store_to_read()?.snapshot()?;
    match &args.output {
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            formats::write(&snapshot, format, &mut out).context("cannot write the export")?;
            out.flush().context("cannot write the export")?;
        }
        Some(path) => {
            // Written beside the target and renamed over it, so that a reader
            // never sees half a file.
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let mut file = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot create a file in {}", dir.display()))?;
            {
                let mut out = BufWriter::new(file.as_file_mut());
                formats::write(&snapshot, format, &mut out).context("cannot write the export")?;
                out.flush().context("cannot write the export")?;
            }
            file.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
