//! The SQLite backend: one file, WAL journal so that readers (the server,
//! the site builder) never block the tracker's writes.
//!
//! Direction: it uses [`crate::merge`], [`crate::events`] and
//! [`crate::migrations`]; the modules that read the store (`outbox`, `query`,
//! `stats`, `tracking`) build on it, and it knows none of them.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use romwatch_model::{Codename, Device, FileName, Kind, Link, Md5, Region, Rom, Size, Version};

use crate::events::{Announce, EventKind, add_event};
use crate::merge::merge_rom;
use crate::{Incoming, MergeReport, StoreError, migrations};

/// The release store.
pub struct Store {
    conn: Connection,
}

pub(crate) const ROM_COLUMNS: &str = "filename, codename, variant, version, android, os_family, os_major, branch, method, \
     incremental_from, size_bytes, size_exact, md5, url, mirrors, changelog, released, first_seen";

impl Store {
    /// Opens the database at `path`, creating it and applying migrations as
    /// needed.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source: source.into(),
        })?;
        let opened = conn
            .pragma_update(None, "journal_mode", "WAL")
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .map_err(StoreError::from)
            .and_then(|()| Self::init(conn));
        opened.map_err(|error| damaged(path, error))
    }

    /// Checks the database file with SQLite's `PRAGMA quick_check` (every
    /// page and index entry readable and well formed; it skips matching
    /// index contents to rows, which `integrity_check` does at many times
    /// the cost). Commands that write call it first, so that nothing is
    /// written into a damaged database.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let path = Path::new(self.conn.path().unwrap_or_default());
        let problems = self
            .conn
            .prepare("PRAGMA quick_check(20)")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            // Damage bad enough stops the check itself.
            .map_err(|e| damaged(path, e.into()))?;
        if problems.iter().all(|p| p == "ok") {
            return Ok(());
        }
        Err(StoreError::Damaged {
            path: path.to_path_buf(),
            problems: problems.join("; "),
        })
    }

    /// Opens an existing database for reading only (the server and every
    /// command that only reads): no migration, no write can happen through
    /// it, and a missing file is an error rather than a new store.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        refuse_missing_file(path)?;
        refuse_empty_file(path)?;
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source: source.into(),
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| damaged(path, e.into()))?;
        if version != migrations::LATEST {
            return Err(StoreError::Schema {
                found: version,
                expected: migrations::LATEST,
            });
        }
        Ok(Store { conn })
    }

    /// A store that lives in memory, for tests and dry runs.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrations::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Writes checked records in one transaction: new device variants and
    /// ROMs are added, known ones merged (see [`crate::merge`]). With
    /// [`Announce::Changes`], each new ROM and each newly learned fact gets
    /// an outbox event in the same transaction.
    pub fn merge(
        &mut self,
        batch: &[Incoming],
        announce: Announce,
    ) -> Result<MergeReport, StoreError> {
        let tx = self.conn.transaction()?;
        let report = merge_in(&tx, batch, announce, &HashSet::new())?;
        tx.commit()?;
        Ok(report)
    }

    /// Every device variant, by codename.
    pub fn devices(&self) -> Result<Vec<Device>, StoreError> {
        read_devices(&self.conn)
    }

    /// Every ROM, in the order they were first recorded.
    pub fn roms(&self) -> Result<Vec<Rom>, StoreError> {
        read_roms(&self.conn)
    }

    /// Devices and ROMs read in one transaction, so they agree.
    pub fn snapshot(&mut self) -> Result<crate::formats::Snapshot, StoreError> {
        let tx = self.conn.transaction()?;
        let snapshot = crate::formats::Snapshot {
            devices: read_devices(&tx)?,
            roms: read_roms(&tx)?,
            facts: crate::tracking::read_package_facts(&tx)?,
        };
        tx.commit()?;
        Ok(snapshot)
    }

    /// What the store holds, as an opaque token (`<store id>-<n>`): it
    /// changes with every change to the ROMs or device variants, and two
    /// store files never share one. Equal tokens mean equal content.
    pub fn generation(&self) -> Result<String, StoreError> {
        Ok(self.conn.query_row(
            "SELECT store || '-' || value FROM generation WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// One ROM by file name.
    pub fn rom(&self, filename: &str) -> Result<Option<Rom>, StoreError> {
        find_rom(&self.conn, filename)
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// A database SQLite finds corrupt, or not a database at all, as
/// [`StoreError::Damaged`] with its hint; other errors as they are.
fn damaged(path: &Path, error: StoreError) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    let source = match &error {
        StoreError::Sqlite(source) | StoreError::Migration { source, .. } => &source.0,
        _ => return error,
    };
    match source.sqlite_error_code() {
        Some(DatabaseCorrupt | NotADatabase) => StoreError::Damaged {
            path: path.to_path_buf(),
            problems: source.to_string(),
        },
        _ => error,
    }
}

/// Refuses a database path where nothing is: reading must not create a
/// store. Other failures (a parent that is a plain file) are left to the
/// opening, whose error says more.
fn refuse_missing_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::Missing {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// Refuses a database file of zero bytes; a missing file is left to the
/// opening (which creates it, or fails read-only).
fn refuse_empty_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == 0 => Err(StoreError::Empty {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

/// [`Store::merge`] inside a transaction the caller commits. The ROMs
/// named in `quiet` get no event whatever they learn (their announcement is
/// held back).
pub(crate) fn merge_in(
    tx: &Transaction,
    batch: &[Incoming],
    announce: Announce,
    quiet: &HashSet<String>,
) -> Result<MergeReport, StoreError> {
    let mut report = MergeReport::default();
    // A device's name is the one the batch's last record gives it.
    let devices: HashMap<&str, &Device> = batch
        .iter()
        .map(|i| (i.device.variant.as_str(), &i.device))
        .collect();
    for device in devices.values() {
        upsert_device(tx, device, &mut report)?;
    }
    // The ROMs first, then the incrementals they link: a linked
    // package that the batch also lists as a record of its own keeps
    // that record's place in the store's order.
    let roms = batch.iter().map(|i| &i.rom);
    let incrementals = batch.iter().filter_map(|i| i.incremental.as_ref());
    for rom in roms.chain(incrementals) {
        let changes = merge_one(tx, rom, &mut report)?;
        if announce == Announce::Changes && !quiet.contains(rom.filename.as_str()) {
            for kind in changes {
                add_event(tx, &rom.filename, kind)?;
                report.events += 1;
            }
        }
    }
    Ok(report)
}

fn read_devices(conn: &Connection) -> Result<Vec<Device>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT variant, codename, name, region FROM devices ORDER BY variant")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (variant, codename, name, region) = row?;
        device_of(&variant, &codename, name, &region)
    })
    .collect()
}

/// A device variant from its stored columns.
pub(crate) fn device_of(
    variant: &str,
    codename: &str,
    name: String,
    region: &str,
) -> Result<Device, StoreError> {
    Ok(Device {
        variant: codename_of(variant)?,
        codename: codename_of(codename)?,
        name,
        region: Region::from_code(region)
            .ok_or_else(|| StoreError::Corrupt(format!("region {region:?}")))?,
    })
}

fn read_roms(conn: &Connection) -> Result<Vec<Rom>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {ROM_COLUMNS} FROM roms ORDER BY id"))?;
    let rows = stmt.query_map([], |r| Ok(read_rom(r, 0)))?;
    rows.map(|r| r?).collect()
}

pub(crate) fn codename_of(text: &str) -> Result<Codename, StoreError> {
    Codename::new(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn upsert_device(
    tx: &Transaction,
    device: &Device,
    report: &mut MergeReport,
) -> Result<(), StoreError> {
    let key = device.variant.as_str();
    let added = tx
        .prepare_cached("INSERT INTO devices (variant, codename, name, region) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (variant) DO NOTHING")?
        .execute(params![key, device.codename.as_str(), device.name, device.region.code()])?;
    report.new_devices += added;
    if added == 0 {
        report.renamed_devices += tx
            .prepare_cached("UPDATE devices SET name = ?2 WHERE variant = ?1 AND name != ?2")?
            .execute(params![key, device.name])?;
    }
    Ok(())
}

/// Merges one ROM; returns what there is to announce about it.
fn merge_one(
    tx: &Transaction,
    incoming: &Rom,
    report: &mut MergeReport,
) -> Result<Vec<EventKind>, StoreError> {
    let Some(stored) = find_rom(tx, &incoming.filename)? else {
        insert_rom(tx, incoming)?;
        report.new_roms += 1;
        return Ok(vec![EventKind::New]);
    };
    let merged = merge_rom(&stored, incoming, &mut report.conflicts);
    if merged == stored {
        report.unchanged_roms += 1;
        return Ok(Vec::new());
    }
    update_rom(tx, &merged)?;
    report.updated_roms += 1;
    Ok(EventKind::learned(&stored, &merged))
}

pub(crate) fn find_rom(conn: &Connection, filename: &str) -> Result<Option<Rom>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ROM_COLUMNS} FROM roms WHERE filename = ?1"
    ))?;
    stmt.query_row([filename], |r| Ok(read_rom(r, 0)))
        .optional()?
        .transpose()
}

