//! Counts of the store's ROMs by OS line, branch, method, region and year.

use std::collections::BTreeMap;

use romwatch_model::{OsFamily, OsLine};
use serde::Serialize;

use crate::{Store, StoreError};

/// The ROMs of one OS line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineCount {
    /// `MIUI 14`, `HyperOS 2`, or for builds without a line number (weekly
    /// developer builds, named by date) `MIUI weekly (no line number)`.
    pub line: String,
    pub roms: u64,
}

/// How `stats` names an OS line: ROMs whose version carries no line
/// number are weekly builds, which a bare "MIUI" would not say.
fn line_name(line: OsLine) -> String {
    match line.major {
        Some(_) => line.to_string(),
        None => format!("{} weekly (no line number)", line.family),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// All ROM files.
    pub roms: u64,
    pub devices: u64,
    /// By OS line, oldest line first (MIUI 6 before MIUI 10).
    pub by_os: Vec<LineCount>,
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
            by_os: self.count_by_line()?,
            by_branch: count("SELECT branch, count(*) FROM roms GROUP BY 1")?,
            by_method: count("SELECT method, count(*) FROM roms GROUP BY 1")?,
            by_kind: count(
                "SELECT iif(incremental_from IS NULL, 'Full', 'Incremental'), count(*) FROM roms GROUP BY 1",
            )?,
            by_region: count(
                "SELECT d.region, count(*) FROM roms r JOIN devices d ON d.variant = r.variant GROUP BY 1",
            )?,
            by_year: count(
                "SELECT coalesce(substr(released, 1, 4), 'unknown'), count(*) FROM roms GROUP BY 1",
            )?,
        })
    }

    /// ROMs per OS line, sorted by family and line number.
    fn count_by_line(&self) -> Result<Vec<LineCount>, StoreError> {
        let mut stmt = self.connection().prepare(
            "SELECT os_family, os_major, count(*) FROM roms GROUP BY os_family, os_major",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<u16>>(1)?,
                r.get::<_, i64>(2)? as u64,
            ))
        })?;
        let mut lines = Vec::new();
        for row in rows {
            let (family, major, roms) = row?;
            let family: OsFamily = family
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("OS family {family:?}")))?;
            lines.push((OsLine { family, major }, roms));
        }
        lines.sort();
        Ok(lines
            .into_iter()
            .map(|(line, roms)| LineCount {
                line: line_name(line),
                roms,
            })
            .collect())
    }
}
