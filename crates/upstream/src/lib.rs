//! Adapters for Xiaomi's ROM servers. The simulated upstream that speaks
//! the same wire formats is its own crate, `romwatch-sim`, built on the
//! wire types exported here.
//!
//! Each source of UPSTREAM.md §1–5 is one module with one adapter type:
//! asked a query (`observe`), it answers with [`Observation`]s (a package file name or
//! URL plus whatever the source knows) or a [`SourceError`] naming the
//! source, the URL and what was wrong. Nothing here touches the store.

pub mod cdn;
pub mod changelog;
pub mod china;
pub mod community;
pub mod config;
pub mod crypto;
pub mod error;
pub mod fullrom;
mod http;
pub mod observation;
pub mod ota;
mod upstream;

pub use cdn::{CdnFile, CdnSource};
pub use changelog::{Changelog, ChangelogSection, ChangelogShape};
pub use china::ChinaSource;
pub use community::{CommunityQuery, CommunitySource};
pub use config::{OtaConfig, SourceConfig, UpstreamConfig};
pub use error::{ErrorKind, SourceError, SourceId};
pub use fullrom::{FullRomForm, FullRomQuery, FullRomSource};
pub use observation::Observation;
pub use ota::{OtaBranch, OtaQuery, OtaSource};
pub use upstream::Upstream;

/// Whatever bytes a source sends, decoding gives a value or an error, never
/// a panic.
#[cfg(test)]
mod no_panic {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decoders_survive_any_input(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = crate::ota::open_answer(&bytes);
            let _ = crate::ota::decode_answer(&bytes);
            let _ = crate::ota::decode_full_rom(&bytes);
            let _ = serde_json::from_slice::<crate::Changelog>(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            let _ = crate::china::hrefs(&text);
            let _ = crate::crypto::open(&text);
            let _ = crate::Observation::of_url(crate::SourceId::Cdn, &text);
        }

        #[test]
        fn json_shaped_input_survives(text in r#"\{("(LatestRom|code|changelog|filename|md5|txt)": ?(\{|\[|"[a-z0-9.]*"|[0-9]+|null),? ?){0,6}\}?"#) {
            let _ = crate::ota::decode_answer(text.as_bytes());
            let _ = crate::ota::decode_full_rom(text.as_bytes());
            if let Ok(value) = serde_json::from_str(&text) {
                let _ = crate::china::links_of_answer(&value);
            }
        }
    }
}
