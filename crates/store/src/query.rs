//! Read-only queries for the live API: filtered, cursor-paged ROM lists and
//! full-text search.

use rusqlite::types::Value;
use serde::Serialize;

use romwatch_model::{Branch, Method, OsFamily, Region, Rom};

use crate::sqlite::{ROM_COLUMNS, read_rom};
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
    /// Pass as `before` to get the next page; `None` on the last one.
    pub next: Option<i64>,
}

/// The searchable words of what a user typed, each as its alphanumeric
/// runs (`V14.0.3` → `["V14", "0", "3"]`); words with none are left out.
fn search_words(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.split_whitespace().filter_map(|word| {
        let tokens: Vec<&str> = word
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        (!tokens.is_empty()).then_some(tokens)
    })
}

/// How many terms (alphanumeric runs) a search for `text` looks up: what
/// its cost grows with, so that a server can refuse too many.
pub fn search_terms(text: &str) -> usize {
    search_words(text).map(|tokens| tokens.len()).sum()
}

/// Turns what a user typed into an FTS5 query: each word becomes a quoted
/// prefix phrase of its alphanumeric runs (`V14.0.3` → `"V14 0 3"*`), so
/// no input can inject FTS5 syntax. `None` when nothing searchable is left.
pub fn fts_query(text: &str) -> Option<String> {
    let phrases: Vec<String> = search_words(text)
        .map(|tokens| format!("\"{}\"*", tokens.join(" ")))
        .take(8)
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" "))
}

/// Stops, from another thread, the statement running on one store's
/// connection; the query fails with an error for which
/// [`StoreError::is_interrupted`] holds. Interrupting a connection that is
/// running nothing has no effect on its later statements.
pub struct Interrupter(rusqlite::InterruptHandle);

impl Interrupter {
    /// Stops the running statement, if any.
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

const SELECT: &str = "SELECT r.id, d.name, ";

impl Store {
    /// ROMs matching `filter`, newest first, `limit` at most, recorded
    /// before the ROM `before` when given.
    pub fn list_roms(
        &self,
        filter: &RomFilter,
        limit: usize,
        before: Option<i64>,
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
                    next: None,
                });
            };
            condition(Value::Text(query), &|n| {
                format!("r.id IN (SELECT rowid FROM rom_search WHERE rom_search MATCH ?{n})")
            });
        }
        if let Some(before) = before {
            condition(Value::Integer(before), &|n| format!("r.id < ?{n}"));
        }
        let columns: Vec<String> = ROM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let filters = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        args.push(Value::Integer(limit as i64 + 1));
        let sql = format!(
            "{SELECT}{} FROM roms r JOIN devices d ON d.codename = r.variant {filters} ORDER BY r.id DESC LIMIT ?{}",
            columns.join(", "),
            args.len()
        );
        let mut roms = self.listed(&sql, args)?;
        let next = if roms.len() > limit {
            roms.truncate(limit);
            roms.last().map(|r| r.id)
        } else {
            None
        };
        Ok(Page { roms, next })
    }

    /// The ROMs whose file name, variant or device name match the words of
    /// `text` (each word a prefix), best matches first.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<Listed>, StoreError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        let columns: Vec<String> = ROM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let sql = format!(
            "{SELECT}{} FROM rom_search s JOIN roms r ON r.id = s.rowid JOIN devices d ON d.codename = r.variant
             WHERE rom_search MATCH ?1 ORDER BY s.rank, r.id DESC LIMIT ?2",
            columns.join(", ")
        );
        self.listed(&sql, vec![Value::Text(query), Value::Integer(limit as i64)])
    }

    /// A handle that can stop this store's running query from another
    /// thread (a server's time budget, or its client gone).
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.connection().get_interrupt_handle())
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
            Some("\"V14 0 3\"* \"Global\"*")
        );
        assert_eq!(
            fts_query("\" OR x NEAR(").as_deref(),
            Some("\"OR\"* \"x\"* \"NEAR\"*")
        );
        assert_eq!(fts_query("  ..  "), None);
        assert_eq!(search_terms("V14.0.3 Global .."), 4);
    }
}
