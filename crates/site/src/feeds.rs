//! Feeds: RSS 2.0, Atom and JSON Feed 1.1 of the newest releases, for the
//! whole site, each OS family and line, and each device.
//!
//! Every date in a feed comes from the data (release date, else the day the
//! ROM was first seen), never from the clock, so that a rebuild without new
//! data leaves the feeds untouched.
//!
//! Direction: pages link to their feeds through [`FeedLinks`], so `pages`
//! depends on this module and never the reverse.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use romwatch_model::{OsFamily, OsLine};
use serde::Serialize;
use serde_json::json;

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::{Catalog, DeviceKey};
use crate::config::SiteView;
use crate::dates::rfc2822;
use crate::links::SitePath;
use crate::views::{RomView, device_path};

/// The context of `rss.xml` and `atom.xml`.
#[derive(Serialize)]
pub(crate) struct FeedPage {
    pub title: String,
    pub description: String,
    /// The HTML page the feed belongs to (absolute).
    pub home_url: String,
    /// The feed's own URL (absolute).
    pub self_url: String,
    /// The newest item's date; none for an RSS feed of no ROM at all.
    pub updated_rfc3339: Option<String>,
    pub updated_rfc2822: Option<String>,
    pub items: Vec<FeedItem>,
}

#[derive(Clone, Serialize)]
pub(crate) struct FeedItem {
    pub id: String,
    pub title: String,
    /// The update page (absolute).
    pub url: String,
    pub rfc3339: String,
    pub rfc2822: String,
    /// Plain text: version, size, MD5, security patch (when known) and
    /// download link.
    pub summary: String,
    pub download: Option<String>,
    /// The download's media type, for enclosures.
    pub mime: &'static str,
    pub size_bytes: Option<u64>,
}

/// What stays unescaped of a package name in an item's ID, a URL fragment:
/// Atom wants IDs that are valid IRIs, and upstream names are not trusted
/// to be.
const FRAGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'_').remove(b'-');

const RSS: &str = "rss.xml";
const ATOM: &str = "atom.xml";
const JSON_FEED: &str = "feed.json";

/// The feed files of one feed (global, a device, an OS line), from the
/// site root.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FeedLinks {
    pub rss: String,
    pub atom: String,
    pub json: String,
}

fn links(dirs: &[&str]) -> Result<FeedLinks, SiteError> {
    Ok(FeedLinks {
        rss: SitePath::file(dirs, RSS)?.url(),
        atom: SitePath::file(dirs, ATOM)?.url(),
        json: SitePath::file(dirs, JSON_FEED)?.url(),
    })
}

pub(crate) fn global_feed_links() -> Result<FeedLinks, SiteError> {
    links(&[])
}

pub(crate) fn device_feed_links(key: &DeviceKey) -> Result<FeedLinks, SiteError> {
    links(&[key.family.slug(), key.codename])
}

/// The directory of an OS line's feeds: `feeds/miui-14`, `feeds/hyperos-2`.
fn line_dir(line: &OsLine) -> Option<String> {
    line.major.map(|m| format!("{}-{m}", line.family.slug()))
}

/// The media type of a package: fastboot `.tgz` or recovery `.zip`.
fn mime_of(filename: &str) -> &'static str {
    if filename.ends_with(".tgz") {
        "application/gzip"
    } else {
        "application/zip"
    }
}

/// One feed in its three formats.
struct FeedSpec<'s> {
    dirs: Vec<&'s str>,
    title: String,
    description: String,
    /// The HTML page the feed belongs to, from the site root.
    home: String,
    /// Dated ROMs, newest first.
    items: Vec<usize>,
    /// The feed's date when it has no item: when its newest undated ROM
    /// was recorded (a feed format may require a date).
    recorded: Option<DateTime<Utc>>,
}

/// The newest time any of `roms` was recorded.
fn last_recorded(
    catalog: &Catalog,
    roms: impl IntoIterator<Item = usize>,
) -> Option<DateTime<Utc>> {
    roms.into_iter().map(|i| catalog.rom(i).first_seen).max()
}

/// Every feed of the site.
pub(crate) fn feeds<'a>(
    catalog: &Catalog<'a>,
    site: &SiteView,
    count: usize,
) -> Result<Vec<Artifact<'a>>, SiteError> {
    let dated = |i: &usize| catalog.published(*i).is_some();
    let full = |i: &usize| !catalog.rom(*i).kind.is_incremental();
    let newest: Vec<usize> = catalog
        .all_newest_first()
        .into_iter()
        .filter(full)
        .collect();
    let mut specs = vec![FeedSpec {
        dirs: Vec::new(),
        title: site.title.clone(),
        description: site.description.clone(),
        home: "/".into(),
        items: newest.iter().copied().filter(dated).take(count).collect(),
        recorded: last_recorded(catalog, newest.iter().copied()),
    }];
    let mut by_family: BTreeMap<OsFamily, Vec<usize>> = BTreeMap::new();
    let mut by_line: BTreeMap<String, (OsLine, Vec<usize>)> = BTreeMap::new();
    for i in newest.iter().copied().filter(dated) {
        let os = catalog.rom(i).os;
        let family = by_family.entry(os.family).or_default();
        if family.len() < count {
            family.push(i);
        }
        if let Some(dir) = line_dir(&os) {
            let line = by_line.entry(dir).or_insert_with(|| (os, Vec::new()));
            if line.1.len() < count {
                line.1.push(i);
            }
        }
    }
    for (family, items) in by_family {
        specs.push(FeedSpec {
            dirs: vec![family.slug()],
            title: format!("{}: {} releases", site.title, family.name()),
            description: format!("The newest official {} ROMs.", family.name()),
            home: format!("/{}/", family.slug()),
            items,
            recorded: None,
        });
    }
    for (dir, (line, items)) in &by_line {
        specs.push(FeedSpec {
            dirs: vec!["feeds", dir.as_str()],
            title: format!("{}: {line} releases", site.title),
            description: format!("The newest official {line} ROMs."),
            home: format!("/{}/", line.family.slug()),
            items: items.clone(),
            recorded: None,
        });
    }
    for (key, releases) in &catalog.devices {
        let name = catalog.device_name(key);
        // Its full builds; a device with none has its incrementals.
        let mut items: Vec<usize> = releases
            .iter()
            .copied()
            .filter(full)
            .filter(dated)
            .take(count)
            .collect();
        if items.is_empty() {
            items = releases.iter().copied().filter(dated).take(count).collect();
        }
        specs.push(FeedSpec {
            dirs: vec![key.family.slug(), key.codename],
            title: format!(
                "{}: {name} ({}) {}",
                site.title,
                key.codename,
                key.family.name()
            ),
            description: format!(
                "The newest official {} ROMs for {name} ({}).",
                key.family.name(),
                key.codename
            ),
            home: device_path(key)?.url(),
            items,
            recorded: last_recorded(catalog, releases.iter().copied()),
        });
    }
    let mut out = Vec::with_capacity(specs.len() * 3);
    for spec in specs {
        out.extend(feed_files(catalog, site, spec)?);
    }
    Ok(out)
}