/// The column values of a ROM, in [`ROM_COLUMNS`] order.
fn rom_values(rom: &Rom) -> [rusqlite::types::Value; 18] {
    use rusqlite::types::Value;
    let text = |s: &str| Value::Text(s.to_string());
    let opt = |s: Option<String>| s.map_or(Value::Null, Value::Text);
    let from = match &rom.kind {
        Kind::Incremental { from } => Some(from.clone()),
        Kind::Full => None,
    };
    [
        text(rom.filename.as_str()),
        text(rom.codename.as_str()),
        text(rom.variant.as_str()),
        text(rom.version.as_str()),
        opt(rom.android.clone()),
        text(rom.os.family.slug()),
        rom.os
            .major
            .map_or(Value::Null, |m| Value::Integer(m.into())),
        text(rom.branch.name()),
        text(rom.method.name()),
        opt(from),
        rom.size
            .map_or(Value::Null, |s| Value::Integer(s.bytes as i64)),
        Value::Integer(rom.size.is_some_and(|s| s.exact).into()),
        opt(rom.md5.map(|m| m.to_string())),
        opt(rom.url.as_ref().map(Link::to_string)),
        Value::Text(serde_json::Value::from_iter(rom.mirrors.iter().map(Link::as_str)).to_string()),
        opt(rom.changelog.clone()),
        opt(rom.released.map(|d| d.format("%Y-%m-%d").to_string())),
        text(&rom.first_seen.to_rfc3339_opts(SecondsFormat::Micros, true)),
    ]
}

