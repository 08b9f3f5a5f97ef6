//! CSV with a header row: the flat fields of a [`Record`].

use std::io::Write;

use romwatch_model::Record;

const HEADER: [&str; 18] = [
    "codename",
    "variant",
    "device",
    "os",
    "version",
    "branch",
    "type",
    "android",
    "size",
    "size_bytes",
    "date",
    "filename",
    "md5",
    "url",
    "incremental_from",
    "security_patch",
    "fingerprint",
    "build_time",
];

pub fn write(records: &[Record], out: &mut dyn Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for r in records {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        writer.write_record([
            r.codename.clone(),
            opt(&r.variant),
            r.device.clone(),
            r.os.clone(),
            r.version.clone(),
            r.branch.clone(),
            r.method.clone(),
            opt(&r.android),
            opt(&r.size),
            r.size_bytes.map(|b| b.to_string()).unwrap_or_default(),
            opt(&r.date),
            r.filename.clone(),
            opt(&r.md5),
            opt(&r.url),
            opt(&r.incremental_from),
            opt(&r.security_patch),
            opt(&r.fingerprint),
            opt(&r.build_time),
        ])?;
    }
    writer.flush()
}
