//! Download links: the one place romwatch reads, cleans and builds URLs.
//!
//! Upstream URLs are untrusted text. A [`Link`] is what is left once one has
//! been checked: an absolute `http(s)` URL with a host name, at most
//! [`MAX_LINK_LEN`] bytes, holding no character that would need escaping in
//! HTML, and without its query string or fragment, since signed CDN links
//! append `?t=<epoch>&s=<signature>`, which expires and must never be stored.
//! Parsing is the `url` crate's; the functions on raw text below are for
//! inputs that may be a bare file name rather than a URL.

use std::fmt;
use std::str::FromStr;

use url::{Host, Url};

/// The longest link accepted.
pub const MAX_LINK_LEN: usize = 1024;

/// A checked download link (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link(Url);

/// Text that is not a usable link, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a valid link: {reason}")]
pub struct LinkError {
    pub text: String,
    pub reason: &'static str,
}

impl Link {
    /// Checks a download link and strips its query and fragment (the
    /// signature of a signed link).
    pub fn parse(text: &str) -> Result<Link, LinkError> {
        let text = text.trim();
        let fail = |reason| LinkError {
            text: text.chars().take(200).collect(),
            reason,
        };
        if text.len() > MAX_LINK_LEN {
            return Err(fail("longer than 1024 bytes"));
        }
        // The `url` crate would quietly escape or drop these; a link holding
        // them is refused instead, so what is stored is what was seen.
        let unsafe_char = |c: char| {
            !c.is_ascii_graphic()
                || matches!(
                    c,
                    '"' | '\'' | '<' | '>' | '\\' | '`' | '{' | '}' | '|' | '^'
                )
        };
        if text.chars().any(unsafe_char) {
            return Err(fail(
                "holds spaces, quotes or other characters a link cannot",
            ));
        }
        let mut url = Url::parse(text).map_err(|_| fail("not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fail("not an http(s) URL"));
        }
        // The `url` crate reads `https:x` and `https:///x` as `https://x/`:
        // a link must name its host right after `://`.
        let after_scheme = text.get(url.scheme().len()..).unwrap_or_default();
        let names_host = after_scheme.starts_with("://") && !after_scheme[3..].starts_with('/');
        if !names_host {
            return Err(fail("no host after `://`"));
        }
        let host_ok = match url.host() {
            Some(Host::Domain(name)) => {
                name.len() <= 253
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            }
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
            None => false,
        };
        if !host_ok || !url.username().is_empty() || url.password().is_some() {
            return Err(fail("no plain host name"));
        }
        url.set_query(None);
        url.set_fragment(None);
        Ok(Link(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host name (`bigota.d.miui.com`).
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The host with its port, where the link names one
    /// (`127.0.0.1:8080`): what a mirror list holds.
    pub fn authority(&self) -> String {
        match self.0.port() {
            Some(port) => format!("{}:{port}", self.host()),
            None => self.host().to_string(),
        }
    }

    /// The path from the root, `/` at least (`/V14.0.1.0.TKHMIXM/a.zip`).
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// The last segment of the path: the file a download link serves.
    pub fn file_name(&self) -> &str {
        self.0
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .unwrap_or_default()
    }

    /// The same scheme and path on another host: a mirror of the file.
    /// `host` may carry a port (`mirror.example:8080`).
    pub fn on_host(&self, host: &str) -> Result<Link, LinkError> {
        let mirror = Link::parse(&format!("{}://{host}{}", self.0.scheme(), self.0.path()))?;
        // `a/b` would parse as host `a` and a longer path: not a host name.
        if mirror.authority().eq_ignore_ascii_case(host) {
            Ok(mirror)
        } else {
            Err(LinkError {
                text: host.chars().take(200).collect(),
                reason: "not a host name",
            })
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Link {
    type Err = LinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Link::parse(s)
    }
}

serde_as_text!(Link);

/// `text` without its query string and fragment: a URL's signature
/// removed, or a bare file name as it is.
pub fn strip_signed_query(text: &str) -> &str {
    let end = text.find(['?', '#']).unwrap_or(text.len());
    &text[..end]
}

/// The file name at the end of a download URL (or a bare file name), without
/// a query string or fragment.
pub fn file_name_of_url(text: &str) -> &str {
    let path = strip_signed_query(text);
    path.rsplit('/').next().unwrap_or(path)
}

/// The last two path segments of a package link (or of a
/// `<version>/<filename>` path), without its query: the version directory
/// and the file name a mirror serves the package under. Either is empty
/// when the text has no such segment.
pub fn package_segments(text: &str) -> (&str, &str) {
    let mut segments = strip_signed_query(text).rsplit('/');
    let filename = segments.next().unwrap_or_default();
    let version = segments.next().unwrap_or_default();
    (version, filename)
}

/// A URL fit for errors and logs: a query carrying a signature (a `t` or `s`
/// parameter) is removed, since it is a credential of sorts; other queries
/// (`?postId=…`) stay, as they say what was asked.
pub fn redact_signature(text: &str) -> String {
    let Ok(mut url) = Url::parse(text) else {
        return text.to_string();
    };
    let signed = url.query_pairs().any(|(key, _)| key == "t" || key == "s");
    if !signed {
        return text.to_string();
    }
    url.set_query(None);
    url.set_fragment(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_link_splits_into_version_and_file() {
        assert_eq!(
            package_segments("https://bn.d.miui.com/V14.0.1.0.TKHMIXM/a_b.zip?t=1"),
            ("V14.0.1.0.TKHMIXM", "a_b.zip")
        );
        assert_eq!(package_segments("OS2.0.1.0/a.zip"), ("OS2.0.1.0", "a.zip"));
        assert_eq!(package_segments("a.zip"), ("", "a.zip"));
    }

    #[test]
    fn a_link_loses_its_signature_and_keeps_its_path() {
        let link =
            Link::parse(" https://ultimateota.d.miui.com/V14.0.1.0.TKHMIXM/a_b.zip?t=1&s=2#x ")
                .unwrap();
        assert_eq!(
            link.as_str(),
            "https://ultimateota.d.miui.com/V14.0.1.0.TKHMIXM/a_b.zip"
        );
        assert_eq!(link.host(), "ultimateota.d.miui.com");
        assert_eq!(link.file_name(), "a_b.zip");
        assert_eq!(
            link.on_host("bn.d.miui.com").unwrap().as_str(),
            "https://bn.d.miui.com/V14.0.1.0.TKHMIXM/a_b.zip"
        );
        assert_eq!(
            Link::parse("http://127.0.0.1:8080/x/").unwrap().file_name(),
            ""
        );
    }

    #[test]
    fn only_plain_http_links_are_taken() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://a.b/x.zip",
            "https://",
            "https:///x.zip",
            "https:x.zip",
            "https://a.b/x\"onmouseover=1",
            "https://a.b/ x",
            "https://a_b.c/x.zip",
            "https://user:pw@a.b/x.zip",
            "x.zip",
            &format!("https://a.b/{}", "x".repeat(1024)),
        ] {
            assert!(Link::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Link::parse("https://a.b/x.zip")
                .unwrap()
                .on_host("a/b")
                .is_err()
        );
    }

    #[test]
    fn raw_text_helpers() {
        assert_eq!(file_name_of_url("https://h/v/a.zip?t=1&s=2"), "a.zip");
        assert_eq!(file_name_of_url("a.zip"), "a.zip");
        assert_eq!(strip_signed_query("https://h/a.zip?t=1"), "https://h/a.zip");
        assert_eq!(
            redact_signature("https://h/a.zip?t=1&s=2"),
            "https://h/a.zip"
        );
        assert_eq!(
            redact_signature("https://h/detail?postId=7"),
            "https://h/detail?postId=7"
        );
        assert_eq!(redact_signature("u"), "u");
    }
}
