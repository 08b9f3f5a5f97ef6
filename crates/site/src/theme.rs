//! The theme: templates and static assets. The default theme is embedded in
//! the binary; a theme directory overrides any file of it
//! (`<dir>/templates/<name>`, `<dir>/assets/<name>`) and may add assets.

use std::fmt;
use std::fs;
use std::path::Path;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment};
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3Default;

use crate::SiteError;
use crate::config::SiteView;
use crate::links::segment;

/// The embedded templates, by name. The extension sets the escaping:
/// `.html` and `.xml` are HTML-escaped (valid XML escaping too).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("update.html", include_str!("../templates/update.html")),
    ("redirect.html", include_str!("../templates/redirect.html")),
    ("device.html", include_str!("../templates/device.html")),
    ("archive.html", include_str!("../templates/archive.html")),
    ("os_index.html", include_str!("../templates/os_index.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("mirrors.html", include_str!("../templates/mirrors.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("rss.xml", include_str!("../templates/rss.xml")),
    ("atom.xml", include_str!("../templates/atom.xml")),
    ("sitemap.xml", include_str!("../templates/sitemap.xml")),
    (
        "sitemap_index.xml",
        include_str!("../templates/sitemap_index.xml"),
    ),
];

/// The embedded static files, served under `/assets/` (but see
/// [`ROOT_ASSETS`]).
const ASSETS: &[(&str, &[u8])] = &[
    ("site.css", include_bytes!("../assets/site.css")),
    ("site.js", include_bytes!("../assets/site.js")),
    ("favicon.ico", include_bytes!("../assets/favicon.ico")),
];

/// Assets served from the site root rather than `/assets/`: browsers ask
/// for `/favicon.ico` whatever a page says.
pub(crate) const ROOT_ASSETS: &[&str] = &["favicon.ico"];

/// A theme file larger than this is refused: templates and assets are
/// small, and a huge file is a mistake.
const MAX_THEME_FILE: u64 = 4 << 20;

/// The loaded theme, ready to render.
pub(crate) struct Theme {
    env: Environment<'static>,
    /// Asset file names and contents, embedded or from the theme directory.
    pub assets: Vec<(String, Vec<u8>)>,
    /// A hash of every template source, the site settings and the builder's
    /// version: when it changes, every page must be rendered again.
    pub salt: u128,
}

fn read_limited(path: &Path) -> Result<Vec<u8>, SiteError> {
    let meta = fs::metadata(path).map_err(SiteError::io("read", path))?;
    if meta.len() > MAX_THEME_FILE {
        return Err(SiteError::Config(format!(
            "theme file {} is larger than {} bytes",
            path.display(),
            MAX_THEME_FILE
        )));
    }
    fs::read(path).map_err(SiteError::io("read", path))
}

/// Writes a value into a template's output. Strings are escaped for HTML
/// (and XML) by [`escape_html`]; everything else goes to minijinja's own
/// formatter.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            escape_html(text, out).map_err(|e| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Escapes the five characters that are special in HTML text and quoted
/// attributes, and in XML. minijinja's escaper also turns `/` into
/// `&#x2f;`, which is safe but bloats every URL and path on a page for no
/// gain in quoted attributes.
pub(crate) fn escape_html(text: &str, out: &mut impl fmt::Write) -> fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)
}

impl Theme {
    /// Loads the embedded theme, overridden by `dir` where it has a file.
    pub fn load(dir: Option<&Path>, site: &SiteView) -> Result<Theme, SiteError> {
        if let Some(dir) = dir
            && !dir.is_dir()
        {
            return Err(SiteError::Config(format!(
                "theme directory {} does not exist",
                dir.display()
            )));
        }
        let mut env = Environment::new();
        // A misspelt variable is a bug in a template: fail the build rather
        // than publish pages with holes.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(format_value);
        let mut hasher = Xxh3Default::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(crate::precompress::FORMAT.as_bytes());
        let site_json = serde_json::to_vec(site).map_err(|source| SiteError::Json {
            path: "site config".into(),
            source,
        })?;
        hasher.update(&site_json);
        env.add_global("site", minijinja::Value::from(Serde(site)));

        for (name, embedded) in TEMPLATES {
            let source = match dir.map(|d| d.join("templates").join(name)) {
                Some(path) if path.is_file() => {
                    String::from_utf8(read_limited(&path)?).map_err(|_| {
                        SiteError::Config(format!("template {} is not UTF-8", path.display()))
                    })?
                }
                _ => (*embedded).to_string(),
            };
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
            hasher.update(source.as_bytes());
            hasher.update(&[0]);
            env.add_template_owned(*name, source)
                .map_err(|source| SiteError::Template {
                    name: (*name).to_string(),
                    source,
                })?;
        }

        let mut assets: Vec<(String, Vec<u8>)> = ASSETS
            .iter()
            .map(|(name, bytes)| ((*name).to_string(), bytes.to_vec()))
            .collect();
        if let Some(asset_dir) = dir.map(|d| d.join("assets")).filter(|d| d.is_dir()) {
            let entries = fs::read_dir(&asset_dir).map_err(SiteError::io("list", &asset_dir))?;
            for entry in entries {
                let entry = entry.map_err(SiteError::io("list", &asset_dir))?;
                let path = entry.path();
                if !path.is_file() {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                // Assets become files of the site: the same rules as any path.
                segment("theme asset", &name)?;
                let bytes = read_limited(&path)?;
                match assets.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = bytes,
                    None => assets.push((name, bytes)),
                }
            }
            assets.sort();
        }
        Ok(Theme {
            env,
            assets,
            salt: hasher.digest128(),
        })
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String, SiteError> {
        let err = |source| SiteError::Template {
            name: name.to_string(),
            source,
        };
        self.env
            .get_template(name)
            .map_err(err)?
            .render(Serde(ctx))
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_html_and_xml_need() {
        let mut out = String::new();
        escape_html(r#"<a href="x">Tom & 'Jerry'</a> /ok/"#, &mut out).unwrap();
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; /ok/"
        );
    }
}
