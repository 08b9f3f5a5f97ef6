//! How the files a build writes are served: their media type and how long
//! a cache may keep them. One table for every place that serves the site:
//! `romwatch serve` (from memory and from its file service) and object
//! storage (as object metadata, by `romwatch publish`).

/// The media type of a site file, by its name: feeds by the names the site
/// gives every feed (`rss.xml`, `atom.xml`, `feed.json`), other files by
/// their extension; `None` for a kind of file a build does not write.
pub fn content_type(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    Some(match name {
        "rss.xml" => "application/rss+xml; charset=utf-8",
        "atom.xml" => "application/atom+xml; charset=utf-8",
        "feed.json" => "application/feed+json",
        _ => match name.rsplit_once('.')?.1 {
            "html" => "text/html; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "json" => "application/json",
            "xml" => "application/xml; charset=utf-8",
            "yml" => "application/yaml",
            "txt" => "text/plain; charset=utf-8",
            "ico" => "image/x-icon",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            _ => return None,
        },
    })
}

/// How long a cache may keep a site file: assets, whose names do not
/// change between builds, for a day; everything else for a minute, since a
/// build may change it any time.
pub fn cache_control(path: &str) -> &'static str {
    if path.starts_with("assets/") || path.starts_with("/assets/") {
        "public, max-age=86400"
    } else {
        "public, max-age=60"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_by_name_and_files_by_extension() {
        assert_eq!(
            content_type("miui/alioth/rss.xml"),
            Some("application/rss+xml; charset=utf-8")
        );
        assert_eq!(content_type("feed.json"), Some("application/feed+json"));
        assert_eq!(
            content_type("api/v1/devices.json"),
            Some("application/json")
        );
        assert_eq!(
            content_type("sitemap.xml"),
            Some("application/xml; charset=utf-8")
        );
        assert_eq!(content_type("index.html"), Some("text/html; charset=utf-8"));
        assert_eq!(content_type("latest.yml"), Some("application/yaml"));
        assert_eq!(content_type("README"), None);
        assert_eq!(content_type("data.bin"), None);
        assert_eq!(cache_control("assets/site.css"), "public, max-age=86400");
        assert_eq!(cache_control("index.html"), "public, max-age=60");
    }
}
