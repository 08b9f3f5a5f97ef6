//! The HTML pages: their contexts and the artifacts that render them.
//!
//! - [`update`]: one page per update, and redirects from the reference's
//!   old paths with a space.
//! - [`device`]: per device, the latest releases and the whole archive.
//! - [`since`]: per device, the builds of each variant for "since my
//!   version".
//! - [`listing`]: the OS indexes, the home page, the search page and the
//!   404 page.
//! - [`mirrors`]: each mirror host's record.
//!
//! Direction: pages use `artifact` (a page type is a template context by
//! being serializable), `feeds` (their feed links), `catalog` and `views`;
//! none of those knows a page type.

mod device;
mod listing;
mod mirrors;
mod since;
mod update;

use serde::Serialize;

pub(crate) use device::{device_pages, latest_of};
pub(crate) use listing::listing_pages;
pub(crate) use mirrors::mirrors_page;
pub(crate) use update::update_pages;

/// What every page's `<head>` and breadcrumb need.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Meta {
    /// The `<title>` and the `<h1>`.
    pub title: String,
    /// The page's URL path from the site root, for the canonical link.
    pub url: String,
    pub description: String,
    /// The breadcrumb trail above the page heading (empty on the home page).
    pub crumbs: Vec<Crumb>,
}

/// One step of a breadcrumb: a label and, except for the current page, a
/// link.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Crumb {
    pub label: String,
    pub url: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, url: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            url: Some(url.into()),
        }
    }
    pub fn here(label: impl Into<String>) -> Crumb {
        Crumb {
            label: label.into(),
            url: None,
        }
    }
}
