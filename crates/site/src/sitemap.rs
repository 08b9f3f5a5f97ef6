//! `sitemap.xml` and `robots.txt`. Past 50,000 URLs (the sitemap protocol's
//! limit per file) the URLs go into `sitemap-<n>.xml` files listed by a
//! sitemap index at `sitemap.xml`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::SiteError;
use crate::artifact::{Artifact, Body};
use crate::config::SiteView;
use crate::links::SitePath;

/// The protocol's limit of URLs per sitemap file.
pub(crate) const MAX_URLS: usize = 50_000;

#[derive(Serialize)]
pub(crate) struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct SitemapPage {
    pub urls: Vec<SitemapUrl>,
}

#[derive(Serialize)]
pub(crate) struct SitemapIndexPage {
    pub sitemaps: Vec<String>,
}

/// Templates whose pages search engines should index.
const INDEXED: &[&str] = &[
    "home.html",
    "os_index.html",
    "device.html",
    "archive.html",
    "update.html",
];

/// The sitemap files for the pages among `artifacts`, and `robots.txt`.
pub(crate) fn sitemap_files<'a>(
    artifacts: &[Artifact<'a>],
    site: &SiteView,
    max_urls: usize,
) -> Result<Vec<Artifact<'a>>, SiteError> {
    let mut pages: Vec<(&SitePath, Option<NaiveDate>)> = artifacts
        .iter()
        .filter(|a| matches!(&a.body, Body::Template { name, .. } if INDEXED.contains(name)))
        .map(|a| (&a.path, a.lastmod))
        .collect();
    pages.sort();
    let urls: Vec<SitemapUrl> = pages
        .into_iter()
        .map(|(path, lastmod)| SitemapUrl {
            loc: format!("{}{}", site.base_url, path.url()),
            lastmod: lastmod.map(|d| d.format("%Y-%m-%d").to_string()),
        })
        .collect();
    let mut out = Vec::new();
    if urls.len() <= max_urls {
        out.push(Artifact::page(
            SitePath::file(&[], "sitemap.xml")?,
            "sitemap.xml",
            SitemapPage { urls },
        ));
    } else {
        let mut sitemaps = Vec::new();
        let mut urls = urls.into_iter().peekable();
        let mut n = 1;
        while urls.peek().is_some() {
            let chunk: Vec<SitemapUrl> = urls.by_ref().take(max_urls).collect();
            let path = SitePath::file(&[], &format!("sitemap-{n}.xml"))?;
            sitemaps.push(format!("{}{}", site.base_url, path.url()));
            out.push(Artifact::page(
                path,
                "sitemap.xml",
                SitemapPage { urls: chunk },
            ));
            n += 1;
        }
        out.push(Artifact::page(
            SitePath::file(&[], "sitemap.xml")?,
            "sitemap_index.xml",
            SitemapIndexPage { sitemaps },
        ));
    }
    let robots = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        site.base_url
    );
    out.push(Artifact::bytes(
        SitePath::file(&[], "robots.txt")?,
        robots.into_bytes(),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SiteConfig;

    fn page(n: usize) -> Artifact<'static> {
        Artifact::page(
            SitePath::page(&["miui", &format!("d{n}")]).unwrap(),
            "device.html",
            serde_json::json!({}),
        )
    }

    /// A templated file's context as JSON, as its template sees it.
    fn context(a: &Artifact) -> serde_json::Value {
        let Body::Template { ctx, .. } = &a.body else {
            panic!("{} is not a template", a.path);
        };
        let mut json = Vec::new();
        ctx.write_json(&mut json).unwrap();
        serde_json::from_slice(&json).unwrap()
    }

    fn template(a: &Artifact) -> &'static str {
        match &a.body {
            Body::Template { name, .. } => name,
            Body::Bytes(_) => "bytes",
        }
    }

    #[test]
    fn past_the_limit_a_sitemap_index_lists_the_parts() {
        let site = SiteConfig::default().view().unwrap();
        let pages: Vec<Artifact> = (0..5).map(page).collect();
        let files = sitemap_files(&pages, &site, 2).unwrap();
        let names: Vec<(&str, &str)> = files
            .iter()
            .map(|a| (a.path.as_str(), template(a)))
            .collect();
        assert_eq!(
            names,
            [
                ("sitemap-1.xml", "sitemap.xml"),
                ("sitemap-2.xml", "sitemap.xml"),
                ("sitemap-3.xml", "sitemap.xml"),
                ("sitemap.xml", "sitemap_index.xml"),
                ("robots.txt", "bytes"),
            ]
        );
        assert_eq!(
            context(&files[3])["sitemaps"][2],
            "http://localhost:8080/sitemap-3.xml"
        );
    }

    #[test]
    fn within_the_limit_one_sitemap_lists_every_page() {
        let site = SiteConfig::default().view().unwrap();
        let pages: Vec<Artifact> = (0..5).map(page).collect();
        let files = sitemap_files(&pages, &site, MAX_URLS).unwrap();
        assert_eq!(files.len(), 2);
        let urls = &context(&files[0])["urls"];
        assert_eq!(urls.as_array().map(Vec::len), Some(5));
        assert_eq!(urls[0]["loc"], "http://localhost:8080/miui/d0/");
    }
}
