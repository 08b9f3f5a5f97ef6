//! The body of a package as the simulated CDN serves it to `Range`
//! requests: a real zip of the package's nominal size, generated on the fly
//! from a few hundred bytes of headers and a repeated filler block, never
//! held whole in memory or on disk.
//!
//! Layout, as an OTA package's: a stored `payload.bin` of filler, then
//! `META-INF/com/android/metadata`, `payload_properties.txt`, the central
//! directory and its end record; ZIP64 records (sizes and offsets in
//! extra fields, a ZIP64 end record and locator) when the package reaches
//! 4 GiB. The CRC-32 of the filler is computed by combining the block's CRC,
//! so every entry's CRC is right and the zip is valid throughout.
//!
//! The metadata is plausible and deterministic: the security patch is the
//! first of the release month (the month before for a release in the first
//! half of a month), the build time two days before the release, the
//! fingerprint built from the variant, the Android version and the version;
//! an incremental names the build it applies to as `pre-build`.
//!
//! A plain `GET` (no `Range`) keeps answering the short stand-in body whose
//! MD5 is the catalog's (see the catalog module): a generated body of
//! gigabytes could not hash to a real package's MD5, and `romwatch verify`
//! and the MD5 tests download the stand-in. Only `Range` requests address
//! the nominal-size zip, whose length is the `Content-Length` `HEAD` gives.

use std::sync::OnceLock;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};

use crate::catalog::{Catalog, SimRom};

/// The filler block `payload.bin` repeats.
const BLOCK_LEN: usize = 64 * 1024;

/// A value a 32-bit zip field cannot hold: the field says `0xFFFFFFFF` and
/// the ZIP64 extra field holds it.
const ZIP64_FROM: u64 = 0xFFFF_FFFF;

fn filler_block() -> &'static [u8] {
    static BLOCK: OnceLock<Vec<u8>> = OnceLock::new();
    BLOCK.get_or_init(|| {
        let mut rng = ChaCha8Rng::from_seed([7; 32]);
        let mut block = vec![0u8; BLOCK_LEN];
        rng.fill_bytes(&mut block);
        block
    })
}

/// The CRC-32 of `len` bytes of repeated filler blocks.
fn filler_crc(len: u64) -> u32 {
    let block = filler_block();
    let mut whole = crc32fast::Hasher::new();
    whole.update(block);
    let (mut blocks, rest) = (len / BLOCK_LEN as u64, (len % BLOCK_LEN as u64) as usize);
    // Blocks are all alike: square-and-multiply over concatenation.
    let mut total = crc32fast::Hasher::new();
    let mut power = whole;
    while blocks > 0 {
        if blocks & 1 == 1 {
            total.combine(&power);
        }
        let mut doubled = power.clone();
        doubled.combine(&power);
        power = doubled;
        blocks >>= 1;
    }
    let mut tail = crc32fast::Hasher::new();
    tail.update(&block[..rest]);
    total.combine(&tail);
    total.finalize()
}

/// What `META-INF/com/android/metadata` says of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageMetadata {
    pub fingerprint: String,
    pub security_patch: Option<NaiveDate>,
    /// Seconds since the Unix epoch.
    pub build_time: Option<i64>,
    pub sdk_level: u32,
    pub device: String,
    /// For an incremental, the fingerprint of the build it applies to.
    pub pre_build: Option<String>,
}

impl PackageMetadata {
    /// The entry's text, `key=value` lines sorted by key, as AOSP writes it.
    pub fn text(&self, version: &str, from: Option<&str>) -> String {
        let mut lines = vec![
            "ota-required-cache=0".to_string(),
            "ota-type=AB".to_string(),
            format!("post-build={}", self.fingerprint),
            format!("post-build-incremental={version}"),
            format!("post-sdk-level={}", self.sdk_level),
        ];
        if let Some(patch) = self.security_patch {
            lines.push(format!("post-security-patch-level={patch}"));
        }
        if let Some(time) = self.build_time {
            lines.push(format!("post-timestamp={time}"));
        }
        if let Some(pre) = &self.pre_build {
            lines.push(format!("pre-build={pre}"));
        }
        if let Some(from) = from {
            lines.push(format!("pre-build-incremental={from}"));
        }
        lines.push(format!("pre-device={}", self.device));
        lines.join("\n") + "\n"
    }
}

