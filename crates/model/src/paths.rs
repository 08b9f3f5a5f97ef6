//! The URL paths of the site's pages, kept in one place so that the site
//! builder, the notifier and the server link to the same addresses. They
//! follow the reference site's scheme, so that existing links keep working.
//!
//! Codenames ([`Codename`]) and versions ([`Version`](crate::Version)) are
//! safe as path segments by construction.

use crate::{Codename, OsFamily, Rom};

/// `/<os>/<codename>/<branch>/<version>/`: the page of one update.
pub fn update_page(rom: &Rom) -> String {
    format!(
        "/{}/{}/{}/{}/",
        rom.os.family.slug(),
        rom.codename,
        rom.branch.slug(),
        rom.version
    )
}

/// `/<os>/<codename>/`: a device's latest ROMs.
pub fn device_page(os: OsFamily, codename: &Codename) -> String {
    format!("/{}/{}/", os.slug(), codename)
}

/// `/archive/<os>/<codename>/`: every ROM of a device.
pub fn archive_page(os: OsFamily, codename: &Codename) -> String {
    format!("/archive/{}/{}/", os.slug(), codename)
}

/// Joins a site's base URL (`https://example.org` or with a trailing `/`)
/// and a path from this module.
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_reference_scheme() {
        let codename = Codename::new("capricorn").unwrap();
        assert_eq!(device_page(OsFamily::Miui, &codename), "/miui/capricorn/");
        assert_eq!(
            archive_page(OsFamily::HyperOs, &codename),
            "/archive/hyperos/capricorn/"
        );
        assert_eq!(absolute("https://x.org/", "/miui/"), "https://x.org/miui/");
    }
}
