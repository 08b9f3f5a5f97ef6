//! The seeded catalog generator, and releases of new ROMs while the
//! simulator runs. The same seed and size give the same catalog, file
//! name for file name.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use romwatch_model::{Branch, Codename, Method, Region, Version, VersionForm, variant_codename};
use romwatch_upstream::changelog::{Changelog, ChangelogSection};

use crate::catalog::{Catalog, SimDevice, SimRom, stand_in_md5};
use crate::names::{FileKind, NameParts, file_name};
use crate::vocabulary::{LINES, Line, MODELS, MONTHS, REGIONS, SECTIONS, SERIES};

/// A device family being generated.
struct Family {
    codename: Codename,
    phone: String,
    device_code: String,
    /// Index into [`LINES`] of its first line.
    launch: usize,
    /// How many lines it gets.
    lines: usize,
}

/// Generates a catalog of about `variants` device variants.
pub(crate) fn generate(variants: usize, seed: u64) -> Catalog {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut catalog = Catalog::new(seed);
    let mut codenames = HashSet::new();
    let mut phones = HashSet::new();
    let mut family_index = 0usize;
    while catalog.devices.len() < variants {
        let Some(family) = new_family(&mut rng, family_index, &mut codenames, &mut phones) else {
            break;
        };
        family_index += 1;
        let mut regions: Vec<&(Region, f64, &str, &str)> =
            REGIONS.iter().filter(|r| rng.random_bool(r.1)).collect();
        if regions.is_empty() {
            regions.push(&REGIONS[1]);
        }
        for (region, _, tag, word) in regions {
            if catalog.devices.len() >= variants {
                break;
            }
            let device = catalog.add_device(SimDevice {
                variant: variant_codename(&family.codename, region),
                codename: family.codename.clone(),
                name: format!("{} {word}", family.phone),
                phone: family.phone.clone(),
                package: family.codename.as_str().to_ascii_uppercase(),
                region: region.clone(),
            });
            history(&mut catalog, &mut rng, device, &family, tag);
        }
    }
    catalog.index_community();
    catalog
}

fn new_family(
    rng: &mut ChaCha8Rng,
    index: usize,
    codenames: &mut HashSet<String>,
    phones: &mut HashSet<String>,
) -> Option<Family> {
    const CONSONANTS: &[u8] = b"bcdfghjklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    let mut codename = String::new();
    for attempt in 0..64 {
        let syllables = rng.random_range(2..=3);
        codename = (0..syllables)
            .flat_map(|_| {
                [
                    CONSONANTS[rng.random_range(0..CONSONANTS.len())] as char,
                    VOWELS[rng.random_range(0..VOWELS.len())] as char,
                ]
            })
            .collect();
        if rng.random_bool(0.4) {
            codename.push(CONSONANTS[rng.random_range(0..CONSONANTS.len())] as char);
        }
        if attempt > 32 {
            codename.push_str(&index.to_string());
        }
        // In old recovery names of dated builds (no region in the version),
        // `…PRE` reads as a developer mark and `…RU` as a region word.
        let ambiguous = ["pre", "eea", "in", "ru", "id", "tr", "tw", "jp", "kr"]
            .iter()
            .any(|end| codename.ends_with(end));
        if !ambiguous && codenames.insert(codename.clone()) {
            break;
        }
    }
    let launch = rng.random_range(0..LINES.len());
    let mut phone = String::new();
    for _ in 0..16 {
        let series = SERIES[rng.random_range(0..SERIES.len())];
        let number = 3 + (LINES[launch].year - 2015) as u32 + rng.random_range(0..3);
        let model = MODELS[rng.random_range(0..MODELS.len())];
        phone = format!("{series} {number}{model}")
            .replace("X ", "X")
            .replace("F ", "F")
            .replace("K ", "K");
        if phones.insert(phone.clone()) {
            break;
        }
        phone = format!("{phone} ({})", codename.to_ascii_uppercase());
    }
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let device_code = format!(
        "{}{}",
        letters[index / 26 % 26] as char,
        letters[index % 26] as char
    );
    Some(Family {
        codename: Codename::new(&codename).ok()?,
        phone,
        device_code,
        launch,
        lines: rng.random_range(2..=4),
    })
}