/// The Android major version of `14.0` (4 for 4.4).
fn android_major(android: &str) -> u32 {
    android
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

/// Android's API level for a version (`14.0` → 34).
fn sdk_level(android: &str) -> u32 {
    let minor = android
        .split('.')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    match android_major(android) {
        0..=4 => 19,
        5 => 21 + minor.min(1),
        6 => 23,
        7 => 24 + minor.min(1),
        8 => 26 + minor.min(1),
        // 12L took 32.
        major @ 9..=12 => major + 19,
        major => major + 20,
    }
}

/// A build fingerprint: `Xiaomi/<variant>/<device>:<android>/<build id>/<version>:user/release-keys`,
/// the build id naming the Android release (`UKQ1.230905.001` for 14).
pub fn fingerprint(variant: &str, device: &str, android: &str, version: &str) -> String {
    let major = android_major(android);
    let letter = if major <= 4 {
        'K'
    } else {
        char::from_u32('L' as u32 + (major - 5)).unwrap_or('X')
    };
    let year = (major.max(4) + 2009) % 100;
    format!(
        "Xiaomi/{variant}/{device}:{major}/{letter}KQ1.{year:02}0905.001/{version}:user/release-keys"
    )
}

/// The security patch a build released on `date` carries.
fn security_patch(date: NaiveDate) -> Option<NaiveDate> {
    let first = date.with_day(1)?;
    if date.day() >= 15 {
        Some(first)
    } else {
        (first - Duration::days(1)).with_day(1)
    }
}

/// The metadata of a catalog ROM.
pub(crate) fn metadata_of(catalog: &Catalog, rom: &SimRom) -> PackageMetadata {
    let device = &catalog.devices[rom.device];
    let print = |version: &str| {
        fingerprint(
            device.variant.as_str(),
            device.codename.as_str(),
            &rom.android,
            version,
        )
    };
    PackageMetadata {
        fingerprint: print(rom.version.as_str()),
        security_patch: rom.date.and_then(security_patch),
        build_time: rom
            .date
            .and_then(|d| (d - Duration::days(2)).and_hms_opt(8, 0, 0))
            .map(|t| t.and_utc().timestamp()),
        sdk_level: sdk_level(&rom.android),
        device: device.codename.as_str().to_string(),
        pre_build: rom.from.as_deref().map(print),
    }
}

/// One entry of the zip.
struct Entry<'a> {
    name: &'a str,
    crc: u32,
    len: u64,
    offset: u64,
}

