//! Package file names in every form of UPSTREAM.md §6, chosen the way
//! Xiaomi's naming evolved: old MIUI, MIUI and HyperOS 1, HyperOS 1.1+.

use chrono::NaiveDate;
use romwatch_model::{OsFamily, Region, Version, VersionForm};

/// What kind of package a name is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    RecoveryFull,
    Incremental,
    Fastboot,
}

/// Everything a file name can carry.
pub(crate) struct NameParts<'a> {
    /// The variant codename (`corot_eea_global`).
    pub variant: &'a str,
    /// The package name of old recovery names (`COROT`).
    pub package: &'a str,
    pub region: &'a Region,
    pub version: &'a Version,
    pub from: Option<&'a str>,
    /// `14.0`.
    pub android: &'a str,
    /// The 10-hex MD5 prefix.
    pub md5: &'a str,
    pub build_date: NaiveDate,
    /// Old China developer names end their package word in `PRE`.
    pub developer_mark: bool,
}

/// The naming era a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Era {
    /// MIUI up to 8 and the dated weekly builds before 2018.
    OldMiui,
    /// MIUI 9 to 14, dated weekly builds from 2018, HyperOS 1.0.
    Miui,
    /// HyperOS 1.1 and later.
    HyperOs,
}

fn era(version: &Version) -> Era {
    let line = version.os_line();
    let numbers: Option<&[u32]> = match version.form() {
        VersionForm::Release { numbers, .. } => Some(numbers),
        VersionForm::PublicBeta { numbers, .. } => Some(numbers),
        _ => None,
    };
    match (line.family, line.major, numbers) {
        (OsFamily::HyperOs, Some(1), Some(n))
            if version.as_str().starts_with("OS") && n[1] >= 1 =>
        {
            Era::HyperOs
        }
        (OsFamily::HyperOs, Some(major), _) if major >= 2 => Era::HyperOs,
        (OsFamily::HyperOs, ..) => Era::Miui,
        (OsFamily::Miui, Some(major), _) if major <= 8 => Era::OldMiui,
        (OsFamily::Miui, None, _) => match version.form() {
            VersionForm::Weekly { year, .. } if *year < 18 => Era::OldMiui,
            _ => Era::Miui,
        },
        _ => Era::Miui,
    }
}

/// The file name of a package.
pub(crate) fn file_name(kind: FileKind, p: &NameParts<'_>) -> String {
    let version = p.version.as_str();
    let era = era(p.version);
    match kind {
        FileKind::RecoveryFull => match era {
            Era::HyperOs => format!(
                "{}-ota_full-{version}-user-{}-{}.zip",
                p.variant, p.android, p.md5
            ),
            _ => {
                let word = if p.developer_mark && *p.region == Region::China {
                    "PRE".to_string()
                } else {
                    p.region.package_word()
                };
                format!(
                    "miui_{}{word}_{version}_{}_{}.zip",
                    p.package, p.md5, p.android
                )
            }
        },
        FileKind::Incremental => {
            let from = p.from.unwrap_or(version);
            match era {
                Era::HyperOs => format!(
                    "{}-ota_incremental-{from}-{version}-user-{}-{}.zip",
                    p.variant, p.android, p.md5
                ),
                Era::Miui => format!(
                    "miui-blockota-{}-{from}-{version}-{}-{}.zip",
                    p.variant, p.md5, p.android
                ),
                Era::OldMiui => format!(
                    "miui-ota-{}-{from}-{version}-{}-{}.zip",
                    p.variant, p.md5, p.android
                ),
            }
        }
        FileKind::Fastboot => {
            let date = p.build_date.format("%Y%m%d");
            let region = p.region.code();
            match era {
                Era::HyperOs => format!(
                    "{}-images-{version}-user-{date}.0000.00-{}-{region}-{}.tgz",
                    p.variant, p.android, p.md5
                ),
                Era::Miui => format!(
                    "{}_images_{version}_{date}.0000.00_{}_{region}_{}.tgz",
                    p.variant, p.android, p.md5
                ),
                // The oldest fastboot names lack the build date.
                Era::OldMiui => format!(
                    "{}_images_{version}_{}_{region}_{}.tgz",
                    p.variant, p.android, p.md5
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::{DeviceRef, PackageName};

    fn name(
        kind: FileKind,
        variant: &str,
        region: Region,
        version: &str,
        from: Option<&str>,
    ) -> String {
        let version = Version::parse(version).unwrap();
        let parts = NameParts {
            variant,
            package: "COROT",
            region: &region,
            version: &version,
            from,
            android: "14.0",
            md5: "0123456789",
            build_date: NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(),
            developer_mark: false,
        };
        let name = file_name(kind, &parts);
        PackageName::parse(&name).unwrap_or_else(|e| panic!("{e}"));
        name
    }

    #[test]
    fn every_era_and_kind_names_parse() {
        use FileKind::*;
        assert_eq!(
            name(
                RecoveryFull,
                "corot_eea_global",
                Region::Eea,
                "OS1.0.10.0.UMLEUXM",
                None
            ),
            "miui_COROTEEAGlobal_OS1.0.10.0.UMLEUXM_0123456789_14.0.zip"
        );
        assert_eq!(
            name(
                RecoveryFull,
                "corot_eea_global",
                Region::Eea,
                "OS2.0.5.0.VMLEUXM",
                None
            ),
            "corot_eea_global-ota_full-OS2.0.5.0.VMLEUXM-user-14.0-0123456789.zip"
        );
        assert_eq!(
            name(
                Incremental,
                "corot",
                Region::China,
                "V8.0.2.0.NMLCNXM",
                Some("V8.0.1.0.NMLCNXM")
            ),
            "miui-ota-corot-V8.0.1.0.NMLCNXM-V8.0.2.0.NMLCNXM-0123456789-14.0.zip"
        );
        assert!(
            name(
                Incremental,
                "corot",
                Region::China,
                "V14.0.2.0.TMLCNXM",
                Some("V14.0.1.0.TMLCNXM")
            )
            .starts_with("miui-blockota-")
        );
        assert!(
            name(
                Incremental,
                "corot_global",
                Region::Global,
                "OS3.0.2.0.WMLMIXM",
                Some("OS3.0.1.0.WMLMIXM")
            )
            .contains("-ota_incremental-")
        );
        assert_eq!(
            name(Fastboot, "corot", Region::China, "V7.1.2.0.MMLCNXM", None),
            "corot_images_V7.1.2.0.MMLCNXM_14.0_cn_0123456789.tgz"
        );
        assert!(
            name(
                Fastboot,
                "corot_global",
                Region::Global,
                "OS2.0.1.0.VMLMIXM",
                None
            )
            .contains("-images-")
        );
        assert!(
            name(Fastboot, "corot_global", Region::Global, "21.12.30", None)
                .contains("_images_21.12.30_")
        );
        let old = name(
            RecoveryFull,
            "corot",
            Region::China,
            "V816.0.4.0.UMLCNXM",
            None,
        );
        let parsed = PackageName::parse(&old).unwrap();
        assert_eq!(parsed.device, DeviceRef::PackageName("COROT".into()));
    }
}
