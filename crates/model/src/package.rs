//! The grammar of Xiaomi's package file names (UPSTREAM.md §6).
//!
//! Every form is parsed from its separators inward, and each token is
//! checked against what it must be (version, 10-hex MD5 prefix, Android
//! version, build date), so a name that merely looks similar is refused
//! with the reason rather than read wrongly.

use chrono::NaiveDate;

use crate::{Codename, Kind, Md5, Method, Region, Version, file_name_of_url};

/// Who a package is for, as far as its name says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceRef {
    /// A variant codename, as in all newer names (`corot_eea_global`).
    Variant(Codename),
    /// The package name of old recovery names (`MI5S` in
    /// `miui_MI5SGlobal_…`), region word and `PRE` removed. It is not
    /// always the codename; the source or the store maps it to one.
    PackageName(String),
}

/// A parsed package file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageName {
    pub method: Method,
    pub device: DeviceRef,
    pub region: Region,
    /// The version the package installs.
    pub version: Version,
    /// For incremental packages, the version they update from.
    pub from: Option<Version>,
    /// The 10-hex MD5 prefix every official name carries.
    pub md5: Md5,
    /// The Android version written in the name (`14.0`).
    pub android: String,
    /// The build date of fastboot images, where the name has one.
    pub build_date: Option<NaiveDate>,
    /// A developer build (`…PRE` in old recovery names).
    pub developer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unrecognised package name {name:?}: {reason}")]
pub struct GrammarError {
    pub name: String,
    pub reason: String,
}

const MAX_NAME_LEN: usize = 255;

impl PackageName {
    /// Parses a package file name (or a download URL ending in one).
    pub fn parse(input: &str) -> Result<PackageName, GrammarError> {
        let name = file_name_of_url(input.trim());
        let fail = |reason: String| GrammarError {
            name: name.to_string(),
            reason,
        };
        if name.len() > MAX_NAME_LEN {
            return Err(fail(format!("longer than {MAX_NAME_LEN} characters")));
        }
        let (stem, ext) = name
            .rsplit_once('.')
            .ok_or_else(|| fail("no file extension (expected .zip or .tgz)".into()))?;
        let method = Method::of_extension(ext)
            .ok_or_else(|| fail(format!("extension .{ext} is neither .zip nor .tgz")))?;
        let parsed = match method {
            Method::Recovery => Self::recovery(stem),
            Method::Fastboot => Self::fastboot(stem),
        };
        parsed.map_err(fail)
    }

    /// Whether the package is an incremental update.
    pub fn kind(&self) -> Kind {
        match &self.from {
            Some(from) => Kind::Incremental {
                from: from.as_str().to_string(),
            },
            None => Kind::Full,
        }
    }

    fn recovery(stem: &str) -> Result<PackageName, String> {
        if let Some(rest) = stem.strip_prefix("miui_") {
            return Self::miui_full(rest);
        }
        if let Some(rest) = stem
            .strip_prefix("miui-blockota-")
            .or_else(|| stem.strip_prefix("miui-ota-"))
        {
            // <device>-<from>-<to>-<md5>-<android>
            let [device, from, to, md5, android] = split_exact(rest, '-')?;
            return Self::assemble(Method::Recovery, device, to, Some(from), md5, android, None);
        }
        if let Some((device, rest)) = stem.split_once("-ota_full-") {
            // <version>-<build>-<android>-<md5>
            let [version, build, android, md5] = split_exact(rest, '-')?;
            check_build_type(build)?;
            return Self::assemble(Method::Recovery, device, version, None, md5, android, None);
        }
        if let Some((device, rest)) = stem.split_once("-ota_incremental-") {
            // <from>-<to>-<build>-<android>-<md5>
            let [from, to, build, android, md5] = split_exact(rest, '-')?;
            check_build_type(build)?;
            return Self::assemble(Method::Recovery, device, to, Some(from), md5, android, None);
        }
        Err("not a known recovery form (miui_…, miui-blockota-…, miui-ota-…, …-ota_full-…, …-ota_incremental-…)".into())
    }