/// A zip of a package's nominal size: `head` (the first local header),
/// filler, then `tail` (the other entries, the central directory and the
/// end records).
pub(crate) struct PackageBody {
    size: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl PackageBody {
    /// The zip of `rom`, or `None` if its nominal size cannot hold the
    /// entries (a package is never that small).
    pub fn new(catalog: &Catalog, rom: &SimRom) -> Option<PackageBody> {
        let metadata = metadata_of(catalog, rom).text(rom.version.as_str(), rom.from.as_deref());
        let properties = format!(
            "FILE_HASH=romwatch-sim\nFILE_SIZE={}\nMETADATA_HASH=romwatch-sim\nMETADATA_SIZE=4096\n",
            rom.size
        );
        Self::of(
            rom.size,
            rom.date,
            metadata.as_bytes(),
            properties.as_bytes(),
        )
    }

    fn of(
        size: u64,
        date: Option<NaiveDate>,
        metadata: &[u8],
        properties: &[u8],
    ) -> Option<PackageBody> {
        let zip64 = size >= ZIP64_FROM;
        let stamp = dos_stamp(date);
        let payload_name = "payload.bin";
        let head_len = local_header(payload_name, 0, 0, zip64, stamp).len() as u64;
        let tail_for = |payload_len: u64| {
            let payload = Entry {
                name: payload_name,
                crc: 0,
                len: payload_len,
                offset: 0,
            };
            let mut tail = Vec::new();
            let mut entries = vec![payload];
            let mut at = head_len + payload_len;
            for (name, data) in [
                ("META-INF/com/android/metadata", metadata),
                ("payload_properties.txt", properties),
            ] {
                let crc = crc32fast::hash(data);
                let header = local_header(name, crc, data.len() as u64, false, stamp);
                tail.extend_from_slice(&header);
                tail.extend_from_slice(data);
                entries.push(Entry {
                    name,
                    crc,
                    len: data.len() as u64,
                    offset: at,
                });
                at += (header.len() + data.len()) as u64;
            }
            (tail, entries, at)
        };
        let (probe, _, _) = tail_for(0);
        let directory_len: usize = [
            "payload.bin",
            "META-INF/com/android/metadata",
            "payload_properties.txt",
        ]
        .iter()
        .map(|n| 46 + n.len() + if zip64 { 28 } else { 0 })
        .sum();
        let end_len = 22 + if zip64 { 56 + 20 } else { 0 };
        let fixed = head_len + (probe.len() + directory_len + end_len) as u64;
        let payload_len = size.checked_sub(fixed)?;
        let (mut tail, mut entries, directory_at) = tail_for(payload_len);
        entries[0].crc = filler_crc(payload_len);
        for entry in &entries {
            tail.extend_from_slice(&central_header(entry, zip64, stamp));
        }
        let directory_size = tail.len() as u64 - probe.len() as u64;
        if zip64 {
            let record_at = directory_at + directory_size;
            tail.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            tail.extend_from_slice(&44u64.to_le_bytes());
            tail.extend_from_slice(&45u16.to_le_bytes());
            tail.extend_from_slice(&45u16.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            tail.extend_from_slice(&(entries.len() as u64).to_le_bytes());
            tail.extend_from_slice(&directory_size.to_le_bytes());
            tail.extend_from_slice(&directory_at.to_le_bytes());
            tail.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&record_at.to_le_bytes());
            tail.extend_from_slice(&1u32.to_le_bytes());
        }
        tail.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        tail.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        tail.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        tail.extend_from_slice(&(directory_size as u32).to_le_bytes());
        tail.extend_from_slice(&u32_or_marker(directory_at, zip64).to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        let head = local_header(payload_name, entries[0].crc, payload_len, zip64, stamp);
        debug_assert_eq!(head.len() as u64 + payload_len + tail.len() as u64, size);
        Some(PackageBody { size, head, tail })
    }

    /// The package's length in bytes.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Fills `buf` with the bytes from `offset` on (as many as there are).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        let tail_at = self.size - self.tail.len() as u64;
        let head_len = self.head.len() as u64;
        let mut written = 0;
        while written < buf.len() {
            let at = offset + written as u64;
            if at >= self.size {
                break;
            }
            let out = &mut buf[written..];
            let n = if at < head_len {
                copy(&self.head[at as usize..], out)
            } else if at < tail_at {
                let block = filler_block();
                let within = ((at - head_len) % BLOCK_LEN as u64) as usize;
                let left = (tail_at - at).min(out.len() as u64) as usize;
                copy(&block[within..], &mut out[..left])
            } else {
                copy(&self.tail[(at - tail_at) as usize..], out)
            };
            written += n;
        }
        written
    }
}

fn copy(from: &[u8], to: &mut [u8]) -> usize {
    let n = from.len().min(to.len());
    to[..n].copy_from_slice(&from[..n]);
    n
}

fn u32_or_marker(value: u64, zip64: bool) -> u32 {
    if zip64 { 0xFFFF_FFFF } else { value as u32 }
}

/// DOS time and date of the release day, noon (1980-01-01 when unknown).
fn dos_stamp(date: Option<NaiveDate>) -> (u16, u16) {
    let date = date.filter(|d| d.year() >= 1980);
    let day = date.map_or(33, |d| {
        (((d.year() - 1980) as u16) << 9) | ((d.month() as u16) << 5) | d.day() as u16
    });
    (12 << 11, day)
}

/// A stored entry's local header; with `zip64`, its sizes in a ZIP64 extra
/// field.
fn local_header(name: &str, crc: u32, len: u64, zip64: bool, stamp: (u16, u16)) -> Vec<u8> {
    let mut out = Vec::with_capacity(30 + name.len() + 20);
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&(if zip64 { 45u16 } else { 20 }).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // stored
    out.extend_from_slice(&stamp.0.to_le_bytes());
    out.extend_from_slice(&stamp.1.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&u32_or_marker(len, zip64).to_le_bytes());
    out.extend_from_slice(&u32_or_marker(len, zip64).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(if zip64 { 20u16 } else { 0 }).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    if zip64 {
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
    }
    out
}

/// An entry's central directory header; with `zip64`, sizes and offset in
/// a ZIP64 extra field.
fn central_header(entry: &Entry, zip64: bool, stamp: (u16, u16)) -> Vec<u8> {
    let mut out = Vec::with_capacity(46 + entry.name.len() + 28);
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&(0x0300u16 | 45).to_le_bytes()); // made by: Unix
    out.extend_from_slice(&(if zip64 { 45u16 } else { 20 }).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&stamp.0.to_le_bytes());
    out.extend_from_slice(&stamp.1.to_le_bytes());
    out.extend_from_slice(&entry.crc.to_le_bytes());
    out.extend_from_slice(&u32_or_marker(entry.len, zip64).to_le_bytes());
    out.extend_from_slice(&u32_or_marker(entry.len, zip64).to_le_bytes());
    out.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(if zip64 { 28u16 } else { 0 }).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out.extend_from_slice(&0u16.to_le_bytes()); // disk
    out.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    out.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
    out.extend_from_slice(&u32_or_marker(entry.offset, zip64).to_le_bytes());
    out.extend_from_slice(entry.name.as_bytes());
    if zip64 {
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&24u16.to_le_bytes());
        out.extend_from_slice(&entry.len.to_le_bytes());
        out.extend_from_slice(&entry.len.to_le_bytes());
        out.extend_from_slice(&entry.offset.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filler_crc_combines_to_the_crc_of_the_bytes() {
        for len in [0u64, 1, 65_535, 65_536, 65_537, 3 * 65_536 + 17] {
            let mut bytes = Vec::new();
            while (bytes.len() as u64) < len {
                bytes.extend_from_slice(filler_block());
            }
            bytes.truncate(len as usize);
            assert_eq!(filler_crc(len), crc32fast::hash(&bytes), "{len}");
        }
    }

    #[test]
    fn security_patch_is_the_release_month_or_the_one_before() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(security_patch(d(2025, 3, 20)), Some(d(2025, 3, 1)));
        assert_eq!(security_patch(d(2025, 3, 2)), Some(d(2025, 2, 1)));
        assert_eq!(security_patch(d(2025, 1, 2)), Some(d(2024, 12, 1)));
        assert_eq!(sdk_level("14.0"), 34);
        assert_eq!(sdk_level("8.1"), 27);
        assert_eq!(
            fingerprint("corot_global", "corot", "14.0", "OS1.0.5.0.UMLMIXM"),
            "Xiaomi/corot_global/corot:14/UKQ1.230905.001/OS1.0.5.0.UMLMIXM:user/release-keys"
        );
    }

    #[test]
    fn bodies_have_their_nominal_size_and_end_in_an_end_record() {
        for size in [70_000u64, 5_000_000_000] {
            let body = PackageBody::of(size, None, b"post-build=x\n", b"FILE_SIZE=1\n").unwrap();
            assert_eq!(body.len(), size);
            let mut end = vec![0u8; 22];
            assert_eq!(body.read_at(size - 22, &mut end), 22);
            assert_eq!(&end[..4], &0x0605_4b50u32.to_le_bytes());
            let mut past = [0u8; 4];
            assert_eq!(body.read_at(size, &mut past), 0);
            let mut start = [0u8; 4];
            body.read_at(0, &mut start);
            assert_eq!(start, 0x0403_4b50u32.to_le_bytes());
        }
        assert!(PackageBody::of(100, None, b"x", b"y").is_none());
    }

    /// Reads a body as a file, through `read_at`.
    struct Reader<'a>(&'a PackageBody, u64);

