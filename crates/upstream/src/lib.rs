//! Adapters for Xiaomi's ROM servers, and `sim`, a simulated upstream that
//! speaks the same wire formats.
//!
//! Each source of UPSTREAM.md §1–5 is one module implementing [`Source`]:
//! asked a query, it answers with [`Observation`]s (a package file name or
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
pub mod sim;
pub mod source;

pub use cdn::{CdnFile, CdnSource};
pub use changelog::{Changelog, ChangelogSection, ChangelogShape};
pub use china::ChinaSource;
pub use community::{CommunityQuery, CommunitySource};
pub use config::{OtaConfig, SourceConfig, UpstreamConfig};
pub use error::{ErrorKind, SourceError, SourceId, strip_signed_query};
pub use fullrom::{FullRomForm, FullRomQuery, FullRomSource};
pub use observation::Observation;
pub use ota::{OtaBranch, OtaQuery, OtaSource};
pub use source::Source;