    /// `miui_<NAME>_<version>_<md5>_<android>`; NAME may hold `_`.
    fn miui_full(rest: &str) -> Result<PackageName, String> {
        let mut parts = rest.rsplitn(4, '_');
        let (Some(android), Some(md5), Some(version), Some(name)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("expected miui_<NAME>_<version>_<md5>_<android>".into());
        };
        let version = parse_version(version)?;
        let ok_name = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok_name {
            return Err(format!("bad package name {name:?}"));
        }
        let (package, region_word, developer) = split_package_word(name, version.region());
        let region = version
            .region()
            .cloned()
            .or(region_word)
            .unwrap_or(Region::China);
        Ok(PackageName {
            method: Method::Recovery,
            device: DeviceRef::PackageName(package.to_string()),
            region,
            md5: parse_md5(md5)?,
            android: parse_android(android)?,
            version,
            from: None,
            build_date: None,
            developer,
        })
    }

    /// `<device>_images_<version>_[<date>_]<android>[_<region>…]_<md5>`, or
    /// the same with `-` and a build type after the version.
    fn fastboot(stem: &str) -> Result<PackageName, String> {
        let (device, rest, sep) = if let Some((d, r)) = stem.split_once("_images_") {
            (d, r, '_')
        } else if let Some((d, r)) = stem.split_once("-images-") {
            (d, r, '-')
        } else {
            return Err(
                "not a known fastboot form (<device>_images_… or <device>-images-…)".into(),
            );
        };
        let tokens: Vec<&str> = rest.split(sep).collect();
        let [version, middle @ .., md5] = tokens.as_slice() else {
            return Err("expected <version>…<md5> after images".into());
        };
        // Debug images carry their build type on the version: `V14.0.3.0.TMLRUXM.debug`.
        let version = match version.rsplit_once('.') {
            Some((v, build)) if check_build_type(build).is_ok() => v,
            _ => version,
        };
        let mut middle = middle.iter().copied().peekable();
        if sep == '-' {
            middle.next_if(|t| check_build_type(t).is_ok());
        }
        let build_date =
            match middle.next_if(|t| t.starts_with(|c: char| c.is_ascii_digit()) && t.len() > 8) {
                Some(token) => Some(parse_build_date(token)?),
                None => None,
            };
        let android = middle.next().ok_or("no Android version")?;
        for word in middle {
            if word.is_empty() || word.len() > 16 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(format!("bad region word {word:?}"));
            }
        }
        Self::assemble(
            Method::Fastboot,
            device,
            version,
            None,
            md5,
            android,
            build_date,
        )
    }

    /// Checks and combines the tokens of the forms that name a variant.
    fn assemble(
        method: Method,
        device: &str,
        version: &str,
        from: Option<&str>,
        md5: &str,
        android: &str,
        build_date: Option<NaiveDate>,
    ) -> Result<PackageName, String> {
        let variant = Codename::new(device).map_err(|e| e.to_string())?;
        Ok(PackageName {
            method,
            region: Region::of_variant(variant.as_str()),
            device: DeviceRef::Variant(variant),
            version: parse_version(version)?,
            from: from.map(parse_version).transpose()?,
            md5: parse_md5(md5)?,
            android: parse_android(android)?,
            build_date,
            developer: false,
        })
    }
}

fn split_exact<const N: usize>(text: &str, sep: char) -> Result<[&str; N], String> {
    let parts: Vec<&str> = text.split(sep).collect();
    let count = parts.len();
    parts
        .try_into()
        .map_err(|_| format!("expected {N} parts separated by '{sep}', found {count}"))
}

fn parse_version(text: &str) -> Result<Version, String> {
    Version::parse(text).map_err(|e| e.to_string())
}

fn parse_md5(token: &str) -> Result<Md5, String> {
    let valid = token.len() == 10 && token.bytes().all(|b| b.is_ascii_hexdigit());
    match token.parse() {
        Ok(md5 @ Md5::Prefix(_)) if valid => Ok(md5),
        _ => Err(format!("bad MD5 prefix {token:?} (expected 10 hex digits)")),
    }
}

/// `14.0`, `7.1`, `4.4`.
fn parse_android(token: &str) -> Result<String, String> {
    let ok = token
        .split_once('.')
        .is_some_and(|(a, b)| is_digits(a, 1..=2) && is_digits(b, 1..=2));
    if ok {
        Ok(token.to_string())
    } else {
        Err(format!("bad Android version {token:?}"))
    }
}

fn is_digits(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `user`, `userdebug`: the build type of newer names.
fn check_build_type(token: &str) -> Result<(), String> {
    let ok = (1..=16).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_lowercase());
    if ok {
        Ok(())
    } else {
        Err(format!("bad build type {token:?}"))
    }
}

