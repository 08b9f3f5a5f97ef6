//! Hand-built release data and helpers shared by the site tests.
#![allow(dead_code)]

pub mod dataset;

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use romwatch_model::{
    Branch, Codename, Device, FileName, Kind, Link, Md5, Method, OsFamily, OsLine, Region, Rom,
    Size, Version,
};
use romwatch_site::{SiteConfig, SiteData};

pub fn codename(s: &str) -> Codename {
    Codename::new(s).unwrap()
}

pub fn device(variant: &str, name: &str) -> Device {
    let variant = codename(variant);
    Device {
        codename: variant.device(),
        region: Region::of_variant(variant.as_str()),
        variant,
        name: name.to_string(),
    }
}

/// A full MIUI ROM of `variant` (`capricorn_global`) with plausible values.
pub fn rom(variant: &str, version: &str, branch: Branch, method: Method, day: u32) -> Rom {
    let variant = codename(variant);
    let ext = match method {
        Method::Recovery => "zip",
        Method::Fastboot => "tgz",
    };
    let filename = format!("{}_{}_{:02}.{ext}", variant.as_str(), version, day);
    let url = Link::parse(&format!("https://bigota.d.miui.com/{version}/{filename}")).unwrap();
    Rom {
        mirrors: vec![url.on_host("hugeota.d.miui.com").unwrap()],
        url: Some(url),
        filename: FileName::new(&filename).unwrap(),
        codename: variant.device(),
        variant,
        version: Version::lenient(version).unwrap(),
        android: Some("7.0".to_string()),
        os: OsLine {
            family: OsFamily::Miui,
            major: if version.starts_with('V') {
                Some(9)
            } else {
                None
            },
        },
        branch,
        method,
        kind: Kind::Full,
        size: Some(Size::exact(1_523_456_789)),
        md5: Some("409451bb8592b6e8329ea381bab6b017".parse::<Md5>().unwrap()),
        changelog: Some("Bug fixes\nSystem optimizations".to_string()),
        released: NaiveDate::from_ymd_opt(2017, 12, day),
        first_seen: Utc.with_ymd_and_hms(2017, 12, 28, 0, 0, 0).unwrap(),
    }
}

/// An incremental Recovery package of `variant` from `from` to `to`.
pub fn incremental(variant: &str, from: &str, to: &str, day: u32) -> Rom {
    let mut r = rom(variant, to, Branch::Weekly, Method::Recovery, day);
    r.filename = FileName::new(&format!("miui-blockota-{variant}-{from}-{to}.zip")).unwrap();
    r.url = Some(Link::parse(&format!("https://bigota.d.miui.com/{to}/{}", r.filename)).unwrap());
    r.mirrors.clear();
    r.kind = Kind::Incremental {
        from: from.to_string(),
    };
    r
}

/// The sample, with the security patch 2017-12-01 read from the package
/// metadata of `capricorn_global_7.12.28_27.zip` (a recovery package whose
/// fastboot twin is `capricorn_global_7.12.28_28.tgz`), and no other.
pub fn sample_with_security_patch() -> SiteData {
    let mut data = sample();
    let facts = romwatch_model::PackageFacts {
        security_patch: NaiveDate::from_ymd_opt(2017, 12, 1),
        ..Default::default()
    };
    data.facts
        .insert("capricorn_global_7.12.28_27.zip".into(), facts);
    data
}

/// Two devices, weekly and stable-beta releases, and an incremental.
pub fn sample() -> SiteData {
    let mut stable_beta = rom(
        "capricorn_global",
        "V9.5.1.0.NAIMIFA",
        Branch::StableBeta,
        Method::Recovery,
        20,
    );
    stable_beta.md5 = Some("409451bb85".parse().unwrap());
    let mut no_md5 = rom("capricorn", "7.12.28", Branch::Weekly, Method::Fastboot, 28);
    no_md5.md5 = None;
    SiteData {
        devices: vec![
            device("capricorn_global", "Mi 5s Global"),
            device("capricorn", "Mi 5s China"),
            device("santoni_global", "Redmi 4X Global"),
        ],
        roms: vec![
            rom(
                "capricorn_global",
                "7.12.28",
                Branch::Weekly,
                Method::Fastboot,
                28,
            ),
            no_md5,
            rom("capricorn", "7.12.28", Branch::Weekly, Method::Recovery, 27),
            rom(
                "capricorn_global",
                "7.12.28",
                Branch::Weekly,
                Method::Recovery,
                27,
            ),
            rom(
                "capricorn_global",
                "7.12.21",
                Branch::Weekly,
                Method::Recovery,
                21,
            ),
            incremental("capricorn_global", "7.12.21", "7.12.28", 27),
            // Same version on another device: must never be linked from a
            // capricorn card.
            incremental("santoni_global", "7.12.21", "7.12.28", 27),
            rom(
                "santoni_global",
                "7.12.28",
                Branch::Weekly,
                Method::Recovery,
                27,
            ),
            stable_beta,
        ],
        ..SiteData::default()
    }
}

pub fn config() -> SiteConfig {
    SiteConfig {
        title: "romwatch test".into(),
        base_url: "https://roms.example.org".into(),
        telegram: Some("https://t.me/romwatch".into()),
        ..SiteConfig::default()
    }
}

/// Reads a file of the published site.
pub fn read(out: &Path, path: &str) -> String {
    fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn read_bytes(out: &Path, path: &str) -> Vec<u8> {
    fs::read(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every file of the published site, as paths relative to `out`.
/// The site's files, without the compressed copies of its text files
/// (`index.html.br`, `index.html.gz`: see [`copies`]).
pub fn files(out: &Path) -> Vec<String> {
    let all = all_files(out);
    let present: std::collections::HashSet<&str> = all.iter().map(String::as_str).collect();
    all.iter()
        .filter(|f| {
            !f.strip_suffix(".br")
                .or_else(|| f.strip_suffix(".gz"))
                .is_some_and(|file| present.contains(file))
        })
        .cloned()
        .collect()
}

/// The compressed copies among the site's files.
pub fn copies(out: &Path) -> Vec<String> {
    let plain: std::collections::HashSet<String> = files(out).into_iter().collect();
    all_files(out)
        .into_iter()
        .filter(|f| !plain.contains(f))
        .collect()
}

/// Every file under the site, copies included.
pub fn all_files(out: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, acc: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path: PathBuf = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(&path, root, acc);
            } else {
                acc.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let root = fs::canonicalize(out).unwrap();
    let mut acc = Vec::new();
    walk(&root, &root, &mut acc);
    acc.sort();
    acc
}
