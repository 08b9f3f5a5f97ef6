//! The static search index read by `site.js` on the search page, split so
//! that one query downloads a small part of it. The rules of what a query
//! finds and in which order are [`romwatch_model::search`]'s, shared with
//! the live API.
//!
//! - `search/index.json`: every device page (newest release first) with
//!   its variants, the branch names, and the list of word shards.
//! - `search/roms-<n>.json`: the ROMs oldest first (the reverse of
//!   [`search::newest_first`]), [`CHUNK`] per file: device, variant,
//!   version, file name, date, branch, method and the version an
//!   incremental updates from. A ROM's place in this order is its rank;
//!   oldest first, a new release changes the last file only.
//! - `search/words-<hex>.json`: for every word of the ROMs' searched texts
//!   (file name, variant codename, variant name) whose first two characters
//!   are `<hex>` (their UTF-8 in hex), the ranks of the ROMs that have it,
//!   ascending, each as the difference from the previous one (small
//!   numbers compress well).
//!
//! A query reads the index, the shard of its longest word, and the ROM
//! chunks of the candidates that shard names, highest rank (newest)
//! first, until it has a page of results.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use romwatch_model::search::{self, words};
use romwatch_model::{Branch, Kind};
use serde::Serialize;

use crate::SiteError;
use crate::artifact::Artifact;
use crate::catalog::{Catalog, DeviceKey};
use crate::links::SitePath;
use crate::views::{device_key, device_path};

/// ROMs per `roms-<n>.json` file.
pub(crate) const CHUNK: usize = 500;

/// `[variant codename, variant name, region name]`.
#[derive(Serialize)]
struct VariantEntry<'a>(&'a str, &'a str, String);

/// `[name, codename, os, url, newest release date or "", variants]` of a
/// device page.
#[derive(Serialize)]
struct DeviceEntry<'a>(
    String,
    &'a str,
    &'static str,
    String,
    String,
    Vec<VariantEntry<'a>>,
);

/// `[device, variant, version, file name, date or "", branch, method,
/// incremental from or ""]`; device and variant index the index's
/// devices and their variants, branch its branches.
#[derive(Serialize)]
struct RomEntry<'a>(
    usize,
    usize,
    &'a str,
    &'a str,
    String,
    usize,
    &'static str,
    &'a str,
);

#[derive(Serialize)]
struct SearchIndex<'a> {
    schema: u32,
    chunk: usize,
    chunks: usize,
    /// `[name, slug]` of each branch.
    branches: Vec<[&'static str; 2]>,
    devices: Vec<DeviceEntry<'a>>,
    /// The `<hex>` of every words file.
    shards: Vec<String>,
}

