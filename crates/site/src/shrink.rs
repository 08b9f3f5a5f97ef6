//! The guard against publishing a site that lost most of its pages.
//!
//! A site is rebuilt from the store as it is; an empty or wrong database
//! (a zero-length file, the wrong `--db`) would otherwise build and
//! publish an almost empty site in place of the real one. A release
//! history only grows, so a build that would remove more than half of the
//! published files is refused unless the operator says it is meant
//! ([`Shrink::Allow`], `--allow-shrink`). Every way of publishing goes
//! through [`check_shrink`].

use crate::SiteError;

/// Whether a publish may remove most of the published site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shrink {
    /// Refuse to remove more than half of the published files.
    #[default]
    Refuse,
    /// Publish whatever the data gives (`--allow-shrink`).
    Allow,
}

/// Checks that removing `removed` of the `published` files of the live
/// site is allowed.
pub fn check_shrink(published: usize, removed: usize, shrink: Shrink) -> Result<(), SiteError> {
    if shrink == Shrink::Refuse && removed > 0 && removed * 2 > published {
        return Err(SiteError::Shrink { published, removed });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_half_removed_is_refused_unless_allowed() {
        assert!(check_shrink(100, 50, Shrink::Refuse).is_ok());
        assert!(check_shrink(0, 0, Shrink::Refuse).is_ok());
        let err = check_shrink(32_436, 32_421, Shrink::Refuse).unwrap_err();
        assert!(err.to_string().contains("--allow-shrink"), "{err}");
        assert!(check_shrink(32_436, 32_421, Shrink::Allow).is_ok());
        assert!(check_shrink(1, 1, Shrink::Refuse).is_err());
    }
}
