//! A JSON array of [`Record`]s.

use std::io::Write;

use romwatch_model::Record;

pub fn write(records: &[Record], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, records)?;
    out.write_all(b"\n")
}
