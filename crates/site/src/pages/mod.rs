//! The HTML pages: their contexts and the artifacts that render them.
//!
//! - [`update`]: one page per update, and redirects from the reference's
//!   old paths with a space.
//! - [`device`]: per device, the latest releases and the whole archive.
//! - [`since`]: per device, the builds of each variant for "since my
//!   version".
//! - [`listing`]: the OS indexes, the home page, the search page and the
//!   404 page.

mod device;
mod listing;
mod since;
mod update;

use serde::Serialize;

pub(crate) use device::{ArchivePage, DevicePage, device_pages, latest_of};
pub(crate) use listing::{HomePage, NotFoundPage, OsIndexPage, SearchPage, listing_pages};
pub(crate) use update::{RedirectPage, UpdatePage, update_pages};

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

/// The feed files of one feed (global, a device, an OS line), from the
/// site root.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedLinks {
    pub rss: String,
    pub atom: String,
    pub json: String,
}