/// `20171228.0000.00` (older names end in `.0000.4`, `.0000` and the like).
fn parse_build_date(token: &str) -> Result<NaiveDate, String> {
    let bad = || format!("bad build date {token:?} (expected yyyymmdd.0000.00)");
    let mut parts = token.split('.');
    let (Some(date), Some(hhmm), seq, None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !is_digits(date, 8..=8)
        || !is_digits(hhmm, 4..=4)
        || !seq.is_none_or(|s| is_digits(s, 1..=2))
    {
        return Err(bad());
    }
    NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())
}

/// Splits `AGATEEEAGlobal` into the package name, the region its word
/// names, and whether a `PRE` (developer) mark was present. `tag_region`,
/// from the version, says which word to expect when there is one.
fn split_package_word<'a>(
    name: &'a str,
    tag_region: Option<&Region>,
) -> (&'a str, Option<Region>, bool) {
    let (name, pre_outer) = strip_pre(name);
    let Some(base) = name.strip_suffix("Global") else {
        let (name, pre) = strip_pre(name);
        return (name, None, pre || pre_outer);
    };
    let from_tag = tag_region.and_then(|r| {
        let word = r.package_word();
        let code = word.strip_suffix("Global")?;
        base.strip_suffix(code)
            .filter(|p| !p.is_empty())
            .map(|p| (p, r.clone()))
    });
    let (package, region) = from_tag.unwrap_or_else(|| {
        ["EEA", "IN", "RU", "ID", "TR", "TW", "JP", "KR"]
            .iter()
            .find_map(|code| {
                let package = base.strip_suffix(code).filter(|p| !p.is_empty())?;
                Some((package, Region::from_code(&code.to_ascii_lowercase())?))
            })
            .unwrap_or((base, Region::Global))
    });
    let (package, pre) = strip_pre(package);
    (package, Some(region), pre || pre_outer)
}