/// Everything one variant got: stable builds per line with fastboot
/// images and incrementals, weekly builds, public betas.
fn history(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    device: usize,
    family: &Family,
    tag_region: &str,
) {
    let region = catalog.devices[device].region.clone();
    let china = region == Region::China;
    let mut cursor = NaiveDate::from_ymd_opt(LINES[family.launch].year, 1, 1).unwrap_or_default()
        + Days::new(rng.random_range(0..200));
    let last_line = (family.launch + family.lines).min(LINES.len());
    for (line_index, line) in LINES.iter().enumerate().take(last_line).skip(family.launch) {
        let line_start = NaiveDate::from_ymd_opt(line.year, 1, 1).unwrap_or_default()
            + Days::new(rng.random_range(0..150));
        cursor = cursor.max(line_start);
        let tag = format!(
            "{}{}{tag_region}XM",
            line.android_letter, family.device_code
        );
        let builds = rng.random_range(2..=4u32);
        let mut previous: Option<Version> = None;
        for build in 1..=builds {
            // HyperOS 1 was first labelled in MIUI style in China.
            let text = if line.prefix == "OS" && line.major == 1 && china && build == 1 {
                format!("V816.0.{build}.0.{tag}")
            } else {
                format!("{}{}.0.{build}.0.{tag}", line.prefix, line.major)
            };
            let Ok(version) = Version::parse(&text) else {
                continue;
            };
            let newest = build == builds && line_index + 1 == last_line;
            let stable_beta = newest && rng.random_bool(0.2);
            let branch = if stable_beta {
                Branch::StableBeta
            } else {
                Branch::Stable
            };
            let sections = 2 + rng.random_range(0..3);
            let changelog = changelog(rng, cursor, sections);
            let spec = RomSpec {
                device,
                version: &version,
                branch,
                android: line.android,
                date: cursor,
                changelog: &changelog,
            };
            push(catalog, rng, &spec, FileKind::RecoveryFull, None);
            if let Some(from) = previous.as_ref().filter(|_| rng.random_bool(0.7)) {
                push(
                    catalog,
                    rng,
                    &spec,
                    FileKind::Incremental,
                    Some(from.as_str()),
                );
            }
            if !stable_beta && rng.random_bool(0.85) {
                let date = cursor + Days::new(rng.random_range(0..8));
                push(
                    catalog,
                    rng,
                    &RomSpec { date, ..spec },
                    FileKind::Fastboot,
                    None,
                );
            }
            previous = Some(version);
            cursor = cursor + Days::new(rng.random_range(30..90));
        }
        if china
            && line.major >= 1
            && (line.prefix == "OS" || line.major == 14)
            && rng.random_bool(0.6)
        {
            public_beta(catalog, rng, device, line, cursor);
        }
    }
    if (china || region == Region::Global) && LINES[family.launch].year <= 2020 {
        weekly(catalog, rng, device, family, china);
    }
}

/// `V14.0.23.1.30.DEV`: line, then the build date as yy.m.d.
fn public_beta(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    device: usize,
    line: &Line,
    after: NaiveDate,
) {
    let date = after + Days::new(rng.random_range(1..20));
    let text = format!(
        "{}{}.0.{}.{}.{}.DEV",
        line.prefix,
        line.major,
        date.year() % 100,
        date.month(),
        date.day()
    );
    let Ok(version) = Version::parse(&text) else {
        return;
    };
    let changelog = changelog(rng, date, 2);
    let spec = RomSpec {
        device,
        version: &version,
        branch: Branch::PublicBeta,
        android: line.android,
        date,
        changelog: &changelog,
    };
    push(catalog, rng, &spec, FileKind::RecoveryFull, None);
}

/// Dated developer builds (`21.12.30`) of MIUI-era devices.
fn weekly(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    device: usize,
    family: &Family,
    china: bool,
) {
    let end_year = (LINES[family.launch].year + family.lines as i32).min(2022);
    let start = NaiveDate::from_ymd_opt(LINES[family.launch].year, 3, 1).unwrap_or_default();
    let span = (NaiveDate::from_ymd_opt(end_year, 12, 31).unwrap_or_default() - start)
        .num_days()
        .max(7);
    let mut days: Vec<u64> = (0..rng.random_range(3..=6))
        .map(|_| rng.random_range(0..span as u64))
        .collect();
    days.sort_unstable();
    days.dedup();
    for offset in days {
        let date = start + Days::new(offset);
        let text = format!("{}.{}.{}", date.year() % 100, date.month(), date.day());
        let Ok(version) = Version::parse(&text) else {
            continue;
        };
        let line = LINES
            .iter()
            .rev()
            .find(|l| l.year <= date.year())
            .unwrap_or(&LINES[0]);
        let changelog = changelog(rng, date, 1);
        let spec = RomSpec {
            device,
            version: &version,
            branch: Branch::Weekly,
            android: line.android,
            date,
            changelog: &changelog,
        };
        let developer_mark = china && rng.random_bool(0.5);
        push_named(
            catalog,
            rng,
            &spec,
            FileKind::RecoveryFull,
            None,
            developer_mark,
        );
        if rng.random_bool(0.5) {
            push(catalog, rng, &spec, FileKind::Fastboot, None);
        }
    }
}