/// The shard a word belongs to: its first two characters, in hex.
fn shard_of(word: &str) -> String {
    word.chars()
        .take(2)
        .collect::<String>()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The device pages, newest release first, as [`search::newest_first`]
/// orders ROMs.
fn device_order<'c, 'a>(catalog: &'c Catalog<'a>) -> Vec<(DeviceKey<'a>, &'c [usize])> {
    let newest = |releases: &[usize]| {
        let date = releases
            .iter()
            .filter_map(|&i| catalog.rom(i).released)
            .max();
        let recorded = releases.iter().map(|&i| catalog.entries[i].index).max();
        (date, recorded.unwrap_or_default())
    };
    let mut pages: Vec<_> = catalog
        .devices
        .iter()
        .map(|(key, releases)| (*key, releases.as_slice(), newest(releases)))
        .collect();
    pages.sort_by(|a, b| {
        search::newest_first(a.2.0, a.2.1, b.2.0, b.2.1).then_with(|| a.0.cmp(&b.0))
    });
    pages
        .into_iter()
        .map(|(key, releases, _)| (key, releases))
        .collect()
}

pub(crate) fn search_files<'a>(catalog: &Catalog<'a>) -> Result<Vec<Artifact<'a>>, SiteError> {
    let pages = device_order(catalog);
    let mut devices = Vec::with_capacity(pages.len());
    // (device page, variant codename) → (device index, variant index)
    let mut places: HashMap<(DeviceKey, &str), (usize, usize)> = HashMap::new();
    for (d, (key, releases)) in pages.iter().enumerate() {
        let mut variants: Vec<VariantEntry> = Vec::new();
        for &i in releases.iter() {
            let rom = catalog.rom(i);
            places
                .entry((*key, rom.variant.as_str()))
                .or_insert_with(|| {
                    variants.push(VariantEntry(
                        rom.variant.as_str(),
                        catalog.variant_name(rom),
                        catalog
                            .variant(rom)
                            .map_or(String::new(), |v| v.region.name()),
                    ));
                    (d, variants.len() - 1)
                });
        }
        let date = releases
            .iter()
            .filter_map(|&i| catalog.rom(i).released)
            .max();
        devices.push(DeviceEntry(
            catalog.device_name(key),
            key.codename,
            key.family.name(),
            device_path(key)?.url(),
            date.map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
            variants,
        ));
    }

    let mut ranked: Vec<usize> = (0..catalog.entries.len()).collect();
    ranked.sort_by(|&a, &b| {
        let (a, b) = (&catalog.entries[a], &catalog.entries[b]);
        search::newest_first(a.rom.released, a.index, b.rom.released, b.index).reverse()
    });
    let branch_index = |b: Branch| Branch::ALL.iter().position(|x| *x == b).unwrap_or(0);
    let mut shards: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    let mut roms = Vec::with_capacity(ranked.len());
    for (rank, &i) in ranked.iter().enumerate() {
        let rom = catalog.rom(i);
        let (d, v) = places
            .get(&(device_key(rom), rom.variant.as_str()))
            .copied()
            .unwrap_or_default();
        roms.push(RomEntry(
            d,
            v,
            rom.version.as_str(),
            &rom.filename,
            rom.released
                .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string()),
            branch_index(rom.branch),
            rom.method.name(),
            match &rom.kind {
                Kind::Incremental { from } => from.as_str(),
                Kind::Full => "",
            },
        ));
        let texts = [
            rom.filename.as_str(),
            rom.variant.as_str(),
            catalog.variant_name(rom),
        ];
        // A query's longest word has two characters or more, so shorter
        // words are never looked up.
        let distinct: BTreeSet<String> = texts
            .iter()
            .flat_map(|t| words(t))
            .filter(|w| w.chars().count() >= search::MIN_WORD)
            .collect();
        for word in distinct {
            shards
                .entry(shard_of(&word))
                .or_default()
                .entry(word)
                .or_default()
                .push(rank);
        }
    }

    let mut out = Vec::with_capacity(roms.len() / CHUNK + shards.len() + 2);
    let chunks = roms.len().div_ceil(CHUNK);
    for (n, chunk) in roms.chunks(CHUNK).enumerate() {
        out.push(Artifact::json(
            SitePath::file(&["search"], &format!("roms-{n}.json"))?,
            &chunk,
        )?);
    }
    for (shard, words) in &shards {
        let deltas: BTreeMap<&str, Vec<usize>> = words
            .iter()
            .map(|(word, ranks)| {
                let mut last = 0;
                let deltas = ranks
                    .iter()
                    .map(|&r| {
                        let d = r - last;
                        last = r;
                        d
                    })
                    .collect();
                (word.as_str(), deltas)
            })
            .collect();
        out.push(Artifact::json(
            SitePath::file(&["search"], &format!("words-{shard}.json"))?,
            &deltas,
        )?);
    }
    out.push(Artifact::json(
        SitePath::file(&["search"], "index.json")?,
        &SearchIndex {
            schema: 1,
            chunk: CHUNK,
            chunks,
            branches: Branch::ALL.iter().map(|b| [b.name(), b.slug()]).collect(),
            devices,
            shards: shards.into_keys().collect(),
        },
    )?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_named_by_the_first_two_characters_in_hex() {
        assert_eq!(shard_of("alioth"), "616c");
        assert_eq!(shard_of("v14"), "7631");
    }
}
