//! The builder's input: plain release data, independent of any store.

use std::collections::HashMap;

use romwatch_model::{Device, FileMirrors, HostHealth, Rom};

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
    /// Files made elsewhere and published as they are, such as the
    /// reference-compatible `latest.yml` the store exports.
    pub extra_files: Vec<ExtraFile>,
    /// What the mirror checks found, by file name: a file not here is
    /// unchecked on every host.
    pub mirrors: HashMap<String, FileMirrors>,
    /// Each mirror host's record over the last days, for the mirrors page.
    pub hosts: Vec<HostHealth>,
}

/// A file published as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraFile {
    /// The path in the site, `/`-separated, without a leading `/`
    /// (`latest.yml`, `api/v1/latest.yml`). Checked like every path: a
    /// segment that could leave the output directory fails the build.
    pub path: String,
    pub bytes: Vec<u8>,
}
