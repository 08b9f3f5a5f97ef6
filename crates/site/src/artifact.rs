//! Artifacts: the files of a site, each described by what it is made from
//! (a template and its context, or bytes), so that the builder can tell
//! whether a file changed without rendering it.

use std::io;

use chrono::NaiveDate;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3Default;

use crate::SiteError;
use crate::feeds::FeedPage;
use crate::links::SitePath;
use crate::pages::{
    ArchivePage, DevicePage, HomePage, NotFoundPage, OsIndexPage, RedirectPage, SearchPage,
    UpdatePage,
};
use crate::sitemap::{SitemapIndexPage, SitemapPage};
use crate::theme::Theme;

/// The context of a templated file. Untagged: templates see the fields of
/// the page type directly.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Ctx<'a> {
    Update(UpdatePage<'a>),
    Redirect(RedirectPage),
    Device(DevicePage<'a>),
    Archive(ArchivePage<'a>),
    OsIndex(OsIndexPage),
    Home(HomePage<'a>),
    NotFound(NotFoundPage),
    Search(SearchPage),
    Feed(FeedPage),
    Sitemap(SitemapPage),
    SitemapIndex(SitemapIndexPage),
}

pub(crate) enum Body<'a> {
    /// Boxed: page contexts are much larger than a byte buffer.
    Template {
        name: &'static str,
        ctx: Box<Ctx<'a>>,
    },
    Bytes(Vec<u8>),
}

/// One file of the site.
pub(crate) struct Artifact<'a> {
    pub path: SitePath,
    pub body: Body<'a>,
    /// For pages: the date of the newest release shown, the sitemap's
    /// `lastmod`.
    pub lastmod: Option<NaiveDate>,
}

/// Feeds serialized bytes into a hash.
struct HashWriter<'h>(&'h mut Xxh3Default);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> Artifact<'a> {
    pub fn page(path: SitePath, name: &'static str, ctx: Ctx<'a>) -> Artifact<'a> {
        Artifact {
            path,
            body: Body::Template {
                name,
                ctx: Box::new(ctx),
            },
            lastmod: None,
        }
    }

    pub fn bytes(path: SitePath, bytes: Vec<u8>) -> Artifact<'a> {
        Artifact {
            path,
            body: Body::Bytes(bytes),
            lastmod: None,
        }
    }

    pub fn json(path: SitePath, value: &impl Serialize) -> Result<Artifact<'a>, SiteError> {
        let bytes = serde_json::to_vec(value).map_err(|source| SiteError::Json {
            path: path.to_string(),
            source,
        })?;
        Ok(Artifact::bytes(path, bytes))
    }

    pub fn with_lastmod(mut self, lastmod: Option<NaiveDate>) -> Artifact<'a> {
        self.lastmod = lastmod;
        self
    }

    /// A fingerprint of everything the file's content depends on: the
    /// theme's salt, the template and its context, or the bytes. Equal
    /// fingerprints mean equal files, so unchanged files need no rendering.
    pub fn fingerprint(&self, salt: u128) -> Result<u128, SiteError> {
        let mut hasher = Xxh3Default::new();
        hasher.update(&salt.to_le_bytes());
        match &self.body {
            Body::Template { name, ctx } => {
                hasher.update(name.as_bytes());
                hasher.update(&[0]);
                serde_json::to_writer(HashWriter(&mut hasher), ctx).map_err(|source| {
                    SiteError::Json {
                        path: self.path.to_string(),
                        source,
                    }
                })?;
            }
            Body::Bytes(bytes) => hasher.update(bytes),
        }
        Ok(hasher.digest128())
    }

    /// The file's content.
    pub fn render(&self, theme: &Theme) -> Result<Vec<u8>, SiteError> {
        match &self.body {
            Body::Template { name, ctx } => theme.render(name, ctx).map(String::into_bytes),
            Body::Bytes(bytes) => Ok(bytes.clone()),
        }
    }
}
