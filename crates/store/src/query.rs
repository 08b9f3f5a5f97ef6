//! Read-only queries for the live API: filtered, cursor-paged ROM lists and
//! full-text search.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

use romwatch_model::search::{Query, newest_first, words};
use romwatch_model::{Branch, Device, Method, OsFamily, Region, Rom, paths};

use crate::sqlite::{ROM_COLUMNS, codename_of, read_rom};
use crate::{Store, StoreError};

/// What a ROM list is narrowed to; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct RomFilter {
    /// A device codename (`alioth`) or a variant codename (`alioth_global`).
    pub codename: Option<String>,
    pub region: Option<Region>,
    pub branch: Option<Branch>,
    pub method: Option<Method>,
    pub os: Option<OsFamily>,
    /// Search words, as for [`Store::search`].
    pub text: Option<String>,
}

/// A ROM with its place in the store and its device's name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    /// Increases with the order ROMs were recorded; cursors are built on it.
    pub id: i64,
    pub device: String,
    #[serde(flatten)]
    pub rom: Rom,
}

/// One page of a list, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub roms: Vec<Listed>,
    /// Pass as `cursor` to get the next page (the API's `next_cursor`);
    /// `None` on the last one.
    pub next_cursor: Option<i64>,
}

/// Turns what a user typed into an FTS5 query: each term of the
/// [`Query`] becomes a quoted prefix phrase of its words (`V14.0.3` →
/// `"v14 0 3"*`), so no input can inject FTS5 syntax and the store finds
/// what the shared search rules say. `None` when the query has no word of
/// [`romwatch_model::search::MIN_WORD`] characters.
pub fn fts_query(text: &str) -> Option<String> {
    Query::parse(text).map(|q| fts_of(&q))
}

/// How many words a search for `text` looks up (before the query keeps
/// its first terms): what its cost grows with, so that a server can refuse
/// too many.
pub fn search_terms(text: &str) -> usize {
    text.split_whitespace()
        .map(|piece| words(piece).len())
        .sum()
}

fn fts_of(query: &Query) -> String {
    let phrases: Vec<String> = query
        .terms()
        .iter()
        .map(|term| format!("\"{}\"*", term.join(" ")))
        .collect();
    phrases.join(" ")
}

/// A device page that matches a search: one device in one OS family, with
/// its variants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceHit {
    pub codename: String,
    /// The device's name without the region ([`Device::model_name`]).
    pub name: String,
    /// `MIUI` or `HyperOS`.
    pub os: &'static str,
    /// The device page, from the site root.
    pub url: String,
    /// Whether the query is the device's (or a variant's) codename or name.
    pub exact: bool,
    /// The newest release date of the device in this family.
    pub latest_date: Option<NaiveDate>,
    pub variants: Vec<Device>,
}

/// What a search finds, in the order of the shared search rules
/// ([`romwatch_model::search`]): devices, then ROMs newest first.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub devices: Vec<DeviceHit>,
    pub roms: Vec<Listed>,
    /// Pass as `cursor` to get the next ROMs (the API's `next_cursor`);
    /// `None` on the last page.
    pub next_cursor: Option<usize>,
}

/// Stops, from another thread, the query running on one store's
/// connection: the statement running now and every later one, until the
/// next [`Store::interrupter`] is taken for the next query. They fail with
/// an error for which [`StoreError::is_interrupted`] holds. (SQLite's own
/// interrupt stops only the statements running at that moment, so a query
/// of several statements would go on with the next.)
pub struct Interrupter {
    now: rusqlite::InterruptHandle,
    later: Arc<AtomicBool>,
}

impl Interrupter {
    /// Stops the running statement, if any, and every later one.
    pub fn interrupt(&self) {
        self.later.store(true, Ordering::Relaxed);
        self.now.interrupt();
    }
}

/// Virtual machine steps between two checks whether a query was stopped.
const STOP_CHECK_STEPS: i32 = 100;

const SELECT: &str = "SELECT r.id, d.name, ";

