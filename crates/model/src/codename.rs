//! Device codenames, validated: they become directory names and URL paths.

use std::fmt;

use crate::Region;

/// A codename (`alioth`, `HM2013022`) or a variant codename
/// (`corot_eea_global`): ASCII letters, digits and `_`, starting with a
/// letter or digit, at most 64 characters. That rules out `..`, `/`, `\` and
/// anything else that could escape a directory or break a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Codename(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid codename {0:?}: expected 1 to 64 ASCII letters, digits or '_', starting with a letter or digit"
)]
pub struct CodenameError(pub String);

impl Codename {
    pub fn new(s: &str) -> Result<Codename, CodenameError> {
        let ok = (1..=64).contains(&s.len())
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if ok {
            Ok(Codename(s.to_string()))
        } else {
            Err(CodenameError(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The device's codename without variant words: the text before the first
    /// `_` (`laurel_sprout_eea_global` → `laurel`, `sagit_alpha` → `sagit`).
    pub fn device(&self) -> Codename {
        Codename(self.0.split('_').next().unwrap_or(&self.0).to_string())
    }
}

/// The variant codename of a device in a region: `alioth` + Global →
/// `alioth_global`, `corot` + EEA → `corot_eea_global`, China → `alioth`.
pub fn variant_codename(device: &Codename, region: &Region) -> Codename {
    Codename(format!("{}{}", device.0, region.variant_suffix()))
}

impl fmt::Display for Codename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Codename {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Codename {
    type Err = CodenameError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Codename::new(text)
    }
}

serde_as_text!(Codename);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_codenames_and_rejects_path_tricks() {
        for ok in ["alioth", "HM2013022", "corot_eea_global", "a"] {
            assert!(Codename::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "..",
            "a/b",
            "a\\b",
            "_x",
            "a b",
            "a.b",
            "ä",
            &"x".repeat(65),
        ] {
            assert!(Codename::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn variants_and_devices() {
        let corot = Codename::new("corot").unwrap();
        assert_eq!(
            variant_codename(&corot, &Region::Eea).as_str(),
            "corot_eea_global"
        );
        assert_eq!(variant_codename(&corot, &Region::China).as_str(), "corot");
        let laurel = Codename::new("laurel_sprout_eea_global").unwrap();
        assert_eq!(laurel.device().as_str(), "laurel");
    }
}
