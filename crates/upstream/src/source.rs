//! The seam between the tracker and the sources: each Xiaomi source is one
//! [`Source`] implementation, asked one query at a time.

use std::future::Future;

use crate::error::{SourceError, SourceId};
use crate::observation::Observation;

/// A Xiaomi source that, asked about something, answers with the packages
/// it knows of.
pub trait Source {
    /// What one request asks (a device and version, a post, a link).
    type Query: Sync;

    fn id(&self) -> SourceId;

    /// Asks the source once. No retries here: the tracker owns retry and
    /// rate-limit policy, guided by [`SourceError::is_transient`] and
    /// [`SourceError::retry_after`].
    fn observe(
        &self,
        query: &Self::Query,
    ) -> impl Future<Output = Result<Vec<Observation>, SourceError>> + Send;
}
