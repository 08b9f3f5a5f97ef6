//! Every HTML page parses without an error in html5ever (the HTML5 parsing
//! algorithm browsers use) and passes the accessibility checks the issue
//! names: `lang`, landmarks, one `h1` and headings in order, labelled
//! controls, unique IDs that references point to, zoom allowed, and links
//! with text.

mod common;

use std::collections::HashSet;

use common::*;
use romwatch_site::build;
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The problems of one page, empty when it is fine.
fn problems(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found: Vec<String> = doc.errors.iter().map(|e| format!("parse: {e}")).collect();
    if !html.starts_with("<!doctype html>") {
        found.push("no doctype".into());
    }
    match doc
        .select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"))
    {
        Some(lang) if !lang.is_empty() => {}
        _ => found.push("html without lang".into()),
    }
    if doc.select(&sel("main")).count() != 1 {
        found.push("not exactly one <main>".into());
    }
    if doc.select(&sel("title")).count() != 1 {
        found.push("not exactly one <title>".into());
    }
    let viewport = doc
        .select(&sel(r#"meta[name="viewport"]"#))
        .next()
        .and_then(|m| m.value().attr("content"));
    match viewport {
        Some(v) if !v.contains("user-scalable=no") && !v.contains("maximum-scale") => {}
        _ => found.push(format!("viewport missing or blocks zoom: {viewport:?}")),
    }

    let mut ids = HashSet::new();
    for e in doc.select(&sel("[id]")) {
        let id = e.value().attr("id").unwrap_or_default();
        if id.is_empty() || id.contains(char::is_whitespace) || !ids.insert(id.to_string()) {
            found.push(format!("bad or duplicate id {id:?}"));
        }
    }
    for attr in ["aria-labelledby", "aria-controls", "for"] {
        for e in doc.select(&sel(&format!("[{attr}]"))) {
            for id in e.value().attr(attr).unwrap_or_default().split_whitespace() {
                if !ids.contains(id) {
                    found.push(format!("{attr}={id:?} names no element"));
                }
            }
        }
    }
    for input in doc.select(&sel("input, select, textarea")) {
        let labelled = input.value().attr("aria-label").is_some()
            || input.value().attr("id").is_some_and(|id| {
                doc.select(&sel(&format!(r#"label[for="{id}"]"#)))
                    .next()
                    .is_some()
            });
        if !labelled {
            found.push(format!("unlabelled control {:?}", input.value()));
        }
    }

    let levels: Vec<usize> = doc
        .select(&sel("h1, h2, h3, h4, h5, h6"))
        .map(|h| h.value().name()[1..].parse().unwrap_or(0))
        .collect();
    if levels.iter().filter(|l| **l == 1).count() != 1 || levels.first() != Some(&1) {
        found.push(format!("headings must start with the one h1: {levels:?}"));
    }
    for pair in levels.windows(2) {
        if pair[1] > pair[0] + 1 {
            found.push(format!("heading level skipped: {levels:?}"));
            break;
        }
    }
    for a in doc.select(&sel("a")) {
        let href = a.value().attr("href").unwrap_or_default();
        if href.is_empty() || a.text().collect::<String>().trim().is_empty() {
            found.push(format!("link without href or text: {:?}", a.html()));
        }
        if href.contains(':') && !href.starts_with("https://") && !href.starts_with("http://") {
            found.push(format!("link with a non-http scheme: {href}"));
        }
    }
    found
}

#[test]
fn every_page_is_valid_and_accessible() {
    let mut data = sample();
    // Hostile text must not break the markup either.
    data.devices[0].name = r#""><img src=x onerror=alert(1)>"#.to_string();
    data.roms[1].changelog = Some("<script>alert(1)</script>\n</details></p>".to_string());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &config(), &out, None).unwrap();
    let pages: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    assert!(pages.len() >= 12, "{pages:?}");
    let mut all = Vec::new();
    for page in &pages {
        for problem in problems(&read(&out, page)) {
            all.push(format!("{page}: {problem}"));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

#[test]
fn full_pages_have_landmarks_and_the_search_is_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&sample(), &config(), &out, None).unwrap();
    for page in [
        "index.html",
        "miui/index.html",
        "miui/capricorn/index.html",
        "archive/miui/capricorn/index.html",
        "miui/capricorn/weekly/7.12.28/index.html",
        "search/index.html",
        "404.html",
    ] {
        let doc = Html::parse_document(&read(&out, page));
        for landmark in ["header", "nav", "main", "footer", r#"[role="search"]"#] {
            assert!(
                doc.select(&sel(landmark)).next().is_some(),
                "{page}: no {landmark}"
            );
        }
    }
    let index = Html::parse_document(&read(&out, "miui/index.html"));
    let filter = index
        .select(&sel("#device-filter"))
        .next()
        .expect("filter input");
    assert_eq!(filter.value().attr("aria-controls"), Some("devices"));
    assert_eq!(index.select(&sel("#devices tbody tr[data-q]")).count(), 2);
}

#[test]
fn the_checker_catches_broken_markup() {
    let broken = r#"<!doctype html><html><head><meta name="viewport" content="width=device-width, maximum-scale=1"><title>x</title></head><body><main><h2 id="a">x</h2><h2 id="a">y</h2></span><input id="q"><a href="javascript:alert(1)">x</a></main></body></html>"#;
    let found = problems(broken);
    for expected in [
        "parse:",
        "html without lang",
        "blocks zoom",
        "duplicate id",
        "unlabelled control",
        "headings must start",
        "non-http scheme",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{expected} not caught: {found:?}"
        );
    }
}
