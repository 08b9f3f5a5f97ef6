//! The generator's vocabulary: OS lines, regions, marketing names and
//! changelog entries a generated catalog is drawn from.

use romwatch_model::Region;

/// An OS line a device can run: version prefix and major, Android, the
/// year it started.
pub(super) struct Line {
    pub prefix: &'static str,
    pub major: u32,
    pub android_letter: char,
    pub android: &'static str,
    pub year: i32,
}

#[rustfmt::skip]
pub(super) const LINES: [Line; 11] = [
    line("V", 7, 'M', "6.0", 2015),
    line("V", 8, 'N', "7.0", 2016),
    line("V", 9, 'O', "8.0", 2017),
    line("V", 10, 'P', "9.0", 2018),
    line("V", 11, 'Q', "10.0", 2019),
    line("V", 12, 'R', "11.0", 2020),
    line("V", 13, 'S', "12.0", 2021),
    line("V", 14, 'T', "13.0", 2022),
    line("OS", 1, 'U', "14.0", 2023),
    line("OS", 2, 'V', "15.0", 2024),
    line("OS", 3, 'W', "16.0", 2025),
];

const fn line(
    prefix: &'static str,
    major: u32,
    android_letter: char,
    android: &'static str,
    year: i32,
) -> Line {
    Line {
        prefix,
        major,
        android_letter,
        android,
        year,
    }
}

/// Regions with how often a device is sold there, the version-tag code and
/// the word of variant names.
pub(super) const REGIONS: [(Region, f64, &str, &str); 9] = [
    (Region::China, 0.85, "CN", "China"),
    (Region::Global, 0.8, "MI", "Global"),
    (Region::Eea, 0.5, "EU", "EEA"),
    (Region::India, 0.3, "IN", "India"),
    (Region::Russia, 0.2, "RU", "Russia"),
    (Region::Indonesia, 0.15, "ID", "Indonesia"),
    (Region::Turkey, 0.1, "TR", "Turkey"),
    (Region::Taiwan, 0.1, "TW", "Taiwan"),
    (Region::Japan, 0.05, "JP", "Japan"),
];

pub(super) const SERIES: [&str; 7] = [
    "Xiaomi",
    "Redmi",
    "Redmi Note",
    "POCO X",
    "POCO F",
    "Redmi K",
    "Xiaomi Pad",
];
pub(super) const MODELS: [&str; 8] = ["", " Pro", " Pro+", " Ultra", " Lite", "T", "T Pro", " 5G"];
pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const SECTIONS: [(&str, &[&str]); 6] = [
    (
        "Camera",
        &[
            "Optimization: Faster shutter response",
            "New: Night mode for the front camera",
            "Fix: Photos were blurry in low light",
        ],
    ),
    (
        "Lock screen",
        &[
            "New: Customizable Lock screen shortcuts",
            "Optimization: Clock styles",
        ],
    ),
    (
        "Battery",
        &[
            "Optimization: Standby power consumption",
            "Fix: Battery drained fast in some cases",
        ],
    ),
    (
        "Settings",
        &[
            "Optimization: Search in Settings",
            "Fix: Settings closed unexpectedly",
        ],
    ),
    (
        "Notifications",
        &[
            "New: Notification grouping",
            "Fix: Notifications were delayed",
        ],
    ),
    (
        "System animations",
        &[
            "Optimization: Interrupt animation when closing apps",
            "Optimization: App transitions",
        ],
    ),
];
