//! The small closed vocabularies of a release: branch, method, kind, OS line.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A word that is not one of a vocabulary's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?} (expected one of: {})", expected.join(", "))]
pub struct UnknownName {
    /// What was being named (`branch`).
    pub what: &'static str,
    /// The word given.
    pub given: String,
    /// The names the vocabulary accepts.
    pub expected: &'static [&'static str],
}

/// Declares a fieldless enum with one display name per variant, a slug for
/// URLs, and `FromStr`/serde that accept the display name, the slug, or
/// either in any case. The one way to give an enum names in romwatch; the
/// calling crate depends on `serde`.
///
/// ```
/// romwatch_model::named_enum!(
///     /// A traffic light.
///     Light, "light", {
///         Red => "Red", "red";
///         Green => "Green", "green";
///     }
/// );
/// assert_eq!("GREEN".parse::<Light>().unwrap(), Light::Green);
/// assert_eq!(Light::Red.to_string(), "Red");
/// ```
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $display:literal, $slug:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name users know (`Stable Beta`).
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $display,)+ }
            }

            /// The lowercase URL form (`stable-beta`).
            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug,)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name().eq_ignore_ascii_case(s) || v.slug().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::UnknownName {
                        what: $what,
                        given: s.to_string(),
                        expected: &[$($display),+],
                    })
            }
        }

        $crate::serde_as_text!($name);
    };
}

named_enum!(
    /// The release channel of a build, as users know it.
    Branch, "branch", {
        Stable => "Stable", "stable";
        /// A stable recovery build published before its fastboot build.
        StableBeta => "Stable Beta", "stable-beta";
        /// Developer builds named by date (`7.12.28`).
        Weekly => "Weekly", "weekly";
        /// Public beta builds (`V14.0.23.1.30.DEV`).
        PublicBeta => "Public Beta", "public-beta";
        Beta => "Beta", "beta";
    }
);

named_enum!(
    /// How a package is flashed.
    Method, "method", {
        /// A `.zip` flashed by the recovery or the updater app.
        Recovery => "Recovery", "recovery";
        /// A `.tgz` of partition images flashed over fastboot.
        Fastboot => "Fastboot", "fastboot";
    }
);

named_enum!(
    /// The two OS families Xiaomi ships.
    OsFamily, "OS", {
        Miui => "MIUI", "miui";
        HyperOs => "HyperOS", "hyperos";
    }
);

impl Method {
    /// The method a package's file extension implies.
    pub fn of_extension(ext: &str) -> Option<Method> {
        match ext {
            "zip" => Some(Method::Recovery),
            "tgz" => Some(Method::Fastboot),
            _ => None,
        }
    }
}

/// Whether a package holds a whole system or the difference from one
/// version to another.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Kind {
    Full,
    Incremental {
        /// The version the package updates from.
        from: String,
    },
}

impl Kind {
    pub fn is_incremental(&self) -> bool {
        matches!(self, Kind::Incremental { .. })
    }
}

/// An OS line: the family and, where the version says it, the major
/// version (`MIUI 14`, `HyperOS 2`). Weekly builds carry a date rather than a
/// MIUI number, so their major is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OsLine {
    pub family: OsFamily,
    pub major: Option<u16>,
}

impl fmt::Display for OsLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.major {
            Some(major) => write!(f, "{} {major}", self.family),
            None => write!(f, "{}", self.family),
        }
    }
}

impl FromStr for OsLine {
    type Err = UnknownName;
    /// Parses `MIUI 14`, `HyperOS 2`, `hyperos`, `MIUI`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (family, major) = match s.split_once(' ') {
            Some((family, major)) => (family, Some(major)),
            None => (s, None),
        };
        let bad = || UnknownName {
            what: "OS line",
            given: s.to_string(),
            expected: &["MIUI <n>", "HyperOS <n>", "MIUI", "HyperOS"],
        };
        let family: OsFamily = family.parse().map_err(|_| bad())?;
        let major = major
            .map(|m| m.trim().parse::<u16>().map_err(|_| bad()))
            .transpose()?;
        Ok(OsLine { family, major })
    }
}

serde_as_text!(OsLine);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_slugs_parse_back() {
        for b in Branch::ALL {
            assert_eq!(b.name().parse::<Branch>(), Ok(*b));
            assert_eq!(b.slug().parse::<Branch>(), Ok(*b));
        }
        assert_eq!("stable beta".parse::<Branch>(), Ok(Branch::StableBeta));
        let err = "Nightly".parse::<Branch>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown branch \"Nightly\" (expected one of: Stable, Stable Beta, Weekly, Public Beta, Beta)"
        );
    }

    #[test]
    fn os_lines_print_and_parse() {
        let hyper2 = OsLine {
            family: OsFamily::HyperOs,
            major: Some(2),
        };
        assert_eq!(hyper2.to_string(), "HyperOS 2");
        assert_eq!("HyperOS 2".parse::<OsLine>(), Ok(hyper2));
        let miui = OsLine {
            family: OsFamily::Miui,
            major: None,
        };
        assert_eq!("MIUI".parse::<OsLine>(), Ok(miui));
        assert!("MIUI x".parse::<OsLine>().is_err());
    }
}
