//! What a build did: file counts and the time of each phase.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::catalog::Skipped;

/// The time one phase of a build took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseTiming {
    /// `load`, `catalog`, `plan`, `render`, `link`, `publish`.
    pub phase: &'static str,
    pub seconds: f64,
}

/// The outcome of [`crate::build`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildReport {
    /// Files the site has after the build.
    pub files: usize,
    /// Files rendered and written because they are new or changed.
    pub written: usize,
    /// Files carried over from the previous version unchanged (hard-linked,
    /// not rewritten).
    pub unchanged: usize,
    /// Files of the previous version the new one no longer has.
    pub removed: usize,
    /// The directory of the version now live, or `None` when nothing
    /// changed and the previous version stays live.
    pub published: Option<PathBuf>,
    /// ROMs left out of the site, and why.
    pub skipped: Vec<Skipped>,
    pub timings: Vec<PhaseTiming>,
}

impl BuildReport {
    /// Whether the build changed the published site.
    pub fn changed(&self) -> bool {
        self.published.is_some()
    }

    /// The sum of the phase times.
    pub fn total_seconds(&self) -> f64 {
        self.timings.iter().map(|t| t.seconds).sum()
    }
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files: {} written, {} unchanged, {} removed",
            self.files, self.written, self.unchanged, self.removed
        )?;
        if !self.skipped.is_empty() {
            write!(f, ", {} ROMs skipped", self.skipped.len())?;
        }
        for t in &self.timings {
            write!(f, "\n  {:<8} {:>8.3} s", t.phase, t.seconds)?;
        }
        write!(f, "\n  {:<8} {:>8.3} s", "total", self.total_seconds())
    }
}

/// Measures consecutive phases.
pub(crate) struct Stopwatch {
    last: Instant,
    pub timings: Vec<PhaseTiming>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            last: Instant::now(),
            timings: Vec::new(),
        }
    }

    /// Ends the current phase under `phase`'s name.
    pub fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        let took: Duration = now - self.last;
        self.last = now;
        self.timings.push(PhaseTiming {
            phase,
            seconds: took.as_secs_f64(),
        });
    }
}
