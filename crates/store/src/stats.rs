//! Counts of the store's ROMs by OS line, branch, method, region and year.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// All ROM files.
    pub roms: u64,
    pub devices: u64,
    pub by_os: BTreeMap<String, u64>,
    pub by_branch: BTreeMap<String, u64>,
    pub by_method: BTreeMap<String, u64>,
    pub by_kind: BTreeMap<String, u64>,
    pub by_region: BTreeMap<String, u64>,
    /// Release year; `unknown` where the date is.
    pub by_year: BTreeMap<String, u64>,
}

impl Store {
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let conn = self.connection();
        let count = |sql: &str| -> Result<BTreeMap<String, u64>, StoreError> {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(Stats {
            roms: conn.query_row("SELECT count(*) FROM roms", [], |r| r.get::<_, i64>(0))? as u64,
            devices: conn.query_row("SELECT count(*) FROM devices", [], |r| r.get::<_, i64>(0))?
                as u64,
            by_os: count(
                "SELECT CASE os_family WHEN 'hyperos' THEN 'HyperOS' ELSE 'MIUI' END
                        || coalesce(' ' || os_major, ''), count(*) FROM roms GROUP BY 1",
            )?,
            by_branch: count("SELECT branch, count(*) FROM roms GROUP BY 1")?,
            by_method: count("SELECT method, count(*) FROM roms GROUP BY 1")?,
            by_kind: count(
                "SELECT iif(incremental_from IS NULL, 'Full', 'Incremental'), count(*) FROM roms GROUP BY 1",
            )?,
            by_region: count(
                "SELECT d.region, count(*) FROM roms r JOIN devices d ON d.codename = r.variant GROUP BY 1",
            )?,
            by_year: count(
                "SELECT coalesce(substr(released, 1, 4), 'unknown'), count(*) FROM roms GROUP BY 1",
            )?,
        })
    }
}
