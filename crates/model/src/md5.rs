//! MD5 digests: the full hash when a source gave it, else the 10-hex prefix
//! that every official package name carries.

use std::fmt;
use std::str::FromStr;

/// What romwatch knows of a package's MD5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Md5 {
    /// The whole 128-bit digest.
    Full([u8; 16]),
    /// The first 10 hex digits (5 bytes), as embedded in package names.
    Prefix([u8; 5]),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an MD5: {0:?} (expected 32 hex digits, or the 10-hex prefix of a package name)")]
pub struct Md5Error(pub String);

impl Md5 {
    pub fn is_full(&self) -> bool {
        matches!(self, Md5::Full(_))
    }

    /// The first five bytes, which both forms know.
    fn head(&self) -> &[u8] {
        match self {
            Md5::Full(b) => &b[..5],
            Md5::Prefix(b) => b,
        }
    }

    /// The 10-hex prefix.
    pub fn prefix_hex(&self) -> String {
        hex(self.head())
    }

    /// Whether two values can describe the same file: equal where both are
    /// full, equal prefixes otherwise.
    pub fn agrees_with(&self, other: &Md5) -> bool {
        match (self, other) {
            (Md5::Full(a), Md5::Full(b)) => a == b,
            _ => self.head() == other.head(),
        }
    }

    /// The more complete of two agreeing values.
    pub fn most_known(self, other: Md5) -> Md5 {
        if other.is_full() { other } else { self }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let digits = s.as_bytes();
    if digits.len() != N * 2 {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

impl FromStr for Md5 {
    type Err = Md5Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        unhex::<16>(t)
            .map(Md5::Full)
            .or_else(|| unhex::<5>(t).map(Md5::Prefix))
            .ok_or_else(|| Md5Error(s.to_string()))
    }
}

impl fmt::Display for Md5 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Md5::Full(b) => f.write_str(&hex(b)),
            Md5::Prefix(b) => f.write_str(&hex(b)),
        }
    }
}

serde_as_text!(Md5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_prefix_forms() {
        let full: Md5 = "6E09FEEEC4FD978802F4DB87DDD7035B".parse().unwrap();
        assert_eq!(full.to_string(), "6e09feeec4fd978802f4db87ddd7035b");
        let prefix: Md5 = "6e09feeec4".parse().unwrap();
        assert_eq!(prefix, Md5::Prefix([0x6e, 0x09, 0xfe, 0xee, 0xc4]));
        assert!(full.agrees_with(&prefix) && prefix.agrees_with(&full));
        assert_eq!(prefix.most_known(full), full);
        assert!(!"6e09feeec5".parse::<Md5>().unwrap().agrees_with(&full));
        assert!("6e09feeec".parse::<Md5>().is_err());
        assert!("zz09feeec4".parse::<Md5>().is_err());
    }
}
