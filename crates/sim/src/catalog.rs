//! The simulator's catalog: device variants and every ROM file published
//! for them, with the indexes the simulated sources answer from.
//!
//! Sizes and MD5s: a ROM's size is nominal (what `HEAD`, the OTA API and
//! the community API say, gigabytes), but the CDN's `GET` serves a small
//! deterministic *stand-in* body instead of gigabytes. For generated ROMs
//! the MD5 is the real digest of that stand-in body, and the file name
//! carries its first 10 hex digits, so a client that downloads and hashes
//! a file finds it matches. ROMs loaded from a JSON Lines file keep the
//! MD5 the file gives; their stand-in cannot match it. A loaded record
//! without a size gets a nominal one derived from its file name.

use std::collections::HashMap;

use chrono::NaiveDate;
use md5::{Digest, Md5 as Md5Hasher};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use romwatch_model::{Branch, Codename, Md5, Method, OsFamily, Record, Region, Size, Version};
use romwatch_upstream::cdn::{MIRRORS, SIGNED_HOSTS, package_link, usual_mirror};
use romwatch_upstream::changelog::Changelog;

/// The length of the stand-in body `GET` serves (above the 1 KiB floor).
pub(crate) const STAND_IN_LEN: usize = 2_048;

/// One device variant.
#[derive(Debug, Clone)]
pub(crate) struct SimDevice {
    pub variant: Codename,
    pub codename: Codename,
    /// The marketing name with the region ("Redmi Note 13 EEA").
    pub name: String,
    /// The marketing name without the region, a community "phone".
    pub phone: String,
    /// The package name of old recovery names (`COROT`).
    pub package: String,
    pub region: Region,
}

/// One published ROM file.
#[derive(Debug, Clone)]
pub(crate) struct SimRom {
    pub device: usize,
    pub filename: String,
    pub version: Version,
    pub branch: Branch,
    pub method: Method,
    pub from: Option<String>,
    pub android: String,
    pub md5: Option<Md5>,
    pub size: u64,
    pub date: Option<NaiveDate>,
    pub changelog: Changelog,
    /// Handed out as a signed link by the full-ROM and community sources.
    pub signed: bool,
    /// What the stand-in body is derived from.
    pub stand_in_key: String,
}

impl SimRom {
    pub fn is_full_recovery(&self) -> bool {
        self.method == Method::Recovery && self.from.is_none()
    }

    pub fn is_stable(&self) -> bool {
        matches!(self.branch, Branch::Stable | Branch::StableBeta)
    }

    /// Orders ROMs by release: date, then version numbers.
    fn release_key(&self) -> (Option<NaiveDate>, Vec<u32>) {
        (self.date, self.version.order_key())
    }
}

/// A community "phone": a device codename with its non-China variants.
#[derive(Debug, Clone)]
pub(crate) struct Phone {
    pub id: u64,
    pub name: String,
    pub devices: Vec<usize>,
}

/// The whole catalog.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub devices: Vec<SimDevice>,
    pub roms: Vec<SimRom>,
    /// China community posts, each a list of ROM indexes; ids from [`FIRST_POST_ID`].
    pub posts: Vec<Vec<usize>>,
    pub phones: Vec<Phone>,
    by_variant: HashMap<String, usize>,
    by_filename: HashMap<String, usize>,
    roms_of_device: Vec<Vec<usize>>,
    /// Draws for releases.
    pub rng: ChaCha8Rng,
}

/// The id of the first China community post.
pub(crate) const FIRST_POST_ID: u64 = 40_000_001;
/// How many ROMs one post lists.
const POST_SIZE: usize = 25;