fn insert_rom(tx: &Transaction, rom: &Rom) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO roms ({ROM_COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)"
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(rom_values(rom)))?;
    Ok(())
}

fn update_rom(tx: &Transaction, rom: &Rom) -> Result<(), StoreError> {
    let assignments: Vec<String> = ROM_COLUMNS
        .split(", ")
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE roms SET {} WHERE filename = ?1",
        assignments.join(", ")
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(rom_values(rom)))?;
    Ok(())
}

/// Reads a ROM whose [`ROM_COLUMNS`] start at column `at` of the row.
pub(crate) fn read_rom(r: &Row, at: usize) -> Result<Rom, StoreError> {
    let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("{what} {value:?}"));
    let text = |i| r.get::<_, String>(at + i);
    let opt = |i| r.get::<_, Option<String>>(at + i);
    let family: String = text(5)?;
    let os = romwatch_model::OsLine {
        family: family.parse().map_err(|_| corrupt("OS family", &family))?,
        major: r.get::<_, Option<u16>>(at + 6)?,
    };
    let branch: String = text(7)?;
    let method: String = text(8)?;
    let md5 = opt(12)?
        .map(|m| m.parse::<Md5>().map_err(|_| corrupt("md5", &m)))
        .transpose()?;
    let mirrors: String = text(14)?;
    let released = opt(16)?
        .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt("date", &d)))
        .transpose()?;
    let first_seen: String = text(17)?;
    let filename: String = text(0)?;
    let version: String = text(3)?;
    let url = opt(13)?
        .map(|u| Link::parse(&u).map_err(|_| corrupt("url", &u)))
        .transpose()?;
    Ok(Rom {
        filename: FileName::new(&filename).map_err(|_| corrupt("file name", &filename))?,
        codename: codename_of(&text(1)?)?,
        variant: codename_of(&text(2)?)?,
        version: Version::lenient(&version).map_err(|_| corrupt("version", &version))?,
        android: opt(4)?,
        os,
        branch: branch.parse().map_err(|_| corrupt("branch", &branch))?,
        method: method.parse().map_err(|_| corrupt("method", &method))?,
        kind: match opt(9)? {
            Some(from) => Kind::Incremental { from },
            None => Kind::Full,
        },
        size: r.get::<_, Option<i64>>(at + 10)?.map(|bytes| Size {
            bytes: bytes as u64,
            exact: r.get::<_, bool>(at + 11).unwrap_or(false),
        }),
        md5,
        url,
        mirrors: serde_json::from_str(&mirrors).map_err(|_| corrupt("mirrors", &mirrors))?,
        changelog: opt(15)?,
        released,
        first_seen: DateTime::parse_from_rfc3339(&first_seen)
            .map_err(|_| corrupt("first_seen", &first_seen))?
            .with_timezone(&Utc),
    })
}
