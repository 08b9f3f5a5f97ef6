//! JSON Lines: one [`Record`] per line; blank lines are skipped.

use std::io::Write;

use romwatch_model::Record;

use super::InputError;

pub fn read(source_name: &str, text: &str) -> Result<Vec<(usize, Record)>, InputError> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str::<Record>(line).map_err(|e| InputError {
            source_name: source_name.to_string(),
            line: index + 1,
            field: field_of(&e.to_string()),
            message: e.to_string(),
        })?;
        records.push((index + 1, record));
    }
    Ok(records)
}

/// The field serde names in its message (`missing field `version``), if any.
fn field_of(message: &str) -> String {
    message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .unwrap_or("record")
        .to_string()
}

pub fn write(records: &[Record], out: &mut dyn Write) -> std::io::Result<()> {
    for record in records {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