fn changelog(rng: &mut ChaCha8Rng, date: NaiveDate, sections: usize) -> Changelog {
    let month = MONTHS[date.month0() as usize];
    let mut out = vec![ChangelogSection {
        title: "System".to_string(),
        lines: vec![format!(
            "Updated the security patch to {month} {}. Increased system security.",
            date.year()
        )],
    }];
    let start = rng.random_range(0..SECTIONS.len());
    for k in 0..sections.saturating_sub(1) {
        let (title, lines) = SECTIONS[(start + k) % SECTIONS.len()];
        let take = rng.random_range(1..=lines.len());
        out.push(ChangelogSection {
            title: title.to_string(),
            lines: lines.iter().take(take).map(|l| l.to_string()).collect(),
        });
    }
    Changelog { sections: out }
}

/// What the files of one build share.
#[derive(Clone, Copy)]
struct RomSpec<'a> {
    device: usize,
    version: &'a Version,
    branch: Branch,
    android: &'a str,
    date: NaiveDate,
    changelog: &'a Changelog,
}

fn push(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    spec: &RomSpec<'_>,
    kind: FileKind,
    from: Option<&str>,
) -> Option<String> {
    push_named(catalog, rng, spec, kind, from, false)
}

/// Names a file from its stand-in MD5 and adds it; its file name.
fn push_named(
    catalog: &mut Catalog,
    rng: &mut ChaCha8Rng,
    spec: &RomSpec<'_>,
    kind: FileKind,
    from: Option<&str>,
    developer_mark: bool,
) -> Option<String> {
    let device = catalog.devices.get(spec.device)?;
    let method = if kind == FileKind::Fastboot {
        Method::Fastboot
    } else {
        Method::Recovery
    };
    let stand_in_key = format!(
        "{}|{}|{}|{}",
        device.variant,
        spec.version.as_str(),
        from.unwrap_or(""),
        method.slug()
    );
    let md5 = stand_in_md5(&stand_in_key);
    let prefix = md5.prefix_hex();
    let build_date = spec.date - Days::new(rng.random_range(1..6));
    let filename = file_name(
        kind,
        &NameParts {
            variant: device.variant.as_str(),
            package: &device.package,
            region: &device.region,
            version: spec.version,
            from,
            android: spec.android,
            md5: &prefix,
            build_date,
            developer_mark,
        },
    );
    let line_weight = u64::from(
        spec.android
            .split('.')
            .next()
            .and_then(|a| a.parse::<u32>().ok())
            .unwrap_or(10),
    );
    let full = 600_000_000 + line_weight * 330_000_000 + rng.random_range(0..400_000_000u64);
    let size = match kind {
        FileKind::RecoveryFull => full,
        FileKind::Fastboot => full + full / 3,
        FileKind::Incremental => rng.random_range(60_000_000..900_000_000u64),
    };
    let rom = SimRom {
        device: spec.device,
        filename: filename.clone(),
        version: spec.version.clone(),
        branch: spec.branch,
        method,
        from: from.map(str::to_string),
        android: spec.android.to_string(),
        md5: Some(md5),
        size,
        date: Some(spec.date),
        changelog: spec.changelog.clone(),
        signed: rng.random_bool(0.1),
        stand_in_key,
    };
    catalog.add_rom(rom).map(|_| filename)
}

/// The next build of a stable version: `V14.0.3.0.TKHMIXM` → `V14.0.4.0.TKHMIXM`.
fn next_build(version: &Version) -> Option<Version> {
    let VersionForm::Release { numbers, .. } = version.form() else {
        return None;
    };
    let text = version.as_str();
    let (prefix, _) = text.split_at(text.find(|c: char| c.is_ascii_digit())?);
    let tag = text.rsplit('.').next()?;
    Version::parse(&format!(
        "{prefix}{}.{}.{}.{}.{tag}",
        numbers[0],
        numbers[1],
        numbers[2] + 1,
        numbers[3]
    ))
    .ok()
}

