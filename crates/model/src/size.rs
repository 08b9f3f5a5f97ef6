//! Package sizes: exact byte counts from the CDN or the OTA API, or the
//! rounded human strings the reference site shows ("1.5 GB").

use serde::{Deserialize, Serialize};
use std::fmt;

/// A package size in bytes. `exact` is false when it was read back from a
/// rounded human string, so that "1.5 GB" and 1,523,456,789 bytes agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Size {
    pub bytes: u64,
    pub exact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a size: {0:?} (expected bytes, or a number and a unit such as \"1.5 GB\")")]
pub struct SizeError(pub String);

/// Below this a "package" is an error page, not a ROM (UPSTREAM.md §5).
pub const MIN_PLAUSIBLE_BYTES: u64 = 1024;

const UNITS: [(&str, u64); 6] = [
    ("kB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
];

impl Size {
    pub fn exact(bytes: u64) -> Size {
        Size { bytes, exact: true }
    }

    /// Parses "1.5 GB", "460.1 MB", "465 Bytes", "1 Byte" or a plain byte
    /// count (which is exact). Units are decimal, as the reference shows them.
    pub fn parse_human(text: &str) -> Result<Size, SizeError> {
        let bad = || SizeError(text.to_string());
        let t = text.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return t.parse().map(Size::exact).map_err(|_| bad());
        }
        let (number, unit) = t.split_once(' ').ok_or_else(bad)?;
        let value: f64 = number.parse().map_err(|_| bad())?;
        if !value.is_finite() || value < 0.0 {
            return Err(bad());
        }
        let multiplier = match unit.trim() {
            "Byte" | "Bytes" | "B" => 1,
            u => {
                UNITS
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(u))
                    .ok_or_else(bad)?
                    .1
            }
        };
        let bytes = (value * multiplier as f64).round();
        if bytes > u64::MAX as f64 {
            return Err(bad());
        }
        Ok(Size {
            bytes: bytes as u64,
            exact: multiplier == 1,
        })
    }

    /// The size as a human string with decimal units and one decimal, the way
    /// the reference tracker writes it (Python's `humanize.naturalsize`).
    pub fn human(&self) -> String {
        let bytes = self.bytes;
        if bytes == 1 {
            return "1 Byte".to_string();
        }
        if bytes < 1000 {
            return format!("{bytes} Bytes");
        }
        let mut unit = 1_000_000f64;
        for suffix in ["kB", "MB", "GB", "TB", "PB", "EB"] {
            if (bytes as f64) < unit {
                return format!("{:.1} {suffix}", 1000.0 * bytes as f64 / unit);
            }
            unit *= 1000.0;
        }
        format!("{:.1} ZB", bytes as f64 / 1e21)
    }

    /// Whether the size is large enough to be a package rather than an error
    /// page.
    pub fn is_plausible(&self) -> bool {
        self.bytes >= MIN_PLAUSIBLE_BYTES
    }

    /// Whether two sizes can describe the same file: equal when both are
    /// exact, equal when shown as human strings otherwise.
    pub fn agrees_with(&self, other: &Size) -> bool {
        if self.exact && other.exact {
            self.bytes == other.bytes
        } else {
            self.human() == other.human()
        }
    }

    /// The more precise of two agreeing sizes.
    pub fn most_known(self, other: Size) -> Size {
        if other.exact && !self.exact {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.human())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_strings_round_trip() {
        for s in [
            "1.5 GB",
            "460.1 MB",
            "465 Bytes",
            "1 Byte",
            "5.2 GB",
            "999.9 kB",
            "1.0 TB",
        ] {
            let size = Size::parse_human(s).unwrap();
            assert!(!size.exact || s.ends_with("Bytes") || s.ends_with("Byte"));
            assert_eq!(size.human(), s, "{s}");
        }
    }

    #[test]
    fn formats_like_humanize_naturalsize() {
        assert_eq!(Size::exact(0).human(), "0 Bytes");
        assert_eq!(Size::exact(999).human(), "999 Bytes");
        assert_eq!(Size::exact(1000).human(), "1.0 kB");
        assert_eq!(Size::exact(1_523_456_789).human(), "1.5 GB");
        assert_eq!(Size::exact(999_950_000).human(), "1000.0 MB");
    }

    #[test]
    fn exact_and_rounded_sizes_agree_when_they_display_alike() {
        let shown = Size::parse_human("1.5 GB").unwrap();
        assert!(shown.agrees_with(&Size::exact(1_523_456_789)));
        assert!(!shown.agrees_with(&Size::exact(1_623_456_789)));
        assert!(!Size::exact(5).agrees_with(&Size::exact(6)));
        assert_eq!(
            shown.most_known(Size::exact(1_523_456_789)).bytes,
            1_523_456_789
        );
    }

    #[test]
    fn rejects_what_is_not_a_size() {
        for s in ["", "GB", "1.5", "-1 GB", "1.5 XB", "NaN GB", "1e400 GB"] {
            assert!(Size::parse_human(s).is_err(), "{s}");
        }
        assert!(!Size::parse_human("465 Bytes").unwrap().is_plausible());
    }
}
