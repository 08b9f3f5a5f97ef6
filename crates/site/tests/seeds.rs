//! The two reference pages in `../shared/seeds/` are the target: built from
//! the shared data, romwatch's pages show every value of every card, in the
//! same order.

mod common;

use std::path::PathBuf;

use common::dataset;
use romwatch_site::build;
use scraper::{ElementRef, Html, Selector};

/// One card's values as the reference page shows them.
#[derive(Debug, PartialEq)]
struct Card {
    device: String,
    codename: String,
    version: String,
    branch: String,
    kind: String,
    size: String,
    date: String,
    filename: String,
    md5: String,
    download: String,
    changelog: String,
}

fn seeds_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds"
    ))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect::<String>().trim().to_string()
}

/// The cards of a reference page (Bootstrap markup: `<b>Label: </b>value`).
fn seed_cards(html: &str) -> Vec<Card> {
    let doc = Html::parse_fragment(html);
    doc.select(&sel("#downloads .card"))
        .map(|card| {
            let field = |label: &str| -> ElementRef {
                card.select(&sel("li h5"))
                    .find(|h| text(*h).starts_with(&format!("{label}:")))
                    .unwrap_or_else(|| panic!("seed card without {label}"))
            };
            let value = |label: &str| {
                text(field(label))
                    .trim_start_matches(&format!("{label}:"))
                    .trim()
                    .to_string()
            };
            let onclick = field("Download")
                .select(&sel("button"))
                .next()
                .and_then(|b| b.value().attr("onclick"))
                .expect("download button");
            let download = onclick
                .split('\'')
                .nth(1)
                .expect("URL in onclick")
                .to_string();
            let changelog = card
                .select(&sel("#changelog_text"))
                .next()
                .expect("changelog")
                .inner_html();
            Card {
                device: value("Device"),
                codename: value("Codename"),
                version: value("Version"),
                branch: value("Branch"),
                kind: value("Type"),
                size: value("Size"),
                date: value("Release Date"),
                filename: value("Package Name"),
                md5: value("MD5"),
                download,
                changelog,
            }
        })
        .collect()
}

/// The cards of a page romwatch built (`<dt>Label</dt><dd>value</dd>`).
fn built_cards(html: &str) -> Vec<Card> {
    let doc = Html::parse_document(html);
    doc.select(&sel("article.card"))
        .map(|card| {
            let dd = |label: &str| -> ElementRef {
                let dts: Vec<ElementRef> = card.select(&sel("dt")).collect();
                let dt = dts
                    .into_iter()
                    .find(|dt| text(*dt) == label)
                    .unwrap_or_else(|| panic!("card without {label}"));
                dt.next_siblings()
                    .find_map(ElementRef::wrap)
                    .expect("dd after dt")
            };
            Card {
                device: text(dd("Device")),
                codename: text(dd("Codename")),
                version: text(dd("Version")),
                branch: text(dd("Branch")),
                kind: text(dd("Type")),
                size: text(dd("Size")),
                date: text(dd("Release Date")),
                filename: text(dd("Package Name")),
                md5: text(dd("MD5")),
                download: dd("Download")
                    .select(&sel("a.button"))
                    .next()
                    .and_then(|a| a.value().attr("href"))
                    .unwrap_or("")
                    .to_string(),
                changelog: card
                    .select(&sel("p.changelog"))
                    .next()
                    .map(|p| p.inner_html())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[test]
fn seed_pages_show_every_value_of_every_card_in_order() {
    let pages = [
        (
            "000_2e19792a03fd2e4b.txt",
            "/miui/capricorn/weekly/7.12.28/",
        ),
        ("001_f895db2fb31bf183.txt", "/miui/santoni/weekly/7.12.28/"),
    ];
    let Some(data) = dataset::load(|permalink| pages.iter().any(|p| p.1 == permalink)) else {
        eprintln!("shared dataset not found; skipping");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &common::config(), &out, None).unwrap();
    for (seed, permalink) in pages {
        let seed_html = std::fs::read_to_string(seeds_dir().join(seed)).unwrap();
        let expected = seed_cards(&seed_html);
        assert_eq!(expected.len(), 4, "{seed}");
        let built = common::read(&out, &format!("{}index.html", &permalink[1..]));
        let mut cards = built_cards(&built);
        // Where the reference knew no MD5 it showed "Unknown"; romwatch
        // knows the 10-hex prefix every official name carries and shows it
        // as a prefix. Anything else must be the reference's value.
        for (card, seed) in cards.iter_mut().zip(&expected) {
            if seed.md5 == "Unknown" {
                let prefix = card.filename.rsplit(['_', '-']).next().unwrap_or_default();
                let prefix = prefix.split('.').next().unwrap_or_default();
                assert!(
                    card.md5.starts_with(prefix) && card.md5.contains("first 10 digits"),
                    "{}: {}",
                    card.filename,
                    card.md5
                );
                card.md5 = seed.md5.clone();
            }
        }
        assert_eq!(cards, expected, "{permalink}");
        let title = seed_html
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(r#"<h3 class="title bg-light p-2 rounded">"#)
            })
            .and_then(|l| l.strip_suffix("</h3>"))
            .expect("seed title");
        assert!(built.contains(&format!("<h1>{title}</h1>")), "{title}");
    }
}

/// The reference filed `olivelite` and `olivewood` ROMs on `olive` pages (a
/// codename prefix match); built from the same records, each ROM sits on its
/// own device's pages only.
#[test]
fn reference_misfiled_roms_land_on_their_own_device() {
    let Some(data) = dataset::load(|permalink| permalink.starts_with("/miui/olive/")) else {
        eprintln!("shared dataset not found; skipping");
        return;
    };
    assert!(data.roms.iter().any(|r| r.codename.as_str() == "olivelite"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(&data, &common::config(), &out, None).unwrap();
    let files = common::files(&out);
    for device in ["olive", "olivelite", "olivewood"] {
        assert!(
            files.contains(&format!("miui/{device}/index.html")),
            "{device}"
        );
    }
    for page in files
        .iter()
        .filter(|f| f.starts_with("miui/olive/") && f.ends_with("index.html"))
    {
        let html = common::read(&out, page);
        let doc = Html::parse_document(&html);
        for card in doc.select(&sel("article.card dd a[href]")) {
            let href = card.value().attr("href").unwrap_or_default();
            assert!(
                !href.starts_with("/miui/olivelite/") && !href.starts_with("/miui/olivewood/"),
                "{page} links {href}"
            );
        }
        for other in ["OLIVELITE", "olivelite_", "OLIVEWOOD", "olivewood_"] {
            assert!(!html.contains(other), "{page} lists a package of {other}");
        }
    }
}
