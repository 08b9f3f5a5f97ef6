//! Reading an input to import: plain or gzip, never more than
//! [`MAX_INPUT_BYTES`] of text, and checked to be UTF-8 with the line (and
//! where it can be told, the field) of the first bad byte.
//!
//! An import is all or nothing, so its records are held in memory until
//! they are written in one transaction; the cap keeps that memory bounded
//! whatever the input is (a small gzip file can expand a thousandfold).

use std::io::{BufRead, BufReader, Read};

use super::InputError;

/// The most text an import reads: 256 MiB, about five times the whole
/// reference history (54 MB).
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The input is larger than [`MAX_INPUT_BYTES`] (once decompressed).
    #[error(
        "{source_name}: more than {} MiB{}; the import limit is {} MiB (split the file)",
        .limit >> 20,
        if *.gzip { " once decompressed" } else { "" },
        .limit >> 20
    )]
    TooLarge {
        source_name: String,
        limit: u64,
        gzip: bool,
    },
    /// The input starts like gzip but does not decompress.
    #[error("{source_name} is not valid gzip")]
    Gzip {
        source_name: String,
        #[source]
        source: std::io::Error,
    },
    /// The file or stream itself could not be read.
    #[error("cannot read {source_name}")]
    Io {
        source_name: String,
        #[source]
        source: std::io::Error,
    },
}

impl ReadError {
    /// Whether the fault is in the input (as opposed to the system).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, ReadError::Io { .. })
    }
}

/// Reads `reader` whole, gunzipped when it starts with gzip's magic bytes,
/// up to `limit` bytes of text.
pub fn read_input(source_name: &str, reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        source_name: source_name.to_string(),
        source,
    };
    let mut reader = BufReader::new(reader);
    let gzip = reader.fill_buf().map_err(io)?.starts_with(&[0x1f, 0x8b]);
    let mut text = Vec::new();
    // One byte past the limit tells "exactly the limit" from "more".
    let read = if gzip {
        flate2::bufread::MultiGzDecoder::new(reader)
            .take(limit + 1)
            .read_to_end(&mut text)
    } else {
        reader.take(limit + 1).read_to_end(&mut text)
    };
    match read {
        Ok(_) if text.len() as u64 > limit => Err(ReadError::TooLarge {
            source_name: source_name.to_string(),
            limit,
            gzip,
        }),
        Ok(_) => Ok(text),
        // The decoder reports a corrupt stream as invalid data or an early end.
        Err(source)
            if gzip
                && matches!(
                    source.kind(),
                    std::io::ErrorKind::InvalidData
                        | std::io::ErrorKind::InvalidInput
                        | std::io::ErrorKind::UnexpectedEof
                ) =>
        {
            Err(ReadError::Gzip {
                source_name: source_name.to_string(),
                source,
            })
        }
        Err(source) => Err(io(source)),
    }
}

/// The text of an input, or where its first byte that is not UTF-8 is:
/// its line, and in a JSON line the field holding it.
pub fn utf8<'a>(source_name: &str, bytes: &'a [u8]) -> Result<&'a str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line_start = bytes[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| offset + i);
        let line = &bytes[line_start..line_end];
        InputError {
            source_name: source_name.to_string(),
            line: bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1,
            field: field_holding_bad_bytes(line).unwrap_or_else(|| "record".to_string()),
            message: format!(
                "not UTF-8 text (byte {} of the line)",
                offset - line_start + 1
            ),
        }
    })
}

/// The top-level field of a JSON object line whose value holds bytes that
/// are not UTF-8: the line read leniently, the field whose text then holds
/// a replacement character the line itself did not.
fn field_holding_bad_bytes(line: &[u8]) -> Option<String> {
    let lenient = String::from_utf8_lossy(line);
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&lenient).ok()?;
    object
        .into_iter()
        .find(|(_, value)| value.to_string().contains('\u{FFFD}'))
        .map(|(key, _)| key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn reads_plain_and_gzip_up_to_the_limit() {
        let text = b"{\"a\":1}\n".repeat(100);
        assert_eq!(read_input("x", &text[..], 800).unwrap(), text);
        assert_eq!(read_input("x", &gzip(&text)[..], 800).unwrap(), text);
        let err = read_input("x.gz", &gzip(&text)[..], 799).unwrap_err();
        assert!(
            matches!(err, ReadError::TooLarge { gzip: true, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("once decompressed"), "{err}");
        let err = read_input("x", &text[..], 10).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge { gzip: false, .. }));
    }

    #[test]
    fn a_broken_gzip_stream_says_so() {
        let mut broken = gzip(b"hello world, hello world");
        broken.truncate(12);
        let err = read_input("x.gz", &broken[..], 1 << 20).unwrap_err();
        assert!(matches!(err, ReadError::Gzip { .. }), "{err:?}");
    }

    #[test]
    fn bad_utf8_is_placed_by_line_and_field() {
        let bytes = b"{\"codename\":\"a\"}\n{\"codename\":\"b\",\"device\":\"Mi \xff\"}\n";
        let err = utf8("f.jsonl", bytes).unwrap_err();
        assert_eq!((err.line, err.field.as_str()), (2, "device"));
        assert_eq!(utf8("f", b"ok\n").unwrap(), "ok\n");
        let err = utf8("f.yml", b"- a: 1\n  b: \xc3\n").unwrap_err();
        assert_eq!((err.line, err.field.as_str()), (2, "record"));
    }
}
