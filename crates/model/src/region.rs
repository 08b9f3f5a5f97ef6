//! Markets a ROM is built for, and the several ways names spell them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The market of a device variant or a ROM.
///
/// The known regions come from UPSTREAM.md; a region Xiaomi adds later
/// parses as [`Region::Other`] with its lowercase code, so that a new market
/// never makes a package name unparseable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    China,
    Global,
    Eea,
    India,
    Russia,
    Indonesia,
    Turkey,
    Taiwan,
    Japan,
    Korea,
    /// A region code romwatch does not know by name (lowercase ASCII).
    Other(String),
}

/// (region, code in fastboot names and variant suffixes, code in version tags, name)
const KNOWN: [(Region, &str, &str, &str); 10] = [
    (Region::China, "cn", "CN", "China"),
    (Region::Global, "global", "MI", "Global"),
    (Region::Eea, "eea", "EU", "EEA"),
    (Region::India, "in", "IN", "India"),
    (Region::Russia, "ru", "RU", "Russia"),
    (Region::Indonesia, "id", "ID", "Indonesia"),
    (Region::Turkey, "tr", "TR", "Turkey"),
    (Region::Taiwan, "tw", "TW", "Taiwan"),
    (Region::Japan, "jp", "JP", "Japan"),
    (Region::Korea, "kr", "KR", "Korea"),
];

impl Region {
    /// The lowercase code: `cn`, `global`, `eea`, `in`, … as in fastboot
    /// names (`…_14.0_eea_3c2f45d9c8.tgz`). It is also the serialized form.
    pub fn code(&self) -> &str {
        match self {
            Region::Other(code) => code,
            known => KNOWN.iter().find(|k| &k.0 == known).map_or("", |k| k.1),
        }
    }

    /// A human name: `China`, `Global`, `EEA`, … (the code in capitals for
    /// an unknown region).
    pub fn name(&self) -> String {
        match self {
            Region::Other(code) => code.to_ascii_uppercase(),
            known => KNOWN
                .iter()
                .find(|k| &k.0 == known)
                .map_or(String::new(), |k| k.3.to_string()),
        }
    }

    /// The codes of the regions romwatch knows by name (`cn`, `global`,
    /// `eea`, …), in a fixed order.
    pub fn known_codes() -> impl Iterator<Item = &'static str> {
        KNOWN.iter().map(|k| k.1)
    }

    /// Parses a lowercase code as written in fastboot names and variant
    /// suffixes. `india` is an old spelling of `in`. Anything that is not 2 to
    /// 8 ASCII letters is not a region.
    pub fn from_code(code: &str) -> Option<Region> {
        if code == "india" {
            return Some(Region::India);
        }
        if let Some(k) = KNOWN.iter().find(|k| k.1 == code) {
            return Some(k.0.clone());
        }
        let plausible =
            (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase());
        plausible.then(|| Region::Other(code.to_string()))
    }

    /// Parses the two-letter region code of a version tag (`MI` in
    /// `TKFMIXM`). Carrier pairs that romwatch does not know stay
    /// [`Region::Other`].
    pub fn from_tag_code(code: &str) -> Option<Region> {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        Some(
            KNOWN
                .iter()
                .find(|k| k.2 == code)
                .map_or_else(|| Region::Other(code.to_ascii_lowercase()), |k| k.0.clone()),
        )
    }

    /// The suffix a variant codename carries for this region: `""` for
    /// China, `_global`, `_eea_global`, `_in_global`, …
    pub fn variant_suffix(&self) -> String {
        match self {
            Region::China => String::new(),
            Region::Global => "_global".to_string(),
            other => format!("_{}_global", other.code()),
        }
    }

    /// The region word of old recovery names (`miui_<PKG><WORD>_…`):
    /// `""` for China, `Global`, `EEAGlobal`, `INGlobal`, …
    pub fn package_word(&self) -> String {
        match self {
            Region::China => String::new(),
            Region::Global => "Global".to_string(),
            other => format!("{}Global", other.code().to_ascii_uppercase()),
        }
    }

    /// The region a variant codename's suffix names: `alioth_global` →
    /// Global, `corot_eea_global` → EEA, `pipa_in_rf_global` → India, no
    /// `_global` → China. Sub-variant words (`_sprout`, `_p`, `_pro`) are
    /// skipped; an unknown two-letter word before `_global` is a new region.
    pub fn of_variant(variant: &str) -> Region {
        let Some(rest) = variant.strip_suffix("_global") else {
            return Region::China;
        };
        let words: Vec<&str> = rest.split('_').skip(1).collect();
        for word in &words {
            if let Some(k) = KNOWN.iter().find(|k| k.1 == *word && k.0 != Region::Global) {
                return k.0.clone();
            }
            if *word == "india" {
                return Region::India;
            }
        }
        match words.last() {
            Some(w) if w.len() == 2 && w.bytes().all(|b| b.is_ascii_lowercase()) => {
                Region::Other((*w).to_string())
            }
            _ => Region::Global,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Region::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown region code {code:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_suffixes_name_their_region() {
        assert_eq!(Region::of_variant("alioth"), Region::China);
        assert_eq!(Region::of_variant("alioth_global"), Region::Global);
        assert_eq!(Region::of_variant("corot_eea_global"), Region::Eea);
        assert_eq!(Region::of_variant("pipa_in_rf_global"), Region::India);
        assert_eq!(Region::of_variant("x_india_global"), Region::India);
        assert_eq!(Region::of_variant("laurel_sprout_eea_global"), Region::Eea);
        assert_eq!(Region::of_variant("cepheus_p_global"), Region::Global);
        assert_eq!(Region::of_variant("tiare_sprout_global"), Region::Global);
        assert_eq!(
            Region::of_variant("zorn_mx_global"),
            Region::Other("mx".into())
        );
    }

    #[test]
    fn spellings_round_trip() {
        for (region, ..) in KNOWN {
            assert_eq!(Region::from_code(region.code()), Some(region.clone()));
            assert_eq!(
                Region::of_variant(&format!("x{}", region.variant_suffix())),
                region
            );
        }
        assert_eq!(Region::from_tag_code("EU"), Some(Region::Eea));
        assert_eq!(
            Region::from_tag_code("CM"),
            Some(Region::Other("cm".into()))
        );
        assert_eq!(Region::from_tag_code("eu"), None);
        assert_eq!(Region::Eea.package_word(), "EEAGlobal");
        assert_eq!(Region::from_code("../x"), None);
    }
}
