//! ROM file names, validated: they name rows, become file names in exports
//! and appear in URLs, so none may climb out of a directory.

use std::fmt;
use std::ops::Deref;

/// The longest file name accepted.
const MAX_LEN: usize = 256;

/// A plain file name: 1 to 256 bytes, no `/` or `\`, no control
/// characters, not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a plain file name")]
pub struct FileNameError(pub String);

impl FileName {
    pub fn new(name: &str) -> Result<FileName, FileNameError> {
        let ok = !name.is_empty()
            && name.len() <= MAX_LEN
            && name != "."
            && name != ".."
            && !name
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if ok {
            Ok(FileName(name.to_string()))
        } else {
            Err(FileNameError(name.chars().take(MAX_LEN).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for FileName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for FileName {
    type Err = FileNameError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FileName::new(text)
    }
}

serde_as_text!(FileName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        assert!(FileName::new("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip").is_ok());
        for bad in [
            "",
            ".",
            "..",
            "a/b.zip",
            "a\\b.zip",
            "a\nb",
            &"x".repeat(257),
        ] {
            assert!(FileName::new(bad).is_err(), "{bad:?}");
        }
    }
}
