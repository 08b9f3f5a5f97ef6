//! Artifacts: the files of a site, each described by what it is made from
//! (a template and its context, or bytes), so that the builder can tell
//! whether a file changed without rendering it.
//!
//! Direction: the modules that make files (`pages`, `feeds`, `sitemap`,
//! `api`, `search`) build artifacts; this module knows none of them. A
//! template's context is any [`PageContext`], and every serializable page
//! type is one.

use std::io;

use chrono::NaiveDate;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3Default;

use crate::SiteError;
use crate::links::SitePath;
use crate::theme::Theme;

/// The context of a templated file: what its template sees, and what its
/// fingerprint hashes. Templates see the fields of the page type directly.
pub(crate) trait PageContext: Send + Sync {
    /// Writes the context as JSON (for the fingerprint).
    fn write_json(&self, out: &mut dyn io::Write) -> serde_json::Result<()>;
    /// The context as the template engine's value.
    fn to_value(&self) -> minijinja::Value;
}

impl<T: Serialize + Send + Sync> PageContext for T {
    fn write_json(&self, out: &mut dyn io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }

    fn to_value(&self) -> minijinja::Value {
        minijinja::Value::from(minijinja::value::Serde(self))
    }
}

pub(crate) enum Body<'a> {
    /// Boxed: page contexts differ in type, and are much larger than a
    /// byte buffer.
    Template {
        name: &'static str,
        ctx: Box<dyn PageContext + 'a>,
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
    pub fn page(path: SitePath, name: &'static str, ctx: impl PageContext + 'a) -> Artifact<'a> {
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
                ctx.write_json(&mut HashWriter(&mut hasher))
                    .map_err(|source| SiteError::Json {
                        path: self.path.to_string(),
                        source,
                    })?;
            }
            Body::Bytes(bytes) => hasher.update(bytes),
        }
        Ok(hasher.digest128())
    }

    /// The file's content.
    pub fn render(&self, theme: &Theme) -> Result<Vec<u8>, SiteError> {
        match &self.body {
            Body::Template { name, ctx } => {
                theme.render(name, &ctx.to_value()).map(String::into_bytes)
            }
            Body::Bytes(bytes) => Ok(bytes.clone()),
        }
    }
}