/// Publishes `count` new ROM files: new stable builds of random variants,
/// each a recovery package, then an incremental from the build before,
/// then fastboot images, until `count` files exist. Dated the day after the
/// newest ROM. Returns their file names.
pub(crate) fn release(catalog: &mut Catalog, count: usize) -> Vec<String> {
    let date = catalog.newest_date().map_or_else(
        || NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        |d| d + Days::new(1),
    );
    let candidates: Vec<usize> = (0..catalog.devices.len())
        .filter(|&d| {
            catalog
                .latest(d, |r| r.is_full_recovery() && r.is_stable())
                .is_some_and(|r| next_build(&r.version).is_some())
        })
        .collect();
    let mut rng = ChaCha8Rng::from_rng(&mut catalog.rng);
    let first_new = catalog.roms.len();
    let mut names = Vec::new();
    let mut attempts = 0;
    while names.len() < count && !candidates.is_empty() && attempts < count * 4 + 16 {
        attempts += 1;
        let device = candidates[rng.random_range(0..candidates.len())];
        let Some(base) = catalog.latest(device, |r| r.is_full_recovery() && r.is_stable()) else {
            continue;
        };
        let (from, android) = (base.version.clone(), base.android.clone());
        let Some(mut version) = next_build(&from) else {
            continue;
        };
        while catalog.roms_of(device).any(|r| r.version == version) {
            match next_build(&version) {
                Some(next) => version = next,
                None => break,
            }
        }
        let changelog = changelog(&mut rng, date, 3);
        let spec = RomSpec {
            device,
            version: &version,
            branch: Branch::Stable,
            android: &android,
            date,
            changelog: &changelog,
        };
        let plan = [
            (FileKind::RecoveryFull, None),
            (FileKind::Incremental, Some(from.as_str())),
            (FileKind::Fastboot, None),
        ];
        for (kind, from) in plan {
            if names.len() >= count {
                break;
            }
            if let Some(name) = push(catalog, &mut rng, &spec, kind, from) {
                names.push(name);
            }
        }
    }
    let post: Vec<usize> = (first_new..catalog.roms.len())
        .filter(|&i| catalog.is_china_recovery(i))
        .collect();
    if !post.is_empty() {
        catalog.posts.push(post);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::PackageName;

    #[test]
    fn same_seed_same_catalog() {
        let names = |seed| {
            generate(40, seed)
                .roms
                .iter()
                .map(|r| r.filename.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(7), names(7));
        assert_ne!(names(7), names(8));
    }

    #[test]
    fn every_generated_name_parses_and_matches_its_rom() {
        let mut catalog = generate(300, 1);
        assert_eq!(catalog.devices.len(), 300);
        release(&mut catalog, 30);
        for rom in &catalog.roms {
            let parsed = PackageName::parse(&rom.filename).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.version, rom.version, "{}", rom.filename);
            assert_eq!(
                parsed.from.as_ref().map(|v| v.as_str().to_string()),
                rom.from,
                "{}",
                rom.filename
            );
            assert_eq!(parsed.method, rom.method);
            let md5 = rom
                .md5
                .unwrap_or_else(|| panic!("no md5 for {}", rom.filename));
            assert!(md5.agrees_with(&parsed.md5), "{}", rom.filename);
            assert_eq!(
                parsed.region, catalog.devices[rom.device].region,
                "{}",
                rom.filename
            );
        }
        // Every form of UPSTREAM.md §6 occurs.
        for needle in [
            "miui_",
            "-ota_full-",
            "miui-blockota-",
            "miui-ota-",
            "-ota_incremental-",
            "_images_",
            "-images-",
            ".DEV_",
            "PRE_",
            "_V816.",
        ] {
            assert!(
                catalog.roms.iter().any(|r| r.filename.contains(needle)),
                "no {needle} name"
            );
        }
        for branch in [
            Branch::Stable,
            Branch::StableBeta,
            Branch::Weekly,
            Branch::PublicBeta,
        ] {
            assert!(
                catalog.roms.iter().any(|r| r.branch == branch),
                "no {branch}"
            );
        }
    }

    #[test]
    fn releases_are_new_dated_after_everything_and_posted() {
        let mut catalog = generate(30, 3);
        let before = catalog.roms.len();
        let newest = catalog.newest_date();
        let posts = catalog.posts.len();
        let names = release(&mut catalog, 7);
        assert_eq!(names.len(), 7);
        assert_eq!(catalog.roms.len(), before + 7);
        assert!(catalog.roms[before..].iter().all(|r| r.date > newest));
        assert!(catalog.posts.len() <= posts + 1);
    }
}
