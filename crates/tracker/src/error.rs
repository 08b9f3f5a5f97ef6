//! Why a tracking run could not go on. Failures of single checks are not
//! errors: they are counted in the run's summary and the run continues.

use romwatch_store::StoreError;
use romwatch_upstream::SourceError;

#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// An HTTP client could not be built (the TLS backend failed to start).
    #[error("cannot set up the upstream clients")]
    Upstream(#[from] SourceError),
}