impl Catalog {
    pub fn new(seed: u64) -> Catalog {
        Catalog {
            devices: Vec::new(),
            roms: Vec::new(),
            posts: Vec::new(),
            phones: Vec::new(),
            by_variant: HashMap::new(),
            by_filename: HashMap::new(),
            roms_of_device: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5e1e_a5e5),
        }
    }

    /// Adds a device variant, or finds the one already known by its codename.
    pub fn add_device(&mut self, device: SimDevice) -> usize {
        if let Some(&index) = self.by_variant.get(device.variant.as_str()) {
            return index;
        }
        let index = self.devices.len();
        self.by_variant
            .insert(device.variant.as_str().to_string(), index);
        self.devices.push(device);
        self.roms_of_device.push(Vec::new());
        index
    }

    /// Adds a ROM unless one of the same file name exists; its index.
    pub fn add_rom(&mut self, rom: SimRom) -> Option<usize> {
        if self.by_filename.contains_key(&rom.filename) || rom.device >= self.devices.len() {
            return None;
        }
        let index = self.roms.len();
        self.by_filename.insert(rom.filename.clone(), index);
        self.roms_of_device[rom.device].push(index);
        self.roms.push(rom);
        Some(index)
    }

    /// Groups China recovery packages into community posts, and non-China
    /// variants into community phones. Called once the catalog is built;
    /// releases append posts of their own.
    pub fn index_community(&mut self) {
        let mut china: Vec<usize> = (0..self.roms.len())
            .filter(|&i| self.is_china_recovery(i))
            .collect();
        china.sort_by_key(|&i| (self.roms[i].release_key(), i));
        self.posts = china.chunks(POST_SIZE).map(<[usize]>::to_vec).collect();
        let mut phones: Vec<Phone> = Vec::new();
        let mut by_codename: HashMap<String, usize> = HashMap::new();
        for (index, device) in self.devices.iter().enumerate() {
            if device.region == Region::China {
                continue;
            }
            let slot = *by_codename
                .entry(device.codename.as_str().to_string())
                .or_insert_with(|| {
                    phones.push(Phone {
                        id: phones.len() as u64 + 1,
                        name: device.phone.clone(),
                        devices: Vec::new(),
                    });
                    phones.len() - 1
                });
            phones[slot].devices.push(index);
        }
        self.phones = phones;
    }

    pub fn is_china_recovery(&self, rom: usize) -> bool {
        let rom = &self.roms[rom];
        rom.method == Method::Recovery && self.devices[rom.device].region == Region::China
    }

    pub fn device_of(&self, variant: &str) -> Option<usize> {
        self.by_variant.get(variant).copied()
    }

    pub fn rom_named(&self, filename: &str) -> Option<&SimRom> {
        self.by_filename.get(filename).map(|&i| &self.roms[i])
    }

    pub fn roms_of(&self, device: usize) -> impl Iterator<Item = &SimRom> {
        self.roms_of_device
            .get(device)
            .into_iter()
            .flatten()
            .map(|&i| &self.roms[i])
    }

    /// The newest ROM of a device that satisfies `keep`.
    pub fn latest(&self, device: usize, keep: impl Fn(&SimRom) -> bool) -> Option<&SimRom> {
        self.roms_of(device)
            .filter(|r| keep(r))
            .max_by_key(|r| r.release_key())
    }

    /// The newest date in the catalog: releases are dated after it.
    pub fn newest_date(&self) -> Option<NaiveDate> {
        self.roms.iter().filter_map(|r| r.date).max()
    }

    /// The download link on the usual mirror.
    pub fn url(&self, rom: &SimRom) -> String {
        package_link(&usual_mirror(), rom.version.as_str(), &rom.filename)
    }

    /// The link a source hands out: signed for some ROMs, so clients must
    /// strip the query.
    pub fn handed_out_url(&self, rom: &SimRom) -> String {
        if !rom.signed {
            return self.url(rom);
        }
        let digest = Md5Hasher::digest(rom.filename.as_bytes());
        let signature: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let epoch = rom
            .date
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| t.and_utc().timestamp() + 7 * 86_400);
        let signed_host = format!("https://{}", SIGNED_HOSTS[0]);
        let link = package_link(&signed_host, rom.version.as_str(), &rom.filename);
        format!("{link}?t={epoch}&s={signature}")
    }

    /// The row of `GET /_sim/catalog` for a ROM.
    pub fn record(&self, rom: &SimRom) -> Record {
        let device = &self.devices[rom.device];
        let incremental = (rom.is_full_recovery())
            .then(|| {
                self.roms_of(rom.device).find(|r| {
                    r.from.is_some() && r.version == rom.version && r.method == Method::Recovery
                })
            })
            .flatten();
        Record {
            codename: device.codename.as_str().to_string(),
            device: device.name.clone(),
            os: match rom.version.os_line().family {
                OsFamily::Miui => "miui",
                OsFamily::HyperOs => "hyperos",
            }
            .to_string(),
            version: rom.version.as_str().to_string(),
            branch: rom.branch.name().to_string(),
            method: rom.method.name().to_string(),
            size: Some(Size::exact(rom.size).human()),
            date: rom.date.map(|d| d.format("%Y-%m-%d").to_string()),
            filename: rom.filename.clone(),
            md5: rom.md5.filter(Md5::is_full).map(|m| m.to_string()),
            url: Some(self.url(rom)),
            changelog: (!rom.changelog.is_empty()).then(|| rom.changelog.to_text()),
            android: Some(rom.android.clone()),
            mirror_hosts: MIRRORS.iter().map(|h| h.to_string()).collect(),
            incremental_url: incremental.map(|r| self.url(r)),
            card_codename: None,
            variant: Some(device.variant.as_str().to_string()),
            size_bytes: Some(rom.size),
            incremental_from: rom.from.clone(),
            first_seen: None,
            // What the packages' metadata says is read from the packages
            // (`SimServer::package_metadata` has the truth).
            security_patch: None,
            fingerprint: None,
            build_time: None,
        }
    }

    /// Every ROM as records, in publication order.
    pub fn records(&self) -> Vec<Record> {
        self.roms.iter().map(|r| self.record(r)).collect()
    }
}

/// The stand-in body of a ROM: [`STAND_IN_LEN`] bytes drawn from a
/// generator seeded by the key, so it is the same on every run.
pub(crate) fn stand_in_body(key: &str) -> Vec<u8> {
    let digest = Md5Hasher::digest(key.as_bytes());
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(&digest);
    let mut rng = ChaCha8Rng::from_seed(seed);
    let header = b"romwatch sim stand-in body\n";
    let mut body = vec![0u8; STAND_IN_LEN];
    body[..header.len()].copy_from_slice(header);
    rng.fill_bytes(&mut body[header.len()..]);
    body
}

/// The full MD5 of a stand-in body.
pub(crate) fn stand_in_md5(key: &str) -> Md5 {
    Md5::Full(Md5Hasher::digest(stand_in_body(key)).into())
}