fn feed_files<'a>(
    catalog: &Catalog<'a>,
    site: &SiteView,
    spec: FeedSpec,
) -> Result<[Artifact<'a>; 3], SiteError> {
    let absolute = |path: &str| format!("{}{path}", site.base_url);
    let mut items = Vec::with_capacity(spec.items.len());
    let mut updated: Option<DateTime<Utc>> = None;
    // Newest first by the time each item carries (within a day, a ROM seen
    // as it came out is newer than one known only by its date).
    let mut dated: Vec<(usize, DateTime<Utc>)> = spec
        .items
        .iter()
        .filter_map(|&i| Some((i, catalog.published(i)?)))
        .collect();
    dated.sort_by_key(|&(_, date)| std::cmp::Reverse(date));
    for (i, date) in dated {
        let rom = catalog.rom(i);
        // The catalog leaves out ROMs whose date a feed cannot carry.
        let Some(date_rfc2822) = rfc2822(date) else {
            continue;
        };
        let view = RomView::new(catalog, i)?;
        updated = Some(updated.map_or(date, |u| u.max(date)));
        let mut summary = format!(
            "{} {} {} {} for {} ({}).",
            view.os_line, view.version, view.branch, view.method, view.device, view.codename
        );
        summary.push_str(&format!("\nPackage: {}", view.filename));
        if let Some(size) = &view.size {
            summary.push_str(&format!("\nSize: {size}"));
        }
        let md5_note = if view.md5_is_prefix {
            " (first 10 digits)"
        } else {
            ""
        };
        summary.push_str(&format!("\nMD5: {}{md5_note}", view.md5));
        if let Some(patch) = &view.security_patch {
            summary.push_str(&format!("\nSecurity patch: {patch}"));
        }
        if let Some(url) = &view.download {
            summary.push_str(&format!("\nDownload: {url}"));
        }
        let url = absolute(&view.page);
        items.push(FeedItem {
            id: format!("{url}#{}", utf8_percent_encode(&rom.filename, FRAGMENT)),
            title: format!(
                "{} {} {} ({}) for {}",
                view.os, view.version, view.branch, view.method, view.device
            ),
            url,
            rfc3339: date.to_rfc3339(),
            rfc2822: date_rfc2822,
            summary,
            download: view.download.clone(),
            mime: mime_of(&rom.filename),
            size_bytes: view.size_bytes,
        });
    }
    // An empty feed has no newest item: it is as new as its newest
    // undated ROM, or has no date at all.
    let updated = updated.or(spec.recorded);
    let rss_path = SitePath::file(&spec.dirs, RSS)?;
    let atom_path = SitePath::file(&spec.dirs, ATOM)?;
    let json_path = SitePath::file(&spec.dirs, JSON_FEED)?;
    let json_feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "description": spec.description,
        "home_page_url": absolute(&spec.home),
        "feed_url": absolute(&json_path.url()),
        "items": items.iter().map(|item| {
            let mut entry = json!({
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "content_text": item.summary,
                "date_published": item.rfc3339,
            });
            if let Some(download) = &item.download {
                let mut attachment = json!({
                    "url": download,
                    "mime_type": item.mime,
                });
                if let Some(size) = item.size_bytes {
                    attachment["size_in_bytes"] = json!(size);
                }
                entry["attachments"] = json!([attachment]);
            }
            entry
        }).collect::<Vec<_>>(),
    });
    let page =
        |self_path: &SitePath, items: Vec<FeedItem>, updated: Option<DateTime<Utc>>| FeedPage {
            title: spec.title.clone(),
            description: spec.description.clone(),
            home_url: absolute(&spec.home),
            self_url: absolute(&self_path.url()),
            updated_rfc3339: updated.map(|u| u.to_rfc3339()),
            updated_rfc2822: updated.and_then(rfc2822),
            items,
        };
    let rss = page(&rss_path, items.clone(), updated);
    // Atom requires a date even of a feed of nothing (an empty store):
    // the Unix epoch, "never updated", where the data gives none (the
    // clock would rewrite the feed on every build).
    let atom = page(
        &atom_path,
        items,
        Some(updated.unwrap_or(DateTime::UNIX_EPOCH)),
    );
    Ok([
        Artifact::page(rss_path, "rss.xml", rss),
        Artifact::page(atom_path, "atom.xml", atom),
        Artifact::json(json_path, &json_feed)?,
    ])
}
