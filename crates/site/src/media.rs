//! How the files a build writes are served: their media type and how long
//! a cache may keep them. One table for every place that serves the site
//! (object storage gets them as object metadata).

/// The media type of a site file, by its name: feeds by the names the site
/// gives every feed (`rss.xml`, `atom.xml`, `feed.json`), other files by
/// their extension.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "rss.xml" => "application/rss+xml; charset=utf-8",
        "atom.xml" => "application/atom+xml; charset=utf-8",
        "feed.json" => "application/feed+json",
        _ => match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
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
            _ => "application/octet-stream",
        },
    }
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
            "application/rss+xml; charset=utf-8"
        );
        assert_eq!(content_type("feed.json"), "application/feed+json");
        assert_eq!(content_type("api/v1/devices.json"), "application/json");
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("latest.yml"), "application/yaml");
        assert_eq!(content_type("README"), "application/octet-stream");
        assert_eq!(cache_control("assets/site.css"), "public, max-age=86400");
        assert_eq!(cache_control("index.html"), "public, max-age=60");
    }
}
