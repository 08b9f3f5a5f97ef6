//! The public device objects: a device with its variants, and a device
//! page found by a search.

use chrono::NaiveDate;
use romwatch_model::{OsFamily, Region};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::names;

/// One device variant: one device in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The variant codename (`alioth_global`).
    pub codename: String,
    /// Its marketing name with the region ("POCO F3 Global").
    pub name: String,
    #[schema(schema_with = names::region)]
    pub region: Region,
}

impl From<&romwatch_model::Device> for Variant {
    fn from(d: &romwatch_model::Device) -> Variant {
        Variant {
            codename: d.variant.to_string(),
            name: d.name.clone(),
            region: d.region.clone(),
        }
    }
}

/// A device: every variant of one codename, with its releases counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// The device codename (`alioth`).
    pub codename: String,
    /// The device's name without a region, that of the variant with the
    /// newest release ("POCO F3").
    pub name: String,
    /// The OS families it has releases of.
    #[schema(schema_with = names::os_families)]
    pub os: Vec<OsFamily>,
    /// Its variants, by codename.
    pub variants: Vec<Variant>,
    /// How many ROM files it has.
    #[schema(minimum = 0)]
    pub releases: u64,
    /// Its newest release date.
    #[schema(required = true)]
    pub latest_date: Option<NaiveDate>,
    /// This device's document, from the site root: its static file
    /// (`/api/v1/devices/alioth.json`) in a static file, its live route
    /// (`/api/v1/devices/alioth`) in a live answer.
    pub api: String,
}

/// What one variant of a device has released in one OS family: what a
/// [`Device`] is summed up from.
#[derive(Debug, Clone)]
pub struct VariantReleases {
    pub variant: romwatch_model::Device,
    pub family: OsFamily,
    pub releases: u64,
    /// The newest release date.
    pub newest: Option<NaiveDate>,
}

impl Device {
    /// Sums up the releases of one device codename's variants. Its name is
    /// that of the variant with the newest release (the first given among
    /// equals).
    pub fn of(codename: &str, rows: &[VariantReleases], api: String) -> Device {
        let newest = rows
            .iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| a.newest.cmp(&b.newest).then(j.cmp(i)))
            .map(|(_, row)| row);
        let mut variants: Vec<Variant> = Vec::new();
        for row in rows {
            if !variants
                .iter()
                .any(|v| v.codename == row.variant.variant.as_str())
            {
                variants.push(Variant::from(&row.variant));
            }
        }
        variants.sort_by(|a, b| a.codename.cmp(&b.codename));
        Device {
            codename: codename.to_string(),
            name: newest.map_or_else(
                || codename.to_string(),
                |row| row.variant.model_name().to_string(),
            ),
            os: OsFamily::ALL
                .iter()
                .copied()
                .filter(|f| rows.iter().any(|r| r.family == *f))
                .collect(),
            variants,
            releases: rows.iter().map(|r| r.releases).sum(),
            latest_date: rows.iter().filter_map(|r| r.newest).max(),
            api,
        }
    }
}

/// A device page a search found: one device in one OS family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceHit {
    /// The device codename.
    pub codename: String,
    /// The device's name without the region.
    pub name: String,
    #[schema(schema_with = names::os_family)]
    pub os: OsFamily,
    /// The device page, from the site root (`/hyperos/alioth/`).
    pub url: String,
    /// Whether the query is the device's (or a variant's) codename or name.
    pub exact: bool,
    /// The newest release date of the device in this family.
    #[schema(required = true)]
    pub latest_date: Option<NaiveDate>,
    pub variants: Vec<Variant>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use romwatch_model::Codename;

    fn variant(codename: &str, name: &str, region: Region) -> romwatch_model::Device {
        romwatch_model::Device {
            variant: Codename::new(codename).unwrap(),
            codename: Codename::new("alioth").unwrap(),
            name: name.to_string(),
            region,
        }
    }

    #[test]
    fn a_device_sums_its_variants_and_takes_the_newest_name() {
        let china = variant("alioth", "Redmi K40 China", Region::China);
        let global = variant("alioth_global", "POCO F3 Global", Region::Global);
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d);
        let rows = [
            VariantReleases {
                variant: global.clone(),
                family: OsFamily::HyperOs,
                releases: 3,
                newest: day(5),
            },
            VariantReleases {
                variant: china.clone(),
                family: OsFamily::Miui,
                releases: 2,
                newest: day(9),
            },
            VariantReleases {
                variant: global.clone(),
                family: OsFamily::Miui,
                releases: 1,
                newest: None,
            },
        ];
        let device = Device::of("alioth", &rows, "/api/v1/devices/alioth".into());
        assert_eq!(device.name, "Redmi K40");
        assert_eq!(device.os, [OsFamily::Miui, OsFamily::HyperOs]);
        assert_eq!(device.releases, 6);
        assert_eq!(device.latest_date, day(9));
        let codes: Vec<&str> = device
            .variants
            .iter()
            .map(|v| v.codename.as_str())
            .collect();
        assert_eq!(codes, ["alioth", "alioth_global"]);
    }
}
