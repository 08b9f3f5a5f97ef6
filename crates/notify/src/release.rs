//! What every message says about an event, whatever the channel: the
//! release's facts and its links, computed once.

use romwatch_model::{Kind, Link, paths};
use romwatch_store::{Event, EventKind};

/// Where the published site lives, for links in messages.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

/// The facts of a release as messages show them.
pub struct Release<'a> {
    pub event: &'a Event,
    /// `MIUI` or `HyperOS`, for the hashtag.
    pub os_tag: &'static str,
    pub device_name: &'a str,
    pub codename: &'a str,
    /// Branch and method: `Stable Recovery`, `Weekly Fastboot`,
    /// `Stable Incremental`.
    pub kind_label: String,
    pub version: &'a str,
    pub android: Option<&'a str>,
    pub size: Option<String>,
    /// The full MD5, or the name's 10-hex prefix marked as such.
    pub md5: Option<String>,
    pub changelog: Option<&'a str>,
    pub download: Option<&'a str>,
    pub incremental: Option<&'a str>,
    pub update_page: String,
    /// The site's address, for links made from this release.
    pub base_url: &'a str,
    pub device_page: String,
    pub archive_page: String,
    /// A test message (`romwatch notify test`), not a real announcement.
    pub test: bool,
}

impl<'a> Release<'a> {
    pub fn of(event: &'a Event, links: &'a Links) -> Release<'a> {
        let rom = &event.rom;
        let family = rom.os.family;
        let method = match rom.kind {
            Kind::Incremental { .. } => "Incremental",
            Kind::Full => rom.method.name(),
        };
        Release {
            event,
            os_tag: family.name(),
            device_name: &event.device.name,
            codename: rom.codename.as_str(),
            kind_label: format!("{} {method}", rom.branch),
            version: rom.version.as_str(),
            android: rom.android.as_deref(),
            size: rom.size.map(|s| s.human()),
            md5: rom.md5.map(|m| {
                if m.is_full() {
                    m.to_string()
                } else {
                    format!("{m}… (prefix)")
                }
            }),
            changelog: rom.changelog.as_deref().filter(|c| !c.trim().is_empty()),
            download: rom.url.as_ref().map(Link::as_str),
            incremental: event.incremental_url.as_ref().map(Link::as_str),
            update_page: paths::absolute(&links.base_url, &paths::update_page(rom)),
            base_url: &links.base_url,
            device_page: paths::absolute(
                &links.base_url,
                &paths::device_page(family, &rom.codename),
            ),
            archive_page: paths::absolute(
                &links.base_url,
                &paths::archive_page(family, &rom.codename),
            ),
            test: false,
        }
    }

    /// The headline: what happened.
    pub fn headline(&self) -> &'static str {
        if self.test {
            return "Test message from romwatch (this is how releases will look)";
        }
        match self.event.kind {
            EventKind::New => "New update available!",
            EventKind::Promoted => "Now a Stable release!",
            EventKind::Md5 => "MD5 now known",
            EventKind::Size => "Size now known",
            EventKind::Withdrawn => "Withdrawn: every mirror answers 404",
            EventKind::Restored => "Back online on the mirrors",
        }
    }
}