impl Store {
    /// ROMs matching `filter`, newest first, `limit` at most, from the
    /// `cursor` a previous page gave on (its [`Page::next_cursor`]).
    pub fn list_roms(
        &self,
        filter: &RomFilter,
        limit: usize,
        cursor: Option<i64>,
    ) -> Result<Page, StoreError> {
        let mut args: Vec<Value> = Vec::new();
        let mut clauses: Vec<String> = Vec::new();
        // Each condition names its argument by number, so one can be used twice.
        let mut condition = |value: Value, clause: &dyn Fn(usize) -> String| {
            args.push(value);
            clauses.push(clause(args.len()));
        };
        let text = |s: &str| Value::Text(s.to_string());
        if let Some(codename) = &filter.codename {
            condition(text(codename), &|n| {
                format!("(r.codename = ?{n} OR r.variant = ?{n})")
            });
        }
        if let Some(region) = &filter.region {
            condition(text(region.code()), &|n| format!("d.region = ?{n}"));
        }
        if let Some(branch) = filter.branch {
            condition(text(branch.name()), &|n| format!("r.branch = ?{n}"));
        }
        if let Some(method) = filter.method {
            condition(text(method.name()), &|n| format!("r.method = ?{n}"));
        }
        if let Some(os) = filter.os {
            condition(text(os.slug()), &|n| format!("r.os_family = ?{n}"));
        }
        if let Some(words) = &filter.text {
            let Some(query) = fts_query(words) else {
                return Ok(Page {
                    roms: Vec::new(),
                    next_cursor: None,
                });
            };
            condition(Value::Text(query), &|n| {
                format!("r.id IN (SELECT rowid FROM rom_search WHERE rom_search MATCH ?{n})")
            });
        }
        // The cursor is the id of the previous page's last ROM.
        if let Some(cursor) = cursor {
            condition(Value::Integer(cursor), &|n| format!("r.id < ?{n}"));
        }
        let columns: Vec<String> = ROM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let filters = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        args.push(Value::Integer(limit as i64 + 1));
        let sql = format!(
            "{SELECT}{} FROM roms r JOIN devices d ON d.variant = r.variant {filters} ORDER BY r.id DESC LIMIT ?{}",
            columns.join(", "),
            args.len()
        );
        let mut roms = self.listed(&sql, args)?;
        let next_cursor = if roms.len() > limit {
            roms.truncate(limit);
            roms.last().map(|r| r.id)
        } else {
            None
        };
        Ok(Page { roms, next_cursor })
    }

    /// Searches devices and ROMs by the shared search rules
    /// ([`romwatch_model::search`]): the devices that match (on the first
    /// page only), then `limit` ROMs newest first from the `cursor`-th on.
    pub fn search(
        &self,
        text: &str,
        limit: usize,
        cursor: usize,
    ) -> Result<SearchResults, StoreError> {
        let Some(query) = Query::parse(text) else {
            return Ok(SearchResults {
                devices: Vec::new(),
                roms: Vec::new(),
                next_cursor: None,
            });
        };
        let fts = fts_of(&query);
        let devices = if cursor == 0 {
            self.search_devices(&query, &fts)?
        } else {
            Vec::new()
        };
        let columns: Vec<String> = ROM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        // The order of search::newest_first: release date, undated last,
        // then the later recorded first.
        let sql = format!(
            "{SELECT}{} FROM rom_search s JOIN roms r ON r.id = s.rowid JOIN devices d ON d.variant = r.variant
             WHERE rom_search MATCH ?1 ORDER BY r.released IS NULL, r.released DESC, r.id DESC LIMIT ?2 OFFSET ?3",
            columns.join(", ")
        );
        let mut roms = self.listed(
            &sql,
            vec![
                Value::Text(fts),
                Value::Integer(limit as i64 + 1),
                Value::Integer(cursor as i64),
            ],
        )?;
        let next_cursor = (roms.len() > limit).then(|| {
            roms.truncate(limit);
            cursor + limit
        });
        Ok(SearchResults {
            devices,
            roms,
            next_cursor,
        })
    }

