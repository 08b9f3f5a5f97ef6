//! The builder's input: plain release data, independent of any store.

use romwatch_model::{Device, Rom};

/// Everything the site shows. `roms` come in store order (the order they
/// were recorded); cards on an update page keep that order, as the
/// reference site did.
///
/// Incremental packages are [`Rom`]s of kind `Incremental { from }` whose
/// `version` is the version they update *to*.
#[derive(Debug, Clone, Default)]
pub struct SiteData {
    /// Device variants, for their marketing names. A ROM whose variant is
    /// not listed shows its variant codename instead.
    pub devices: Vec<Device>,
    pub roms: Vec<Rom>,
}
