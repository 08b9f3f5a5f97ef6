//! The release record of romwatch and the grammar of Xiaomi's package names.
//!
//! Everything here is pure: no I/O, no async, no store. The grammar turns the
//! file names and version strings that Xiaomi publishes into typed fields
//! ([`PackageName`], [`Version`]); the types describe one ROM file ([`Rom`])
//! and the device variant it is for ([`Device`]); [`Incoming::checked`] is
//! the one constructor that checks a ROM as a whole, and [`Link`] the one
//! way a URL is read.

/// Implements serde for a type through its `Display` and `FromStr`, so
/// that it travels as the same text users read and write. The calling crate
/// depends on `serde`.
#[macro_export]
macro_rules! serde_as_text {
    ($name:ty) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <String as ::serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

mod bounds;
mod checked;
mod codename;
mod enums;
mod facts;
mod filename;
mod link;
mod md5;
pub mod media;
mod mirror;
mod package;
pub mod paths;
mod record;
mod region;
mod rom;
pub mod search;
mod size;
mod version;

pub use checked::{Incoming, RecordError, RomParts};
pub use codename::{Codename, CodenameError, variant_codename};
pub use enums::{Branch, Kind, Method, OsFamily, OsLine, UnknownName};
pub use facts::{PackageFacts, fingerprint_version, security_patches};
pub use filename::{FileName, FileNameError};
pub use link::{
    Link, LinkError, file_name_of_url, package_segments, redact_signature, strip_signed_query,
};
pub use md5::{Md5, Md5Error};
pub use mirror::{
    DayHealth, FileMirrors, HostCheck, HostHealth, MirrorHealth, MirrorStatus, mirrors_best_first,
};
pub use package::{DeviceRef, GrammarError, PackageName};
pub use record::Record;
pub use region::Region;
pub use rom::{Device, Rom};
pub use size::{Size, SizeError};
pub use version::{BuildTag, Version, VersionError, VersionForm, android_of_letter};