    impl std::io::Read for Reader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read_at(self.1, buf);
            self.1 += n as u64;
            Ok(n)
        }
    }

    impl std::io::Seek for Reader<'_> {
        fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
            self.1 = match to {
                std::io::SeekFrom::Start(n) => n,
                std::io::SeekFrom::End(n) => self.0.len().saturating_add_signed(n),
                std::io::SeekFrom::Current(n) => self.1.saturating_add_signed(n),
            };
            Ok(self.1)
        }
    }

    #[test]
    fn the_zip_crate_reads_every_entry_below_and_above_4_gib() {
        use std::io::Read;
        let metadata = b"post-build=Xiaomi/a/a:14/UKQ1.230905.001/V1:user/release-keys\n";
        for size in [3_000_000u64, 4_294_967_295, 6_500_000_000] {
            let body = PackageBody::of(
                size,
                NaiveDate::from_ymd_opt(2024, 5, 20),
                metadata,
                b"FILE_SIZE=1\n",
            )
            .unwrap();
            let mut zip = zip::ZipArchive::new(Reader(&body, 0)).unwrap();
            let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
            assert_eq!(names.len(), 3, "{names:?}");
            let mut text = Vec::new();
            zip.by_name("META-INF/com/android/metadata")
                .unwrap()
                .read_to_end(&mut text)
                .unwrap();
            assert_eq!(text, metadata, "{size}: the entry's bytes, its CRC checked");
            let payload = zip.by_name("payload.bin").unwrap();
            assert!(payload.size() > size - 2_000, "{size}: {}", payload.size());
        }
    }
}
