//! The checked relative paths the builder writes to. (Links to downloads
//! are checked once, as the model's [`Link`](romwatch_model::Link).)

use std::fmt;

use crate::SiteError;

/// A file path inside the output directory, `/`-separated. Every segment was
/// checked by [`segment`], so a `SitePath` can never name anything outside
/// the output directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct SitePath(String);

/// Checks one path segment: 1 to 100 ASCII letters, digits, `.`, `_`, `-`
/// (and spaces for the reference's old redirect paths), not starting with
/// `.` (no `.`, `..` or hidden files).
pub(crate) fn segment<'a>(what: &'static str, value: &'a str) -> Result<&'a str, SiteError> {
    let ok = (1..=100).contains(&value.len())
        && !value.starts_with('.')
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b' '));
    if ok {
        Ok(value)
    } else {
        Err(SiteError::UnsafeSegment {
            what,
            value: value.to_string(),
        })
    }
}

impl SitePath {
    /// The `index.html` of the directory made of `dirs` (the page at
    /// `/dirs/`).
    pub fn page(dirs: &[&str]) -> Result<SitePath, SiteError> {
        SitePath::file(dirs, "index.html")
    }

    /// The file `name` in the directory made of `dirs`.
    pub fn file(dirs: &[&str], name: &str) -> Result<SitePath, SiteError> {
        let mut path = String::new();
        for dir in dirs {
            path.push_str(segment("directory", dir)?);
            path.push('/');
        }
        path.push_str(segment("file name", name)?);
        Ok(SitePath(path))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL path this file is served at, from the site root: an
    /// `index.html` is served as its directory (`/miui/alioth/`).
    pub fn url(&self) -> String {
        match self.0.strip_suffix("index.html") {
            Some(dir) => format!("/{dir}"),
            None => format!("/{}", self.0),
        }
    }
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_output_directory() {
        for bad in ["..", ".", "", "a/b", "a\\b", ".hidden", "a\0b", " x"] {
            assert!(SitePath::page(&["miui", bad]).is_err(), "{bad:?}");
        }
        let ok = SitePath::page(&["miui", "capricorn", "stable beta", "V9.5.1.0.NAIMIFA"]).unwrap();
        assert_eq!(
            ok.as_str(),
            "miui/capricorn/stable beta/V9.5.1.0.NAIMIFA/index.html"
        );
        assert_eq!(
            SitePath::page(&["miui", "capricorn"]).unwrap().url(),
            "/miui/capricorn/"
        );
        assert_eq!(SitePath::file(&[], "rss.xml").unwrap().url(), "/rss.xml");
    }
}