fn strip_pre(name: &str) -> (&str, bool) {
    match name.strip_suffix("PRE").filter(|p| !p.is_empty()) {
        Some(p) => (p, true),
        None => (name, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Branch;

    fn p(name: &str) -> PackageName {
        PackageName::parse(name).unwrap_or_else(|e| panic!("{e}"))
    }

    fn variant(pkg: &PackageName) -> &str {
        match &pkg.device {
            DeviceRef::Variant(v) => v.as_str(),
            DeviceRef::PackageName(n) => n,
        }
    }

    #[test]
    fn miui_recovery_names() {
        let pkg = p("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip");
        assert_eq!(pkg.device, DeviceRef::PackageName("MI5S".into()));
        assert_eq!(pkg.region, Region::Global);
        assert_eq!(pkg.version.branch(), Branch::Weekly);
        assert_eq!(pkg.md5.to_string(), "409451bb85");
        assert_eq!(
            (pkg.android.as_str(), pkg.method, pkg.kind()),
            ("7.0", Method::Recovery, Kind::Full)
        );

        let pkg = p("miui_AGATEEEAGlobal_OS1.0.10.0.UKWEUXM_6e09feeec4_14.0.zip");
        assert_eq!(pkg.device, DeviceRef::PackageName("AGATE".into()));
        assert_eq!(pkg.region, Region::Eea);
        assert_eq!(pkg.version.os_line().to_string(), "HyperOS 1");

        let pkg = p("miui_ALIOTHPRE_21.12.30_0ce79571b9_12.0.zip");
        assert_eq!(
            (variant(&pkg), pkg.developer, pkg.region.clone()),
            ("ALIOTH", true, Region::China)
        );
        let pkg = p("miui_HMNote4XINGlobal_8.1.18_0123456789_7.0.zip");
        assert_eq!(
            (variant(&pkg), pkg.region.clone()),
            ("HMNote4X", Region::India)
        );
    }

    #[test]
    fn hyperos_recovery_names() {
        let pkg = p("corot_eea_global-ota_full-OS1.1.5.0.VMLEUXM-user-15.0-03d35d5f95.zip");
        assert_eq!(variant(&pkg), "corot_eea_global");
        assert_eq!(pkg.region, Region::Eea);
        assert_eq!(pkg.version.as_str(), "OS1.1.5.0.VMLEUXM");
        assert_eq!(pkg.android, "15.0");
        let pkg = p(
            "https://bigota.d.miui.com/OS3.0.306.0.WDTMIXM/leedsa_global-ota_full-OS3.0.306.0.WDTMIXM-user-16.0-7e693c762c.zip?t=1&s=abc",
        );
        assert_eq!(
            (variant(&pkg), pkg.md5.to_string().as_str()),
            ("leedsa_global", "7e693c762c")
        );
    }

    #[test]
    fn incremental_names() {
        let pkg = p(
            "miui-blockota-agate_eea_global-OS1.0.9.0.UKWEUXM-OS1.0.10.0.UKWEUXM-685ef0944d-14.0.zip",
        );
        assert_eq!(
            pkg.kind(),
            Kind::Incremental {
                from: "OS1.0.9.0.UKWEUXM".into()
            }
        );
        assert_eq!(pkg.version.as_str(), "OS1.0.10.0.UKWEUXM");
        let pkg = p("miui-ota-virgo_global-6.1.7-6.1.14-eeef1ad000-5.0.zip");
        assert_eq!(
            (variant(&pkg), pkg.region.clone()),
            ("virgo_global", Region::Global)
        );
        let pkg = p(
            "moon_eea_global-ota_incremental-OS2.0.4.0.VNTEUXM-OS2.0.5.0.VNTEUXM-user-15.0-617757f1f6.zip",
        );
        assert_eq!(
            pkg.from.as_ref().map(Version::as_str),
            Some("OS2.0.4.0.VNTEUXM")
        );
    }

    #[test]
    fn fastboot_names() {
        let pkg = p(
            "agate_eea_global_images_OS1.0.10.0.UKWEUXM_20250115.0000.00_14.0_eea_3c2f45d9c8.tgz",
        );
        assert_eq!(
            (variant(&pkg), pkg.method),
            ("agate_eea_global", Method::Fastboot)
        );
        assert_eq!(pkg.build_date, NaiveDate::from_ymd_opt(2025, 1, 15));
        let dash = p(
            "corot_global-images-OS2.0.3.0.VMLMIXM-user-20250101.0000.00-15.0-global-0123456789.tgz",
        );
        assert_eq!(
            (variant(&dash), dash.android.as_str()),
            ("corot_global", "15.0")
        );
        // Old names lack the date, the region, or end their date in `.0000.4`.
        assert_eq!(
            p("cancro_images_V6.5.2.0.KXDCNCD_4.4_cn_50d235ac42.tgz").build_date,
            None
        );
        assert_eq!(
            p("tiare_ru_global_images_V10.2.8.0.OCLRUXM_20190524.0000.00_8.1_57d5de1d56.tgz")
                .region,
            Region::Russia
        );
        p("hermes_global_images_5.11.12_20151104.0000.4_5.0_global_4820b23583.tgz");
        p("kenzo_global_images_V8.0.6.0.LHOMIDG_20161025.0000_5.1_global_e45dc39209.tgz");
        let debug = p(
            "corot_ru_global_images_V14.0.3.0.TMLRUXM.debug_20230926.0000.00_13.0_ru_18086cee7f.tgz",
        );
        assert_eq!(debug.version.as_str(), "V14.0.3.0.TMLRUXM");
        p("daumier_images_V14.0.22.12.5.DEV_20221205.0000.00_13.0_cn_chinatelecom_ec1e522d78.tgz");
        // A region romwatch has never seen.
        assert_eq!(
            p("zorn_mx_global_images_OS3.0.1.0.WOKMXXM_20260101.0000.00_16.0_mx_0123456789.tgz")
                .region,
            Region::Other("mx".into())
        );
    }

    #[test]
    fn refuses_what_is_not_a_package_name() {
        for bad in [
            "",
            "miui.zip",
            "foo.apk",
            "miui_MI5SGlobal_7.12.28_409451bb85.zip",
            "miui_MI5SGlobal_7.12.28_409451bb8z_7.0.zip",
            "miui_MI5SGlobal_7.12.28_409451bb85_seven.zip",
            "..\\etc_images_V6.5.2.0.KXDCNCD_4.4_cn_50d235ac42.tgz",
            "a_images_V6.5.2.0.KXDCNCD_20151399.0000.00_4.4_cn_50d235ac42.tgz",
            "corot_eea_global-ota_full-OS1.1.5.0.VMLEUXM-USER-15.0-03d35d5f95.zip",
            "44edb6fd7214022224e0a6ba8eb8a067362c0fe7.zip",
        ] {
            let err = PackageName::parse(bad).expect_err(bad);
            assert!(!err.reason.is_empty());
        }
    }
}