    /// The device pages with a variant that matches `query` (its codename
    /// and name), exact matches first, then by newest release.
    fn search_devices(&self, query: &Query, fts: &str) -> Result<Vec<DeviceHit>, StoreError> {
        // Only the variant and name columns: a device is found by its
        // names, not by its file names.
        let mut stmt = self.connection().prepare_cached(
            "WITH hits AS (SELECT DISTINCT r.codename, r.os_family FROM rom_search s
                           JOIN roms r ON r.id = s.rowid WHERE rom_search MATCH '{variant name} : (' || ?1 || ')')
             SELECT r.codename, r.os_family, d.variant, d.codename, d.name, d.region,
                    max(coalesce(r.released, '')), max(r.id)
             FROM roms r JOIN hits h ON h.codename = r.codename AND h.os_family = r.os_family
             JOIN devices d ON d.variant = r.variant
             GROUP BY r.codename, r.os_family, r.variant",
        )?;
        let rows = stmt.query_map([fts], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what} {value:?}"));
        // Each page's variants, with their newest release date and row.
        type Variants = Vec<(Device, Option<NaiveDate>, usize)>;
        let mut pages: BTreeMap<(String, OsFamily), Variants> = BTreeMap::new();
        for row in rows {
            let (codename, family, variant, device, name, region, latest, id) = row?;
            let family: OsFamily = family.parse().map_err(|_| corrupt("OS family", &family))?;
            let latest = (!latest.is_empty())
                .then(|| NaiveDate::parse_from_str(&latest, "%Y-%m-%d"))
                .transpose()
                .map_err(|_| corrupt("date", &latest))?;
            let variant = Device {
                variant: codename_of(&variant)?,
                codename: codename_of(&device)?,
                name,
                region: Region::from_code(&region).ok_or_else(|| corrupt("region", &region))?,
            };
            pages
                .entry((codename, family))
                .or_default()
                .push((variant, latest, id as usize));
        }
        let mut hits: Vec<(DeviceHit, usize)> = Vec::new();
        for ((codename, family), variants) in pages {
            let texts: Vec<[Vec<String>; 2]> = variants
                .iter()
                .map(|(v, _, _)| [words(v.variant.as_str()), words(&v.name)])
                .collect();
            if !texts.iter().any(|[c, n]| query.matches(&[c, n])) {
                continue;
            }
            let latest_date = variants.iter().map(|v| v.1).max().flatten();
            let recorded = variants.iter().map(|v| v.2).max().unwrap_or_default();
            let newest = variants
                .iter()
                .min_by(|a, b| newest_first(a.1, a.2, b.1, b.2))
                .map(|v| v.0.model_name().to_string());
            let name = newest.unwrap_or_else(|| codename.clone());
            let exact = query.is_exact(&words(&codename))
                || query.is_exact(&words(&name))
                || texts.iter().flatten().any(|t| query.is_exact(t));
            let url = paths::device_page(family, &codename_of(&codename)?);
            hits.push((
                DeviceHit {
                    codename,
                    name,
                    os: family.name(),
                    url,
                    exact,
                    latest_date,
                    variants: variants.into_iter().map(|v| v.0).collect(),
                },
                recorded,
            ));
        }
        hits.sort_by(|(a, a_row), (b, b_row)| {
            b.exact
                .cmp(&a.exact)
                .then_with(|| newest_first(a.latest_date, *a_row, b.latest_date, *b_row))
        });
        Ok(hits.into_iter().map(|(hit, _)| hit).collect())
    }

    /// A handle that can stop this store's running query from another
    /// thread (a server's time budget, or its client gone).
    pub fn interrupter(&mut self) -> Result<Interrupter, StoreError> {
        let later = Arc::new(AtomicBool::new(false));
        let stopped = later.clone();
        self.conn_mut().progress_handler(
            STOP_CHECK_STEPS,
            Some(move || stopped.load(Ordering::Relaxed)),
        )?;
        Ok(Interrupter {
            now: self.connection().get_interrupt_handle(),
            later,
        })
    }

    fn listed(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Listed>, StoreError> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |row| {
            Ok((|| -> Result<Listed, StoreError> {
                Ok(Listed {
                    id: row.get(0)?,
                    device: row.get(1)?,
                    rom: read_rom(row, 2)?,
                })
            })())
        })?;
        rows.map(|r| r?).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_becomes_quoted_prefix_phrases() {
        assert_eq!(fts_query("alioth").as_deref(), Some("\"alioth\"*"));
        assert_eq!(
            fts_query("V14.0.3 Global").as_deref(),
            Some("\"v14 0 3\"* \"global\"*")
        );
        assert_eq!(
            fts_query("\" OR x NEAR(").as_deref(),
            Some("\"or\"* \"x\"* \"near\"*")
        );
        assert_eq!(fts_query("  ..  "), None);
        assert_eq!(search_terms("V14.0.3 Global .."), 4);
    }
}
